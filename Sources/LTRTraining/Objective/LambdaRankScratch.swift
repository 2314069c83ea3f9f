import Foundation
import LTRModel

/// Reusable per-thread buffers for `LambdaRankObjective.accumulate`, indexed by rank.
struct LambdaRankScratch {
    /// `order[rank]` is the query-local index of the document at `rank`.
    private(set) var order: [Int] = []
    /// Gradient and hessian sums by rank.
    private(set) var lambdas: [Double] = []
    private(set) var hessians: [Double] = []
    private var sortedScores: [Double] = []
    private var sortedDiscounts: [Double] = []
    private var sortedWeights: [Double] = []
    private var labelOfRank: [Int] = []
    private var groupRanks: [Int32] = []
    private var groupLabels: [Int] = []
    private var groupEnds: [Int] = []
    private var groupCursors: [Int] = []
    private var groupOfLabel: [Int] = []

    /// Queries longer than this are sorted from scratch instead of by insertion from the previous order.
    private static let insertionLimit = 128

    /// Sizes the buffers for `scores.count` documents, zeroes the sums, and ranks the documents by decreasing
    /// score, equal scores by index. Starting from the previous iteration's order, which changes little, an
    /// insertion sort takes about one pass.
    mutating func rank(scores: UnsafeBufferPointer<Double>, previousOrder: UnsafeMutableBufferPointer<Int32>?) {
        let count = scores.count
        if order.count != count {
            order = Array(0..<count)
            lambdas = [Double](repeating: 0, count: count)
            hessians = [Double](repeating: 0, count: count)
            sortedScores = [Double](repeating: 0, count: count)
            sortedDiscounts = [Double](repeating: 0, count: count)
            sortedWeights = [Double](repeating: 1, count: count)
            labelOfRank = [Int](repeating: 0, count: count)
            groupRanks = [Int32](repeating: 0, count: count)
        }
        for index in 0..<count {
            order[index] = previousOrder.map { Int($0[index]) } ?? index
            lambdas[index] = 0
            hessians[index] = 0
        }
        func precedes(_ a: Int, _ b: Int) -> Bool {
            scores[a] > scores[b] || (scores[a] == scores[b] && a < b)
        }
        if count > Self.insertionLimit {
            order.sort(by: precedes)
        } else {
            order.withUnsafeMutableBufferPointer { order in
                for index in 1..<max(1, count) {
                    let document = order[index]
                    var position = index
                    while position > 0 && precedes(document, order[position - 1]) {
                        order[position] = order[position - 1]
                        position -= 1
                    }
                    order[position] = document
                }
            }
        }
        for index in 0..<count {
            sortedScores[index] = scores[order[index]]
            previousOrder?[index] = Int32(order[index])
        }
    }

    /// Groups the ranks by label (labels must be valid, non-negative integers) and records each rank's
    /// discount, from `discounts` where the table reaches, and weight (1 without `weights`).
    mutating func group(labels: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>?, discounts: [Double]) {
        let count = order.count
        var maxLabel = 0
        for rank in 0..<count {
            let label = Int(labels[order[rank]])
            labelOfRank[rank] = label
            maxLabel = max(maxLabel, label)
            sortedDiscounts[rank] = rank < discounts.count ? discounts[rank] : 1 / log2(2 + Double(rank))
            sortedWeights[rank] = weights.map { Double($0[order[rank]]) } ?? 1
        }
        if groupOfLabel.count == maxLabel + 1 {
            for label in 0...maxLabel { groupOfLabel[label] = 0 }
        } else {
            groupOfLabel = [Int](repeating: 0, count: maxLabel + 1)
        }
        for rank in 0..<count { groupOfLabel[labelOfRank[rank]] += 1 }
        groupLabels.removeAll(keepingCapacity: true)
        groupEnds.removeAll(keepingCapacity: true)
        groupCursors.removeAll(keepingCapacity: true)
        var start = 0
        for label in 0...maxLabel where groupOfLabel[label] > 0 {
            let size = groupOfLabel[label]
            groupOfLabel[label] = groupLabels.count
            groupLabels.append(label)
            groupCursors.append(start)
            start += size
            groupEnds.append(start)
        }
        var fill = groupCursors
        for rank in 0..<count {
            let group = groupOfLabel[labelOfRank[rank]]
            groupRanks[fill[group]] = Int32(rank)
            fill[group] += 1
        }
    }

    /// Runs `body` with the label groups, the ranked scores, discounts and weights, and the sums to accumulate
    /// into.
    mutating func withGroups(
        _ body: (
            LabelGroups, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>,
            UnsafeMutablePointer<Double>
        ) -> Void
    ) {
        groupRanks.withUnsafeBufferPointer { ranks in
            groupLabels.withUnsafeBufferPointer { labels in
                groupEnds.withUnsafeBufferPointer { ends in
                    groupCursors.withUnsafeMutableBufferPointer { cursors in
                        labelOfRank.withUnsafeBufferPointer { labelOfRank in
                            groupOfLabel.withUnsafeBufferPointer { groupOfLabel in
                                sortedScores.withUnsafeBufferPointer { scores in
                                    sortedDiscounts.withUnsafeBufferPointer { discounts in
                                        sortedWeights.withUnsafeBufferPointer { weights in
                                            lambdas.withUnsafeMutableBufferPointer { lambdas in
                                                hessians.withUnsafeMutableBufferPointer { hessians in
                                                    let groups = LabelGroups(
                                                        count: labels.count, labels: labels.baseAddress!,
                                                        ranks: ranks.baseAddress!, ends: ends.baseAddress!,
                                                        cursors: cursors.baseAddress!, labelOfRank: labelOfRank.baseAddress!,
                                                        groupOfLabel: groupOfLabel.baseAddress!)
                                                    body(
                                                        groups, scores.baseAddress!, discounts.baseAddress!, weights.baseAddress!,
                                                        lambdas.baseAddress!, hessians.baseAddress!)
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
        }
    }
}

/// A query's ranks grouped by label, each group in increasing rank, with a cursor per group that skips the
/// ranks already visited by the pair loop (which walks ranks in increasing order).
struct LabelGroups {
    /// Number of distinct labels.
    let count: Int
    /// The label of each group, increasing.
    let labels: UnsafePointer<Int>
    /// Ranks, group after group.
    let ranks: UnsafePointer<Int32>
    let ends: UnsafePointer<Int>
    let cursors: UnsafeMutablePointer<Int>
    let labelOfRank: UnsafePointer<Int>
    let groupOfLabel: UnsafePointer<Int>

    @inline(__always)
    func label(ofRank rank: Int) -> Int { labelOfRank[rank] }

    /// Marks `rank` as visited: it is the next member of its group.
    @inline(__always)
    func pass(rank: Int) { cursors[groupOfLabel[labelOfRank[rank]]] += 1 }

    /// Positions in `ranks` of the group's members not yet visited (all ranked below the current one).
    @inline(__always)
    func remaining(_ group: Int) -> Range<Int> { cursors[group]..<ends[group] }
}
