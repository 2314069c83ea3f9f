import RerankCore

/// A uniform sample of row numbers from a stream of rows whose length is not known in advance (reservoir
/// sampling, Vitter's algorithm R), for finding the histogram bins.
///
/// Only row numbers are kept; the caller reads the sampled rows' values afterwards. The draws come from one
/// generator derived from the seed and are made in row order, so the sample depends only on the seed and the
/// row count, never on how the rows were handed over or on the thread count. With at most `capacity` rows
/// the sample is every row.
///
/// ```swift
/// var reservoir = RowReservoir(capacity: 200_000, seed: parameters.seed)
/// reservoir.add(rows: 1_000)
/// reservoir.add(rows: 500)
/// reservoir.rows  // increasing row numbers, min(capacity, 1_500) of them
/// ```
struct RowReservoir {
    /// The most rows the sample holds.
    let capacity: Int
    /// Number of rows offered so far.
    private(set) var offered = 0
    private var slots: [Int] = []
    private var random: SplitMix64

    init(capacity: Int, seed: UInt64) {
        precondition(capacity >= 1, "a sample of at least one row")
        self.capacity = capacity
        random = SplitMix64(seed: seed, stream: 1, index: 0)
    }

    /// Offers the next `count` rows of the stream.
    mutating func add(rows count: Int) {
        let end = offered + count
        while offered < end && slots.count < capacity {
            slots.append(offered)
            offered += 1
        }
        while offered < end {
            // Row `offered` replaces a uniformly chosen slot with probability capacity / (offered + 1).
            let pick = Int(random.next() % UInt64(offered + 1))
            if pick < capacity { slots[pick] = offered }
            offered += 1
        }
    }

    /// The sampled row numbers, increasing.
    var rows: [Int] { slots.sorted() }
}
