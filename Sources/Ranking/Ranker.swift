import RerankCore
import RerankJSON

/// A hit as rankers see it: identity, the engine's verdict, and the source fields rankers asked for.
public struct RankableHit: Sendable {
    public var id: String
    public var index: String?
    /// The engine's `_score` (0 when it sent none).
    public var searchScore: Double
    /// 0-based position in the engine's order.
    public var originalRank: Int
    /// Values of the fields named by ``Ranker/requiredFields`` and the rules, by dotted path; absent when missing.
    public var fields: SourceFields

    public init(id: String, index: String? = nil, searchScore: Double, originalRank: Int, fields: SourceFields = [:]) {
        self.id = id
        self.index = index
        self.searchScore = searchScore
        self.originalRank = originalRank
        self.fields = fields
    }
}

/// What a ranker says of a list of hits.
public struct RankerOutput: Sendable {
    /// One score per hit, in the hits' order; higher ranks first. Only their order within the list matters.
    public var scores: [Double]
    /// Per hit, the named feature values behind the score, when the request asked for an explanation.
    public var features: [[String: Double]]?
    /// Per hit, whether the ranker's statistics have rarely shown it (a model's `item_cold`); nil when the ranker
    /// cannot tell. ``Exploration`` gives such hits exposure.
    public var cold: [Bool]?

    public init(scores: [Double], features: [[String: Double]]? = nil, cold: [Bool]? = nil) {
        self.scores = scores
        self.features = features
        self.cold = cold
    }
}

/// The seam personalization plugs into: scores hits for one search in its context.
///
/// Implementations must be cheap (they run on the search path, inside the rerank time budget) and thread-safe.
public protocol Ranker: Sendable {
    /// Names the model or ruleset, reported in the `X-Rerank-Model` header and logs.
    var version: String { get }
    /// Source fields (dotted paths) the ranker reads from each hit.
    var requiredFields: [String] { get }
    /// Scores `hits`, which arrive in the engine's order.
    func score(_ hits: [RankableHit], context: SearchContext) throws -> RankerOutput
    /// The blend weight this ranker was made for (a model's, chosen in training), used where none is configured.
    var preferredWeight: Double? { get }
}

extension Ranker {
    public var preferredWeight: Double? { nil }
}
