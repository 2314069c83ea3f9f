import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RerankConfiguration
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// With `log.hash_user_ids`, no log file holds a user or session id in clear, and the served model still
/// personalizes: searches and events key the online statistics by the same pseudonym, also after a restart
/// rebuilds them from the log.
@Suite(.serialized) struct LivePrivacyTests {
    static let key = "000102030405060708090a0b0c0d0e0f"

    static func search(_ client: some TestClientProtocol, user: String) async throws -> (queryID: String, hits: [JSONObject]) {
        let body = #"{"query":{"match":{"title":"jacket"}},"size":100,"ext":{"rerank":{"user_id":"\#(user)","session_id":"session-of-\#(user)","explain":true,"return_query_id":true}}}"#
        return try await client.execute(
            uri: "/products/_search", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
        ) { response in
            #expect(response.status == .ok)
            let object = try #require(try JSONParser.parse(Array(buffer: response.body)).objectValue)
            let queryID = try #require(object["ext"]?.objectValue?["rerank"]?.objectValue?["query_id"]?.stringValue)
            return (queryID, object["hits"]?.objectValue?["hits"]?.arrayValue?.compactMap(\.objectValue) ?? [])
        }
    }

    static func interactions(_ hits: [JSONObject], id: String) -> Double? {
        let hit = hits.first { $0["_id"]?.stringValue == id }
        return hit?["_rerank"]?.objectValue?["features"]?.objectValue?["user_item_interactions_log"]?.doubleValue
    }

    @Test func logsHoldPseudonymsAndTheModelStillPersonalizes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-privacy-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let modelPath = directory + "/model.json"
        _ = try LiveModelTests.trainedModel(iterations: 5, path: modelPath)
        let logDirectory = directory + "/logs"
        let clickedItem = ClickedItem()
        let configure: (inout ServerConfiguration) -> Void = { configuration in
            configuration.rerank.model = modelPath
            configuration.rerank.budgetMilliseconds = 10_000
            configuration.log.directory = logDirectory
            configuration.log.hashUserIDs = true
            configuration.log.hashKey = Self.key
        }
        try await withLiveSidecar(configure: configure) { client, _ in
            let first = try await Self.search(client, user: "alice-clear-id")
            // The whole result (size 100 holds every jacket), so the clicked item is in every later answer too.
            #expect(first.hits.count > 5 && first.hits.count < 100)
            let clicked = try #require(first.hits[5]["_id"]?.stringValue)
            await clickedItem.set(clicked)
            #expect(Self.interactions(first.hits, id: clicked) == 0)
            let events = """
                {"action_name":"click","query_id":"\(first.queryID)","client_id":"alice-clear-id","session_id":"session-of-alice-clear-id","event_attributes":{"object":{"object_id":"\(clicked)"}}}
                {"action_name":"purchase","query_id":"\(first.queryID)","client_id":"alice-clear-id","event_attributes":{"object":{"object_id":"\(clicked)"}}}

                """
            try await client.execute(
                uri: "/_rerank/events", method: .post, headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: events)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""errors":false"#))
            }
            let again = try await Self.search(client, user: "alice-clear-id")
            #expect((Self.interactions(again.hits, id: clicked) ?? 0) > 0, "alice's own click reaches her next search")
            let other = try await Self.search(client, user: "bob-clear-id")
            #expect(Self.interactions(other.hits, id: clicked) == 0, "and nobody else's")
        }
        let clicked = try #require(await clickedItem.id)
        let files = try FileManager.default.contentsOfDirectory(atPath: logDirectory).filter { $0.hasSuffix(".ndjson") }
        #expect(files.contains { $0.hasPrefix("ubi_queries") } && files.contains { $0.hasPrefix("ubi_events") })
        let text = try files.map { try String(contentsOfFile: logDirectory + "/" + $0, encoding: .utf8) }.joined()
        for clear in ["alice-clear-id", "bob-clear-id", "session-of-alice"] {
            #expect(!text.contains(clear), "\(clear) is in the logs in clear")
        }
        var log = ServerConfiguration.Log()
        log.hashUserIDs = true
        log.hashKey = Self.key
        let pseudonym = try #require(UserIDHasher(log)).pseudonym("alice-clear-id")
        #expect(text.contains(#""client_id":"\#(pseudonym)""#))

        // A restart rebuilds the online state from the (pseudonymized) log: alice is still known.
        try await withLiveSidecar(configure: configure) { client, _ in
            let restarted = try await Self.search(client, user: "alice-clear-id")
            #expect((Self.interactions(restarted.hits, id: clicked) ?? 0) > 0, "the restarted sidecar forgot alice")
        }
    }
}

/// The item the first sidecar's test clicked, for the restarted one.
private actor ClickedItem {
    var id: String?

    func set(_ id: String) { self.id = id }
}
