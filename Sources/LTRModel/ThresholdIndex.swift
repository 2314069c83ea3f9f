import CScoring

/// One feature's distinct split thresholds, with a table that answers "how many thresholds are below this
/// value" in a look-up and a few steps, for `ScoringProgram`.
///
/// Values and thresholds are compared as order-preserving integer keys (`key(a) < key(b)` ⇔ `a < b` for
/// any float but NaN, with -0 made a 0 first). The keys' range from the lowest threshold to the highest is cut
/// into equal buckets, and the table holds, for each bucket, the number of thresholds below its start. A
/// value's rank is its bucket's entry plus the thresholds of its bucket still below it, counted by a search
/// over a window as wide as the fullest bucket, whose steps do not depend on the value. Keys order floats by
/// exponent, then mantissa, so buckets are about as fine for small thresholds as for large ones; a lone
/// threshold far from the others (LightGBM's 1e-35 "zero or not") only widens the window.
struct ThresholdIndex: Sendable {
    /// How values are ranked: as below, four at a time (every processor); with SSE4.1 and POPCNT, four keys and
    /// buckets at once, then each value by comparing its bucket's window of at most 8 thresholds with it at once, no
    /// search (x86-64 processors with AVX2, which have both; a wider window is ranked portably); or with AVX-512, 8 at
    /// a time.
    enum Kernel: Sendable {
        case portable
        case sse
        case avx512
    }

    /// The thresholds' keys, increasing, then `window` keys above any value's.
    private let keys: [Int64]
    /// The thresholds, increasing, then 8 infinities, for the SSE kernel's comparisons.
    private let thresholds: [Float]
    /// The number of thresholds.
    let count: Int
    private let lowest: Int64
    private let shift: Int64
    /// Per bucket, the number of thresholds whose key is below the bucket's first key.
    private let below: [Int32]
    /// A power of two at least the number of thresholds in any one bucket.
    private let window: Int

    /// Buckets per threshold, at most `maxBuckets`: enough that most buckets hold at most one.
    private static let bucketsPerThreshold = 8
    private static let maxBuckets = 2048
    /// Where thresholds crowd into a few buckets (rates a hair apart), buckets are halved, up to this many, until
    /// none holds more than `crowded`: each doubling of the fullest bucket is one more step of every search.
    private static let maxRefinedBuckets = 16384
    private static let crowded = 4
    /// Above every key of a float.
    private static let beyond = Int64(Int32.max) + 1

    /// - Parameter thresholds: distinct, increasing, none NaN or -0; at least one.
    init(_ thresholds: [Float]) {
        let keys = thresholds.map(Self.key)
        count = keys.count
        lowest = keys[0]
        let span = keys[keys.count - 1] - lowest
        let buckets = min(Self.maxBuckets, Self.bucketsPerThreshold * keys.count)
        var shift: Int64 = 0
        while span >> shift >= Int64(buckets) { shift += 1 }
        var (below, fullest) = Self.table(keys, shift: shift)
        while fullest > Self.crowded, shift > 0, span >> (shift - 1) < Int64(Self.maxRefinedBuckets) {
            shift -= 1
            (below, fullest) = Self.table(keys, shift: shift)
        }
        self.shift = shift
        self.below = below
        var window = 1
        while window < fullest { window <<= 1 }
        self.window = window
        self.keys = keys + [Int64](repeating: Self.beyond, count: window)
        self.thresholds = thresholds + [Float](repeating: .infinity, count: 8)
    }

    /// Per bucket of `1 << shift` keys from the lowest key, the number of `keys` below it; and the most keys in
    /// one bucket.
    private static func table(_ keys: [Int64], shift: Int64) -> (below: [Int32], fullest: Int) {
        let lowest = keys[0]
        var below = [Int32](repeating: 0, count: Int((keys[keys.count - 1] - lowest) >> shift) + 1)
        for key in keys { below[Int((key - lowest) >> shift)] += 1 }
        var fullest = 0
        var rank: Int32 = 0
        for bucket in below.indices {
            fullest = max(fullest, Int(below[bucket]))
            (below[bucket], rank) = (rank, rank + below[bucket])
        }
        return (below, fullest)
    }

    /// An integer that orders as the float does, for any value but NaN; -0 and 0 are told apart, so callers
    /// make -0 a 0 first (`value + 0`).
    @inline(__always) static func key(_ value: Float) -> Int64 {
        let bits = Int32(bitPattern: value.bitPattern)
        return Int64(bits ^ ((bits >> 31) & 0x7FFF_FFFF))
    }

