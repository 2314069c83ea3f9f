import RerankJSON

/// A sink that writes every batch to the local log files first, then to the cluster sink's spool.
///
/// An append returns once both hold the records. When the spool fails after the local write succeeded, the
/// caller's retry writes the batch to the local files a second time: a duplicate there is the price of never
/// acknowledging a record the cluster would not get.
///
/// ```swift
/// let sink = FanOutSink.combining(writers?.events, clusterSinks?.events)  // nil when logging is off
/// ```
struct FanOutSink: RecordSink {
    let local: any RecordSink
    let cluster: any RecordSink

    func append(_ records: [JSONObject]) async throws {
        try await local.append(records)
        try await cluster.append(records)
    }

    /// Whichever sinks are configured, as one: both, one of them, or nil when neither is.
    static func combining(_ local: (any RecordSink)?, _ cluster: (any RecordSink)?) -> (any RecordSink)? {
        switch (local, cluster) {
        case (let local?, let cluster?): FanOutSink(local: local, cluster: cluster)
        case (let local?, nil): local
        case (nil, let cluster?): cluster
        case (nil, nil): nil
        }
    }
}
