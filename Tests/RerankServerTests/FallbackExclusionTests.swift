import Dispatch
import Ranking
import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

/// A search whose ranking fails or is late is served in the engine's order under the rules: never an excluded hit.
struct FallbackExclusionTests {
    struct FailingRanker: Ranker {
        struct Failure: Error {}
        let version = "failing"
        let requiredFields: [String] = []
        func score(_ hits: [RankableHit], context: SearchContext) throws -> RankerOutput { throw Failure() }
    }

    @Test(.timeLimit(.minutes(10))) func aLateRankingLeavesTheRequestsExcludedHitsOut() async throws {
        let ranker = RankingDeadlineTests.StallingRanker()
        let reranker = ResponseReranker(
            serving: ServingReranker(Reranker(ranker: ranker, defaultWeight: 1)), deadline: RankingDeadline(budget: .milliseconds(50)))
        var context = SearchContext()
        context.excludedIDs = ["doc-2"]
        let served = await reranker.rerank(RankingDeadlineTests.response, page: .init(from: 0, size: 3), context: context)
        ranker.release.signal()
        #expect(served.outcome == .fallback("budget exceeded"))
        #expect(try RankingDeadlineTests.ids(served) == ["doc-1", "doc-3"])
        _ = ranker.returned.wait(timeout: .now() + 600)
    }

    @Test func aFailedRankingKeepsTheRules() async throws {
        let rules: [BusinessRule] = [
            .init(action: .exclude, match: .ids(["doc-1"])), .init(action: .pin(0), match: .ids(["doc-3"])),
        ]
        let reranker = ResponseReranker(
            serving: ServingReranker(Reranker(ranker: FailingRanker(), rules: rules, defaultWeight: 1)),
            deadline: RankingDeadline(budget: .seconds(60)))
        let served = await reranker.rerank(RankingDeadlineTests.response, page: .init(from: 0, size: 3), context: SearchContext())
        #expect(served.outcome == .fallback("ranker error: Failure()"))
        #expect(try RankingDeadlineTests.ids(served) == ["doc-3", "doc-2"])
    }
}
