
/// The form of a model used by `ModelScorer`: each feature's distinct thresholds, and each tree's internal
/// nodes in depth-first order, scored over blocks of up to 128 rows held as bit sets.
///
/// For a block, each feature's values are ranked among that feature's thresholds, and for every threshold
/// the set of rows above it is built once (`value > threshold` ⇔ the row's rank exceeds the threshold's).
/// A tree is then walked once for the whole block, depth first, carrying the set of rows that reach each
/// node: a node splits its set with one bit-set operation, subtrees no row reaches are skipped, and each
/// leaf adds its value to its rows. Every row sums the trees in model order, exactly as
/// `RankingModel.predict`.
struct ScoringProgram: Sendable {
    /// The rows of a block, one bit each.
    struct RowSet {
        var low: UInt64
        var high: UInt64

        static let empty = RowSet(low: 0, high: 0)

        /// The first `count` rows (at most 128).
        init(first count: Int) {
            low = count >= 64 ? ~0 : (1 << UInt64(count)) &- 1
            high = count >= 128 ? ~0 : count <= 64 ? 0 : (1 << UInt64(count - 64)) &- 1
        }

        init(low: UInt64, high: UInt64) {
            self.low = low
            self.high = high
        }

        var isEmpty: Bool { (low | high) == 0 }

        mutating func insert(_ row: Int) {
            if row < 64 { low |= 1 << UInt64(row) } else { high |= 1 << UInt64(row - 64) }
        }

        static func & (a: RowSet, b: RowSet) -> RowSet { RowSet(low: a.low & b.low, high: a.high & b.high) }
        static func | (a: RowSet, b: RowSet) -> RowSet { RowSet(low: a.low | b.low, high: a.high | b.high) }
        /// The rows of `a` not in `b`.
        static func - (a: RowSet, b: RowSet) -> RowSet { RowSet(low: a.low & ~b.low, high: a.high & ~b.high) }
    }

    /// Rows per block.
    static let blockSize = 128

    /// The model's distinct thresholds on each feature, increasing.
    private let cuts: [[Float]]
    /// Where each feature's thresholds start among all of them.
    private let cutStart: [Int]
    private let cutTotal: Int
    /// Features some node splits on; only these are ranked.
    private let usedFeatures: [Int]
    /// Per internal node, in preorder tree after tree: the index of its threshold among all thresholds.
    private let cut: [Int32]
    /// Children: `>= 0` an internal node's index, `< 0` leaf `~child` in `leafValues`.
    private let leftChild: [Int32]
    private let rightChild: [Int32]
    /// Each tree's root, coded as a child.
    private let roots: [Int32]
    private let leafValues: [Double]

