import EventLog
import Features
import Foundation
import RerankFixtures
import RerankJSON
import Testing

@testable import Personalization

/// Log files streamed through a replay hand out what the whole log read into memory does, in the same order.
@Suite struct LogFileRecordsTests {
    /// What a replay reads, one line per record: kind, id, time, items or item.
    static func describe<Source: ReplaySource>(_ records: inout Source) throws -> [String] {
        var lines: [String] = []
        while let record = try records.next() {
            switch record {
            case .impression(let search):
                lines.append("search \(search.queryID) \(search.time) \(search.items) \(search.sessionID ?? "-") \(search.firstPosition)")
            case .event(let event):
                lines.append("event \(event.queryID ?? "-") \(event.time) \(event.kind) \(event.itemID)")
            }
        }
        return lines
    }

    @Test(arguments: [1 << 10, 64 << 10, InteractionLogStream.blockSize])
    func handsOutTheWholeLogsRecordsInOrder(blockSize: Int) throws {
        let log = SyntheticLog.make(searches: 400)
        let directory = try SyntheticLog.writeFiles(log)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var inMemory = log.replayLog().records()
        var streamed = try LogFileRecords(directory, blockSize: blockSize)
        let expected = try Self.describe(&inMemory)
        #expect(expected.count > 400)
        #expect(try Self.describe(&streamed) == expected)
        #expect(streamed.problems.isEmpty && streamed.files.count == 5)
    }

    @Test func refusesARecordFurtherOutOfOrderThanTheSettleWindow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("log-records-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let searches = ["10:00:00", "10:20:00", "10:30:00", "10:01:00"].enumerated().map { number, time in
            #"{"query_id": "q\#(number)", "user_query": "lamp", "timestamp": "2026-03-01T\#(time)Z", "query_response_hit_ids": ["a"]}"#
        }
        try Data((searches.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(directory)/ubi_queries.ndjson"))
        var records = try LogFileRecords(directory, blockSize: 64)
        #expect(try records.next() != nil && records.next() != nil)
        // 10:20 was handed out when 10:30 was read; 10:01 came after it, further back than the window reaches.
        #expect {
            _ = try records.next()
        } throws: { error in
            "\(error)".contains("ubi_queries.ndjson:4 is dated 1140 s before a record read earlier")
        }
    }

    @Test func trainsTheModelTheWholeLogTrains() throws {
        let log = SyntheticLog.make(searches: 600)
        let directory = try SyntheticLog.writeFiles(log)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let builder = TrainingSetBuilder()
        var first = try LogFileRecords(directory, blockSize: 4 << 10)
        let labels = try builder.label(&first)
        var replay = builder.rowReplay(labels: labels, attributes: SyntheticLog.items())
        var rows: [Float] = []
        var second = try LogFileRecords(directory, blockSize: 4 << 10)
        while let record = try second.next() { replay.apply(record) { rows += $0.rows } }
        let whole = builder.build(
            impressions: log.loggedImpressions(), events: log.loggedEvents(), attributes: SyntheticLog.items())
        #expect(labels.summary == whole.summary)
        #expect(whole.set.groupCount > 50)
        #expect(rows == whole.set.rows)
    }

    @Test func searchesGetTheirShownItemsAndSessionFromLaterEvents() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("log-records-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = """
            {"query_id": "q1", "client_id": "u1", "user_query": "lamp", "timestamp": "2026-03-01T10:00:00Z"}
            {"action_name": "impression", "query_id": "q1", "session_id": "s1", "timestamp": "2026-03-01T10:00:01Z", "event_attributes": {"object": {"object_id": "b"}, "position": {"ordinal": 4}}}
            {"action_name": "impression", "query_id": "q1", "session_id": "s1", "timestamp": "2026-03-01T10:00:01Z", "event_attributes": {"object": {"object_id": "a"}, "position": {"ordinal": 3}}}
            {"action_name": "click", "query_id": "q1", "session_id": "s1", "timestamp": "2026-03-01T10:00:09Z", "event_attributes": {"object": {"object_id": "a"}, "position": {"ordinal": 3}}}

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/mixed.ndjson"))
        var streamed = try LogFileRecords(directory)
        #expect(try Self.describe(&streamed) == [
            "search q1 1772359200.0 [\"a\", \"b\"] s1 3",
            "event q1 1772359209.0 click a",
        ])
    }
}
