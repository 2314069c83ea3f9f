import RerankCore

/// Why a hit landed where it did, for `explain` requests.
public struct HitExplanation: Sendable, Equatable {
    public var originalRank: Int
    public var searchScore: Double
    /// The ranker's raw score, when a ranker ran.
    public var modelScore: Double?
    /// The blended score the list was sorted by, rules' boosts included.
    public var finalScore: Double
    public var features: [String: Double]
    /// The rules that matched, e.g. `bury`, `boost(0.2)`, `pin(0)`, and `explore(3->4)` when exploration moved
    /// the hit from position 3 to 4.
    public var rules: [String]
}

/// The reranked order of a hit list.
public struct RerankResult: Sendable {
    /// Indices into the input hits, best first; excluded hits are absent.
    public var order: [Int]
    /// Per input hit, the blended score the list was sorted by, rules' boosts included (buried and pinned hits
    /// are placed by their rule, not by it).
    public var scores: [Double]
    /// Per input hit (same indexing as the input), when explanations were asked for.
    public var explanations: [HitExplanation]?
    /// What exploration moved, when the search was explored.
    public var exploration: ExplorationRecord?
}

/// Blends a ranker's scores with the search scores, applies the business rules, and explores a share of searches.
///
/// ```swift
/// let reranker = Reranker(ranker: SignalRanker(signals: signals), rules: rules, defaultWeight: 0.5)
/// let result = try reranker.rerank(hits, context: context)
/// ```
public struct Reranker: Sendable {
    public var ranker: (any Ranker)?
    public var rules: [BusinessRule]
    /// The weight configured, if any; nil follows the ranker's ``Ranker/preferredWeight``.
    public var configuredWeight: Double?
    /// The randomized intervention in a share of searches; off by default.
    public var exploration: Exploration

    /// Weight of the ranker's score against the search score, 0…1; 0 keeps the engine's order.
    public var defaultWeight: Double { configuredWeight ?? ranker?.preferredWeight ?? Self.fallbackWeight }

    /// The weight when neither the configuration nor the ranker names one.
    public static let fallbackWeight = 0.5

    /// - Parameters:
    ///   - defaultWeight: the weight for searches that do not name one; nil for the ranker's own, else
    ///     ``fallbackWeight``.
    ///   - exploration: the share of searches explored and how.
    public init(
        ranker: (any Ranker)?, rules: [BusinessRule] = [], defaultWeight: Double? = nil, exploration: Exploration = Exploration()
    ) {
        self.ranker = ranker
        self.rules = rules
        configuredWeight = defaultWeight
        self.exploration = exploration
    }

    /// Source fields to read from each hit: the ranker's and the rules'.
    public var requiredFields: [String] {
        var fields = ranker?.requiredFields ?? []
        for field in rules.compactMap(\.field) where !fields.contains(field) { fields.append(field) }
        return fields
    }

    /// Names the ranker and ruleset for headers and logs.
    public var version: String {
        let rulesPart = rules.isEmpty ? nil : "rules-\(rules.count)"
        return [ranker?.version, rulesPart].compactMap { $0 }.joined(separator: "+").nonEmpty ?? "none"
    }

