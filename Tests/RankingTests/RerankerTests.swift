import RerankCore
import RerankJSON
import Testing

@testable import Ranking

@Suite struct RerankerTests {
    /// Five hits in engine order with descending search scores and a popularity field that reverses them.
    static let hits: [RankableHit] = (0..<5).map { rank in
        RankableHit(
            id: "d\(rank)",
            searchScore: Double(10 - rank),
            originalRank: rank,
            fields: [
                "popularity": .int(rank * 100),
                "in_stock": .bool(rank != 4),
                "brand": rank == 2 ? .string("acme") : .string("other"),
            ]
        )
    }
    static let popularity = SignalRanker(signals: [.init(field: "popularity", weight: 1, transform: .linear)])

    @Test func weightZeroKeepsTheEngineOrder() throws {
        let reranker = Reranker(ranker: Self.popularity, defaultWeight: 0)
        #expect(try reranker.rerank(Self.hits, context: SearchContext()).order == [0, 1, 2, 3, 4])
    }

    /// A ranker that names its own weight, as a trained model does.
    struct Preferring: Ranker {
        let preferredWeight: Double?
        var version: String { "preferring" }
        var requiredFields: [String] { [] }
        func score(_ hits: [RankableHit], context: SearchContext) throws -> RankerOutput {
            RankerOutput(scores: hits.map { Double($0.originalRank) })
        }
    }

    @Test func theRankersOwnWeightServesUnlessOneIsConfigured() throws {
        #expect(Reranker(ranker: Preferring(preferredWeight: 0)).defaultWeight == 0)
        #expect(try Reranker(ranker: Preferring(preferredWeight: 0)).rerank(Self.hits, context: SearchContext()).order == [0, 1, 2, 3, 4])
        #expect(try Reranker(ranker: Preferring(preferredWeight: 1)).rerank(Self.hits, context: SearchContext()).order == [4, 3, 2, 1, 0])
        #expect(Reranker(ranker: Preferring(preferredWeight: 0), defaultWeight: 0.8).defaultWeight == 0.8)
        #expect(Reranker(ranker: Preferring(preferredWeight: nil)).defaultWeight == Reranker.fallbackWeight)
        #expect(Reranker(ranker: nil).defaultWeight == Reranker.fallbackWeight)
    }

    @Test func weightOneFollowsTheRanker() throws {
        let reranker = Reranker(ranker: Self.popularity, defaultWeight: 0.5)
        let context = SearchContext(weight: 1)
        #expect(try reranker.rerank(Self.hits, context: context).order == [4, 3, 2, 1, 0])
    }

    @Test func blendingMixesBothScales() throws {
        // Search scores 10…6 and popularity 0…400 normalize to the same 0…1 scale; at 0.5 every hit ties
        // and the engine order breaks the tie.
        let reranker = Reranker(ranker: Self.popularity, defaultWeight: 0.5)
        #expect(try reranker.rerank(Self.hits, context: SearchContext()).order == [0, 1, 2, 3, 4])
        let leaning = try reranker.rerank(Self.hits, context: SearchContext(weight: 0.6)).order
        #expect(leaning == [4, 3, 2, 1, 0])
    }

    @Test func rulesBuryPinExcludeAndBoost() throws {
        let rules = [
            BusinessRule(action: .bury, match: .field("in_stock", [.bool(false)])),
            BusinessRule(action: .boost(2), match: .field("brand", [.string("acme")])),
            BusinessRule(action: .pin(0), match: .ids(["d3"])),
            BusinessRule(action: .exclude, match: .ids(["d1"])),
        ]
        let reranker = Reranker(ranker: nil, rules: rules, defaultWeight: 0.5)
        let result = try reranker.rerank(Self.hits, context: SearchContext(explain: true))
        #expect(result.order == [3, 2, 0, 4])
        #expect(result.explanations?[4].rules == ["bury"])
        #expect(result.explanations?[2].rules == ["boost(2.0)"])
        #expect(result.explanations?[1].rules == ["exclude"])
    }

    @Test func requestExclusionsAndArrayFields() throws {
        let tagged = RankableHit(id: "t", searchScore: 1, originalRank: 0, fields: ["tags": .array([.string("sale"), .string("new")])])
        let rule = BusinessRule(action: .exclude, match: .field("tags", [.string("sale")]))
        #expect(rule.matches(tagged))
        #expect(BusinessRule(action: .bury, match: .field("popularity", [.number("100.0")])).matches(Self.hits[1]))
        let reranker = Reranker(ranker: nil)
        let result = try reranker.rerank(Self.hits, context: SearchContext(excludedIDs: ["d0", "d2"]))
        #expect(result.order == [1, 3, 4])
    }

    @Test func explanationsCarryScoresAndFeatures() throws {
        let reranker = Reranker(ranker: Self.popularity, defaultWeight: 1)
        let result = try reranker.rerank(Self.hits, context: SearchContext(explain: true))
        let top = try #require(result.explanations?[4])
        #expect(top.originalRank == 4)
        #expect(top.modelScore == 400)
        #expect(top.finalScore == 1)
        #expect(top.features == ["popularity": 400])
    }

    @Test func signalTransforms() {
        let log = SignalRanker.Signal(field: "f", weight: 2, transform: .log1p)
        #expect(abs(log.contribution(.int(0))) < 1e-12)
        #expect(abs(log.contribution(.number("1.718281828459045")) - 2) < 1e-9)
        #expect(log.contribution(.string("x")) == 0)
        #expect(log.contribution(nil) == 0)
        #expect(SignalRanker.Signal(field: "f", weight: 1).contribution(.bool(true)) == 1)
    }

    @Test func versionAndRequiredFields() {
        let reranker = Reranker(
            ranker: Self.popularity,
            rules: [BusinessRule(action: .bury, match: .field("in_stock", [.bool(false)]))]
        )
        #expect(reranker.version == "signals-1+rules-1")
        #expect(reranker.requiredFields == ["popularity", "in_stock"])
        #expect(Reranker(ranker: nil).version == "none")
    }
}
