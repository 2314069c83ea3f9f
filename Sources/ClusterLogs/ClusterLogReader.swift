import EventLog
import Foundation
import RerankJSON
import Synchronization

/// Reads the cluster's `ubi_queries` and `ubi_events` indices (what `log.cluster` fills) into an
/// ``InteractionLog``, as ``InteractionLogReader`` reads files.
///
/// Each index is read in a point in time (a frozen view: records arriving meanwhile are not half-read), split
/// in `slices` read side by side, each slice paged with `search_after` in timestamp order. A document that is not
/// a valid UBI record is skipped and reported in ``InteractionLog/problems`` at `<index>/_doc/<id>`. An index
/// the cluster lacks reads as empty; a cluster with neither index is an error. ``download(to:)`` writes each
/// slice to files of its own instead, for a replay that streams them.
///
/// ```swift
/// let log = try await ClusterLogReader(cluster: cluster).read(since: model.latest)
/// ```
public struct ClusterLogReader: Sendable {
    /// How the indices are read.
    public struct Options: Sendable {
        /// Slices of each index read at once (1: one sorted scan).
        public var slices = 2
        /// Documents per page.
        public var pageSize = 1_000
        /// How long the point in time stays open between pages.
        public var keepAlive = "5m"

        public init() {}
    }

    public static let queriesIndex = "ubi_queries"
    public static let eventsIndex = "ubi_events"

    let cluster: any ClusterTransport
    let options: Options

    public init(cluster: any ClusterTransport, options: Options = Options()) {
        self.cluster = cluster
        self.options = options
    }

    /// Reads searches dated after `queriesSince` and events dated after `eventsSince` (all when nil), up to
    /// `until` (inclusive; no bound when nil).
    ///
    /// - Throws: ``ClusterReadError`` when the cluster cannot be read or holds neither UBI index.
    public func read(queriesSince: Date? = nil, eventsSince: Date? = nil, until: Date? = nil) async throws(ClusterReadError) -> InteractionLog {
        let queries = try await documents(of: Self.queriesIndex, after: queriesSince, until: until)
        let events = try await documents(of: Self.eventsIndex, after: eventsSince, until: until)
        guard queries != nil || events != nil else { throw noIndices() }
        var decoded = UBIDocuments()
        for document in queries ?? [] { decoded.add(query: document) }
        for document in events ?? [] { decoded.add(event: document) }
        let files = [(Self.queriesIndex, queries), (Self.eventsIndex, events)].compactMap { $0.1 == nil ? nil : "\(cluster.location)/\($0.0)" }
        return InteractionLog(sorting: decoded.queries, events: decoded.events, problems: decoded.problems, files: files)
    }

    func noIndices() -> ClusterReadError {
        .refused(
            request: "reading UBI logs", status: 404,
            reason: "\(cluster.location) has neither \(Self.queriesIndex) nor \(Self.eventsIndex); start the sidecar with log.cluster to fill them")
    }

    /// Every document of `index` in the window, or nil when the cluster has no such index.
    private func documents(of index: String, after: Date?, until: Date?) async throws(ClusterReadError) -> [ClusterDocument]? {
        let all = Mutex<[ClusterDocument]>([])
        let slices = max(1, options.slices)
        let found = try await scan(index, after: after, until: until, slices: slices) { _, page throws(ClusterReadError) in
            all.withLock { $0 += page }
        }
        return found ? all.withLock { $0 } : nil
    }

    /// Hands every page of `index` in the window to `take` with the number of its slice (slices side by side,
    /// each in timestamp order, a slice's pages one after another from its own task); false when the cluster has
    /// no such index.
    func scan(
        _ index: String, after: Date?, until: Date?, slices: Int,
        take: @escaping @Sendable (_ slice: Int, _ page: [ClusterDocument]) throws(ClusterReadError) -> Void
    ) async throws(ClusterReadError) -> Bool {
        let opened: JSONObject
        do {
            opened = try await cluster.json(.POST, "/\(index)/_search/point_in_time?keep_alive=\(options.keepAlive)")
        } catch .refused(_, 404, _) {
            return false
        }
        guard let pit = opened["pit_id"]?.stringValue else {
            throw .unexpectedAnswer(request: "POST /\(index)/_search/point_in_time", "no pit_id")
        }
        defer {
            let cluster = self.cluster
            let close = JSONObject(["pit_id": .array([.string(pit)])])
            Task { _ = try? await cluster.json(.DELETE, "/_search/point_in_time", close) }
        }
        let query = ClusterQueries.timeWindow(after: after, until: until)
        let failure = await withTaskGroup(of: ClusterReadError?.self, returning: ClusterReadError?.self) { group in
            for slice in 0..<slices {
                group.addTask {
                    do throws(ClusterReadError) {
                        try await self.read(
                            index: index, pit: pit, query: query, slice: slices > 1 ? (slice, slices) : nil,
                            take: { page throws(ClusterReadError) in try take(slice, page) })
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            for await part in group {
                if let error = part {
                    group.cancelAll()
                    return error
                }
            }
            return nil
        }
        if let failure { throw failure }
        return true
    }

    /// One slice of the point in time, page by page.
    private func read(
        index: String, pit: String, query: JSONObject, slice: (id: Int, max: Int)?,
        take: @Sendable ([ClusterDocument]) throws(ClusterReadError) -> Void
    ) async throws(ClusterReadError) {
        var pit = pit
        var after: JSONValue?
        while !Task.isCancelled {
            var body = JSONObject([
                "size": .int(options.pageSize),
                "query": .object(query),
                "pit": .object(JSONObject(["id": .string(pit), "keep_alive": .string(options.keepAlive)])),
                "sort": .array([
                    .object(JSONObject(["timestamp": .object(JSONObject(["order": .string("asc"), "missing": .string("_last")]))])),
                    .object(JSONObject(["_id": .string("asc")])),
                ]),
            ])
            if let slice { body["slice"] = .object(JSONObject(["id": .int(slice.id), "max": .int(slice.max)])) }
            if let after { body["search_after"] = after }
            let answer = try await cluster.json(.POST, "/_search", body)
            pit = answer["pit_id"]?.stringValue ?? pit
            let page = try ClusterDocument.hits(of: answer, index: index, request: "POST /_search (\(index))")
            try take(page)
            guard page.count == options.pageSize, let last = page.last?.sort else { break }
            after = last
        }
    }
}
