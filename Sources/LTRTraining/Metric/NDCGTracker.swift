import Foundation
import LTRModel

/// Mean NDCG@k of a data set's queries under changing scores, with the ideal DCGs computed once.
///
/// Used by the booster every iteration. Queries are evaluated in parallel into per-query slots and summed in
/// query order, so the result never depends on the thread count. Queries without gain count as NDCG 1.
struct NDCGTracker {
    let cutoffs: [Int]
    private let labels: [Float]
    private let queryBoundaries: [Int]
    private let gains: [Double]
    private let inverseIdeal: [Double]
    private let threads: Int

    /// - Parameters:
    ///   - labels: the rows' labels, valid indices into `labelGain`.
    ///   - labelGain: gain of each integer label.
    init(labels: [Float], queryBoundaries: [Int], cutoffs: [Int], labelGain: [Double], threads: Int) {
        self.cutoffs = cutoffs
        self.labels = labels
        self.queryBoundaries = queryBoundaries
        self.threads = threads
        gains = labels.map { labelGain[Int($0)] }
        var inverse = [Double](repeating: 0, count: (queryBoundaries.count - 1) * cutoffs.count)
        for query in 0..<(queryBoundaries.count - 1) {
            let ideal = queryBoundaries[query]..<queryBoundaries[query + 1]
            let sortedGains = ideal.map { labelGain[Int(labels[$0])] }.sorted(by: >)
            for (index, cutoff) in cutoffs.enumerated() {
                let dcg = Self.dcg(sortedGains, cutoff: cutoff)
                inverse[query * cutoffs.count + index] = dcg > 0 ? 1 / dcg : 0
            }
        }
        inverseIdeal = inverse
    }

    /// Mean NDCG at each cutoff for `scores` (one per row).
    func evaluate(scores: [Double]) -> [Double] {
        let queries = queryBoundaries.count - 1
        let width = cutoffs.count
        var perQuery = [Double](repeating: 0, count: queries * width)
        let chunks = Parallel.ranges(queries, pieces: max(1, queries / 64))
        perQuery.withUnsafeMutableBufferPointer { output in
            Parallel.forEach(chunks.count, threads: threads) { chunk in
                var order: [Int] = []
                var rankedGains: [Double] = []
                for query in chunks[chunk] {
                    let rows = queryBoundaries[query]..<queryBoundaries[query + 1]
                    guard inverseIdeal[query * width] > 0 else {
                        for index in 0..<width { output[query * width + index] = 1 }
                        continue
                    }
                    order.removeAll(keepingCapacity: true)
                    order.append(contentsOf: rows)
                    order.sort { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                    rankedGains.removeAll(keepingCapacity: true)
                    for row in order { rankedGains.append(gains[row]) }
                    for (index, cutoff) in cutoffs.enumerated() {
                        let inverse = inverseIdeal[query * width + index]
                        output[query * width + index] = inverse > 0 ? Self.dcg(rankedGains, cutoff: cutoff) * inverse : 1
                    }
                }
            }
        }
        var means = [Double](repeating: 0, count: width)
        for query in 0..<queries {
            for index in 0..<width { means[index] += perQuery[query * width + index] }
        }
        return means.map { $0 / Double(queries) }
    }

    private static func dcg(_ rankedGains: [Double], cutoff: Int) -> Double {
        var total = 0.0
        for position in 0..<min(cutoff, rankedGains.count) {
            total += rankedGains[position] / log2(Double(position) + 2)
        }
        return total
    }
}
