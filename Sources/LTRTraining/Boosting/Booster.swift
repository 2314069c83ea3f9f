import Foundation
import LTRModel

/// What the booster reports after each iteration.
public struct TrainingProgress: Sendable {
    /// The iteration just finished, from 1.
    public var iteration: Int
    /// The planned number of iterations.
    public var iterations: Int
    /// NDCG@k on the training data (only when the booster was asked to evaluate it).
    public var training: [MetricValue]
    /// NDCG@k on the validation data (empty without validation data).
    public var validation: [MetricValue]
    /// The iteration with the best validation metric so far.
    public var bestIteration: Int
    /// The best validation metric so far.
    public var bestValidation: Double?
    /// Seconds since training started.
    public var elapsedSeconds: Double
}

/// What ``Booster/fit(progress:)`` returns: the model and its scores of the validation rows.
public struct TrainingOutcome: Sendable {
    /// The model (with early stopping: its trees up to the best iteration).
    public var model: RankingModel
    /// The model's score of every validation row, in row order (empty without validation data). Exactly the
    /// model's scores of the raw rows up to summation order: tree thresholds sit between bins.
    public var validationScores: [Double]
}

/// LambdaMART: gradient-boosted regression trees with LambdaRank gradients, LightGBM's `lambdarank` loop.
///
/// Each iteration computes the gradients of every query (in parallel), draws the bag and the feature subset,
/// grows a tree, and updates training and validation scores; validation NDCG@k is evaluated every iteration
/// and drives the best iteration and early stopping. The same data, parameters and seed always give the same
/// model, whatever the thread count. The booster holds only binned data (``TrainingData``), never the raw
/// feature values.
///
/// ```swift
/// var parameters = TrainingParameters()
/// parameters.earlyStoppingRounds = 20
/// let booster = try Booster(train: train, valid: test, parameters: parameters)
/// let model = booster.train { progress in
///     print(progress.iteration, progress.validation.last?.value ?? 0)
/// }
/// ```
public final class Booster {
    private let train: TrainingData
    private let valid: TrainingData?
    private let parameters: TrainingParameters
    private let objective: LambdaRankObjective
    private let threads: Int
    private let learner: TreeLearner
    private let evaluateTraining: Bool

    /// Prepares training on binned data: checks the parameters, the labels and that the validation data was
    /// binned with the training data's mappers.
    ///
    /// - Parameters:
    ///   - train: the training data, binned column-major (``BinnedDatasetBuilder`` or
    ///     ``TrainingData/init(_:mappers:layout:threads:)``).
    ///   - valid: optional validation data, binned with `train`'s mappers.
    ///   - parameters: training parameters.
    ///   - evaluateTraining: also report NDCG on the training data each iteration (costs time).
    /// - Throws: `LTRError` for bad parameters, labels or mismatched features.
    public init(
        train: TrainingData,
        valid: TrainingData? = nil,
        parameters: TrainingParameters = TrainingParameters(),
        evaluateTraining: Bool = false
    ) throws {
        try parameters.validate()
        let objective = parameters.objective
        try objective.validate(labels: train.labels)
        guard train.bins.layout == .columnMajor else {
            throw LTRError.invalidParameter("train", "must be binned column-major (layout: .columnMajor).")
        }
        if let valid {
            try Self.checkFeatures(valid: valid.featureCount, train: train.featureCount)
            guard valid.bins.mappers == train.bins.mappers else {
                throw LTRError.featureOutOfSchema(
                    "the validation data was binned with other bins than the training data; bin it with the "
                        + "training data's mappers.")
            }
            try objective.validate(labels: valid.labels)
        }
        self.train = train
        self.valid = valid
        self.parameters = parameters
        self.objective = objective
        self.evaluateTraining = evaluateTraining
        threads = Parallel.threadCount(parameters.numThreads)
        learner = try TreeLearner(data: train.bins, parameters: parameters)
    }

    /// Prepares training on data held in memory: checks it and bins it (the raw values are not kept).
    ///
    /// - Parameters:
    ///   - train: the training data.
    ///   - valid: optional validation data with the same features.
    ///   - parameters: training parameters.
    ///   - evaluateTraining: also report NDCG on the training data each iteration (costs time).
    /// - Throws: `LTRError` for bad parameters, labels or mismatched feature counts.
    public convenience init(
        train: Dataset,
        valid: Dataset? = nil,
        parameters: TrainingParameters = TrainingParameters(),
        evaluateTraining: Bool = false
    ) throws {
        try parameters.validate()
        if let valid { try Booster.checkFeatures(valid: valid.featureCount, train: train.featureCount) }
        let threads = Parallel.threadCount(parameters.numThreads)
        let mappers = BinnedDataset.findMappers(
            for: train, maxBin: parameters.maxBin, minDataInBin: parameters.minDataInBin,
            sampleCount: parameters.binSampleCount, seed: parameters.seed, threads: threads)
        try self.init(
            train: TrainingData(train, mappers: mappers, layout: .columnMajor, threads: threads),
            valid: valid.map { TrainingData($0, mappers: mappers, threads: threads) },
            parameters: parameters, evaluateTraining: evaluateTraining)
    }

    private static func checkFeatures(valid: Int, train: Int) throws {
        guard valid == train else {
            throw LTRError.featureOutOfSchema(
                "the validation data has \(valid) features but the training data has \(train); both must use the "
                    + "same feature columns.")
        }
    }

