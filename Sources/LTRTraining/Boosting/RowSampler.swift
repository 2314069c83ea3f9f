import LTRModel
import RerankCore

/// Draws the bag (rows a tree learns from) and the feature subset of each iteration from the seed.
///
/// Rows are drawn in fixed blocks, each with its own generator derived from (seed, iteration, block), like
/// LightGBM's per-block bagging generators, so a bag never depends on the thread count.
struct RowSampler {
    private let rowCount: Int
    private let queryBoundaries: [Int]
    private let parameters: TrainingParameters
    private static let blockSize = 1024

    /// - Parameters:
    ///   - rowCount: the number of training rows.
    ///   - queryBoundaries: start row of each query followed by the row count (for `baggingByQuery`).
    init(rowCount: Int, queryBoundaries: [Int], parameters: TrainingParameters) {
        self.rowCount = rowCount
        self.queryBoundaries = queryBoundaries
        self.parameters = parameters
    }

    /// Whether a new bag is drawn at `iteration` (every `baggingFrequency` iterations when bagging is on).
    func rebags(at iteration: Int) -> Bool {
        parameters.baggingFrequency > 0 && parameters.baggingFraction < 1
            && iteration % parameters.baggingFrequency == 0
    }

    /// The in-bag rows of `iteration`, increasing: each row (or each query, with `baggingByQuery`) is kept
    /// with probability `baggingFraction`.
    func bag(iteration: Int) -> [Int32] {
        var rows: [Int32] = []
        rows.reserveCapacity(Int(Double(rowCount) * parameters.baggingFraction * 1.05) + 16)
        let units = parameters.baggingByQuery ? queryBoundaries.count - 1 : rowCount
        var random = SplitMix64(seed: 0)
        for unit in 0..<units {
            if unit % Self.blockSize == 0 {
                random = SplitMix64(
                    seed: parameters.seed, stream: 2, index: UInt64(iteration) << 32 | UInt64(unit / Self.blockSize))
            }
            guard random.nextUnitDouble() < parameters.baggingFraction else { continue }
            if parameters.baggingByQuery {
                for row in queryBoundaries[unit]..<queryBoundaries[unit + 1] { rows.append(Int32(row)) }
            } else {
                rows.append(Int32(unit))
            }
        }
        return rows
    }

    /// The features the tree of `iteration` may split on, increasing: all of them, or a random
    /// `featureFraction` share (at least one).
    func features(iteration: Int, count: Int) -> [Int] {
        guard parameters.featureFraction < 1 else { return Array(0..<count) }
        let wanted = max(1, Int(Double(count) * parameters.featureFraction + 0.5))
        var random = SplitMix64(seed: parameters.seed, stream: 3, index: UInt64(iteration))
        var all = Array(0..<count)
        for index in 0..<min(wanted, count - 1) {
            let pick = index + Int(random.next() % UInt64(count - index))
            all.swapAt(index, pick)
        }
        return all[..<wanted].sorted()
    }
}
