import Features
import LTRModel
import Ranking
import RerankCore

/// Scores hits with a learned model from point-in-time features of the searcher, the items and the context.
public struct ModelRanker: Ranker {
    private let scorer: ModelScorer
    private let columns: [Int]
    private let attributeFields: AttributeFields
    private let declared: DeclaredFeatures
    /// Every column's name, in row order.
    private let featureNames: [String]
    /// The live statistics the features read; updated by impressions and events.
    public let state: LiveFeatureState
    public let version: String
    /// The blend weight training chose (``BlendChoice``); nil for models trained before it was chosen.
    public let preferredWeight: Double?

    public init(model: PersonalizationModel, state: LiveFeatureState) {
        scorer = model.ranking.scorer()
        columns = model.extras.columns
        attributeFields = model.extras.attributeFields
        declared = model.extras.state.declared
        featureNames = model.extras.featureSchema
        self.state = state
        version = model.version
        preferredWeight = model.extras.blend?.weight
    }

    /// How the model's trees are walked: "avx512" or "avx2" where the processor and the model allow it, else
    /// "portable" (``ModelScorer/walk``); the scores are the same.
    public var walk: String { scorer.walk.rawValue }

    public var requiredFields: [String] { attributeFields.all + declared.fields(of: .item) }

    /// What feature extraction reads of `hits`: their ids, the engine's verdicts, and their attributes as keys.
    public func candidates(of hits: [RankableHit]) -> [Candidate] {
        // The hits' fields were read with the same paths: their places are found once.
        let slots = hits.first.map { attributeFields.slots(in: $0.fields) } ?? .unknown
        // By index: iterating the hits (`map`, `for in`) copies each one out, retaining and releasing its strings
        // and arrays (7 µs for 100 hits on the scoring bench).
        var candidates: [Candidate] = []
        candidates.reserveCapacity(hits.count)
        let readsDeclared = !declared.isEmpty
        for index in hits.indices {
            candidates.append(Candidate(
                id: hits[index].id, searchScore: hits[index].searchScore, originalRank: hits[index].originalRank,
                keys: attributeFields.keys(from: hits[index].fields, slots: slots),
                declared: readsDeclared ? declared.values(of: .item, in: hits[index].fields) : []))
        }
        return candidates
    }

    /// The feature context of a search.
    public static func featureContext(of context: SearchContext) -> FeatureContext {
        FeatureContext(
            time: context.time, userID: context.userID, sessionID: context.sessionID, device: context.device,
            localTime: context.localTime, query: FeatureStore.normalize(query: context.query), attributes: context.attributes
        )
    }

    public func score(_ hits: [RankableHit], context: SearchContext) throws -> RankerOutput {
        let full = state.features(for: candidates(of: hits), in: Self.featureContext(of: context))
        let width = featureNames.count
        let scores = try scorer.score(rows: FeatureSchema.select(columns, from: full, width: width))
        let features = context.explain
            ? (0..<hits.count).map { row in
                Dictionary(uniqueKeysWithValues: columns.map { (featureNames[$0], Double(full[row * width + $0])) })
            }
            : nil
        let cold = (0..<hits.count).map { row in full[row * width + Feature.itemCold.rawValue] > 0.5 }
        return RankerOutput(scores: scores, features: features, cold: cold)
    }
}
