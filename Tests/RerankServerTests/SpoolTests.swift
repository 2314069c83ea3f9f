import Foundation
import Testing

@testable import RerankServer

/// Reading whole records out of spool files, and the cursor.
@Suite struct SpoolTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-spool-\(UUID())").path

    func spool(with contents: String, named name: String = "spool_ubi_events-20260101T000000Z-000001.ndjson") throws -> Spool {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)))
        return Spool(directory: directory, prefix: "spool_ubi_events")
    }

    @Test func readsWholeRecordsInBatchesAndReportsATornEnd() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try spool(with: "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":")
        let name = try #require(try await spool.files().first)
        let first = try await spool.read(name, from: 0, maxRecords: 2, maxBytes: 1024)
        #expect(first.lines.map { String(decoding: $0, as: UTF8.self) } == [#"{"n":1}"#, #"{"n":2}"#])
        #expect(first.end == 16)
        let second = try await spool.read(name, from: first.end, maxRecords: 2, maxBytes: 1024)
        #expect(second.lines.count == 1)
        #expect(second.trailingBytes == 5)
        let rest = try await spool.read(name, from: second.end, maxRecords: 2, maxBytes: 1024)
        #expect(rest.lines.isEmpty)
        #expect(rest.end == second.end)
    }

    @Test func aRecordLongerThanTheByteLimitIsStillReadWhole() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let long = "{\"text\":\"" + String(repeating: "x", count: 10_000) + "\"}"
        let spool = try spool(with: "\(long)\n{\"n\":2}\n")
        let name = try #require(try await spool.files().first)
        let batch = try await spool.read(name, from: 0, maxRecords: 10, maxBytes: 100)
        #expect(batch.lines.count == 1)
        #expect(batch.lines.first?.count == long.utf8.count)
        #expect(batch.end == long.utf8.count + 1)
    }

    @Test func onlySpoolFilesAreShippedInNameOrderAndTheCursorSurvives() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try spool(with: "{}\n", named: "spool_ubi_events-20260101T000001Z-000001.ndjson")
        for name in ["spool_ubi_events-20260101T000000Z-000002.ndjson", "rejected_ubi_events-20260101T000000Z-000001.ndjson",
                     "spool_ubi_queries-20260101T000000Z-000001.ndjson"] {
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: spool.path(name)))
        }
        let files = try await spool.files()
        #expect(files == ["spool_ubi_events-20260101T000000Z-000002.ndjson", "spool_ubi_events-20260101T000001Z-000001.ndjson"])
        #expect(await spool.backlogBytes(after: nil) == 6)
        try await spool.saveCursor(.init(file: files[0], offset: 3))
        #expect(spool.loadCursor()?.file == files[0])
        #expect(spool.loadCursor()?.offset == 3)
        #expect(await spool.backlogBytes(after: spool.loadCursor()) == 3)
        try await spool.finish(files[0])
        #expect(spool.loadCursor() == nil)
        #expect(try await spool.files() == [files[1]])
    }
}
