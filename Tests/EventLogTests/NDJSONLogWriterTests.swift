import Foundation
import RerankJSON
import Synchronization
import Testing

@testable import EventLog

/// A clock tests move by hand.
private final class ManualClock: Sendable {
    private let now: Mutex<Date>

    init(_ start: Date) { now = Mutex(start) }

    func read() -> Date { now.withLock { $0 } }

    func advance(by seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

@Suite struct NDJSONLogWriterTests {
    private let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    private static func event(_ id: Int, at time: Date) -> JSONObject {
        UBIEvent(
            actionName: "click", timestamp: time, queryID: "q\(id)", clientID: "u\(id % 7)", objectID: "item-\(id)"
        )
        .json
    }

    private func logFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".ndjson") }.sorted()
    }

    @Test func appendedRecordsReadBackExactly() async throws {
        let directory = try TestSupport.makeTemporaryDirectory() + "/logs"
        defer { TestSupport.remove((directory as NSString).deletingLastPathComponent) }
        let clock = ManualClock(start)
        let logs = try UBILogDirectory(directory: directory, clock: { clock.read() })
        var query = UBIQuery(
            queryID: "q1", timestamp: start, clientID: "u1", userQuery: "usb cable", responseHitIDs: ["B01", "B02"])
        query.attributes["device"] = .string("mobile")
        let click = UBIEvent(
            actionName: "click", timestamp: start + 5, queryID: "q1", clientID: "u1", sessionID: "s1",
            objectID: "B02", objectIDField: "asin", position: 1)
        try await logs.append(query)
        try await logs.append([click])
        await logs.close()

        #expect(
            try logFiles(directory) == [
                "ubi_events-20250101T000000Z-000001.ndjson", "ubi_queries-20250101T000000Z-000001.ndjson",
            ])
        let log = try InteractionLogReader().read(directory)
        #expect(log.problems.isEmpty)
        #expect(log.queries == [query])
        #expect(log.events == [click])
        let statistics = await logs.events.statistics
        #expect(statistics.records == 1 && statistics.fileSyncs == 1 && statistics.filesCreated == 1)
    }

    @Test func concurrentAppendsAllLandExactlyOnce() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let writer = try NDJSONLogWriter(configuration: .init(directory: directory, prefix: "ubi_events"))
        let start = start
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<50 {
                group.addTask {
                    for index in 0..<40 {
                        let id = task * 40 + index
                        let records =
                            id % 3 == 0
                            ? [Self.event(id, at: start), Self.event(id + 10_000, at: start)]
                            : [Self.event(id, at: start)]
                        try await writer.append(records)
                    }
                }
            }
            try await group.waitForAll()
        }
        await writer.close()
        let log = try InteractionLogReader().read(directory)
        let expected = Set((0..<2000).map { "q\($0)" } + stride(from: 0, to: 2000, by: 3).map { "q\($0 + 10_000)" })
        #expect(log.problems.isEmpty)
        #expect(log.events.count == expected.count)
        #expect(Set(log.events.compactMap(\.queryID)) == expected)
        // Records of one append stay together, in order.
        let ids = log.events.compactMap(\.queryID)
        for (index, id) in ids.enumerated() where id.count < 6 && Int(id.dropFirst())! % 3 == 0 {
            #expect(ids[index + 1] == "q\(Int(id.dropFirst())! + 10_000)")
        }
    }

    @Test func groupCommitSharesFsyncsAcrossConcurrentAppends() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let writer = try NDJSONLogWriter(configuration: .init(directory: directory, prefix: "ubi_events"))
        let start = start
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 0..<2000 {
                group.addTask { try await writer.append([Self.event(id, at: start)]) }
            }
            try await group.waitForAll()
        }
        await writer.close()
        let statistics = await writer.statistics
        #expect(statistics.records == 2000)
        #expect(statistics.fileSyncs * 10 <= statistics.records, "\(statistics.fileSyncs) fsyncs for 2000 appends")
        #expect(try InteractionLogReader().read(directory).events.count == 2000)
    }

    @Test func rotatesBySizeAndTheReaderReadsFilesInOrder() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let clock = ManualClock(start)
        let writer = try NDJSONLogWriter(
            configuration: .init(
                directory: directory, prefix: "ubi_events", maxFileBytes: 1_000, clock: { clock.read() }))
        for id in 0..<60 {
            try await writer.append([Self.event(id, at: start)])
        }
        await writer.close()
        let files = try logFiles(directory)
        #expect(files.count >= 5)
        #expect(files.first == "ubi_events-20250101T000000Z-000001.ndjson")
        for file in files {
            let size = try #require(
                try FileManager.default.attributesOfItem(atPath: directory + "/" + file)[.size] as? Int)
            #expect(size <= 1_000)
        }
        // All timestamps are equal, so the order read back is the files' order.
        let log = try InteractionLogReader().read(directory)
        #expect(log.events.compactMap(\.queryID) == (0..<60).map { "q\($0)" })
        #expect(await writer.statistics.filesCreated == files.count)
    }

    @Test func rotatesByAgeUsingTheInjectedClock() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let clock = ManualClock(start)
        let writer = try NDJSONLogWriter(
            configuration: .init(directory: directory, prefix: "ubi_queries", maxFileAge: 3600, clock: { clock.read() })
        )
        let query = UBIQuery(queryID: "q1", timestamp: start)
        try await writer.append([query.json])
        clock.advance(by: 3599)
        try await writer.append([query.json])
        clock.advance(by: 1)
        try await writer.append([query.json])
        await writer.close()
        #expect(
            try logFiles(directory) == [
                "ubi_queries-20250101T000000Z-000001.ndjson", "ubi_queries-20250101T010000Z-000002.ndjson",
            ])
    }

    @Test func anUnwritableDirectoryIsAThrownErrorNamingThePath() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let blocker = directory + "/not-a-directory"
        try TestSupport.write("x", to: blocker)
        #expect(
            errorMessage { _ = try NDJSONLogWriter(configuration: .init(directory: blocker, prefix: "ubi_events")) }
                .contains("cannot create \(blocker):"))
        #expect(
            errorMessage {
                _ = try NDJSONLogWriter(configuration: .init(directory: blocker + "/logs", prefix: "ubi_events"))
            }
            .contains("cannot create \(blocker)/logs:"))

        // The directory disappears after the writer was made: the append fails loudly, nothing is counted.
        let logs = directory + "/logs"
        let writer = try NDJSONLogWriter(configuration: .init(directory: logs, prefix: "ubi_events"))
        try FileManager.default.removeItem(atPath: logs)
        try TestSupport.write("x", to: logs)
        let start = start
        let message = await asyncErrorMessage { try await writer.append([Self.event(1, at: start)]) }
        #expect(message.contains("cannot create \(logs)/ubi_events-20"), "\(message)")
        let statistics = await writer.statistics
        #expect(statistics.records == 0 && statistics.failedRecords == 1)
    }

    @Test func appendsAfterCloseAreRefused() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let writer = try NDJSONLogWriter(configuration: .init(directory: directory, prefix: "ubi_events"))
        try await writer.append([Self.event(1, at: start)])
        await writer.close()
        await #expect(throws: EventLogError.writerClosed(directory, prefix: "ubi_events")) {
            try await writer.append([Self.event(2, at: start)])
        }
        #expect(try InteractionLogReader().read(directory).events.count == 1)
    }
}
