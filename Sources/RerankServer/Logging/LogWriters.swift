import EventLog
import RerankConfiguration
import ServiceLifecycle

extension NDJSONLogWriter: RecordSink {}

/// The log directory's `ubi_queries` and `ubi_events` writers, closed (flushed) at shutdown after everything
/// that writes to them has stopped.
final class LogWriters: Service, Sendable {
    let directory: UBILogDirectory

    init(_ configuration: ServerConfiguration.Log, directory: String) throws {
        self.directory = try UBILogDirectory(
            directory: directory, maxFileBytes: configuration.maxFileBytes, maxFileAge: Double(configuration.maxFileAgeSeconds)
        )
    }

    var queries: NDJSONLogWriter { directory.queries }
    var events: NDJSONLogWriter { directory.events }

    func run() async throws {
        try? await gracefulShutdown()
        await directory.close()
    }
}
