import Foundation
import Testing

@testable import EventLog

@Suite struct InteractionLogReaderTests {
    /// Lines of `path` containing `needle`, as `grep -c` counts them.
    private func grepCount(_ needle: String, in path: String) throws -> Int {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { $0.contains(needle) }.count
    }

    @Test(
        .enabled(
            if: TestSupport.esciSample != nil || TestSupport.inCI,
            "../shared/data/ubi-esci-sample is not present beside the repository"))
    func readsTheESCISampleBulkFile() throws {
        let path = try #require(TestSupport.esciSample, "../shared/data/ubi-esci-sample is not present beside the repository")
        let log = try InteractionLogReader().read(path)
        #expect(log.problems == [])
        #expect(log.queries.count == (try grepCount(#""_index": "ubi_queries""#, in: path)))
        #expect(log.events.count == (try grepCount(#""_index": "ubi_events""#, in: path)))
        #expect(zip(log.queries, log.queries.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(zip(log.events, log.events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })

        let futon = try #require(log.queries.first { $0.queryID == "33198ee9-5912-453c-9173-3f92fd3cb1be" })
        #expect(futon.clientID == "127c9afc-01c9-4084-912f-f318569f96c7")
        #expect(futon.userQuery == "futon frames full size without mattress")
        #expect(futon.application == "esci_ubi_sample")
        #expect(UBITimestamp.string(from: futon.timestamp) == "2024-12-10T00:01:29.378Z")
        #expect(futon.responseHitIDs == nil)
        #expect(futon.location == LogLocation(file: path, line: 2))

        let printer = try #require(log.queries.first { $0.queryResponseID == "5d6acf29-d3ca-432f-a690-e8c916dda87c" })
        #expect(printer.queryID == "43336cc1-2343-4614-8726-e24f724a8631")
        #expect(printer.responseHitIDs?.count == 20)
        #expect(printer.responseHitIDs?.first == "B01FLK0WBA")
        #expect(UBITimestamp.string(from: printer.timestamp) == "2025-01-24T07:31:52.102Z")

        let impressions = log.events.filter {
            $0.queryID == "33198ee9-5912-453c-9173-3f92fd3cb1be" && $0.actionName == "impression"
        }
        #expect(impressions.first?.objectID == "B07CVR21VN")
        #expect(impressions.first?.position == 0)
        #expect(
            log.events.contains {
                $0.actionName == "on_search" && UBITimestamp.string(from: $0.timestamp) == "2024-06-04T19:02:42.025Z"
            })
    }

    @Test func reportsTornLastLineAndGarbageWithLineNumbers() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let path = directory + "/ubi_events-20250101T000000Z-000001.ndjson"
        try TestSupport.write(
            """
            {"action_name":"click","timestamp":"2025-01-01T00:00:02Z","query_id":"q1"}
            not json at all

            [1,2]
            {"action_name":"click"}
            {"action_name":"purchase","timestamp":"2025-01-01T00:00:01Z","query_id":"q1"}\r
            {"action_name":"click","timestamp":"2025-01-01T00:00:0
            """, to: path)
        let log = try InteractionLogReader().read(directory)
        #expect(log.events.map(\.actionName) == ["purchase", "click"])
        #expect(log.events.map(\.location?.line) == [6, 1])
        #expect(log.problems.map(\.location.line) == [2, 4, 5, 7])
        #expect(log.problems.allSatisfy { $0.location.file == path })
        #expect(log.problems[0].reason.hasPrefix("not valid JSON"))
        #expect(log.problems[1].reason == "expected a JSON object, found array")
        #expect(log.problems[2].reason.contains("`timestamp`"))
        #expect(log.problems[3].reason.hasPrefix("torn last line"))
        #expect(log.problems.map(\.isTornLastLine) == [false, false, false, true])
    }

    @Test func aCompleteLastLineWithoutNewlineIsRead() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let path = directory + "/ubi_queries.ndjson"
        try TestSupport.write(#"{"query_id":"q1","timestamp":"2025-01-01T00:00:00Z"}"#, to: path)
        let log = try InteractionLogReader().read(path)
        #expect(log.queries.map(\.queryID) == ["q1"])
        #expect(log.problems.isEmpty)
    }

    @Test func readsADirectoryOfRotatedAndBulkFiles() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(
            #"{"query_id":"q2","timestamp":"2025-01-01T00:00:02Z"}"# + "\n",
            to: directory + "/ubi_queries-20250101T000001Z-000002.ndjson")
        try TestSupport.write(
            #"{"query_id":"q1","timestamp":"2025-01-01T00:00:01Z"}"# + "\n",
            to: directory + "/ubi_queries-20250101T000000Z-000001.ndjson")
        try TestSupport.write(
            #"{"action_name":"click","timestamp":"2025-01-01T00:00:03Z","query_id":"q2"}"# + "\n",
            to: directory + "/ubi_events.ndjson.1")
        try TestSupport.write(
            """
            {"index":{"_index":"ubi_queries","_id":"x"}}
            {"query_id":"q0","timestamp":"2025-01-01T00:00:00Z"}
            {"create":{"_index":"ubi_events"}}
            {"action_name":"impression","timestamp":"2025-01-01T00:00:00Z","query_id":"q0"}
            {"index":{"_index":"products"}}
            {"title":"not ubi"}
            {"action_name":"click","timestamp":"2025-01-01T00:00:04Z"}
            {"index":{"_index":"ubi_events"}}

            """, to: directory + "/export.ndjson")
        try TestSupport.write(#"{"id":"B01","brand":"acme"}"# + "\n", to: directory + "/items.ndjson")
        try TestSupport.write("ignored\n", to: directory + "/notes.txt")
        try TestSupport.write("ignored\n", to: directory + "/.ubi_events-partial.ndjson")

        let log = try InteractionLogReader().read(directory)
        #expect(
            log.files.map { ($0 as NSString).lastPathComponent } == [
                "export.ndjson", "ubi_events.ndjson.1", "ubi_queries-20250101T000000Z-000001.ndjson",
                "ubi_queries-20250101T000001Z-000002.ndjson",
            ])
        #expect(log.queries.map(\.queryID) == ["q0", "q1", "q2"])
        #expect(log.events.map(\.actionName) == ["impression", "click", "click"])
        #expect(log.problems.map(\.location.line) == [6, 8])
        #expect(log.problems[0].reason.contains("'products'"))
        #expect(log.problems[1].reason.contains("not followed by a document"))
    }

    @Test func equalTimestampsKeepFileOrder() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let lines = (0..<50).map { #"{"action_name":"a\#($0)","timestamp":"2025-01-01T00:00:00Z"}"# }
        try TestSupport.write(lines.joined(separator: "\n") + "\n", to: directory + "/ubi_events.ndjson")
        let log = try InteractionLogReader().read(directory)
        #expect(log.events.map(\.actionName) == (0..<50).map { "a\($0)" })
    }

    @Test func missingPathsAndEmptyDirectoriesAreClearErrors() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        #expect(throws: EventLogError.noLogFiles(directory)) { try InteractionLogReader().read(directory) }
        #expect(EventLogError.noLogFiles(directory) == EventLogError.noLogFiles("/elsewhere"), "one kind, whatever the message")
        #expect(errorMessage { _ = try InteractionLogReader().read(directory + "/absent") }.contains("/absent"))
    }
}
