import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Personalization
import RerankConfiguration
import RerankFixtures
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// `POST /_rerank/rank` ranks a list of items without a search, logs it, and never returns an excluded item.
@Suite(.serialized) struct LiveRankTests {
    static let items = SyntheticLog.items().keys.sorted().prefix(12).map { $0 }

    /// A sidecar serving a small trained model, logging into a fresh directory; the log as written afterwards
    /// (nil when nothing was logged).
    static func withRankingSidecar(
        enabled: Bool = true, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws -> InteractionLog? {
        let directory = LiveLoggingTests.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.json"
        _ = try LiveModelTests.trainedModel(iterations: 5, path: path)
        try await withLiveSidecar(configure: { configuration in
            configuration.rerank.model = path
            configuration.rerank.enabled = enabled
            // A debug build on a loaded machine can miss the default budget; the budget has tests of its own.
            configuration.rerank.budgetMilliseconds = 10_000
            configuration.log.directory = directory + "/logs"
        }) { client, _ in try await test(client) }
        return try? InteractionLogReader().read(directory + "/logs")
    }

    static func rank(_ client: any TestClientProtocol, _ body: String) async throws -> (status: Int, headers: HTTPFields, body: JSONObject) {
        try await client.execute(uri: "/_rerank/rank", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) {
            ($0.status.code, $0.headers, try #require(try JSONParser.parse(Array(buffer: $0.body)).objectValue))
        }
    }

    static func ids(_ answer: JSONObject) -> [String] {
        answer["items"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
    }

    static func list(excluding excluded: String) -> String {
        let items = Self.items.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"items":[\#(items)],"user_id":"u1","weight":1,"exclude_ids":["\#(excluded)"],"request_id":"r-1","context":{"device":"mobile"}}"#
    }

    @Test func itemsComeBackRankedWithScoresAndAreLoggedForTheirEvents() async throws {
        let excluded = Self.items[3]
        let answered = QueryIDs()
        let log = try await Self.withRankingSidecar { client in
            let (status, headers, answer) = try await Self.rank(client, Self.list(excluding: excluded))
            #expect(status == 200)
            #expect(headers[.rerankStatus] == "reranked")
            #expect(answer["request_id"]?.stringValue == "r-1")
            let queryID = try #require(answer["query_id"]?.stringValue)
            #expect(headers[.rerankQueryID] == queryID)
            let ids = Self.ids(answer)
            #expect(Set(ids) == Set(Self.items).subtracting([excluded]), "every item but the excluded one, once")
            let scores = answer["items"]?.arrayValue?.compactMap { $0.objectValue?["score"]?.doubleValue } ?? []
            #expect(scores.count == ids.count && zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 }, "best first")
            #expect(ids != Array(Self.items.filter { $0 != excluded }), "the model reorders the list")
            await answered.add(queryID, ids)
        }
        let (queryID, ids) = try #require(await answered.first)
        let query = try #require(log?.queries.first { $0.queryID == queryID })
        #expect(query.responseHitIDs == ids, "logged as shown, so events on the carousel join it")
    }

    @Test func withRerankingOffTheListKeepsItsOrderWithoutExcludedItems() async throws {
        _ = try await Self.withRankingSidecar(enabled: false) { client in
            let (status, headers, answer) = try await Self.rank(client, Self.list(excluding: Self.items[0]))
            #expect(status == 200)
            #expect(headers[.rerankStatus] == "skipped: reranking disabled")
            #expect(Self.ids(answer) == Array(Self.items.dropFirst()))
        }
    }

    @Test func badRankRequestsAreClearErrors() async throws {
        let log = try await Self.withRankingSidecar { client in
            let cases: [(body: String, field: String)] = [
                (#"{"user_id":"u1"}"#, "items"),
                (#"{"items":"a"}"#, "items"),
                (#"{"items":["a","a"]}"#, "items[1]"),
                (#"{"items":[{"id":"a","score":1},"b"]}"#, "items"),
                (#"{"items":[{"id":"a","colour":"red"}]}"#, "items[0].colour"),
                (#"{"items":["a"],"weight":2}"#, "weight"),
                (#"{"items":["a"],"context":{"device":"fridge"}}"#, "context.device"),
                ("[1]", "object"),
            ]
            for (body, field) in cases {
                let (status, _, answer) = try await Self.rank(client, body)
                #expect(status == 400, "\(body)")
                let reason = answer["error"]?.objectValue?["reason"]?.stringValue ?? ""
                #expect(reason.contains(field), "\(body): \(reason)")
            }
        }
        #expect(log?.queries.isEmpty ?? true, "nothing ranked, nothing logged")
    }
}

/// The query ids and orders a test saw, handed out of the sidecar's closure.
private actor QueryIDs {
    private(set) var first: (String, [String])?

    func add(_ queryID: String, _ ids: [String]) {
        if first == nil { first = (queryID, ids) }
    }
}
