/// A compact, fast scorer for serving a `RankingModel`.
///
/// The trees are flattened into one node array where the two children of a node sit side by side (so the
/// next node is `left + (value > threshold ? 1 : 0)`) and every leaf is a node that leads back to itself. A
/// row then walks each tree a fixed number of steps (the tree's depth) without branches, and eight rows walk
/// a tree together so their memory loads overlap. Scores are summed over trees in model order.
///
/// ```swift
/// let scorer = try RankingModel(contentsOf: "model.json").scorer()
/// let scores = try scorer.score(rows: features)  // row-major, scorer.featureCount values per row
/// ```
public struct ModelScorer: Sendable {
    /// Features per row, in the order of `featureNames`.
    public let featureCount: Int
    /// The model's feature schema.
    public let featureNames: [String]
    /// Number of trees.
    public var treeCount: Int { roots.count }

    private let nodes: [Node]
    private let leafValues: [Double]
    private let roots: [Int32]
    private let depths: [Int32]

    private struct Node {
        var threshold: Float
        var feature: Int32
        var left: Int32
    }

    /// Flattens a model's trees.
    public init(_ model: RankingModel) {
        featureCount = model.featureNames.count
        featureNames = model.featureNames
        var nodes: [Node] = []
        var values: [Double] = []
        var roots: [Int32] = []
        var depths: [Int32] = []
        for tree in model.trees {
            let root = Int32(nodes.count)
            roots.append(root)
            // Breadth first: each internal node's children get two adjacent slots.
            var queue: [(child: Int32, slot: Int, depth: Int32)] = [(tree.nodeCount > 0 ? 0 : ~0, nodes.count, 0)]
            nodes.append(Node(threshold: 0, feature: 0, left: 0))
            values.append(0)
            var depth: Int32 = 0
            var head = 0
            while head < queue.count {
                let (child, slot, level) = queue[head]
                head += 1
                if child < 0 {
                    nodes[slot] = Node(threshold: .infinity, feature: 0, left: Int32(slot))
                    values[slot] = tree.leafValue[Int(~child)]
                    depth = max(depth, level)
                    continue
                }
                let left = nodes.count
                nodes[slot] = Node(
                    threshold: tree.threshold[Int(child)], feature: tree.splitFeature[Int(child)], left: Int32(left))
                nodes.append(contentsOf: [Node(threshold: 0, feature: 0, left: 0), Node(threshold: 0, feature: 0, left: 0)])
                values.append(contentsOf: [0, 0])
                queue.append((tree.leftChild[Int(child)], left, level + 1))
                queue.append((tree.rightChild[Int(child)], left + 1, level + 1))
            }
            depths.append(depth)
        }
        self.nodes = nodes
        leafValues = values
        self.roots = roots
        self.depths = depths
    }

    /// The score of one row of raw features in schema order.
    ///
    /// - Throws: `LTRError.featureCountMismatch` when the row does not have `featureCount` values.
    public func score(_ row: [Float]) throws -> Double {
        guard row.count == featureCount else {
            throw LTRError.featureCountMismatch(expected: featureCount, actual: row.count)
        }
        return try score(rows: row)[0]
    }

    /// The scores of rows given row-major, `featureCount` values per row.
    ///
    /// - Throws: `LTRError.featureCountMismatch` when the values do not divide into rows.
    public func score(rows: [Float]) throws -> [Double] {
        guard rows.count % max(1, featureCount) == 0 else {
            throw LTRError.featureCountMismatch(expected: featureCount, actual: rows.count)
        }
        var scores = [Double](repeating: 0, count: rows.count / max(1, featureCount))
        rows.withUnsafeBufferPointer { rows in
            scores.withUnsafeMutableBufferPointer { scores in score(rows: rows, into: scores) }
        }
        return scores
    }

    /// Scores rows given row-major into `scores` (one per row), without allocating unless a value is NaN.
    /// Missing values (NaN) are read as 0, as in training.
    public func score(rows: UnsafeBufferPointer<Float>, into scores: UnsafeMutableBufferPointer<Double>) {
        precondition(rows.count == scores.count * featureCount, "featureCount values per row")
        if rows.contains(where: \.isNaN) {
            let clean = rows.map { $0.isNaN ? 0 : $0 }
            clean.withUnsafeBufferPointer { score(clean: $0, into: scores) }
        } else {
            score(clean: rows, into: scores)
        }
    }

    private func score(clean rows: UnsafeBufferPointer<Float>, into scores: UnsafeMutableBufferPointer<Double>) {
        let rowCount = scores.count
        for index in 0..<rowCount { scores[index] = 0 }
        guard let base = rows.baseAddress else { return }
        let stride = featureCount
        nodes.withUnsafeBufferPointer { nodes in
            leafValues.withUnsafeBufferPointer { values in
                let nodes = nodes.baseAddress!
                @inline(__always) func step(_ node: Int, _ row: UnsafePointer<Float>) -> Int {
                    let current = nodes[node]
                    return Int(current.left) &+ (row[Int(current.feature)] > current.threshold ? 1 : 0)
                }
                let blockSize = 64
                var blockStart = 0
                while blockStart < rowCount {
                    let blockEnd = min(rowCount, blockStart + blockSize)
                    for tree in 0..<roots.count {
                        let root = Int(roots[tree])
                        let depth = Int(depths[tree])
                        var row = blockStart
                        while row + 8 <= blockEnd {
                            let r0 = base + row * stride
                            let r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride
                            let r4 = r3 + stride, r5 = r4 + stride, r6 = r5 + stride, r7 = r6 + stride
                            var n0 = root, n1 = root, n2 = root, n3 = root
                            var n4 = root, n5 = root, n6 = root, n7 = root
                            for _ in 0..<depth {
                                n0 = step(n0, r0)
                                n1 = step(n1, r1)
                                n2 = step(n2, r2)
                                n3 = step(n3, r3)
                                n4 = step(n4, r4)
                                n5 = step(n5, r5)
                                n6 = step(n6, r6)
                                n7 = step(n7, r7)
                            }
                            scores[row] += values[n0]
                            scores[row + 1] += values[n1]
                            scores[row + 2] += values[n2]
                            scores[row + 3] += values[n3]
                            scores[row + 4] += values[n4]
                            scores[row + 5] += values[n5]
                            scores[row + 6] += values[n6]
                            scores[row + 7] += values[n7]
                            row += 8
                        }
                        while row < blockEnd {
                            let r0 = base + row * stride
                            var n0 = root
                            for _ in 0..<depth { n0 = step(n0, r0) }
                            scores[row] += values[n0]
                            row += 1
                        }
                    }
                    blockStart = blockEnd
                }
            }
        }
    }
}
