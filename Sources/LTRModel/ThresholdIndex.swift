/// One feature's distinct split thresholds, with a table that answers "how many thresholds are below this
/// value" in a look-up and a step or two, for `ScoringProgram`.
///
/// Values and thresholds are compared as order-preserving integer keys (`key(a) < key(b)` ⇔ `a < b` for
/// any float but NaN, with -0 made a 0 first). The keys' range from the lowest threshold to the highest is cut
/// into equal buckets, and the table holds, for each bucket, the number of thresholds below its start; a
/// value's rank is its bucket's entry plus the thresholds of that bucket still below it. Keys order floats by
/// magnitude and exponent, so buckets are about as fine for small thresholds as for large ones.
struct ThresholdIndex: Sendable {
    /// The thresholds' keys, increasing.
    let keys: [Int64]
    private let lowest: Int64
    private let shift: Int64
    /// Per bucket, the number of thresholds whose key is below the bucket's first key.
    private let below: [Int32]

    /// Buckets per threshold: enough that most buckets hold at most one.
    private static let bucketsPerThreshold = 8
    private static let maxBuckets = 2048

    /// - Parameter thresholds: distinct, increasing, none NaN or -0; at least one.
    init(_ thresholds: [Float]) {
        keys = thresholds.map(Self.key)
        lowest = keys[0]
        let span = keys[keys.count - 1] - lowest
        let buckets = min(Self.maxBuckets, Self.bucketsPerThreshold * keys.count)
        var shift: Int64 = 0
        while span >> shift >= Int64(buckets) { shift += 1 }
        self.shift = shift
        let bucketCount = Int(span >> shift) + 1
        var below = [Int32](repeating: 0, count: bucketCount)
        var rank = 0
        for bucket in 0..<bucketCount {
            let start = lowest + (Int64(bucket) << shift)
            while rank < keys.count && keys[rank] < start { rank += 1 }
            below[bucket] = Int32(rank)
        }
        self.below = below
    }

    /// An integer that orders as the float does, for any value but NaN; -0 and 0 are told apart, so callers
    /// make -0 a 0 first (`value + 0`).
    @inline(__always) static func key(_ value: Float) -> Int64 {
        let bits = Int32(bitPattern: value.bitPattern)
        return Int64(bits ^ ((bits >> 31) & 0x7FFF_FFFF))
    }

    /// The number of thresholds below the value whose key is `key`.
    @inline(__always) func rank(of key: Int64) -> Int {
        keys.withUnsafeBufferPointer { keys in
            below.withUnsafeBufferPointer { below in
                let bucket = Int(min(max(key - lowest, 0) >> shift, Int64(below.count - 1)))
                var rank = Int(below[bucket])
                while rank < keys.count && keys[rank] < key { rank += 1 }
                return rank
            }
        }
    }
}
