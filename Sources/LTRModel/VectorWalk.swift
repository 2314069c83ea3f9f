import CScoring

/// `ScoringProgram`'s walk of a block with AVX-512 or AVX2 (the C kernels `rerank_tree_walk_avx512` and
/// `rerank_tree_walk_avx2`), for models whose trees have at most 64 leaves, on processors that have them.
///
/// The portable walk follows only the branches some row takes, so it branches on the rows at every node and
/// every leaf; most of its time goes to branches the processor cannot predict. This walk does the same work for
/// every block: every node splits its set of rows, each row's leaf index is built from unions of the leaves'
/// sets, and each row's value is picked from the tree's 32 or 64 and added (on AVX-512 by permutations, 8 rows at
/// a time; on AVX2 by a look-up per row). The rows still sum the trees in model order, so the scores are the same
/// to the last bit.
struct VectorWalk: Sendable {
    /// Leaves a tree may have: the kernels hold a tree's leaf values in 32 or 64 places (on AVX-512, registers).
    static let maxLeaves = 64

    /// The kernel that walks: `.avx2` or `.avx512`.
    let kind: ScoringWalk

    /// Leaves per tree in the kernel's tables, 32 or 64: the fewest that hold every tree's.
    private let leaves: Int
    private let groups: [rerank_walk_group]
    private let trees: [rerank_walk_tree]
    private let nodes: [rerank_walk_node]
    /// `leaves` per tree, zero past the tree's own.
    private let leafValues: [Double]

    /// The kernel's tables for a program, or nil when a tree has more than `maxLeaves` leaves.
    ///
    /// - Parameters:
    ///   - nodes: the program's internal nodes in preorder, tree after tree, children coded as in
    ///     `ScoringProgram.Node`.
    ///   - treeNodes: each tree's range in `nodes`.
    ///   - treeLeaves: each tree's range in `leafValues`.
    ///   - kind: `.avx2` or `.avx512`, which the processor runs.
    init?(
        nodes: [ScoringProgram.Node], treeNodes: [Range<Int>], treeLeaves: [Range<Int>], leafValues: [Double],
        kind: ScoringWalk
    ) {
        precondition(kind != .portable && kind.isAvailable, "a vector walk the processor runs")
        let most = treeLeaves.map(\.count).max() ?? 0
        guard most <= Self.maxLeaves else { return nil }
        self.kind = kind
        let leaves = most <= 32 ? 32 : 64
        let setBytes = MemoryLayout<ScoringProgram.RowSet>.stride
        var groups: [rerank_walk_group] = [], spans: [rerank_walk_tree] = [], walkNodes: [rerank_walk_node] = []
        var values: [Double] = []
        let group = Int(RERANK_WALK_GROUP)
        for first in stride(from: 0, to: treeNodes.count, by: group) {
            let members = first..<min(first + group, treeNodes.count)
            // The group's nodes by depth, then tree, then preorder: a parent comes before its children, and the
            // nodes of one depth in different trees follow one another.
            var scheduled: [(depth: Int, member: Int, node: Int)] = []
            for (member, tree) in members.enumerated() {
                let nodeRange = treeNodes[tree]
                var depth = [Int](repeating: 0, count: nodeRange.count)
                for index in nodeRange {
                    let node = nodes[index], own = depth[index - nodeRange.lowerBound]
                    for child in [node.left, node.right] where child >= 0 {
                        depth[Int(child) - nodeRange.lowerBound] = own + 1
                    }
                    scheduled.append((own, member, index))
                }
            }
            // Ties in depth keep their order: trees, then preorder.
            let ordered = scheduled.enumerated().sorted { ($0.element.depth, $0.offset) < ($1.element.depth, $1.offset) }
                .map(\.element)
            // An internal node's place is its position in the group's order; the leaves' follow the group's nodes.
            var placeOfNode: [Int: Int] = [:]
            for (position, entry) in ordered.enumerated() { placeOfNode[entry.node] = position }
            func place(_ child: Int32, member: Int) -> Int {
                guard child < 0 else { return placeOfNode[Int(child)]! }
                return leaves * group + leaves * member + Int(~child) - treeLeaves[members.lowerBound + member].lowerBound
            }
            func offset(_ child: Int32, member: Int) -> UInt16 { UInt16(setBytes * place(child, member: member)) }
            for (member, tree) in members.enumerated() {
                let nodeRange = treeNodes[tree], leafRange = treeLeaves[tree]
                let root = nodeRange.isEmpty ? ~Int32(leafRange.lowerBound) : Int32(nodeRange.lowerBound)
                spans.append(rerank_walk_tree(root: Int32(place(root, member: member)), leaf_count: Int32(leafRange.count)))
                values += leafValues[leafRange]
                values += repeatElement(0, count: leaves - leafRange.count)
            }
            groups.append(
                rerank_walk_group(
                    first_node: Int32(walkNodes.count), node_count: Int32(ordered.count),
                    first_tree: Int32(members.lowerBound), tree_count: Int32(members.count)))
            walkNodes += ordered.map { entry in
                let node = nodes[entry.node]
                return rerank_walk_node(
                    above: Int32(setBytes) * node.slot, left: offset(node.left, member: entry.member),
                    right: offset(node.right, member: entry.member))
            }
        }
        self.leaves = leaves
        self.groups = groups
        trees = spans
        self.nodes = walkNodes
        self.leafValues = values
    }

    /// Adds every tree's value to the scores of the block's first `count` rows (at most 128); `above` holds the
    /// block's `sets` row sets.
    func walk(
        above: UnsafePointer<ScoringProgram.RowSet>, sets: Int, count: Int, scores: UnsafeMutablePointer<Double>
    ) {
        groups.withUnsafeBufferPointer { groups in
            trees.withUnsafeBufferPointer { trees in
                nodes.withUnsafeBufferPointer { nodes in
                    leafValues.withUnsafeBufferPointer { leafValues in
                        var program = rerank_walk_program(
                            groups: groups.baseAddress, group_count: Int64(groups.count), trees: trees.baseAddress,
                            nodes: nodes.baseAddress, leaf_values: leafValues.baseAddress, leaves: Int64(leaves))
                        above.withMemoryRebound(to: UInt64.self, capacity: 2 * sets) { above in
                            let kernel = kind == .avx512 ? rerank_tree_walk_avx512 : rerank_tree_walk_avx2
                            kernel(&program, above, Int64(count), scores)
                        }
                    }
                }
            }
        }
    }
}
