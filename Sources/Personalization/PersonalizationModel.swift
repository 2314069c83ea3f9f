import Features
import Foundation
import LTRModel

/// What a personalized ranking model needs besides its trees: which features it reads, where item attributes
/// come from, and the interaction statistics as they stood when it was trained.
public struct PersonalizationExtras: Sendable, Codable {
    public static let formatName = "rerank-personalization"
    /// 2: the statistics are a ``FeatureStore`` snapshot, and the file names its feature schema and context
    /// defaults.
    public static let formatVersion = 2

    public var format = PersonalizationExtras.formatName
    public var version = PersonalizationExtras.formatVersion
    /// Columns of ``FeatureSchema`` the model reads, in order.
    public var columns: [Int]
    /// Feature families left out (an ablation), by name.
    public var excludedFamilies: [String]
    /// Every feature computed when the model was trained, in column order: the built-in ones, then the declared
    /// ones (``FeatureStore/declared``); ``columns`` index it.
    public var featureSchema: [String]
    /// Which source fields of a hit (or the items file) hold category, brand, price and price band.
    public var attributeFields: AttributeFields
    /// The context assumed for events whose search is unknown.
    public var contextDefaults: ContextDefaults
    public var gains: LabelGains
    /// The statistics snapshot serving starts from.
    public var state: FeatureStore
    /// Time (seconds since 1970) of the latest search training or validation used; later searches are unseen.
    /// Absent in files from before it was recorded.
    public var trainedUntil: Double?
    /// The position bias estimated from the training logs, when training corrected clicks for it.
    public var positionBias: PositionBias?
    /// The served blend weight training chose on the validation searches; absent in files from before it was
    /// chosen.
    public var blend: BlendChoice?

    public init(
        columns: [Int], excludedFamilies: [String], attributeFields: AttributeFields, gains: LabelGains, state: FeatureStore,
        trainedUntil: Double? = nil, positionBias: PositionBias? = nil, blend: BlendChoice? = nil
    ) {
        self.columns = columns
        self.excludedFamilies = excludedFamilies
        featureSchema = state.featureNames
        self.attributeFields = attributeFields
        contextDefaults = .current
        self.gains = gains
        self.state = state
        self.trainedUntil = trainedUntil
        self.positionBias = positionBias
        self.blend = blend
    }
}

/// How much of the model's score the served ranking blends in (`rerank.weight` when none is configured),
/// chosen on the validation searches so that the served ranking is not worse there than the engine's order.
public struct BlendChoice: Sendable, Codable, Equatable {
    /// What the candidate weights are compared by on the validation searches.
    public enum Criterion: String, Sendable, Codable {
        /// NDCG@10 of the logged interactions, as they are: for a model trained on raw clicks.
        case ndcg = "ndcg@10"
        /// The counterfactual DCG@10 of the logged clicks, each weighted by the inverse propensity of its logged
        /// position: for a model trained on debiased clicks, so the blend is not chosen by the bias the model
        /// was trained to undo.
        case counterfactualDCG = "ips_dcg@10"
    }

    /// A mean gain over the engine's order per validation search, with its 95% bootstrap interval.
    public struct Gain: Sendable, Codable, Equatable {
        public var mean: Double
        public var low: Double
        public var high: Double

        public init(mean: Double, low: Double, high: Double) {
            self.mean = mean
            self.low = low
            self.high = high
        }
    }

    /// The served weight: the candidate with the best validation score (the lowest such), or 0 when its gain
    /// over the engine's order is not above 0 with 95% confidence.
    public var weight: Double
    /// The weights tried, from 0 (the engine's order) to 1 (the model's).
    public var candidates: [Double]
    public var criterion: Criterion
    /// The criterion's value for the blend at each candidate weight, on the validation searches.
    public var validationScores: [Double]
    /// The candidate with the best validation score, and its gain over the engine's order per search (nil in
    /// files written before training checked the gain).
    public var bestWeight: Double?
    public var bestGain: Gain?

    public init(
        weight: Double, candidates: [Double], criterion: Criterion, validationScores: [Double], bestWeight: Double? = nil,
        bestGain: Gain? = nil
    ) {
        self.weight = weight
        self.candidates = candidates
        self.criterion = criterion
        self.validationScores = validationScores
        self.bestWeight = bestWeight
        self.bestGain = bestGain
    }

    /// Why the weight was chosen, for the training summary and the evaluation report.
    public var reason: String {
        guard let bestWeight, let bestGain else { return "the best \(criterion.rawValue) on the validation searches" }
        let gain = String(format: "%+.4f (95%% interval %+.4f to %+.4f)", bestGain.mean, bestGain.low, bestGain.high)
        if weight > 0 { return "the best \(criterion.rawValue) on the validation searches, \(gain) over the engine's order" }
        if bestWeight == 0 { return "no weight beat the engine's order on the validation searches" }
        return "the best weight on the validation searches, \(String(format: "%.1f", bestWeight)), gained \(gain) "
            + "\(criterion.rawValue) over the engine's order: not shown to help, so the engine's order is served"
    }

