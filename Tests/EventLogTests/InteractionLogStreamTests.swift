import Foundation
import Testing

@testable import EventLog

/// Logs read a block at a time come out in time order, with the problems the whole-file reader reports.
@Suite struct InteractionLogStreamTests {
    static let lines = [
        #"{"index": {"_index": "ubi_queries"}}"#,
        #"{"query_id": "q2", "user_query": "mug", "timestamp": "2026-03-01T10:00:05Z"}"#,
        #"{"query_id": "q1", "user_query": "lamp", "timestamp": "2026-03-01T10:00:00Z"}"#,
        #"not json"#,
        #"{"index": {"_index": "ubi_events"}}"#,
        #"{"action_name": "click", "query_id": "q1", "timestamp": "2026-03-01T10:00:05Z", "event_attributes": {"object": {"object_id": "a"}}}"#,
        #"{"action_name": "click", "query_id": "q2", "timestamp": "2026-03-01T10:00:07Z", "event_attributes": {"object": {"object_id": "b"}}}"#,
        #"{"index": {"_index": "ubi_queries"}}"#,
    ]

    @Test(arguments: [16, 100, 1 << 20])
    func readsBlocksInTimeOrderWithTheReadersProblems(blockSize: Int) throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(Self.lines.joined(separator: "\n") + "\n", to: directory + "/bulk.ndjson")
        try TestSupport.write(
            #"{"query_id": "q0", "user_query": "tote", "timestamp": "2026-03-01T09:00:00Z"}"# + "\n"
                + #"{"query_id": "q3", "user_query": "cup", "timestamp": "2026-03-01T10:00:06Z"}"#,
            to: directory + "/ubi_queries.ndjson")
        var stream = try InteractionLogStream(directory, blockSize: blockSize)
        var order: [String] = []
        while let record = try stream.next() {
            switch record {
            case .query(let query): order.append(query.queryID)
            case .event(let event): order.append("click " + (event.queryID ?? "-"))
            }
        }
        if blockSize >= 1 << 20 {
            // One block per file: every record in time order; at 10:00:05 the search before the click.
            #expect(order == ["q0", "q1", "q2", "click q1", "q3", "click q2"])
        } else {
            // The file holds q2 before q1: in separate blocks they come out as read, so only the set is certain.
            #expect(order.sorted() == ["click q1", "click q2", "q0", "q1", "q2", "q3"])
        }
        let whole = try InteractionLogReader().read(directory)
        #expect(stream.problems == whole.problems)
        #expect(stream.problems.map(\.location.line) == [4, 8])
        #expect(stream.files == whole.files)
    }

    @Test func aMissingPathIsAnError() {
        #expect(throws: EventLogError.self) { try InteractionLogStream("/nonexistent/logs") }
    }
}
