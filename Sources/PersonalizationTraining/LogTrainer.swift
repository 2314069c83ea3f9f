import EventLog
import Features
import Foundation
import LTRModel
import LTRTraining
import Personalization

/// How `rerank train --logs` learns.
public struct LogTrainingOptions: Sendable {
    /// LambdaMART parameters; by default 300 trees at learning rate 0.05 with early stopping after 30 rounds
    /// without a better validation NDCG@10.
    public var parameters: TrainingParameters
    /// The latest share of searches left out of training and validation altogether, for `rerank evaluate`
    /// (its time split with the same fraction then scores only searches the model never saw); 0 uses them all.
    public var testFraction = 0.0
    /// The latest share of the remaining searches held out for validation and early stopping (time split).
    public var validationFraction = 0.2
    /// Feature families to leave out, for ablations.
    public var excludedFamilies: Set<FeatureFamily> = []
    public var builder = TrainingSetBuilder()
    public var attributeFields = AttributeFields()
    /// Whether to correct clicks for position bias: estimate it from the training searches
    /// (``PositionBiasEstimator``) and weight each clicked row's pairs by its inverse propensity.
    public var debias = true
    public var positionBiasEstimator = PositionBiasEstimator()

    public init() {
        parameters = TrainingParameters()
        parameters.iterations = 300
        parameters.learningRate = 0.05
        parameters.minDataInLeaf = 20
        parameters.earlyStoppingRounds = 30
        parameters.evalAt = [1, 5, 10]
        parameters.metricAt = 10
    }
}

/// What training saw and how the model did on the held-out searches.
public struct LogTrainingReport: Sendable {
    public var replay: ReplaySummary
    public var trainingGroups: Int
    public var validationGroups: Int
    /// The latest searches left out for evaluation (``LogTrainingOptions/testFraction``).
    public var testGroups: Int
    /// Validation metrics of the engine's order (`original`), of the model alone (`model`) and of the served
    /// blend at the chosen weight (`served`).
    public var validation: [String: RankingEvaluation]
    /// The position bias the training rows were weighted by; nil when not debiased (turned off, or the logs
    /// have no clicks past the first position).
    public var positionBias: PositionBias?
    public var blend: BlendChoice
}

/// Learns a personalized ranking model from UBI logs.
public enum LogTrainer {
    /// The fewest searches with interactions worth training on.
    public static let minimumGroups = 20

    /// Replays `log`, trains on the earlier searches, validates on the latest ones.
    ///
    /// - Parameters:
    ///   - items: catalog attributes by item id (category, brand, price), for the user-taste features.
    ///   - progress: called after every boosting iteration.
    ///   - profiles: declared user values by user id (a users file; ``DeclaredFeatures/values(of:in:)``).
    public static func train(
        log: InteractionLog,
        items: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:],
        options: LogTrainingOptions = LogTrainingOptions(),
        progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> (model: PersonalizationModel, report: LogTrainingReport) {
        try train(prepared: prepare(log: log, items: items, profiles: profiles, options: options), options: options, progress: progress)
    }

    /// Trains on logs already replayed and split (``prepare(log:items:profiles:options:)``, with the same options).
    public static func train(
        prepared: PreparedLogs,
        options: LogTrainingOptions = LogTrainingOptions(),
        progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> (model: PersonalizationModel, report: LogTrainingReport) {
        let (training, validation, columns, positionBias) =
            (prepared.training, prepared.validation, prepared.columns, prepared.positionBias)
        let outcome = try Booster(
            train: dataset(training, columns: columns, weights: positionBias.map { training.clickWeights($0) }),
            valid: dataset(validation, columns: columns),
            parameters: options.parameters
        ).fit(progress: progress)
        let (ranking, modelScores) = (outcome.model, outcome.validationScores)
        let blend = BlendChoice(choosingOn: validation, modelScores: modelScores, bias: positionBias)
        var extras = prepared.extras(options: options)
        extras.blend = blend
        let model = PersonalizationModel(ranking: ranking, extras: extras)
        let served = validation.blendedScores(modelScores: modelScores, weight: blend.weight)
        let report = LogTrainingReport(
            replay: prepared.summary,
            trainingGroups: training.groupCount,
            validationGroups: validation.groupCount,
            testGroups: prepared.test.groupCount,
            validation: [
                "original": RankingEvaluation(set: validation) { group, row in -Double(validation.groups[group].originalRanks[row]) },
                "model": RankingEvaluation(set: validation) { group, row in modelScores[validation.groupBoundaries[group] + row] },
                "served": RankingEvaluation(set: validation) { group, row in served[validation.groupBoundaries[group] + row] },
            ],
            positionBias: positionBias,
            blend: blend
        )
        return (model, report)
    }

    /// Replays `log` into point-in-time rows, splits them by time into training, validation and test searches,
    /// and estimates position bias from the training ones: everything training does before the learner, and
    /// what `rerank train --export-letor` writes for an external trainer.
    ///
    /// - Throws: ``TrainingError`` when the logs hold too few searches with interactions.
    public static func prepare(
        log: InteractionLog,
        items: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:],
        options: LogTrainingOptions = LogTrainingOptions()
    ) throws -> PreparedLogs {
        let impressions = log.loggedImpressions()
        let events = log.loggedEvents()
        guard !impressions.isEmpty else {
            throw TrainingError.noShownSearches()
        }
        guard !events.isEmpty else {
            throw TrainingError.noInteractions()
        }
        let (set, state, summary) = options.builder.build(
            impressions: impressions, events: events, attributes: items, profiles: profiles)
        guard set.groupCount >= minimumGroups else {
            throw TrainingError.tooFewSearches(set.groupCount, unjoinable: summary.unjoinable, minimum: minimumGroups)
        }
        let testCount = options.testFraction > 0 ? max(1, Int((Double(set.groupCount) * options.testFraction).rounded())) : 0
        let usable = set.groupCount - testCount
        guard usable >= minimumGroups else {
            throw TrainingError.tooFewAfterHoldOut(usable, heldOut: testCount, minimum: minimumGroups)
        }
        let validationCount = max(1, Int((Double(usable) * options.validationFraction).rounded()))
        let training = set.subset(0..<(usable - validationCount))
        return PreparedLogs(
            training: training,
            validation: set.subset((usable - validationCount)..<usable),
            test: set.subset(usable..<set.groupCount),
            columns: FeatureSchema.columns(excluding: options.excludedFamilies, declared: options.builder.declared),
            positionBias: options.debias ? options.positionBiasEstimator.estimate(training) : nil,
            state: state,
            summary: summary
        )
    }

    /// The LTR data set of `set`'s rows, keeping `columns`.
    static func dataset(_ set: TrainingSet, columns: [Int], weights: [Float]? = nil) throws -> Dataset {
        try Dataset(
            features: FeatureSchema.select(columns, from: set.rows, width: set.featureNames.count), featureCount: columns.count, labels: set.labels,
            queryBoundaries: set.groupBoundaries, featureNames: columns.map { set.featureNames[$0] }, weights: weights
        )
    }
}
