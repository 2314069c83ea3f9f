import Dispatch
import Foundation
import RerankJSON

/// A durable NDJSON log: every record is one line, and `append` returns only once its bytes are fsync'd.
///
/// Appends that arrive while an fsync is in flight are batched into the next single write and fsync (group
/// commit), so many concurrent appenders share each fsync. Files are named `<prefix>-<UTC time>-<seq>.ndjson`
/// in the log directory, rotated by size and age; the directory is fsync'd after each new file so the file
/// itself survives a crash. A failed write surfaces as a thrown ``EventLogError`` naming the file, to every
/// append in the failed batch; the next batch starts a new file.
///
/// ```swift
/// let writer = try NDJSONLogWriter(configuration: .init(directory: "/var/lib/rerank/logs", prefix: "ubi_events"))
/// try await writer.append([click.json])
/// try await writer.close()
/// ```
public actor NDJSONLogWriter {
    /// The settings this writer was made with.
    public nonisolated let configuration: Configuration
    /// What the writer has done so far.
    public private(set) var statistics = Statistics()

    private let sink: LogFileSink
    private let queue: DispatchQueue
    private var pending: [UInt8] = []
    private var pendingRecords = 0
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var flushing = false
    private var closed = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// Makes a writer, creating the log directory if it is missing; the first file is created by the first
    /// append.
    ///
    /// - Throws: ``EventLogError`` naming the directory when it cannot be created.
    public init(configuration: Configuration) throws(EventLogError) {
        try Self.prepareDirectory(configuration.directory)
        self.configuration = configuration
        self.sink = LogFileSink(
            directory: configuration.directory, prefix: configuration.prefix,
            maxFileBytes: configuration.maxFileBytes, maxFileAge: configuration.maxFileAge)
        self.queue = DispatchQueue(label: "rerank.eventlog.\(configuration.prefix)")
    }

    /// Appends each record as one line and returns once the lines are fsync'd.
    ///
    /// - Parameter records: documents to log, in order; they land contiguously in one file.
    /// - Throws: ``EventLogError`` naming the file when it cannot be created, written or synced (the records
    ///   were not stored), or when the writer is closed.
    public nonisolated func append(_ records: [JSONObject]) async throws {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 256)
        for record in records {
            JSONWriter.write(.object(record), into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        try await enqueue(bytes, records: records.count)
    }

    /// The path of the file appends go to now, nil when none is open (before the first append, after a failed
    /// write, after `close()`).
    ///
    /// Every other file of this writer is complete: it never writes to a file again once it has moved on. A
    /// reader that tails the log (the cluster sink's shipper) may treat a file as finished once it is not this
    /// one.
    public nonisolated var currentFile: String? { sink.currentPath }

    /// Waits for appends in flight, then closes the current file. Later appends throw.
    public func close() async {
        closed = true
        while flushing {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
        let sink = sink
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                sink.closeCurrentFile()
                continuation.resume()
            }
        }
    }

    private func enqueue(_ bytes: [UInt8], records: Int) async throws {
        guard !closed else { throw EventLogError.writerClosed(configuration.directory, prefix: configuration.prefix) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.append(contentsOf: bytes)
            pendingRecords += records
            waiters.append(continuation)
            if !flushing {
                flushing = true
                Task { await flushPending() }
            }
        }
    }

    /// Writes and syncs batch after batch until nothing is pending; appends that arrive meanwhile join the next
    /// batch.
    private func flushPending() async {
        while !pending.isEmpty {
            let batch = pending
            let records = pendingRecords
            let batchWaiters = waiters
            pending = []
            pendingRecords = 0
            waiters = []
            let result = await writeOnQueue(batch, now: configuration.clock())
            switch result {
            case .success(let report):
                statistics.records += records
                statistics.fileSyncs += report.fileSyncs
                statistics.directorySyncs += report.directorySyncs
                statistics.filesCreated += report.filesCreated
                for waiter in batchWaiters { waiter.resume() }
            case .failure(let error):
                statistics.failedRecords += records
                for waiter in batchWaiters { waiter.resume(throwing: error) }
            }
            // Let the appenders just resumed enqueue their next records before the next batch is cut; without
            // this, closed-loop appenders split into two alternating halves and each fsync carries half of them.
            await Task.yield()
        }
        flushing = false
        for waiter in idleWaiters { waiter.resume() }
        idleWaiters = []
    }

    /// Runs the blocking write and fsync off the cooperative thread pool.
    private func writeOnQueue(_ batch: [UInt8], now: Date) async -> Result<LogFileSink.Report, EventLogError> {
        let sink = sink
        return await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(
                    returning: Result { () throws(EventLogError) in try sink.writeBatch(batch, now: now) })
            }
        }
    }

    private static func prepareDirectory(_ directory: String) throws(EventLogError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .cannotCreate(directory, "a file, not a directory, is at that path")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(directory, error.localizedDescription)
        }
        let parent = (directory as NSString).deletingLastPathComponent
        do throws(SystemError) {
            try LogFileSink.syncDirectory(parent.isEmpty ? "." : parent)
        } catch {
            throw .cannotCreate(directory, error.description)
        }
    }
}
