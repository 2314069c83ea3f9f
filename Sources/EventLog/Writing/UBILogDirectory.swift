import Foundation

/// The two durable writers of a UBI log directory: `ubi_queries-*.ndjson` and `ubi_events-*.ndjson`, the files
/// ``InteractionLogReader`` reads back.
///
/// ```swift
/// let logs = try UBILogDirectory(directory: "/var/lib/rerank/logs")
/// try await logs.append(query)          // the impression: what was shown, in which order
/// try await logs.append([click])        // events joined by query_id
/// await logs.close()
/// ```
public struct UBILogDirectory: Sendable {
    /// The directory both writers write to.
    public let directory: String
    /// Writes `ubi_queries-*.ndjson`.
    public let queries: NDJSONLogWriter
    /// Writes `ubi_events-*.ndjson`.
    public let events: NDJSONLogWriter

    /// Makes both writers, creating the directory if it is missing.
    ///
    /// - Parameters:
    ///   - directory: the log directory (`rerank serve --log-dir`).
    ///   - maxFileBytes: size at which a file is rotated (default 64 MiB).
    ///   - maxFileAge: age in seconds at which a file is rotated (default one hour).
    ///   - clock: the time for file names and ages.
    /// - Throws: ``EventLogError`` naming the directory when it cannot be created.
    public init(
        directory: String, maxFileBytes: Int = NDJSONLogWriter.Configuration.defaultMaxFileBytes,
        maxFileAge: TimeInterval = NDJSONLogWriter.Configuration.defaultMaxFileAge,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(EventLogError) {
        self.directory = directory
        queries = try NDJSONLogWriter(
            configuration: .init(
                directory: directory, prefix: "ubi_queries", maxFileBytes: maxFileBytes, maxFileAge: maxFileAge,
                clock: clock))
        events = try NDJSONLogWriter(
            configuration: .init(
                directory: directory, prefix: "ubi_events", maxFileBytes: maxFileBytes, maxFileAge: maxFileAge,
                clock: clock))
    }

    /// Logs one search durably; returns once it is fsync'd.
    public func append(_ query: UBIQuery) async throws {
        try await queries.append([query.json])
    }

    /// Logs events durably, in order; returns once they are fsync'd.
    public func append(_ events: [UBIEvent]) async throws {
        try await self.events.append(events.map(\.json))
    }

    /// Waits for appends in flight and closes both writers.
    public func close() async {
        await queries.close()
        await events.close()
    }
}