    /// The validation score at the chosen weight, and of the engine's order (weight 0).
    public var chosenScore: Double { validationScores[candidates.firstIndex(of: weight) ?? 0] }
    public var engineScore: Double { validationScores[candidates.firstIndex(of: 0) ?? 0] }
}

/// A trained personalized ranking model: the LambdaMART trees plus ``PersonalizationExtras``, in one file.
public struct PersonalizationModel: Sendable {
    public var ranking: RankingModel
    public var extras: PersonalizationExtras

    public init(ranking: RankingModel, extras: PersonalizationExtras) {
        self.ranking = ranking
        self.extras = extras
    }

    /// Reads and validates a model file: checksum and trees (by the LTR loader), then that it is a
    /// personalization model whose features this build knows.
    ///
    /// - Throws: ``ModelFileError`` saying what is wrong with the file.
    public init(contentsOf path: String) throws {
        let ranking: RankingModel
        do {
            ranking = try RankingModel(contentsOf: path)
        } catch {
            throw ModelFileError.unusable("model file '\(path)' is not usable: \(error)")
        }
        guard let payload = ranking.extras, let header = try? payload.decode(FormatHeader.self),
            header.format == PersonalizationExtras.formatName
        else {
            throw ModelFileError.notPersonalized("model file '\(path)' is a plain ranking model without personalization data; train it with `rerank train --logs DIR`")
        }
        guard header.version == PersonalizationExtras.formatVersion else {
            throw ModelFileError.unsupportedFormat("model file '\(path)' has personalization format \(header.version); this rerank reads format \(PersonalizationExtras.formatVersion): retrain it with this rerank (`rerank train --logs DIR`)")
        }
        let extras: PersonalizationExtras
        do {
            extras = try payload.decode(PersonalizationExtras.self)
        } catch {
            throw ModelFileError.unreadableData("model file '\(path)' has unreadable personalization data: \(error)")
        }
        try Self.check(extras, ranking: ranking, path: path)
        self.init(ranking: ranking, extras: extras)
    }

    /// The version fields, read before the rest so an old file gets a clear answer.
    private struct FormatHeader: Decodable {
        var format: String
        var version: Int
    }

    /// Refuses a model whose features, or whose defaults, this build computes otherwise: serving it would feed
    /// its trees values they were not trained on.
    private static func check(_ extras: PersonalizationExtras, ranking: RankingModel, path: String) throws(ModelFileError) {
        let names = extras.state.featureNames
        guard extras.featureSchema == names else {
            let missing = extras.featureSchema.filter { !names.contains($0) }
            throw .otherFeatures("model file '\(path)' was trained with another feature schema (\(extras.featureSchema.count) features\(missing.isEmpty ? ", in another order" : "; unknown here: \(missing.joined(separator: ", "))")); this rerank computes \(names.count): retrain it")
        }
        guard extras.columns.allSatisfy(names.indices.contains), extras.columns.map({ names[$0] }) == ranking.featureNames else {
            throw .otherFeatures("model file '\(path)' reads features \(ranking.featureNames) that this rerank does not compute the same way; retrain it")
        }
        guard extras.contextDefaults == .current else {
            throw .otherContextDefaults("model file '\(path)' assumes device \(extras.contextDefaults.device) at \(extras.contextDefaults.hour):00 on weekday \(extras.contextDefaults.weekday) for events without a search; this rerank assumes \(ContextDefaults.current.device) at \(ContextDefaults.current.hour):00 on weekday \(ContextDefaults.current.weekday): retrain it")
        }
    }

    /// Refuses a model whose declared features are not the configuration's `features` (nil: none configured,
    /// and any declaration is served).
    public func check(declared configured: DeclaredFeatures?, path: String) throws(ModelFileError) {
        guard let configured, configured != extras.state.declared else { return }
        func listed(_ features: DeclaredFeatures) -> String {
            features.isEmpty ? "none" : features.declarations.map { "\($0.name) (\($0.source.rawValue) \($0.field), \($0.kind.rawValue))" }.joined(separator: ", ")
        }
        throw .otherFeatures("model file '\(path)' declares the features \(listed(extras.state.declared)); the configuration declares \(listed(configured)): train it with `rerank train --features` on this configuration")
    }

    /// Writes the model file atomically, the extras encoded straight into it (``RankingModel/write(to:extras:)``).
    ///
    /// - Throws: an encoding error, or `LTRError.unwritableFile`.
    public func write(to path: String) throws {
        try ranking.write(to: path, extras: extras)
    }

    /// A short name for headers and logs: `model-<checksum prefix>` style, from the trees and training summary.
    public var version: String {
        "ltr-\(ranking.trees.count)t-\(ranking.summary.bestIteration)"
    }
}
