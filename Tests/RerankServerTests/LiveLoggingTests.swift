import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Personalization
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// Impressions and events land in the UBI log directory, durably, and join by query id.
@Suite(.serialized) struct LiveLoggingTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rerank-logs-\(UUID())").path
    }

    /// Runs `test` against a sidecar with the sample ranking that logs into a fresh directory, then returns the
    /// log as written once the sidecar has stopped (its impression queue drained); the directory is removed.
    static func withLoggingSidecar(
        _ test: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void
    ) async throws -> InteractionLog {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.log.directory = directory
        }) { client, _ in try await test(client, directory) }
        return try InteractionLogReader().read(directory)
    }

    @Test func searchesLogImpressionsThatEventsJoin() async throws {
        let log = try await Self.withLoggingSidecar { client, directory in
            let query = #"{"query":{"match":{"title":"jacket"}},"size":4,"ext":{"rerank":{"user_id":"alice","return_query_id":true,"context":{"device":"mobile"}}}}"#
            var queryID = ""
            var shown: [String] = []
            try await client.execute(uri: "/products/_search", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: query)) { response in
                let body = try #require(try JSONParser.parse(Array(buffer: response.body)).objectValue)
                queryID = try #require(body["ext"]?.objectValue?["rerank"]?.objectValue?["query_id"]?.stringValue)
                #expect(response.headers[.rerankQueryID] == queryID)
                shown = body["hits"]?.objectValue?["hits"]?.arrayValue?.compactMap { $0.objectValue?["_id"]?.stringValue } ?? []
            }
            let events = """
                {"action_name":"click","query_id":"\(queryID)","client_id":"alice","event_attributes":{"object":{"object_id":"\(shown[1])"},"position":{"ordinal":1}}}
                {"action_name":"purchase","query_id":"\(queryID)","client_id":"alice","timestamp":"2026-11-23T10:00:00Z","event_attributes":{"object":{"object_id":"\(shown[1])"}}}
                {"action_name":"click","client_id":"alice"}

                """
            try await client.execute(uri: "/_rerank/events", method: .post, headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: events)) { response in
                #expect(response.status == .ok)
                let body = try #require(try JSONParser.parse(Array(buffer: response.body)).objectValue)
                #expect(body["errors"] == .bool(true))
                let statuses = body["items"]?.arrayValue?.compactMap { $0.objectValue?["status"]?.intValue }
                #expect(statuses == [201, 201, 400])
            }
            // Acknowledged events are already on disk.
            let written = try InteractionLogReader().read(directory)
            #expect(written.events.count == 2)
            #expect(written.events.allSatisfy { $0.queryID == queryID })
            #expect(written.events.first?.objectID == shown[1])
        }
        // After shutdown the impression queue has drained into the file.
        let impression = try #require(log.queries.first)
        #expect(log.queries.count == 1)
        #expect(impression.clientID == "alice")
        #expect(impression.userQuery == "jacket")
        #expect(impression.responseHitIDs?.count == 4)
        #expect(impression.attributes["device"] == .string("mobile"))
        #expect(impression.attributes["original_ranks"]?.arrayValue?.count == 4)
        #expect(log.problems.isEmpty)
    }

    @Test func pagesLogTheAbsolutePositionOfTheirFirstHit() async throws {
        let log = try await Self.withLoggingSidecar { client, _ in
            // Page 2 reranked, and page 2 passed through (a sorted search is not reranked).
            for sort in ["", #","sort":[{"price":"asc"}]"#] {
                let query = #"{"query":{"match":{"description":"range"}},"from":4,"size":4\#(sort)}"#
                try await client.execute(uri: "/products/_search", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: query)) { response in
                    #expect(response.status == .ok)
                }
            }
        }
        #expect(log.queries.count == 2)
        #expect(log.queries.allSatisfy { $0.attributes["from"] == .int(4) })
        #expect(log.loggedImpressions().map(\.firstPosition) == [4, 4])
        #expect(log.loggedImpressions().first?.position(ofShown: 1) == 5)
    }

    @Test func eventsWithoutALogDirectoryAreRefusedNotDropped() async throws {
        try await withLiveSidecar { client, _ in
            let event = #"{"action_name":"click","event_attributes":{"object":{"object_id":"a"}}}"#
            try await client.execute(uri: "/_rerank/events", method: .post, body: ByteBuffer(string: event)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("--log-dir"))
            }
        }
    }
}
