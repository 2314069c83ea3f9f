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
        try train(prepared: prepare(log.replayLog(), items: items, profiles: profiles, options: options), options: options, progress: progress)
    }

    /// Trains on logs already replayed and split (``prepare(_:items:profiles:options:export:learns:)``, with the same options).
    public static func train(
        prepared: PreparedLogs,
        options: LogTrainingOptions = LogTrainingOptions(),
        progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> (model: PersonalizationModel, report: LogTrainingReport) {
        let (validation, positionBias) = (prepared.validation, prepared.positionBias)
        guard let trainingData = prepared.trainingData, let validationData = prepared.validationData else {
            throw TrainingError.preparedForExportAlone()
        }
        let train = try trainingData.weighted(positionBias.map { prepared.trainingClicks.weights($0) })
        let outcome = try Booster(
            train: train,
            valid: validationData,
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
            trainingGroups: prepared.trainingSearches,
            validationGroups: validation.groupCount,
            testGroups: prepared.testGroups,
            validation: [
                "original": RankingEvaluation(set: validation) { group, row in -Double(validation.groups[group].originalRank(ofShown: row)) },
                "model": RankingEvaluation(set: validation) { group, row in modelScores[validation.groupBoundaries[group] + row] },
                "served": RankingEvaluation(set: validation) { group, row in served[validation.groupBoundaries[group] + row] },
            ],
            positionBias: positionBias,
            blend: blend
        )
        return (model, report)
    }

    /// Replays `log` (``InteractionLog/replayLog()``) into point-in-time rows, splits them by time into training, validation and test searches,
    /// and estimates position bias from the training ones: everything training does before the learner, and
    /// what `rerank train --export-letor` writes for an external trainer.
    ///
    /// The searches' labels are found first, so every search goes to its split as the replay makes its rows:
    /// the training rows are binned in the model's columns as they come (``PreparedLogs/trainingData``), test rows
    /// are not kept, and `export` writes every split's rows as they come. The training searches themselves are not
    /// kept: their explored swaps are tallied as they pass, and each training row keeps one byte for its weight
    /// (``ClickPositions``). With `learns` false (an export alone), no row is kept but the position-bias
    /// estimate's sample, and no validation search.
    ///
    /// - Throws: ``TrainingError`` when the logs hold too few searches with interactions; a file system error
    ///   when `export` cannot write.
    public static func prepare(
        _ log: ReplayLog,
        items: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:],
        options: LogTrainingOptions = LogTrainingOptions(),
        export: LETORExport? = nil,
        learns: Bool = true
    ) throws -> PreparedLogs {
        var first = log.records()
        var second = log.records()
        return try prepare(
            reading: &first, again: &second, items: items, profiles: profiles, options: options, export: export, learns: learns)
    }

    /// ``prepare(_:items:profiles:options:export:learns:)`` reading the same records twice, e.g. from
    /// ``LogFileRecords`` over a log directory: `first` for the labels, `second` for the rows.
    public static func prepare<Source: ReplaySource>(
        reading first: inout Source,
        again second: inout Source,
        items: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:],
        options: LogTrainingOptions = LogTrainingOptions(),
        export: LETORExport? = nil,
        learns: Bool = true
    ) throws -> PreparedLogs {
        let builder = options.builder
        let labels = try builder.label(&first)
        guard labels.summary.impressions > 0 else {
            throw TrainingError.noShownSearches()
        }
        guard labels.summary.events > 0 else {
            throw TrainingError.noInteractions()
        }
        let split = try TimeSplit(groups: labels.groupCount, options: options, unjoinable: labels.summary.unjoinable)
        var rows = try SplitRows(split: split, labels: labels, options: options, export: export, learns: learns)
        var replay = builder.rowReplay(labels: labels, attributes: items, profiles: profiles)
        while let record = try second.next() {
            try replay.apply(record) { try rows.add($0) }
        }
        let learnerData = try rows.finish()
        return PreparedLogs(
            trainingSearches: split.training,
            trainingClicks: rows.trainingClicks,
            trainingData: learnerData?.training,
            validation: rows.validation,
            validationData: learnerData?.validation,
            testGroups: split.test,
            columns: rows.columns,
            columnNames: rows.columnNames,
            positionBias: options.debias ? options.positionBiasEstimator.estimate(rows.biasEvidence) : nil,
            trainedUntil: rows.latest,
            state: replay.store,
            summary: labels.summary
        )
    }
}
