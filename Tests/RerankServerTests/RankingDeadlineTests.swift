import Dispatch
import Foundation
import Ranking
import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

/// `rerank.budget_ms` is a deadline: a ranker that is not done in time does not hold the response back.
struct RankingDeadlineTests {
    /// A ranker that blocks until released (or ten minutes pass), then orders hits by id, descending.
    final class StallingRanker: Ranker, Sendable {
        let version = "stalling"
        let requiredFields: [String] = []
        let release = DispatchSemaphore(value: 0)
        let returned = DispatchSemaphore(value: 0)

        func score(_ hits: [RankableHit], context: SearchContext) throws -> RankerOutput {
            _ = release.wait(timeout: .now() + 600)
            defer { returned.signal() }
            return RankerOutput(scores: hits.map { Double($0.id.unicodeScalars.last?.value ?? 0) })
        }
    }

    static let response = Array(
        (#"{"took":3,"hits":{"total":{"value":3,"relation":"eq"},"hits":[{"_id":"doc-1","_score":1},"#
            + #"{"_id":"doc-2","_score":1},{"_id":"doc-3","_score":1}]}}"#).utf8)

    static func ids(_ served: ServedResponse) throws -> [String] {
        let hits = try JSONParser.parse(served.bytes).objectValue?["hits"]?.objectValue?["hits"]?.arrayValue ?? []
        return hits.compactMap { $0.objectValue?["_id"]?.stringValue }
    }

    /// Ordered, not timed: CI's parallel training suites can hold the test's task for a minute after the deadline,
    /// so the proof is that the answer came while the ranker was still blocked (it is released only afterwards).
    @Test(.timeLimit(.minutes(10))) func aStalledRankerGetsTheEnginesOrderAtTheDeadline() async throws {
        let ranker = StallingRanker()
        let reranker = ResponseReranker(
            serving: ServingReranker(Reranker(ranker: ranker, defaultWeight: 1)), deadline: RankingDeadline(budget: .milliseconds(50)))
        let served = await reranker.rerank(Self.response, page: .init(from: 0, size: 3), context: SearchContext())
        #expect(ranker.returned.wait(timeout: .now()) == .timedOut, "the answer waited for the ranker")
        ranker.release.signal()
        #expect(served.outcome == .fallback("budget exceeded"))
        #expect(try Self.ids(served) == ["doc-1", "doc-2", "doc-3"])
        #expect(served.shown?.map(\.id) == ["doc-1", "doc-2", "doc-3"])
        // The late ranking still ends, and its result is dropped.
        #expect(ranker.returned.wait(timeout: .now() + 600) == .success)
    }

    @Test func aRankerDoneInTimeIsServed() async throws {
        let ranker = StallingRanker()
        ranker.release.signal()
        let reranker = ResponseReranker(
            serving: ServingReranker(Reranker(ranker: ranker, defaultWeight: 1)), deadline: RankingDeadline(budget: .seconds(60)))
        let served = await reranker.rerank(Self.response, page: .init(from: 0, size: 3), context: SearchContext())
        #expect(served.outcome == .reranked)
        #expect(try Self.ids(served) == ["doc-3", "doc-2", "doc-1"])
    }

    @Test func aZeroBudgetNeverRanks() async throws {
        let ranker = StallingRanker()
        let deadline = RankingDeadline(budget: .zero)
        let ran = await deadline.run { ranker.release.signal() }
        #expect(ran == nil)
        #expect(ranker.release.wait(timeout: .now()) == .timedOut)
    }
}
