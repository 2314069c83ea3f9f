import Foundation
import HummingbirdTesting
import NIOCore
import RerankConfiguration
import RerankJSON
import RerankServerTesting
import RerankTesting
import Testing

@testable import RerankServer

/// Two identical add-to-carts posted in one batch are two events everywhere: two acknowledged ids, two lines in
/// the file log, two documents in the cluster's `ubi_events`.
@Suite struct LiveEventIDTests {
    @Test func identicalEventsInOneBatchAreBothKeptInTheFileAndTheCluster() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-event-ids-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configure: (inout ServerConfiguration) -> Void = { configuration in
            configuration.log.directory = directory + "/logs"
            configuration.log.cluster = true
            configuration.log.spoolDirectory = directory + "/spool"
        }
        try await withLiveSidecar(configure: configure) { client, cluster in
            let cart = #"{"action_name":"add_to_cart","client_id":"u1","session_id":"s1","event_attributes":{"object":{"object_id":"p7"}}}"#
            let ids = try await client.execute(
                uri: "/_rerank/events", method: .post, headers: [.contentType: "application/x-ndjson"],
                body: ByteBuffer(string: cart + "\n" + cart + "\n")
            ) { response in
                #expect(response.status == .ok)
                let items = try JSONParser.parse(Array(buffer: response.body)).objectValue?["items"]?.arrayValue ?? []
                return items.compactMap { $0.objectValue?["_id"]?.stringValue }
            }
            #expect(ids.count == 2 && Set(ids).count == 2)
            let stored = try await ClusterLogSinkTests.waitForDocuments(cluster, "ubi_events", count: 2)
            #expect(Set(stored.map(\.id)) == Set(ids))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/logs").filter { $0.hasPrefix("ubi_events") }
        let lines = try files.flatMap { try String(contentsOfFile: directory + "/logs/" + $0, encoding: .utf8).split(separator: "\n") }
        let logged = try lines.compactMap { try JSONParser.parse(Array($0.utf8)).objectValue?["event_id"]?.stringValue }
        #expect(logged.count == 2 && Set(logged).count == 2)
    }
}
