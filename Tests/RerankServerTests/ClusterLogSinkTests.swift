import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RerankJSON
import RerankServerTesting
import RerankTesting
import Testing

@testable import RerankServer

/// Impressions and events reach the cluster's UBI indices through the spool, exactly once, across cluster
/// outages and sidecar restarts.
@Suite(.serialized) struct ClusterLogSinkTests {
    @Test func impressionsAndEventsReachTheClusterIndices() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.log.directory = directory
            configuration.log.cluster = true
        }) { client, cluster in
            let query = #"{"query":{"match":{"title":"jacket"}},"size":3,"ext":{"rerank":{"user_id":"alice","return_query_id":true}}}"#
            var queryID = ""
            var shown: [String] = []
            try await client.execute(uri: "/products/_search", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: query)) { response in
                let body = try #require(try JSONParser.parse(Array(buffer: response.body)).objectValue)
                queryID = try #require(body["ext"]?.objectValue?["rerank"]?.objectValue?["query_id"]?.stringValue)
                shown = body["hits"]?.objectValue?["hits"]?.arrayValue?.compactMap { $0.objectValue?["_id"]?.stringValue } ?? []
            }
            let events = """
                {"action_name":"click","query_id":"\(queryID)","client_id":"alice","event_attributes":{"object":{"object_id":"\(shown[0])"},"position":{"ordinal":0}}}
                {"action_name":"purchase","query_id":"\(queryID)","client_id":"alice","event_attributes":{"object":{"object_id":"\(shown[0])"}}}
                """
            try await client.execute(uri: "/_rerank/events", method: .post, body: ByteBuffer(string: events)) { response in
                #expect(response.status == .ok)
            }
            let impression = try await Self.waitForDocuments(cluster, "ubi_queries", count: 1, query: Self.term("query_id", queryID))
            #expect(impression.first?.id == queryID)
            #expect(impression.first?.source["query_response_hit_ids"] == .array(shown.map(JSONValue.string)))
            let stored = try await Self.waitForDocuments(cluster, "ubi_events", count: 2, query: Self.term("query_id", queryID))
            #expect(Set(stored.compactMap { $0.source["action_name"]?.stringValue }) == ["click", "purchase"])
            let clicks = try await Self.documents(cluster, "ubi_events", query: Self.term("event_attributes.object.object_id", shown[0]))
            #expect(clicks.count == 2)
            let mapping = String(decoding: try await cluster.request(.GET, "/ubi_events/_mapping").body, as: UTF8.self)
            #expect(mapping.contains(#""ordinal":{"type":"integer"}"#))
            // The local files are written as well.
            #expect(try InteractionLogReader().read(directory).events.count == 2)
        }
    }

    @Test func eventsNeedOnlyASpoolWithoutALogDirectory() async throws {
        let spool = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await withLiveSidecar(configure: { configuration in
            configuration.log.cluster = true
            configuration.log.spoolDirectory = spool
        }) { client, cluster in
            let event = #"{"action_name":"click","client_id":"bob","event_attributes":{"object":{"object_id":"p1"}}}"#
            try await client.execute(uri: "/_rerank/events", method: .post, body: ByteBuffer(string: event)) { response in
                #expect(response.status == .ok)
            }
            let stored = try await Self.waitForDocuments(cluster, "ubi_events", count: 1)
            #expect(stored.first?.source["client_id"] == .string("bob"))
        }
    }

    @Test func acknowledgedEventsSurviveAnOutageExactlyOnce() async throws {
        let spool = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let first = try await OsmemServer.start(loadingCatalog: false)
        let sink = try await RunningSink.start(url: first.url, spool: spool)
        try await sink.sink.append(Self.events(0..<5))
        _ = try await Self.waitForDocuments(first, "ubi_events", count: 5)
        first.stop()
        // Every append returns: the events are acknowledged while nothing answers at the cluster's address.
        for batch in 0..<3 {
            try await sink.sink.append(Self.events((5 + batch * 10)..<(15 + batch * 10)))
        }
        try await waitUntil("the shipper retried") { sink.metric("rerank_cluster_log_bulk_failures_total") >= 2 }
        #expect(sink.metric("rerank_cluster_log_backlog_bytes") > 0)
        // The cluster comes back at the same address, empty: the index is created again and the backlog replayed.
        let second = try await OsmemServer.start(loadingCatalog: false, port: first.port)
        defer { second.stop() }
        let stored = try await Self.waitForDocuments(second, "ubi_events", count: 30)
        #expect(stored.compactMap { $0.source["message"]?.stringValue }.sorted() == (5..<35).map { "event \($0)" }.sorted())
        #expect(Set(stored.map(\.id)).count == 30)
        let mapping = String(decoding: try await second.request(.GET, "/ubi_events/_mapping").body, as: UTF8.self)
        #expect(mapping.contains(#""object_id":{"type":"keyword"}"#))
        try await sink.stop()
        #expect(sink.metric("rerank_cluster_log_backlog_bytes") == 0)
        #expect(try await Self.documents(second, "ubi_events").count == 30)
    }

    @Test func aRestartResumesFromTheCursorWithoutDuplicates() async throws {
        let spool = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let gone = try await OsmemServer.start(loadingCatalog: false)
        let port = gone.port
        gone.stop()
        // A run that never reaches the cluster: three appends, one small spool file each, left at shutdown.
        var settings = RunningSink.settings
        settings.maxFileBytes = 1024
        settings.drainTimeout = .milliseconds(300)
        let down = try await RunningSink.start(url: "http://127.0.0.1:\(port)", spool: spool, settings: settings)
        for batch in 0..<3 {
            try await down.sink.append(Self.events((batch * 10)..<(batch * 10 + 10)))
        }
        try await down.stop()
        let files = try await down.sink.spool.files()
        #expect(files.count == 3)
        // As if an earlier run had shipped the first 5 records and saved the cursor, then shipped 3 more and died
        // before saving it.
        let cluster = try await OsmemServer.start(loadingCatalog: false, port: port)
        defer { cluster.stop() }
        let lines = try String(contentsOfFile: down.sink.spool.path(files[0]), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10)
        _ = try await cluster.request(.PUT, "/ubi_events", body: Array(UBIIndex.events.body.utf8))
        var bulk = ""
        for line in lines.prefix(8) {
            let record = try #require(try JSONParser.parse(Array(line.utf8)).objectValue)
            bulk += #"{"index":{"_index":"ubi_events","_id":"\#(UBIIndex.events.documentID(of: record, bytes: Array(line.utf8)))"}}"# + "\n\(line)\n"
        }
        _ = try await cluster.request(.POST, "/_bulk", body: Array(bulk.utf8), contentType: "application/x-ndjson")
        let offset = lines.prefix(5).reduce(0) { $0 + $1.utf8.count + 1 }
        try await down.sink.spool.saveCursor(.init(file: files[0], offset: offset))

        let restarted = try await RunningSink.start(url: cluster.url, spool: spool)
        let stored = try await Self.waitForDocuments(cluster, "ubi_events", count: 30)
        #expect(stored.compactMap { $0.source["message"]?.stringValue }.sorted() == (0..<30).map { "event \($0)" }.sorted())
        // Only what follows the cursor was sent; the 3 records already there answered 409 and count as stored.
        try await waitUntil("the spool is shipped") { try await restarted.sink.spool.files().isEmpty }
        #expect(restarted.metric("rerank_cluster_log_shipped_total") == 25)
        try await restarted.stop()
        #expect(!FileManager.default.fileExists(atPath: restarted.sink.spool.cursorPath))
        #expect(try await Self.documents(cluster, "ubi_events").count == 30)
    }

    @Test func concurrentAppendsAcrossRotatingFilesArriveOnceEach() async throws {
        let spool = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let cluster = try await OsmemServer.start(loadingCatalog: false)
        defer { cluster.stop() }
        // Small files and batches, so the shipper finishes and deletes files while appends open new ones.
        var settings = RunningSink.settings
        settings.maxFileBytes = 2048
        settings.batchRecords = 7
        let sink = try await RunningSink.start(url: cluster.url, spool: spool, settings: settings)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for batch in 0..<5 {
                        let first = writer * 50 + batch * 10
                        try await sink.sink.append(Self.events(first..<(first + 10)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let stored = try await Self.waitForDocuments(cluster, "ubi_events", count: 400)
        #expect(stored.count == 400)
        #expect(Set(stored.compactMap { $0.source["message"]?.stringValue }).count == 400)
        try await sink.stop()
        #expect(try await sink.sink.spool.files().isEmpty)
        #expect(sink.metric("rerank_cluster_log_shipped_total") == 400)
    }

    @Test func shutdownShipsWhatWasJustAppended() async throws {
        let spool = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let cluster = try await OsmemServer.start(loadingCatalog: false)
        defer { cluster.stop() }
        let sink = try await RunningSink.start(url: cluster.url, spool: spool)
        try await sink.sink.append(Self.events(0..<5))
        try await sink.stop()
        await #expect(throws: EventLogError.self) { try await sink.sink.append(Self.events(5..<6)) }
        #expect(try await Self.documents(cluster, "ubi_events").count == 5)
        // Under load the last spool file can outlive the bounded drain even though its records arrived; a restart
        // on the same spool must then finish the job without sending anything twice.
        let restarted = try await RunningSink.start(url: cluster.url, spool: spool)
        try await restarted.stop()
        #expect(try await restarted.sink.spool.files().isEmpty)
        #expect(try await Self.documents(cluster, "ubi_events").count == 5)
    }

    @Test func recordsTheClusterRefusesGoToTheRejectedFile() async throws {
        let spool = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let cluster = try await OsmemServer.start(loadingCatalog: false)
        defer { cluster.stop() }
        let sink = try await RunningSink.start(url: cluster.url, spool: spool)
        var records = Self.events(0..<3)
        records[1]["timestamp"] = .string("yesterday")
        try await sink.sink.append(records)
        let stored = try await Self.waitForDocuments(cluster, "ubi_events", count: 2)
        #expect(Set(stored.compactMap { $0.source["message"]?.stringValue }) == ["event 0", "event 2"])
        try await waitUntil("the refused record is set aside") { sink.metric("rerank_cluster_log_rejected_total") == 1 }
        try await sink.stop()
        let rejectedFiles = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasPrefix("rejected_ubi_events-") }
        #expect(rejectedFiles.count == 1)
        let text = try String(contentsOfFile: (spool as NSString).appendingPathComponent(rejectedFiles[0]), encoding: .utf8)
        let rejected = try #require(try JSONParser.parse(Array(text.utf8.dropLast())).objectValue)
        #expect(rejected["error"]?.objectValue?["type"] == .string("mapper_parsing_exception"))
        #expect(rejected["document"]?.objectValue?["message"] == .string("event 1"))
        #expect(sink.metric("rerank_cluster_log_backlog_bytes") == 0)
    }
}