    /// Runs the boosting loop and returns the model.
    ///
    /// - Parameter progress: called on the caller's thread after every iteration.
    /// - Returns: the model; with early stopping and validation data it keeps the trees up to the best iteration.
    public func train(progress: ((TrainingProgress) -> Void)? = nil) -> RankingModel {
        fit(progress: progress).model
    }

    /// Runs the boosting loop and returns the model with its scores of the validation rows, so callers need
    /// not keep the raw validation rows to score them.
    ///
    /// - Parameter progress: called on the caller's thread after every iteration.
    public func fit(progress: ((TrainingProgress) -> Void)? = nil) -> TrainingOutcome {
        let start = Date()
        let cutoffs = parameters.evalAt.contains(parameters.metricAt)
            ? parameters.evalAt : parameters.evalAt + [parameters.metricAt]
        let metricIndex = cutoffs.firstIndex(of: parameters.metricAt)!
        let validTracker = valid.map {
            NDCGTracker(labels: $0.labels, queryBoundaries: $0.queryBoundaries, cutoffs: cutoffs,
                        labelGain: objective.labelGain, threads: threads)
        }
        let trainTracker = evaluateTraining
            ? NDCGTracker(labels: train.labels, queryBoundaries: train.queryBoundaries, cutoffs: cutoffs,
                          labelGain: objective.labelGain, threads: threads) : nil
        let gradients = GradientComputer(
            labels: train.labels, queryBoundaries: train.queryBoundaries, weights: train.weights, objective: objective,
            threads: threads)
        let sampler = RowSampler(rowCount: train.rowCount, queryBoundaries: train.queryBoundaries, parameters: parameters)
        var scores = [Double](repeating: 0, count: train.rowCount)
        var validScores = [Double](repeating: 0, count: valid?.rowCount ?? 0)
        // The validation scores of the trees up to the best iteration, which the returned model keeps.
        var bestValidScores = validScores
        var pairs = [SIMD2<Float>](repeating: .zero, count: train.rowCount)
        var trees: [RegressionTree] = []
        var bag: [Int32]? = nil
        var bestIteration = 0
        var bestValue: Double? = nil
        for iteration in 0..<parameters.iterations {
            gradients.compute(scores: scores, into: &pairs)
            if sampler.rebags(at: iteration) { bag = sampler.bag(iteration: iteration) }
            let features = sampler.features(iteration: iteration, count: train.featureCount)
            let tree = pairs.withUnsafeBufferPointer { learner.grow(gradients: $0, bag: bag, features: features) }
            if tree.nodeCount == 0 { break }
            learner.addPredictions(of: tree, to: &scores)
            if let valid { add(tree, over: valid.bins, to: &validScores) }
            trees.append(tree)
            let validMetrics = validTracker?.evaluate(scores: validScores) ?? []
            if validMetrics.isEmpty || bestValue == nil || validMetrics[metricIndex] > bestValue! {
                bestIteration = trees.count
                bestValue = validMetrics.isEmpty ? nil : validMetrics[metricIndex]
                bestValidScores = validScores
            }
            let trainMetrics = trainTracker?.evaluate(scores: scores) ?? []
            progress?(
                TrainingProgress(
                    iteration: trees.count, iterations: parameters.iterations,
                    training: named(trainMetrics, cutoffs), validation: named(validMetrics, cutoffs),
                    bestIteration: bestIteration, bestValidation: bestValue,
                    elapsedSeconds: Date().timeIntervalSince(start)))
            if parameters.earlyStoppingRounds > 0 && valid != nil
                && trees.count - bestIteration >= parameters.earlyStoppingRounds
            {
                break
            }
        }
        let trained = trees.count
        let truncated = parameters.earlyStoppingRounds > 0 && valid != nil
        if truncated { trees.removeLast(trees.count - bestIteration) }
        let summary = TrainingSummary(
            rows: train.rowCount, queries: train.queryCount, validationRows: valid?.rowCount,
            validationQueries: valid?.queryCount, iterations: trained, bestIteration: bestIteration,
            metric: "ndcg@\(parameters.metricAt)", bestValidationMetric: bestValue)
        // The thread count never changes the result, so it is not part of the model (and models trained on
        // different machines compare equal byte for byte).
        var stored = parameters
        stored.numThreads = 0
        return TrainingOutcome(
            model: RankingModel(featureNames: train.featureNames, trees: trees, parameters: stored, summary: summary),
            validationScores: truncated ? bestValidScores : validScores)
    }

    private func named(_ values: [Double], _ cutoffs: [Int]) -> [MetricValue] {
        zip(cutoffs, values).map { MetricValue(name: "ndcg@\($0)", value: $1) }
    }

    /// Adds a tree's output to every row of binned data (validation rows).
    private func add(_ tree: RegressionTree, over data: BinnedDataset, to scores: inout [Double]) {
        let (rowStride, featureStride) = (data.rowStride, data.featureStride)
        let chunks = Parallel.ranges(data.rowCount, pieces: max(1, data.rowCount / 8192))
        data.bins.withUnsafeBufferPointer { bins in
            scores.withUnsafeMutableBufferPointer { scores in
                Parallel.forEach(chunks.count, threads: threads) { chunk in
                    for row in chunks[chunk] {
                        scores[row] += tree.leafValue[
                            tree.leaf(bins: bins.baseAddress! + row * rowStride, featureStride: featureStride)]
                    }
                }
            }
        }
    }
}
