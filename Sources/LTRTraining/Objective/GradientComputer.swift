import LTRModel

/// Computes the LambdaRank gradients of every training query, in parallel over fixed chunks of queries.
///
/// Each query writes only its own rows, so the result does not depend on the thread count. Each query's
/// ranking is kept from one iteration to the next, where it changes little, to make sorting cheap.
final class GradientComputer {
    private let labels: [Float]
    private let weights: [Float]?
    private let queryBoundaries: [Int]
    private let objective: LambdaRankObjective
    private let inverseMaxDCG: [Double]
    private let chunks: [Range<Int>]
    private let threads: Int
    private var orders: [Int32]

    /// - Parameters:
    ///   - labels: the training rows' labels.
    ///   - queryBoundaries: start row of each query followed by the row count.
    ///   - weights: the rows' weights, or nil for all 1.
    init(labels: [Float], queryBoundaries: [Int], weights: [Float]?, objective: LambdaRankObjective, threads: Int) {
        self.labels = labels
        self.weights = weights
        self.queryBoundaries = queryBoundaries
        self.objective = objective
        self.threads = threads
        let queryCount = queryBoundaries.count - 1
        inverseMaxDCG = (0..<queryCount).map { query in
            objective.inverseMaxDCG(labels: labels[queryBoundaries[query]..<queryBoundaries[query + 1]])
        }
        chunks = Parallel.ranges(queryCount, pieces: max(1, queryCount / 16))
        orders = (0..<queryCount).flatMap { query in
            (0..<Int32(queryBoundaries[query + 1] - queryBoundaries[query])).map { $0 }
        }
    }

    /// Fills `pairs[row]` with `(gradient, hessian)` of every row for the current `scores`.
    func compute(scores: [Double], into pairs: inout [SIMD2<Float>]) {
        let objective = self.objective
        let queryBoundaries = self.queryBoundaries
        let inverseMaxDCG = self.inverseMaxDCG
        let chunks = self.chunks
        labels.withUnsafeBufferPointer { labels in
            withOptionalBuffer(weights) { weights in
                scores.withUnsafeBufferPointer { scores in
                    pairs.withUnsafeMutableBufferPointer { pairs in
                        orders.withUnsafeMutableBufferPointer { orders in
                            Parallel.forEach(chunks.count, threads: threads) { chunk in
                                var scratch = LambdaRankScratch()
                                for query in chunks[chunk] {
                                    let rows = queryBoundaries[query]..<queryBoundaries[query + 1]
                                    let factor = objective.accumulate(
                                        labels: UnsafeBufferPointer(rebasing: labels[rows]),
                                        scores: UnsafeBufferPointer(rebasing: scores[rows]),
                                        weights: weights.map { UnsafeBufferPointer(rebasing: $0[rows]) },
                                        inverseMaxDCG: inverseMaxDCG[query],
                                        scratch: &scratch,
                                        previousOrder: UnsafeMutableBufferPointer(rebasing: orders[rows]))
                                    for (rank, document) in scratch.order.enumerated() {
                                        pairs[rows.lowerBound + document] = SIMD2(
                                            Float(scratch.lambdas[rank] * factor), Float(scratch.hessians[rank] * factor))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
