import Logging

/// swift-log's standard-error handler, with the logger's own metadata formatted when a message is written rather
/// than whenever it is set.
///
/// `StreamLogHandler` formats its metadata each time an entry is set. Hummingbird sets a request id on every
/// request's logger, so the default handler formatted a string per search that a sidecar at `info` never writes.
/// This handler keeps the metadata as it is set and hands it to a `StreamLogHandler` with each message, which
/// formats it then: the lines are the ones `StreamLogHandler` writes, keys sorted, a message's own metadata
/// winning over the logger's.
struct StandardErrorLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        stream = .standardError(label: label)
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        stream.log(event: event)
    }
}
