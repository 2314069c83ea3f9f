import LTRModel

/// Grows one regression tree from gradients: histogram based, leaf-wise (best-first), as LightGBM's serial
/// tree learner.
///
/// Each round splits the leaf whose best split improves the loss most, until the tree has `numLeaves`
/// leaves or no split qualifies (`minDataInLeaf`, `minSumHessianInLeaf`, `minGainToSplit`, `maxDepth`). Only
/// the smaller child's histogram is built from its rows; the larger child's is the parent's minus it.
///
/// ```swift
/// let learner = try TreeLearner(data: binnedTrain, parameters: parameters)
/// let tree = learner.grow(gradients: pairs, bag: nil, features: Array(0..<binnedTrain.featureCount))
/// learner.addPredictions(of: tree, to: &scores)
/// ```
public final class TreeLearner {
    /// The binned training data (column-major).
    public let data: BinnedDataset
    private let parameters: TrainingParameters
    private let rules: SplitRules
    private let threads: Int
    private let partition: DataPartition
    private var histograms: [Histogram] = []
    private var ordered: [SIMD2<Float>]
    private var outOfBag: [Int32] = []

    /// Creates a learner for `data`, which must have been binned with the `.columnMajor` layout.
    ///
    /// - Throws: `LTRError.invalidParameter` for out-of-range parameters.
    public init(data: BinnedDataset, parameters: TrainingParameters) throws {
        try parameters.validate()
        precondition(data.layout == .columnMajor, "training data is binned column-major")
        self.data = data
        self.parameters = parameters
        rules = SplitRules(parameters)
        threads = Parallel.threadCount(parameters.numThreads)
        partition = DataPartition(rowCapacity: data.rowCount, leafCapacity: parameters.numLeaves)
        ordered = [SIMD2<Float>](repeating: .zero, count: data.rowCount)
    }

