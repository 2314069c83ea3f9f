import ClusterLogs
import EventLog
import Logging
import NIOCore
import NIOHTTP1
import RerankJSON

/// The shipping half of a ``ClusterLogSink``: reads the spool in order, writes it to the cluster with `_bulk`
/// and saves the cursor after each batch. Owned by the sink's shipping task alone.
///
/// A batch is sent until every record in it is stored or refused for good: the cluster being unreachable, a
/// whole request failing, or items answered 429 or 5xx are retried with exponential backoff, and the cursor
/// moves past the batch only then, so records reach the cluster in spool order. Once the sink is stopping, a
/// failed attempt ends shipping: what is left stays spooled for the next start.
struct SpoolShipper {
    let index: UBIIndex
    let spool: Spool
    /// The spool's writer, asked which file it still appends to.
    let writer: NDJSONLogWriter
    /// Where records refused for good go.
    let rejected: NDJSONLogWriter
    let cluster: UpstreamClient
    let settings: ClusterLogSink.Settings
    let metrics: ProxyMetrics
    let logger: Logger
    /// Whether the sink is shutting down.
    let stopping: @Sendable () -> Bool
    /// How far the file being shipped has reached the cluster.
    private(set) var cursor: Spool.Cursor?
    /// Whether the index was created (or found) since the cluster last failed.
    private var indexReady = false
    /// Failed attempts since the cluster last took a batch, to log an outage once rather than at every retry.
    private var failures = 0

    init(
        index: UBIIndex, spool: Spool, writer: NDJSONLogWriter, rejected: NDJSONLogWriter, cluster: UpstreamClient,
        settings: ClusterLogSink.Settings, metrics: ProxyMetrics, logger: Logger, stopping: @escaping @Sendable () -> Bool
    ) {
        self.index = index
        self.spool = spool
        self.writer = writer
        self.rejected = rejected
        self.cluster = cluster
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.stopping = stopping
        self.cursor = spool.loadCursor()
    }

    /// Spooled bytes not yet in the cluster.
    func backlogBytes() async -> Int { await spool.backlogBytes(after: cursor) }

    /// Ships the next batch of the spool, or deletes a spool file that is wholly shipped.
    ///
    /// - Returns: false when nothing is waiting to be shipped.
    /// - Throws: ``ClusterLogError`` when the spool cannot be read or written; `CancellationError` when the
    ///   sink is stopping and the cluster failed, or the shipping task is cancelled.
    mutating func shipNext() async throws -> Bool {
        let files = try await spool.files()
        let name: String
        var offset = 0
        if let cursor, files.contains(cursor.file) {
            name = cursor.file
            offset = cursor.offset
        } else if let first = files.first {
            name = first
            cursor = nil
        } else {
            cursor = nil
            metrics.clusterLogBacklog(index: index.name, bytes: 0)
            return false
        }
        // Asked before reading: once the writer has moved on from a file, what is read now is all it will hold.
        let finished = writer.currentFile != spool.path(name)
        let batch = try await spool.read(name, from: offset, maxRecords: settings.batchRecords, maxBytes: settings.batchBytes)
        guard !batch.lines.isEmpty else {
            guard finished else {
                metrics.clusterLogBacklog(index: index.name, bytes: await backlogBytes())
                return false
            }
            if batch.trailingBytes > 0 {
                logger.warning(
                    "dropping the last \(batch.trailingBytes) bytes of \(spool.path(name)): a record cut short by a crash before its append returned, so never acknowledged"
                )
            }
            try await spool.finish(name)
            cursor = nil
            return true
        }
        try await deliver(batch.lines)
        let shipped = Spool.Cursor(file: name, offset: batch.end)
        try await spool.saveCursor(shipped)
        cursor = shipped
        metrics.clusterLogBacklog(index: index.name, bytes: await backlogBytes())
        return true
    }

    /// Sends the records until each is stored or rejected.
    private mutating func deliver(_ lines: [[UInt8]]) async throws {
        var pending: [BulkRequest.Item] = []
        var unreadable: [JSONObject] = []
        for line in lines {
            let parsed = Result { () throws(JSONError) in try JSONParser.parse(line) }
            if case .success(.object(let record)) = parsed {
                pending.append(.init(id: index.documentID(of: record, bytes: line), document: line))
                continue
            }
            let reason =
                switch parsed {
                case .failure(let error): "not valid JSON: \(error)"
                case .success(let value): "a log record must be a JSON object, not \(value.kindName)"
                }
            unreadable.append(JSONObject([
                "index": .string(index.name),
                "error": .object(JSONObject(["type": .string("spool_parse_exception"), "reason": .string(reason)])),
                "line": .string(String(decoding: line, as: UTF8.self)),
            ]))
        }
        try await reject(unreadable, of: lines.count)
        var delay = settings.initialBackoff
        while !pending.isEmpty {
            do {
                pending = try await send(pending)
            } catch {
                guard error.isClusterFailure else { throw error }
                try Task.checkCancellation()
                failed(error)
            }
            guard !pending.isEmpty else { break }
            if stopping() { throw CancellationError() }
            metrics.clusterLogBacklog(index: index.name, bytes: await backlogBytes())
            try await Task.sleep(for: delay)
            delay = min(delay * 2, settings.maxBackoff)
        }
    }

