import EventLog
import Foundation
import NIOHTTP1
import RerankJSON
import Synchronization
import Testing

@testable import ClusterLogs

/// A cluster of two in-memory indices answering what ``ClusterLogReader`` asks: a point in time, sliced pages in
/// `timestamp`, `_id` order after `search_after`, and closing the point in time.
final class FakeCluster: ClusterTransport {
    let indices: [String: [(id: String, source: JSONObject)]]
    let requests = Mutex<[String]>([])
    let closed = Mutex<[String]>([])

    init(_ indices: [String: [(id: String, source: JSONObject)]]) {
        self.indices = indices
    }

    var location: String { "http://fake:9200" }

    func exchange(_ method: HTTPMethod, _ target: String, body: [UInt8]?) async throws -> ClusterAnswer {
        requests.withLock { $0.append("\(method) \(target)") }
        let request = try body.map { try JSONParser.parse($0).objectValue! } ?? JSONObject()
        if target.hasSuffix("/_search/point_in_time?keep_alive=5m") {
            let index = String(target.dropFirst().prefix { $0 != "/" })
            guard indices[index] != nil else { return Self.answer(404, ["error": .object(JSONObject(["reason": .string("no such index [\(index)]")]))]) }
            return Self.answer(200, ["pit_id": .string("pit-\(index)")])
        }
        if method == .DELETE {
            closed.withLock { $0.append(request["pit_id"]!.arrayValue![0].stringValue!) }
            return Self.answer(200, [:])
        }
        let pit = request["pit"]!.objectValue!["id"]!.stringValue!
        let index = String(pit.dropFirst("pit-".count))
        let size = request["size"]!.intValue!
        let slice = request["slice"]?.objectValue
        let window = request["query"]!.objectValue!["range"]?.objectValue?["timestamp"]?.objectValue
        let after = request["search_after"]?.arrayValue
        let documents = indices[index]!.enumerated()
            .filter { position, _ in slice.map { position % $0["max"]!.intValue! == $0["id"]!.intValue! } ?? true }
            .map { _, document in (key: Self.sortKey(document.source, document.id), document: document) }
            .filter { key, _ in window?["gt"].map { key.time > UBITimestamp.parse($0)!.timeIntervalSince1970 } ?? true }
            .sorted { $0.key < $1.key }
            .filter { key, _ in after.map { key > (UBITimestamp.parse($0[0])!.timeIntervalSince1970, $0[1].stringValue!) } ?? true }
            .prefix(size)
        let hits: [JSONValue] = documents.map { key, document in
            .object(JSONObject([
                "_index": .string(index), "_id": .string(document.id), "_source": .object(document.source),
                "sort": .array([.int(Int(key.time * 1000)), .string(key.id)]),
            ]))
        }
        return Self.answer(200, ["pit_id": .string(pit), "hits": .object(JSONObject(["hits": .array(hits)]))])
    }

    private static func sortKey(_ source: JSONObject, _ id: String) -> (time: Double, id: String) {
        // A document without a timestamp sorts last, as `"missing": "_last"` asks.
        (source["timestamp"].flatMap(UBITimestamp.parse)?.timeIntervalSince1970 ?? 4e12, id)
    }

    private static func answer(_ status: Int, _ members: KeyValuePairs<String, JSONValue>) -> ClusterAnswer {
        ClusterAnswer(status: status, body: JSONWriter.bytes(.object(JSONObject(members))))
    }
}

@Suite struct ClusterLogReaderTests {
    private static func query(_ number: Int) -> (id: String, source: JSONObject) {
        ("q\(number)", JSONObject([
            "query_id": .string("q\(number)"), "timestamp": .string(UBITimestamp.string(from: Date(timeIntervalSince1970: Double(1_000 + number)))),
            "client_id": .string("u\(number % 3)"), "user_query": .string("shoes"), "query_response_hit_ids": .array([.string("sku-1")]),
        ]))
    }

    private static func click(_ number: Int) -> (id: String, source: JSONObject) {
        ("e\(number)", JSONObject([
            "action_name": .string("click"), "query_id": .string("q\(number)"), "client_id": .string("u\(number % 3)"),
            "timestamp": .string(UBITimestamp.string(from: Date(timeIntervalSince1970: Double(1_000 + number) + 0.5))),
            "event_attributes": .object(JSONObject(["object": .object(JSONObject(["object_id": .string("sku-1")]))])),
        ]))
    }

    /// 25 searches (stored newest first), 25 clicks and a bad event, read in `slices` slices of pages of 4.
    private static func reader(slices: Int) -> (ClusterLogReader, FakeCluster) {
        let cluster = FakeCluster([
            "ubi_queries": (1...25).reversed().map(Self.query),
            "ubi_events": (1...25).map(Self.click) + [("bad", JSONObject(["action_name": .string("click")]))],
        ])
        var options = ClusterLogReader.Options()
        options.slices = slices
        options.pageSize = 4
        return (ClusterLogReader(cluster: cluster, options: options), cluster)
    }