    /// Grows one tree; its leaf values include the learning rate.
    ///
    /// - Parameters:
    ///   - gradients: `(gradient, hessian)` of every training row.
    ///   - bag: the rows to learn from, increasing; `nil` for all rows.
    ///   - features: the features the tree may split on, increasing.
    public func grow(gradients: UnsafeBufferPointer<SIMD2<Float>>, bag: [Int32]?, features: [Int]) -> RegressionTree {
        precondition(gradients.count == data.rowCount, "one gradient pair per training row")
        let rows = bag ?? (0..<Int32(data.rowCount)).map { $0 }
        partition.reset(rows: rows)
        outOfBag = bag.map { complement(of: $0) } ?? []
        while histograms.count < parameters.numLeaves { histograms.append(Histogram(binCount: data.totalBins)) }
        let usable = features.filter { data.mappers[$0].binCount >= 2 }

        var rootSums = SIMD2<Double>.zero
        for row in rows { rootSums += SIMD2<Double>(gradients[Int(row)]) }
        var state = GrowthState(capacity: parameters.numLeaves)
        state.sums[0] = LeafSums(gradient: rootSums.x, hessian: rootSums.y, count: rows.count)
        if canSplit(count: rows.count, depth: 0) {
            partition.withRows(of: 0) { rows in
                ordered.withUnsafeMutableBufferPointer { ordered in
                    histograms[0].build(
                        rows: rows, gradients: gradients.baseAddress!, data: data, features: usable,
                        ordered: ordered.baseAddress!, threads: threads)
                }
            }
            state.best[0] = bestSplit(leaf: 0, sums: state.sums[0], features: usable)
        }
        var tree = RegressionTree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], leafValue: [0])
        tree.leafCount = [rows.count]
        while tree.numberOfLeaves < parameters.numLeaves {
            var chosen: Int? = nil
            for leaf in 0..<tree.numberOfLeaves {
                guard let candidate = state.best[leaf] else { continue }
                if chosen == nil || candidate.gain > state.best[chosen!]!.gain { chosen = leaf }
            }
            guard let leaf = chosen, let split = state.best[leaf] else { break }
            let newLeaf = tree.numberOfLeaves
            record(split: split, of: leaf, newLeaf: newLeaf, in: &tree, state: &state)
            let leftRows = data.bins.withUnsafeBufferPointer { columns in
                partition.split(
                    leaf: leaf, into: newLeaf, column: columns.baseAddress! + split.feature * data.rowCount,
                    thresholdBin: UInt8(split.thresholdBin), threads: threads)
            }
            // The split search estimated the counts from hessians; from here on the leaves use the real ones.
            state.sums[newLeaf].count = state.sums[leaf].count + state.sums[newLeaf].count - leftRows
            state.sums[leaf].count = leftRows
            learnChildren(of: leaf, newLeaf: newLeaf, gradients: gradients, features: usable, state: &state)
        }
        for leaf in 0..<tree.numberOfLeaves {
            tree.leafValue[leaf] = rules.leafOutput(state.sums[leaf]) * parameters.learningRate
            tree.leafCount[leaf] = state.sums[leaf].count
        }
        return tree
    }

    /// Adds `tree`'s output to the score of every training row: in-bag rows by the leaf they were grown in,
    /// out-of-bag rows by walking the tree over their bins. Call it right after `grow`.
    public func addPredictions(of tree: RegressionTree, to scores: inout [Double]) {
        precondition(scores.count == data.rowCount, "one score per training row")
        scores.withUnsafeMutableBufferPointer { scores in
            Parallel.forEach(tree.numberOfLeaves, threads: threads) { leaf in
                let value = tree.leafValue[leaf]
                partition.withRows(of: leaf) { rows in
                    for row in rows { scores[Int(row)] += value }
                }
            }
            let rowCount = data.rowCount
            data.bins.withUnsafeBufferPointer { bins in
                outOfBag.withUnsafeBufferPointer { outOfBag in
                    let chunks = Parallel.ranges(outOfBag.count, pieces: max(1, outOfBag.count / 8192))
                    Parallel.forEach(chunks.count, threads: threads) { chunk in
                        for position in chunks[chunk] {
                            let row = Int(outOfBag[position])
                            scores[row] += tree.leafValue[tree.leaf(bins: bins.baseAddress! + row, featureStride: rowCount)]
                        }
                    }
                }
            }
        }
    }

    private func canSplit(count: Int, depth: Int) -> Bool {
        count >= 2 * parameters.minDataInLeaf && (parameters.maxDepth <= 0 || depth < parameters.maxDepth)
    }

    private func bestSplit(leaf: Int, sums: LeafSums, features: [Int]) -> SplitCandidate? {
        var best: SplitCandidate? = nil
        for feature in features {
            let bins = data.binOffsets[feature]..<data.binOffsets[feature + 1]
            if let candidate = rules.bestThreshold(
                feature: feature, bins: bins, histogram: histograms[leaf], parent: sums),
                candidate.isBetter(than: best)
            {
                best = candidate
            }
        }
        return best
    }

    /// Turns leaf `leaf` into an internal node whose children are `leaf` (left) and `newLeaf` (right).
    private func record(
        split: SplitCandidate,
        of leaf: Int,
        newLeaf: Int,
        in tree: inout RegressionTree,
        state: inout GrowthState
    ) {
        let node = Int32(tree.nodeCount)
        if let parent = state.parent[leaf] {
            if parent.isLeft {
                tree.leftChild[Int(parent.node)] = node
            } else {
                tree.rightChild[Int(parent.node)] = node
            }
        }
        tree.splitFeature.append(Int32(split.feature))
        tree.thresholdBin.append(UInt8(split.thresholdBin))
        tree.threshold.append(data.mappers[split.feature].upperBounds[split.thresholdBin])
        tree.leftChild.append(~Int32(leaf))
        tree.rightChild.append(~Int32(newLeaf))
        tree.splitGain.append(split.gain)
        tree.leafValue.append(0)
        tree.leafCount.append(0)
        state.parent[leaf] = (node, true)
        state.parent[newLeaf] = (node, false)
        state.sums[leaf] = split.left
        state.sums[newLeaf] = split.right
        state.depth[leaf] += 1
        state.depth[newLeaf] = state.depth[leaf]
        state.best[leaf] = nil
    }

    /// Builds the children's histograms (the smaller from its rows, the larger by subtraction) and finds
    /// their best splits.
    private func learnChildren(
        of leaf: Int,
        newLeaf: Int,
        gradients: UnsafeBufferPointer<SIMD2<Float>>,
        features: [Int],
        state: inout GrowthState
    ) {
        let leftCount = state.sums[leaf].count
        let rightCount = state.sums[newLeaf].count
        // As LightGBM: both children are searched unless both are too small to split (counts estimated from
        // hessians may still allow a split of the smaller one) or the depth limit is reached.
        guard canSplit(count: max(leftCount, rightCount), depth: state.depth[leaf]) else { return }
        let smaller = leftCount <= rightCount ? leaf : newLeaf
        let larger = smaller == leaf ? newLeaf : leaf
        // The parent's histogram sits in slot `leaf`; it becomes the larger child's, a free one the smaller's.
        if smaller == leaf { histograms.swapAt(leaf, newLeaf) }
        partition.withRows(of: smaller) { rows in
            ordered.withUnsafeMutableBufferPointer { ordered in
                histograms[smaller].build(
                    rows: rows, gradients: gradients.baseAddress!, data: data, features: features,
                    ordered: ordered.baseAddress!, threads: threads)
            }
        }
        histograms[larger].subtract(histograms[smaller], features: features, offsets: data.binOffsets)
        state.best[leaf] = bestSplit(leaf: leaf, sums: state.sums[leaf], features: features)
        state.best[newLeaf] = bestSplit(leaf: newLeaf, sums: state.sums[newLeaf], features: features)
    }

    private func complement(of bag: [Int32]) -> [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(data.rowCount - bag.count)
        var next = 0
        for row in 0..<Int32(data.rowCount) {
            if next < bag.count && bag[next] == row {
                next += 1
            } else {
                result.append(row)
            }
        }
        return result
    }
}

/// Per-leaf bookkeeping while one tree grows.
private struct GrowthState {
    var sums: [LeafSums]
    var best: [SplitCandidate?]
    var depth: [Int]
    var parent: [(node: Int32, isLeft: Bool)?]

    init(capacity: Int) {
        sums = [LeafSums](repeating: LeafSums(gradient: 0, hessian: 0, count: 0), count: capacity)
        best = [SplitCandidate?](repeating: nil, count: capacity)
        depth = [Int](repeating: 0, count: capacity)
        parent = [(node: Int32, isLeft: Bool)?](repeating: nil, count: capacity)
    }
}