    init(trees: [RegressionTree], featureCount: Int) {
        var thresholds = [Set<Float>](repeating: [], count: featureCount)
        for tree in trees {
            for node in 0..<tree.nodeCount { thresholds[Int(tree.splitFeature[node])].insert(tree.threshold[node]) }
        }
        let sortedCuts = thresholds.map { $0.sorted() }
        let starts = sortedCuts.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.count) }
        var nodeCut: [Int32] = [], left: [Int32] = [], right: [Int32] = [], values: [Double] = []
        var treeRoots: [Int32] = []
        for tree in trees {
            // Preorder: a node's index is taken before its children are emitted.
            func emit(_ child: Int32) -> Int32 {
                guard child >= 0 else {
                    values.append(tree.leafValue[Int(~child)])
                    return ~Int32(values.count - 1)
                }
                let node = Int(child)
                let feature = Int(tree.splitFeature[node])
                let slot = nodeCut.count
                nodeCut.append(Int32(starts[feature] + sortedCuts[feature].firstIndex(of: tree.threshold[node])!))
                left.append(0)
                right.append(0)
                let leftCode = emit(tree.leftChild[node])
                left[slot] = leftCode
                right[slot] = emit(tree.rightChild[node])
                return Int32(slot)
            }
            treeRoots.append(emit(tree.nodeCount > 0 ? 0 : ~0))
        }
        cuts = sortedCuts
        cutStart = starts
        cutTotal = starts[starts.count - 1]
        usedFeatures = thresholds.indices.filter { !thresholds[$0].isEmpty }
        cut = nodeCut
        leftChild = left
        rightChild = right
        roots = treeRoots
        leafValues = values
    }

    /// Adds every tree's output to `scores` (zeroed by the caller; one per row of `rows`, row-major).
    func score(rows: UnsafeBufferPointer<Float>, featureCount: Int, into scores: UnsafeMutableBufferPointer<Double>) {
        withUnsafeTemporaryAllocation(of: RowSet.self, capacity: max(1, cutTotal)) { above in
            withUnsafeTemporaryAllocation(of: (RowSet, Int32).self, capacity: max(1, cut.count)) { stack in
                var start = 0
                while start < scores.count {
                    let count = min(Self.blockSize, scores.count - start)
                    rowsAbove(rows: rows, firstRow: start, count: count, featureCount: featureCount, into: above)
                    walk(
                        above: UnsafePointer(above.baseAddress!), rows: RowSet(first: count),
                        stack: stack.baseAddress!, scores: scores.baseAddress! + start)
                    start += count
                }
            }
        }
    }

    /// For every threshold of every used feature, the set of the block's rows whose value is above it.
    private func rowsAbove(
        rows: UnsafeBufferPointer<Float>,
        firstRow: Int,
        count: Int,
        featureCount: Int,
        into above: UnsafeMutableBufferPointer<RowSet>
    ) {
        for feature in usedFeatures {
            let sets = above.baseAddress! + cutStart[feature]
            cuts[feature].withUnsafeBufferPointer { cuts in
                for index in 0..<cuts.count { sets[index] = .empty }
                @inline(__always) func value(_ row: Int) -> Float {
                    let value = rows[(firstRow + row) * featureCount + feature]
                    return value.isNaN ? 0 : value
                }
                // The number of thresholds below each value, by a binary search whose steps depend only on the
                // number of thresholds, so four rows search side by side. Each step adds `half` or nothing by
                // arithmetic (a mask from the comparison), not by a branch the processor would mispredict.
                @inline(__always) func step(_ base: Int, _ half: Int, _ value: Float) -> Int {
                    base &+ (half & (0 &- (cuts[base &+ half &- 1] < value ? 1 : 0)))
                }
                var row = 0
                while row < count {
                    let v0 = value(row), v1 = value(min(row + 1, count - 1))
                    let v2 = value(min(row + 2, count - 1)), v3 = value(min(row + 3, count - 1))
                    var b0 = 0, b1 = 0, b2 = 0, b3 = 0
                    var length = cuts.count
                    while length > 1 {
                        let half = length >> 1
                        b0 = step(b0, half, v0)
                        b1 = step(b1, half, v1)
                        b2 = step(b2, half, v2)
                        b3 = step(b3, half, v3)
                        length &-= half
                    }
                    let ranks = (step(b0, 1, v0), step(b1, 1, v1), step(b2, 1, v2), step(b3, 1, v3))
                    // Above the `rank` lowest thresholds: recorded at the highest, spread down below.
                    if ranks.0 > 0 { sets[ranks.0 - 1].insert(row) }
                    if row + 1 < count && ranks.1 > 0 { sets[ranks.1 - 1].insert(row + 1) }
                    if row + 2 < count && ranks.2 > 0 { sets[ranks.2 - 1].insert(row + 2) }
                    if row + 3 < count && ranks.3 > 0 { sets[ranks.3 - 1].insert(row + 3) }
                    row += 4
                }
                var index = cuts.count - 1
                while index > 0 {
                    sets[index - 1] = sets[index - 1] | sets[index]
                    index -= 1
                }
            }
        }
    }

    /// Walks every tree once for the block's `rows`, adding leaf values to `scores`.
    private func walk(
        above: UnsafePointer<RowSet>,
        rows: RowSet,
        stack: UnsafeMutablePointer<(RowSet, Int32)>,
        scores: UnsafeMutablePointer<Double>
    ) {
        cut.withUnsafeBufferPointer { cut in
            leftChild.withUnsafeBufferPointer { leftChild in
                rightChild.withUnsafeBufferPointer { rightChild in
                    leafValues.withUnsafeBufferPointer { leafValues in
                        @inline(__always) func add(_ leaf: Int32, to set: RowSet) {
                            let value = leafValues[Int(~leaf)]
                            var bits = set.low
                            while bits != 0 {
                                scores[bits.trailingZeroBitCount] += value
                                bits &= bits &- 1
                            }
                            bits = set.high
                            while bits != 0 {
                                scores[64 + bits.trailingZeroBitCount] += value
                                bits &= bits &- 1
                            }
                        }
                        for root in roots {
                            guard root >= 0 else {
                                add(root, to: rows)
                                continue
                            }
                            var node = Int(root)
                            var reach = rows
                            var depth = 0
                            while true {
                                let goRight = above[Int(cut[node])]
                                let right = reach & goRight
                                let left = reach - goRight
                                if !right.isEmpty {
                                    if rightChild[node] < 0 {
                                        add(rightChild[node], to: right)
                                    } else {
                                        stack[depth] = (right, rightChild[node])
                                        depth += 1
                                    }
                                }
                                if !left.isEmpty {
                                    if leftChild[node] < 0 {
                                        add(leftChild[node], to: left)
                                    } else {
                                        reach = left
                                        node = Int(leftChild[node])
                                        continue
                                    }
                                }
                                if depth == 0 { break }
                                depth -= 1
                                reach = stack[depth].0
                                node = Int(stack[depth].1)
                            }
                        }
                    }
                }
            }
        }
    }
}
