import EventLog
import ServiceLifecycle

extension NDJSONLogWriter: RecordSink {}

/// The `ubi_queries` and `ubi_events` writers of the log directory, closed (flushed) at shutdown after
/// everything that writes to them has stopped.
final class LogWriters: Service, Sendable {
    let queries: NDJSONLogWriter
    let events: NDJSONLogWriter

    init(_ configuration: ServerConfiguration.Log, directory: String) throws {
        func writer(_ prefix: String) throws -> NDJSONLogWriter {
            try NDJSONLogWriter(configuration: .init(
                directory: directory, prefix: prefix, maxFileBytes: configuration.maxFileBytes,
                maxFileAge: Double(configuration.maxFileAgeSeconds)
            ))
        }
        queries = try writer("ubi_queries")
        events = try writer("ubi_events")
    }

    func run() async throws {
        try? await gracefulShutdown()
        await queries.close()
        await events.close()
    }
}