    @Test(arguments: [1, 3])
    func readsEveryRecordInTimeOrderAcrossSlicesAndPages(slices: Int) async throws {
        let (reader, cluster) = Self.reader(slices: slices)
        let log = try await reader.read()
        #expect(log.queries.map(\.queryID) == (1...25).map { "q\($0)" })
        #expect(log.events.map(\.queryID) == (1...25).map { "q\($0)" })
        #expect(log.queries.first?.location == LogLocation(file: "ubi_queries/_doc/q1", line: 0))
        #expect(log.problems.map(\.location.description) == ["ubi_events/_doc/bad"])
        #expect(log.files == ["http://fake:9200/ubi_queries", "http://fake:9200/ubi_events"])
        let pages = cluster.requests.withLock { $0.filter { $0 == "POST /_search" }.count }
        #expect(pages >= 2 * (25 / 4), "every slice pages through its share")
    }

    @Test func readsOnlyRecordsAfterTheirSince() async throws {
        let cluster = FakeCluster(["ubi_queries": (1...10).map(Self.query), "ubi_events": (1...10).map(Self.click)])
        let log = try await ClusterLogReader(cluster: cluster).read(
            queriesSince: Date(timeIntervalSince1970: 1_007), eventsSince: Date(timeIntervalSince1970: 1_003))
        #expect(log.queries.map(\.queryID) == ["q8", "q9", "q10"])
        #expect(log.events.map(\.queryID) == (3...10).map { "q\($0)" }, "clicks half a second after their searches")
    }

    @Test func aMissingIndexReadsEmptyAndNeitherIsAnError() async throws {
        let log = try await ClusterLogReader(cluster: FakeCluster(["ubi_queries": [Self.query(1)]])).read()
        #expect(log.queries.count == 1 && log.events.isEmpty)
        #expect(log.files == ["http://fake:9200/ubi_queries"])
        await #expect {
            try await ClusterLogReader(cluster: FakeCluster([:])).read()
        } throws: { error in
            "\(error)".contains("has neither ubi_queries nor ubi_events")
        }
    }

    @Test func downloadsBothIndicesAsFilesInTimeOrder() async throws {
        let cluster = FakeCluster([
            "ubi_queries": (1...25).reversed().map(Self.query),
            "ubi_events": (1...25).map(Self.click),
        ])
        var options = ClusterLogReader.Options()
        options.slices = 1
        options.pageSize = 4
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let slices = try await ClusterLogReader(cluster: cluster, options: options).download(to: directory)
        #expect(slices == [directory + "/slice-0"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: slices[0]).sorted() == ["ubi_events.ndjson", "ubi_queries.ndjson"])
        let text = try String(contentsOfFile: slices[0] + "/ubi_queries.ndjson", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 25)
        let log = try InteractionLogReader().read(slices[0])
        #expect(log.problems.isEmpty)
        #expect(log.queries.map(\.queryID) == (1...25).map { "q\($0)" }, "the file itself is in time order")
        await #expect {
            try await ClusterLogReader(cluster: FakeCluster([:])).download(to: directory)
        } throws: { error in
            "\(error)".contains("has neither ubi_queries nor ubi_events")
        }
    }

    @Test(arguments: [2, 3])
    func aSlicedDownloadStreamsBackAsTheReadInTimeOrder(slices: Int) async throws {
        let (reader, _) = Self.reader(slices: slices)
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try await reader.download(to: directory)
        #expect(paths == (0..<slices).map { directory + "/slice-\($0)" })
        var stream = try InteractionLogStream(paths, blockSize: 256)
        var streamed: [String] = []
        while let record = try stream.next() { streamed.append(Self.label(record)) }
        let log = try await reader.read()
        let read = (log.queries.map(LogRecord.query) + log.events.map(LogRecord.event)).sorted { $0.timestamp < $1.timestamp }
        #expect(streamed.count == 50)
        #expect(streamed == read.map(Self.label))
        #expect(stream.files.count == 2 * slices)
        for file in stream.files {
            let times = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
                .compactMap { try JSONParser.parse(Array($0.utf8)).objectValue?["timestamp"].flatMap(UBITimestamp.parse) }
            #expect(times.count > 1 && times == times.sorted(), "\(file) is in time order")
        }
        #expect(stream.problems.count == 1 && stream.problems[0].location.file.hasSuffix("/ubi_events.ndjson"))
    }

    @Test func aSliceWithoutDocumentsOrAMissingIndexWritesNoFile() async throws {
        var options = ClusterLogReader.Options()
        options.slices = 3
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = FakeCluster(["ubi_queries": [Self.query(1)]])
        let slices = try await ClusterLogReader(cluster: cluster, options: options).download(to: directory)
        #expect(slices == [directory + "/slice-0"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["slice-0"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: slices[0]) == ["ubi_queries.ndjson"])
    }

    @Test func aFileThatCannotBeWrittenIsAnError() async throws {
        let blocker = Self.temporaryDirectory()
        try Data().write(to: URL(fileURLWithPath: blocker))
        defer { try? FileManager.default.removeItem(atPath: blocker) }
        let cluster = FakeCluster(["ubi_queries": [Self.query(1)]])
        await #expect {
            try await ClusterLogReader(cluster: cluster).download(to: blocker)
        } throws: { error in
            guard case .cannotWrite(let path, _) = error as? ClusterReadError else { return false }
            return path.hasPrefix(blocker)
        }
    }

    private static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)").path
    }

    private static func label(_ record: LogRecord) -> String {
        switch record {
        case .query(let query): query.queryID
        case .event(let event): "click " + (event.queryID ?? "-")
        }
    }
}
