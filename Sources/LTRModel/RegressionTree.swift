
/// One regression tree of a boosted ensemble.
///
/// Internal node `n` sends a row left when `row[splitFeature[n]] <= threshold[n]` (a missing value, NaN, is
/// read as 0) and right otherwise. A child index `c >= 0` is another internal node; `c < 0` is leaf `~c`
/// (LightGBM's encoding). Node 0 is the root; a tree without internal nodes is the single leaf 0. Leaf values
/// already include the learning rate.
///
/// ```swift
/// let stump = RegressionTree(
///     splitFeature: [0], threshold: [0.5], leftChild: [~0], rightChild: [~1], leafValue: [-0.1, 0.2])
/// stump.predict([0.7])  // 0.2
/// ```
public struct RegressionTree: Sendable, Codable, Equatable {
    /// Feature index of each internal node.
    public var splitFeature: [Int32]
    /// Raw-space threshold of each internal node.
    public var threshold: [Float]
    /// Left child of each internal node (`>= 0`: node, `< 0`: leaf `~child`).
    public var leftChild: [Int32]
    /// Right child of each internal node.
    public var rightChild: [Int32]
    /// Output of each leaf.
    public var leafValue: [Double]
    /// Loss improvement of each internal node's split (for feature importance).
    public var splitGain: [Double]
    /// Training rows that reached each leaf.
    public var leafCount: [Int]
    /// Bin threshold of each internal node, used while training; not stored in model files.
    package var thresholdBin: [UInt8] = []

    private enum CodingKeys: String, CodingKey {
        case splitFeature, threshold, leftChild, rightChild, leafValue, splitGain, leafCount
    }

    /// Trees are equal when their stored fields are; the training-only bin thresholds do not count.
    public static func == (lhs: RegressionTree, rhs: RegressionTree) -> Bool {
        lhs.splitFeature == rhs.splitFeature && lhs.threshold == rhs.threshold && lhs.leftChild == rhs.leftChild
            && lhs.rightChild == rhs.rightChild && lhs.leafValue == rhs.leafValue && lhs.splitGain == rhs.splitGain
            && lhs.leafCount == rhs.leafCount
    }

    /// Creates a tree from its arrays; `splitGain` and `leafCount` default to zeros.
    public init(
        splitFeature: [Int32],
        threshold: [Float],
        leftChild: [Int32],
        rightChild: [Int32],
        leafValue: [Double],
        splitGain: [Double]? = nil,
        leafCount: [Int]? = nil
    ) {
        self.splitFeature = splitFeature
        self.threshold = threshold
        self.leftChild = leftChild
        self.rightChild = rightChild
        self.leafValue = leafValue
        self.splitGain = splitGain ?? [Double](repeating: 0, count: splitFeature.count)
        self.leafCount = leafCount ?? [Int](repeating: 0, count: leafValue.count)
    }

    /// Number of leaves.
    public var numberOfLeaves: Int { leafValue.count }

    /// Number of internal nodes (one less than the leaves).
    public var nodeCount: Int { splitFeature.count }

    /// The output for one row of raw features.
    public func predict<Row: RandomAccessCollection<Float>>(_ row: Row) -> Double where Row.Index == Int {
        leafValue[leaf(for: row)]
    }

    /// The leaf a row of raw features reaches.
    public func leaf<Row: RandomAccessCollection<Float>>(for row: Row) -> Int where Row.Index == Int {
        guard nodeCount > 0 else { return 0 }
        var node: Int32 = 0
        while node >= 0 {
            let index = Int(node)
            var value = row[row.startIndex + Int(splitFeature[index])]
            if value.isNaN { value = 0 }
            node = value <= threshold[index] ? leftChild[index] : rightChild[index]
        }
        return Int(~node)
    }

    /// The leaf of a binned row, using the training thresholds: `bins` points at the row's first feature and
    /// feature `f`'s bin is `bins[f * featureStride]` (1 for row-major bins, the row count for column-major).
    @inline(__always)
    package func leaf(bins: UnsafePointer<UInt8>, featureStride: Int) -> Int {
        guard nodeCount > 0 else { return 0 }
        var node: Int32 = 0
        while node >= 0 {
            let index = Int(node)
            node = bins[Int(splitFeature[index]) * featureStride] <= thresholdBin[index]
                ? leftChild[index] : rightChild[index]
        }
        return Int(~node)
    }

    /// Checks that the arrays fit together, every child is in range, every leaf is reached exactly once, and
    /// every split feature is below `featureCount`.
    ///
    /// - Throws: `LTRError.malformedModel` describing the first inconsistency.
    public func validate(featureCount: Int) throws {
        let nodes = nodeCount
        guard leafValue.count == nodes + 1 else {
            throw LTRError.malformedModel("a tree has \(nodes) internal nodes but \(leafValue.count) leaves")
        }
        guard threshold.count == nodes, leftChild.count == nodes, rightChild.count == nodes,
            splitGain.count == nodes, leafCount.count == leafValue.count
        else {
            throw LTRError.malformedModel("a tree's node arrays have different lengths")
        }
        var leafSeen = [Bool](repeating: false, count: leafValue.count)
        var nodeSeen = [Bool](repeating: false, count: nodes)
        var stack: [Int32] = nodes > 0 ? [0] : []
        if nodes == 0 { leafSeen[0] = true }
        while let node = stack.popLast() {
            let index = Int(node)
            guard !nodeSeen[index] else { throw LTRError.malformedModel("node \(index) is reached twice (a cycle)") }
            nodeSeen[index] = true
            guard splitFeature[index] >= 0 && Int(splitFeature[index]) < featureCount else {
                throw LTRError.malformedModel(
                    "node \(index) splits on feature \(splitFeature[index]) but the schema has \(featureCount) features")
            }
            guard !threshold[index].isNaN else { throw LTRError.malformedModel("node \(index) has a NaN threshold") }
            for child in [leftChild[index], rightChild[index]] {
                if child >= 0 {
                    guard Int(child) < nodes else {
                        throw LTRError.malformedModel("node \(index) has child node \(child) of \(nodes) nodes")
                    }
                    stack.append(child)
                } else {
                    let leaf = Int(~child)
                    guard leaf < leafValue.count, !leafSeen[leaf] else {
                        throw LTRError.malformedModel("node \(index) has leaf child \(leaf) out of range or repeated")
                    }
                    leafSeen[leaf] = true
                }
            }
        }
        guard leafSeen.allSatisfy({ $0 }), nodeSeen.allSatisfy({ $0 }) else {
            throw LTRError.malformedModel("a tree has nodes or leaves that no path reaches")
        }
        guard leafValue.allSatisfy(\.isFinite) else { throw LTRError.malformedModel("a leaf value is not finite") }
    }
}