    /// Reranks `hits` (in the engine's order) for `context`, leaving out what the request's `filters` do not
    /// admit.
    ///
    /// - Parameter filters: the request's filters (``ActiveFilter``); a hit one of them refuses is left out, and
    ///   its explanation names it (`filter(no_repurchase)`).
    /// - Parameter explorationSeed: the search's draws for ``exploration`` (the sidecar's come from a hash of the
    ///   query id, so a logged search's draws can be recomputed); nil never explores.
    public func rerank(
        _ hits: [RankableHit], context: SearchContext, filters: [ActiveFilter] = [], explorationSeed: UInt64? = nil
    ) throws -> RerankResult {
        let weight = context.weight ?? defaultWeight
        let output = weight > 0 ? try ranker?.score(hits, context: context) : nil
        if let output, output.scores.count != hits.count {
            throw RankerCountMismatch(expected: hits.count, got: output.scores.count)
        }
        var final = Self.blend(searchScores: hits.map(\.searchScore), rankerScores: output?.scores, weight: weight)
        var matched = Array(repeating: [String](), count: hits.count)
        var excluded = Array(repeating: false, count: hits.count)
        var buried = Array(repeating: false, count: hits.count)
        var pins: [(hit: Int, position: Int)] = []
        for (index, hit) in hits.enumerated() {
            if context.excludedIDs.contains(hit.id) {
                excluded[index] = true
                matched[index].append("exclude(request)")
            }
            for filter in filters where !filter.admits(hit) {
                excluded[index] = true
                matched[index].append("filter(\(filter.name))")
            }
            for rule in rules where rule.matches(hit) {
                switch rule.action {
                case .boost(let amount):
                    final[index] += amount
                    matched[index].append("boost(\(amount))")
                case .bury:
                    buried[index] = true
                    matched[index].append("bury")
                case .pin(let position):
                    pins.append((index, position))
                    matched[index].append("pin(\(position))")
                case .exclude:
                    excluded[index] = true
                    matched[index].append("exclude")
                }
            }
        }
        let pinned = Set(pins.map(\.hit))
        let ranked = hits.indices
            .filter { !excluded[$0] && !pinned.contains($0) }
            .sorted { a, b in
                if buried[a] != buried[b] { return !buried[a] }
                if final[a] != final[b] { return final[a] > final[b] }
                return a < b
            }
        var order = ranked
        for pin in pins.sorted(by: { $0.position < $1.position }) where !excluded[pin.hit] && !order.contains(pin.hit) {
            order.insert(pin.hit, at: min(max(0, pin.position), order.count))
        }
        var exploration: ExplorationRecord?
        if let explorationSeed {
            var random = SplitMix64(seed: explorationSeed)
            if self.exploration.explores(&random) {
                let ranked = order
                let record = self.exploration.explore(&order, pinned: pinned, buried: buried, cold: output?.cold, random: &random)
                for move in record.moves { matched[ranked[move.from]].append("explore(\(move.from)->\(move.to))") }
                exploration = record
            }
        }
        let explanations = context.explain
            ? hits.indices.map { index in
                HitExplanation(
                    originalRank: hits[index].originalRank,
                    searchScore: hits[index].searchScore,
                    modelScore: output?.scores[index],
                    finalScore: final[index],
                    features: output?.features?[index] ?? [:],
                    rules: matched[index]
                )
            }
            : nil
        return RerankResult(order: order, scores: final, explanations: explanations, exploration: exploration)
    }

    /// `hits` in the engine's order under the rules alone (excluded and filtered hits left out, pins and buries
    /// applied): what a search or rank request is served when its ranking fails or is late.
    public func ruled(_ hits: [RankableHit], context: SearchContext, filters: [ActiveFilter] = []) -> RerankResult {
        let rules = Reranker(ranker: nil, rules: rules, defaultWeight: 0)
        var context = context
        context.weight = 0
        do {
            return try rules.rerank(hits, context: context, filters: filters)
        } catch {
            preconditionFailure("reranking without a ranker cannot fail: \(error)")
        }
    }

    /// The blended score of each hit: `(1 − weight)·search + weight·ranker`, both min–max scaled within the list;
    /// the search score alone without ranker scores. Training chooses a model's weight with this same blend.
    public static func blend(searchScores: [Double], rankerScores: [Double]?, weight: Double) -> [Double] {
        let searchPart = normalized(searchScores)
        guard let rankerScores else { return searchPart }
        let rankerPart = normalized(rankerScores)
        return searchPart.indices.map { (1 - weight) * searchPart[$0] + weight * rankerPart[$0] }
    }

    /// Min–max scales scores to 0…1 within the list, so search and model scores blend on one scale.
    static func normalized(_ scores: [Double]) -> [Double] {
        guard let low = scores.min(), let high = scores.max(), high > low else {
            return Array(repeating: 0, count: scores.count)
        }
        return scores.map { ($0 - low) / (high - low) }
    }
}

/// A ranker returned a different number of scores than hits it was given.
public struct RankerCountMismatch: Error, CustomStringConvertible {
    public let expected: Int
    public let got: Int
    public var description: String { "ranker returned \(got) scores for \(expected) hits" }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
