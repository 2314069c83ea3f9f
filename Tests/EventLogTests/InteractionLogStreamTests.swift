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

    /// Two directories of rotated files, `a` searching at even seconds and `b` at odd ones, each clicking a second
    /// after its searches: every click ties with the other directory's next search.
    @Test(arguments: [16, 100, 1 << 20])
    func mergesSeveralDirectoriesOfRotatedFilesInTimeOrder(blockSize: Int) throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        var expected: [(time: Int, rank: Int, label: String)] = []
        for (name, offset) in [("a", 0), ("b", 1)] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            let times = (0..<6).map { 2 * $0 + offset }
            let queries = times.map { #"{"query_id": "\#(name)\#($0)", "user_query": "mug", "timestamp": "\#(Self.time($0))"}"# }
            var clicks = times.map {
                #"{"action_name": "click", "query_id": "\#(name)\#($0)", "timestamp": "\#(Self.time($0 + 1))", "event_attributes": {"object": {"object_id": "x"}}}"#
            }
            clicks.insert("not json", at: 2)
            try TestSupport.write(queries[..<3].joined(separator: "\n") + "\n", to: "\(root)/\(name)/ubi_queries-1.ndjson")
            try TestSupport.write(queries[3...].joined(separator: "\n") + "\n", to: "\(root)/\(name)/ubi_queries-2.ndjson")
            try TestSupport.write(clicks.joined(separator: "\n") + "\n", to: "\(root)/\(name)/ubi_events-1.ndjson")
            expected += times.map { ($0, 0, "\(name)\($0)") } + times.map { ($0 + 1, 1, "click \(name)\($0)") }
        }
        var stream = try InteractionLogStream(["\(root)/a", "\(root)/b"], blockSize: blockSize)
        var order: [String] = []
        while let record = try stream.next() {
            switch record {
            case .query(let query): order.append(query.queryID)
            case .event(let event): order.append("click " + (event.queryID ?? "-"))
            }
        }
        #expect(order == expected.sorted { ($0.time, $0.rank) < ($1.time, $1.rank) }.map(\.label))
        #expect(order.prefix(5) == ["a0", "b1", "click a0", "a2", "click b1"], "at a tie the search comes first")
        let files = ["a/ubi_events-1", "a/ubi_queries-1", "a/ubi_queries-2", "b/ubi_events-1", "b/ubi_queries-1", "b/ubi_queries-2"]
        #expect(stream.files == files.map { "\(root)/\($0).ndjson" })
        #expect(stream.problems.map(\.location).sorted { $0.file < $1.file } == [
            LogLocation(file: "\(root)/a/ubi_events-1.ndjson", line: 3), LogLocation(file: "\(root)/b/ubi_events-1.ndjson", line: 3),
        ])
    }

    @Test func noPathsReadAsNoRecords() throws {
        var stream = try InteractionLogStream([String]())
        let first = try stream.next()
        #expect(first == nil && stream.files.isEmpty)
    }

    private static func time(_ second: Int) -> String {
        "2026-03-01T10:00:\(second < 10 ? "0" : "")\(second)Z"
    }

    @Test func aMissingPathIsAnError() {
        #expect(throws: EventLogError.self) { try InteractionLogStream("/nonexistent/logs") }
    }
}