    /// Writes into `ranks` the number of thresholds below each of `count` values, the value of row r at
    /// `values[r * stride]`, a missing value (NaN) read as 0, and returns whether the values all have one key;
    /// if they do, only the first rank is written. `kernel` (`Kernel`) must be one the processor runs.
    func ranks(
        of values: UnsafePointer<Float>, stride: Int, count: Int, into ranks: UnsafeMutablePointer<Int32>,
        kernel: Kernel
    ) -> Bool {
        // A search's context and the searcher's own features are one value for every row, and so are, for most
        // searches, the searcher's history with the hits: one rank.
        if let key = Self.commonKey(of: values, stride: stride, count: count) {
            ranks[0] = Int32(rank(of: key))
            return true
        }
        switch kernel {
        case .avx512:
            withCIndex { rerank_rank_values(&$0, values, Int64(stride), Int64(count), ranks) }
            return false
        case .sse where window <= 8:
            withCIndex { rerank_rank_values_sse(&$0, values, Int64(stride), Int64(count), ranks) }
            return false
        case .sse, .portable:
            break
        }
        keys.withUnsafeBufferPointer { keys in
            below.withUnsafeBufferPointer { below in
                // Four values at a time, their steps interleaved: each step's load waits on the one before, so
                // four chains in one loop keep four loads in flight.
                var row = 0
                while row + 4 <= count {
                    let key0 = Self.rowKey(values[row * stride]), key1 = Self.rowKey(values[(row + 1) * stride])
                    let key2 = Self.rowKey(values[(row + 2) * stride]), key3 = Self.rowKey(values[(row + 3) * stride])
                    var base0 = bucketStart(of: key0, below: below), base1 = bucketStart(of: key1, below: below)
                    var base2 = bucketStart(of: key2, below: below), base3 = bucketStart(of: key3, below: below)
                    var length = window
                    while length > 1 {
                        let half = length >> 1
                        base0 &+= Self.step(half, keys[base0 &+ half &- 1], key0)
                        base1 &+= Self.step(half, keys[base1 &+ half &- 1], key1)
                        base2 &+= Self.step(half, keys[base2 &+ half &- 1], key2)
                        base3 &+= Self.step(half, keys[base3 &+ half &- 1], key3)
                        length &-= half
                    }
                    ranks[row] = Int32(base0 &+ Self.step(1, keys[base0], key0))
                    ranks[row + 1] = Int32(base1 &+ Self.step(1, keys[base1], key1))
                    ranks[row + 2] = Int32(base2 &+ Self.step(1, keys[base2], key2))
                    ranks[row + 3] = Int32(base3 &+ Self.step(1, keys[base3], key3))
                    row += 4
                }
                for row in row..<count {
                    ranks[row] = Int32(rank(of: Self.rowKey(values[row * stride]), keys: keys, below: below))
                }
            }
        }
        return false
    }

    /// Calls `body` with the index as the C kernels read it.
    private func withCIndex(_ body: (inout rerank_threshold_index) -> Void) {
        keys.withUnsafeBufferPointer { keys in
            thresholds.withUnsafeBufferPointer { thresholds in
                below.withUnsafeBufferPointer { below in
                    var index = rerank_threshold_index(
                        keys: keys.baseAddress, thresholds: thresholds.baseAddress, below: below.baseAddress,
                        lowest: lowest, shift: shift, last_bucket: Int64(below.count - 1), window: Int64(window))
                    body(&index)
                }
            }
        }
    }

    /// The key all `count` values share (NaN read as 0), or nil when two differ; the first difference ends
    /// the scan, so varying values cost a comparison or two.
    private static func commonKey(of values: UnsafePointer<Float>, stride: Int, count: Int) -> Int64? {
        guard count > 0 else { return nil }
        let first = rowKey(values[0])
        for row in 1..<count where rowKey(values[row * stride]) != first { return nil }
        return first
    }

    /// The key of a row's value, a missing value (NaN) read as 0 and -0 as 0.
    @inline(__always) private static func rowKey(_ value: Float) -> Int64 { key(value.isNaN ? 0 : value + 0) }

    /// The number of thresholds below the value whose key is `key`.
    ///
    /// The thresholds after the key's bucket are all above the key, so counting within a window that starts at
    /// the bucket's first threshold and spans the fullest bucket is exact. Each step adds `half` or nothing by
    /// the sign of a difference (32-bit keys in 64 bits: no overflow), not by a comparison the compiler would
    /// turn into a jump that the processor mispredicts.
    @inline(__always) func rank(of key: Int64) -> Int {
        keys.withUnsafeBufferPointer { keys in
            below.withUnsafeBufferPointer { below in rank(of: key, keys: keys, below: below) }
        }
    }

    @inline(__always) private func rank(
        of key: Int64, keys: UnsafeBufferPointer<Int64>, below: UnsafeBufferPointer<Int32>
    ) -> Int {
        var base = bucketStart(of: key, below: below)
        var length = window
        while length > 1 {
            let half = length >> 1
            base &+= Self.step(half, keys[base &+ half &- 1], key)
            length &-= half
        }
        return base &+ Self.step(1, keys[base], key)
    }

    /// The number of thresholds below the first of the key's bucket.
    @inline(__always) private func bucketStart(of key: Int64, below: UnsafeBufferPointer<Int32>) -> Int {
        Int(below[Int(min(max(key - lowest, 0) >> shift, Int64(below.count - 1)))])
    }

    /// `size` when `probe` is below `key`, else 0.
    @inline(__always) private static func step(_ size: Int, _ probe: Int64, _ key: Int64) -> Int {
        size & Int((probe &- key) >> 63)
    }
}
