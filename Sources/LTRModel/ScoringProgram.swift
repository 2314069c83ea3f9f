import CScoring

/// The form of a model used by `ModelScorer`: each feature's distinct thresholds, and each tree's internal
/// nodes in depth-first order, scored over blocks of up to 128 rows held as bit sets.
///
/// For a block, each feature's values are ranked among that feature's thresholds (`ThresholdIndex`: a table
/// look-up and a step or two, or one comparison of up to 8 thresholds at once with SSE where the walk is AVX2, 8
/// values at a time on AVX-512; once for a block whose rows all hold one value),
/// and for every threshold the set of rows above it is built once (`value > threshold` ⇔ the row's rank exceeds
/// the threshold's; on AVX-512, for features of at most 255 thresholds, by comparing 64 ranks at a time as bytes).
/// A tree is then walked once for the whole block, depth first, carrying the set of rows that reach each
/// node: a node splits its set with one bit-set operation, subtrees no row reaches are skipped, and each
/// leaf adds its value to its rows. Every row sums the trees in model order, exactly as
/// `RankingModel.predict`. Where the processor has AVX2 or AVX-512 and no tree has more than 64 leaves,
/// `VectorWalk` walks the block instead, with the same row sets and the same sums.
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
    /// The most thresholds a feature may have for `rerank_rows_above`, which compares ranks as bytes.
    static let byteRankedCuts = 255

    /// An internal node: the slot of its threshold in the block's row sets, and its children, each `>= 0` an
    /// internal node's index or `< 0` leaf `~child` in `leafValues`.
    struct Node {
        var slot: Int32
        var left: Int32
        var right: Int32
    }

    /// Each used feature's thresholds.
    private let thresholds: [ThresholdIndex]
    /// Where each used feature's row sets start among all of them. The slot just before is the feature's own
    /// scratch slot (rows below every threshold land there), so that a row is recorded without a branch.
    private let setStart: [Int]
    private let setTotal: Int
    /// Features some node splits on; only these are ranked, in the order of `thresholds` and `setStart`.
    private let usedFeatures: [Int]
    /// Internal nodes, in preorder tree after tree.
    private let nodes: [Node]
    /// Each tree's root, coded as a child.
    private let roots: [Int32]
    private let leafValues: [Double]
    /// The walk on AVX2 or AVX-512, when this processor and the model allow it.
    private let vectorWalk: VectorWalk?
    /// How values are ranked among thresholds: with AVX-512 (which also builds the sets above them) for the
    /// AVX-512 walk, with SSE for the AVX2 walk.
    private let rankKernel: ThresholdIndex.Kernel

    /// How blocks are walked: `walk` as asked, or `.portable` for a model whose trees are too large for it.
    var walk: ScoringWalk { vectorWalk?.kind ?? .portable }

    /// - Parameter walk: the walk to use, which the processor runs; `.portable` where a tree has more leaves than
    ///   `VectorWalk` takes. With `.avx512`, values are also ranked with AVX-512, whatever the model.
    init(trees: [RegressionTree], featureCount: Int, walk: ScoringWalk) {
        var thresholds = [Set<Float>](repeating: [], count: featureCount)
        for tree in trees {
            // `+ 0` makes -0 a 0: the two compare equal, and keys must too.
            for node in 0..<tree.nodeCount { thresholds[Int(tree.splitFeature[node])].insert(tree.threshold[node] + 0) }
        }
        let used = thresholds.indices.filter { !thresholds[$0].isEmpty }
        let sortedCuts = used.map { thresholds[$0].sorted() }
        var starts: [Int] = [], total = 0
        for cuts in sortedCuts {
            starts.append(total + 1)
            total += cuts.count + 1
        }
        var startOfFeature = [Int](repeating: 0, count: featureCount)
        for (index, feature) in used.enumerated() { startOfFeature[feature] = starts[index] }
        var program: [Node] = [], values: [Double] = [], treeRoots: [Int32] = []
        var treeNodes: [Range<Int>] = [], treeLeaves: [Range<Int>] = []
        for tree in trees {
            let firstNode = program.count, firstLeaf = values.count
            defer {
                treeNodes.append(firstNode..<program.count)
                treeLeaves.append(firstLeaf..<values.count)
            }
            // Preorder: a node's index is taken before its children are emitted.
            func emit(_ child: Int32) -> Int32 {
                guard child >= 0 else {
                    values.append(tree.leafValue[Int(~child)])
                    return ~Int32(values.count - 1)
                }
                let node = Int(child)
                let feature = Int(tree.splitFeature[node])
                let cuts = sortedCuts[used.firstIndex(of: feature)!]
                let slot = startOfFeature[feature] + cuts.firstIndex(of: tree.threshold[node] + 0)!
                let index = program.count
                program.append(Node(slot: Int32(slot), left: 0, right: 0))
                program[index].left = emit(tree.leftChild[node])
                program[index].right = emit(tree.rightChild[node])
                return Int32(index)
            }
            treeRoots.append(emit(tree.nodeCount > 0 ? 0 : ~0))
        }
        self.thresholds = sortedCuts.map(ThresholdIndex.init)
        setStart = starts
        setTotal = total
        usedFeatures = used
        nodes = program
        roots = treeRoots
        leafValues = values
        vectorWalk =
            walk == .portable
            ? nil
            : VectorWalk(nodes: program, treeNodes: treeNodes, treeLeaves: treeLeaves, leafValues: values, kind: walk)
        rankKernel =
            switch walk {
            case .portable: .portable
            case .avx2: .sse
            case .avx512: .avx512
            }
    }

    /// Adds every tree's output to `scores` (zeroed by the caller; one per row of `rows`, row-major).
    func score(rows: UnsafeBufferPointer<Float>, featureCount: Int, into scores: UnsafeMutableBufferPointer<Double>) {
        // The portable walk's stack of pending nodes; the AVX-512 walk needs none.
        let pending = vectorWalk == nil ? max(1, nodes.count) : 1
        withUnsafeTemporaryAllocation(of: (RowSet, Int32).self, capacity: pending) { stack in
            withUnsafeTemporaryAllocation(of: RowSet.self, capacity: max(1, setTotal)) { above in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.blockSize) { ranks in
                    var start = 0
                    while start < scores.count {
                        let count = min(Self.blockSize, scores.count - start)
                        rowsAbove(
                            rows: rows, firstRow: start, count: count, featureCount: featureCount,
                            ranks: ranks.baseAddress!, into: above.baseAddress!)
                        if let vectorWalk {
                            vectorWalk.walk(
                                above: UnsafePointer(above.baseAddress!), sets: above.count, count: count,
                                scores: scores.baseAddress! + start)
                        } else {
                            walkPortably(
                                above: UnsafePointer(above.baseAddress!), rows: RowSet(first: count),
                                stack: stack.baseAddress!, scores: scores.baseAddress! + start)
                        }
                        start += count
                    }
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
        ranks: UnsafeMutablePointer<Int32>,
        into above: UnsafeMutablePointer<RowSet>
    ) {
        let block = RowSet(first: count)
        for (position, feature) in usedFeatures.enumerated() {
            let sets = above + setStart[position]
            let index = thresholds[position]
            let cutCount = index.count
            // The values all one, as the search's context and the searcher's own features are: one rank.
            let values = rows.baseAddress! + firstRow * featureCount + feature
            if index.ranks(of: values, stride: featureCount, count: count, into: ranks, kernel: rankKernel) {
                let rank = Int(ranks[0])
                for slot in 0..<cutCount { sets[slot] = slot < rank ? block : .empty }
                continue
            }
            // On AVX-512, each threshold's set by comparing every row's rank with it, where ranks fit in bytes.
            if rankKernel == .avx512, cutCount <= Self.byteRankedCuts {
                let words = UnsafeMutableRawPointer(sets).assumingMemoryBound(to: UInt64.self)
                rerank_rows_above(ranks, Int64(count), Int64(cutCount), words)
                continue
            }
            // Each row is recorded at the highest threshold below its value (the scratch slot for none), then
            // spread down to the lower ones.
            for slot in -1..<cutCount { sets[slot] = .empty }
            for row in 0..<count { sets[Int(ranks[row]) - 1].insert(row) }
            var slot = cutCount - 1
            while slot > 0 {
                sets[slot - 1] = sets[slot - 1] | sets[slot]
                slot -= 1
            }
        }
    }

    /// Walks every tree once for the block's `rows`, adding leaf values to `scores`.
    private func walkPortably(
        above: UnsafePointer<RowSet>,
        rows: RowSet,
        stack: UnsafeMutablePointer<(RowSet, Int32)>,
        scores: UnsafeMutablePointer<Double>
    ) {
        nodes.withUnsafeBufferPointer { nodes in
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
                    var index = Int(root)
                    var node = nodes[index]
                    var reach = rows
                    var depth = 0
                    while true {
                        let goRight = above[Int(node.slot)]
                        let right = reach & goRight
                        let left = reach - goRight
                        if !right.isEmpty {
                            if node.right < 0 {
                                add(node.right, to: right)
                            } else {
                                stack[depth] = (right, node.right)
                                depth += 1
                            }
                        }
                        if !left.isEmpty {
                            if node.left < 0 {
                                add(node.left, to: left)
                            } else {
                                // Preorder: an internal left child is the next node. Its address does not wait
                                // for this node's load, so the processor can fetch it ahead.
                                reach = left
                                index &+= 1
                                node = nodes[index]
                                continue
                            }
                        }
                        if depth == 0 { break }
                        depth -= 1
                        reach = stack[depth].0
                        index = Int(stack[depth].1)
                        node = nodes[index]
                    }
                }
            }
        }
    }
}