    /// Sends `items` once.
    ///
    /// - Returns: the items to send again (answered 429 or 5xx).
    private mutating func send(_ items: [BulkRequest.Item]) async throws(ClusterLogError) -> [BulkRequest.Item] {
        try await ensureIndex()
        let request = BulkRequest(index: index.name, items: items)
        let answer = try await post(.POST, "/_bulk", body: request.body, contentType: "application/x-ndjson")
        guard answer.status == 200 else {
            throw .refused(index.name, request: "_bulk", status: answer.status, reason: Self.reason(answer))
        }
        let outcomes = try request.outcomes(of: Array(buffer: answer.body))
        if failures > 0 {
            logger.notice("the cluster takes \(index.name) records again after \(failures) failed attempts")
            failures = 0
        }
        var retry: [BulkRequest.Item] = []
        var retryReason = ""
        var rejections: [JSONObject] = []
        for (item, outcome) in zip(items, outcomes) {
            switch outcome {
            case .stored:
                break
            case .retry(let reason):
                retry.append(item)
                retryReason = reason
            case .rejected(let status, let error):
                let document = (try? JSONParser.parse(item.document)) ?? .string(String(decoding: item.document, as: UTF8.self))
                rejections.append(JSONObject([
                    "index": .string(index.name), "_id": .string(item.id), "status": .int(status), "error": .object(error),
                    "document": document,
                ]))
            }
        }
        try await reject(rejections, of: items.count)
        metrics.clusterLogShipped(index: index.name, items.count - retry.count - rejections.count)
        if !retry.isEmpty {
            metrics.clusterLogBulkFailed(index: index.name)
            logger.warning("the cluster put off \(retry.count) of \(items.count) \(index.name) records (\(retryReason)); sending them again")
        }
        return retry
    }

    /// Creates the index with the UBI mapping unless it exists; runs again after every cluster failure, since
    /// the cluster that comes back may be a new one.
    private mutating func ensureIndex() async throws(ClusterLogError) {
        guard !indexReady else { return }
        let answer = try await post(.PUT, "/\(index.name)", body: ByteBuffer(string: index.body), contentType: "application/json")
        let reason = Self.reason(answer)
        switch answer.status {
        case 200..<300:
            logger.notice("created the \(index.name) index in the cluster")
        case 400 where reason.contains("resource_already_exists_exception"):
            try await addStampMapping()
        case 429, 500...:
            throw .refused(index.name, request: "PUT /\(index.name)", status: answer.status, reason: reason)
        default:
            logger.error("\(ClusterLogError.indexNotCreated(index.name, status: answer.status, reason: reason))")
        }
        indexReady = true
    }

    /// Adds the ``SidecarStamp`` fields to an index created before they existed (or by another tool), so that the
    /// other sidecars' tail can filter on them exactly; a cluster that refuses is logged, and shipping goes on.
    private func addStampMapping() async throws(ClusterLogError) {
        let body = JSONObject(["properties": .object(SidecarStamp.mappingProperties)])
        let answer = try await post(.PUT, "/\(index.name)/_mapping", body: ByteBuffer(bytes: JSONWriter.bytes(.object(body))), contentType: "application/json")
        switch answer.status {
        case 200..<300: break
        case 429, 500...: throw .refused(index.name, request: "PUT /\(index.name)/_mapping", status: answer.status, reason: Self.reason(answer))
        default: logger.error("cannot add the rerank_* fields to the \(index.name) mapping (status \(answer.status): \(Self.reason(answer))); sidecars tailing the index may miss records")
        }
    }

    private func post(_ method: HTTPMethod, _ target: String, body: ByteBuffer, contentType: String) async throws(ClusterLogError) -> UpstreamResponse {
        do {
            return try await cluster.send(method: method, target: target, headers: ["content-type": contentType], body: body)
        } catch {
            throw .unreachable(index.name, error.reason)
        }
    }

    /// Appends refused records to the rejected file, durably, and counts them.
    private func reject(_ records: [JSONObject], of total: Int) async throws(ClusterLogError) {
        guard !records.isEmpty else { return }
        do {
            try await rejected.append(records)
        } catch {
            throw .spool(rejected.configuration.directory, "\(error)")
        }
        metrics.clusterLogRejected(index: index.name, records.count)
        let first = records[0]["error"]?.objectValue
        logger.error(
            "the cluster refused \(records.count) of \(total) \(index.name) records for good (\(first?["type"]?.stringValue ?? "error"): \(first?["reason"]?.stringValue ?? "")); they are in \(rejected.configuration.directory)/\(rejected.configuration.prefix)-*.ndjson"
        )
    }

    private mutating func failed(_ error: ClusterLogError) {
        indexReady = false
        failures += 1
        metrics.clusterLogBulkFailed(index: index.name)
        if failures == 1 || failures % 20 == 0 {
            logger.warning("\(error)", metadata: ["failed_attempts": "\(failures)"])
        }
    }

    /// The `error.reason` of an OpenSearch error answer (with its type), else the start of the body.
    private static func reason(_ answer: UpstreamResponse) -> String {
        let bytes = Array(buffer: answer.body)
        if let error = (try? JSONParser.parse(bytes))?.objectValue?["error"] {
            if let object = error.objectValue {
                return "\(object["type"]?.stringValue ?? "error"): \(object["reason"]?.stringValue ?? "")"
            }
            if let text = error.stringValue { return text }
        }
        return String(decoding: bytes.prefix(300), as: UTF8.self)
    }
}
