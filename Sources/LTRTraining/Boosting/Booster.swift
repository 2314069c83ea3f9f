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

/// LambdaMART: gradient-boosted regression trees with LambdaRank gradients, LightGBM's `lambdarank` loop.
///
/// Each iteration computes the gradients of every query (in parallel), draws the bag and the feature subset,
/// grows a tree, and updates training and validation scores; validation NDCG@k is evaluated every iteration
/// and drives the best iteration and early stopping. The same data, parameters and seed always give the same
/// model, whatever the thread count.
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
    private let train: Dataset
    private let valid: Dataset?
    private let parameters: TrainingParameters
    private let objective: LambdaRankObjective
    private let threads: Int
    private let binnedTrain: BinnedDataset
    private let binnedValid: BinnedDataset?
    private let learner: TreeLearner
    private let evaluateTraining: Bool

    /// Prepares training: checks the parameters and labels and bins the data.
    ///
    /// - Parameters:
    ///   - train: the training data.
    ///   - valid: optional validation data with the same features.
    ///   - parameters: training parameters.
    ///   - evaluateTraining: also report NDCG on the training data each iteration (costs time).
    /// - Throws: `LTRError` for bad parameters, labels or mismatched feature counts.
    public init(
        train: Dataset,
        valid: Dataset? = nil,
        parameters: TrainingParameters = TrainingParameters(),
        evaluateTraining: Bool = false
    ) throws {
        try parameters.validate()
        let objective = parameters.objective
        try objective.validate(labels: train.labels)
        if let valid {
            guard valid.featureCount == train.featureCount else {
                throw LTRError.featureOutOfSchema(
                    "the validation data has \(valid.featureCount) features but the training data has "
                        + "\(train.featureCount); both must use the same feature columns.")
            }
            try objective.validate(labels: valid.labels)
        }
        self.train = train
        self.valid = valid
        self.parameters = parameters
        self.objective = objective
        self.evaluateTraining = evaluateTraining
        let threads = Parallel.threadCount(parameters.numThreads)
        self.threads = threads
        let mappers = BinnedDataset.findMappers(
            for: train, maxBin: parameters.maxBin, minDataInBin: parameters.minDataInBin,
            sampleCount: parameters.binSampleCount, seed: parameters.seed, threads: threads)
        binnedTrain = BinnedDataset(train, mappers: mappers, columnMajor: true, threads: threads)
        binnedValid = valid.map { BinnedDataset($0, mappers: mappers, threads: threads) }
        learner = try TreeLearner(data: binnedTrain, parameters: parameters)
    }

    /// Runs the boosting loop and returns the model.
    ///
    /// - Parameter progress: called on the caller's thread after every iteration.
    /// - Returns: the model; with early stopping and validation data it keeps the trees up to the best iteration.
    public func train(progress: ((TrainingProgress) -> Void)? = nil) -> RankingModel {
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
        let gradients = GradientComputer(train: train, objective: objective, threads: threads)
        let sampler = RowSampler(train: train, parameters: parameters)
        var scores = [Double](repeating: 0, count: train.rowCount)
        var validScores = [Double](repeating: 0, count: valid?.rowCount ?? 0)
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
            if let binnedValid { add(tree, over: binnedValid, to: &validScores) }
            trees.append(tree)
            let validMetrics = validTracker?.evaluate(scores: validScores) ?? []
            if validMetrics.isEmpty || bestValue == nil || validMetrics[metricIndex] > bestValue! {
                bestIteration = trees.count
                bestValue = validMetrics.isEmpty ? nil : validMetrics[metricIndex]
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
        if parameters.earlyStoppingRounds > 0 && valid != nil { trees.removeLast(trees.count - bestIteration) }
        let summary = TrainingSummary(
            rows: train.rowCount, queries: train.queryCount, validationRows: valid?.rowCount,
            validationQueries: valid?.queryCount, iterations: trained, bestIteration: bestIteration,
            metric: "ndcg@\(parameters.metricAt)", bestValidationMetric: bestValue)
        // The thread count never changes the result, so it is not part of the model (and models trained on
        // different machines compare equal byte for byte).
        var stored = parameters
        stored.numThreads = 0
        return RankingModel(featureNames: train.featureNames, trees: trees, parameters: stored, summary: summary)
    }

    private func named(_ values: [Double], _ cutoffs: [Int]) -> [MetricValue] {
        zip(cutoffs, values).map { MetricValue(name: "ndcg@\($0)", value: $1) }
    }

    /// Adds a tree's output to every row of binned data (validation rows).
    private func add(_ tree: RegressionTree, over data: BinnedDataset, to scores: inout [Double]) {
        let featureCount = data.featureCount
        let chunks = Parallel.ranges(data.rowCount, pieces: max(1, data.rowCount / 8192))
        data.rowBins.withUnsafeBufferPointer { bins in
            scores.withUnsafeMutableBufferPointer { scores in
                Parallel.forEach(chunks.count, threads: threads) { chunk in
                    for row in chunks[chunk] {
                        scores[row] += tree.leafValue[tree.leaf(bins: bins.baseAddress! + row * featureCount)]
                    }
                }
            }
        }
    }
}
