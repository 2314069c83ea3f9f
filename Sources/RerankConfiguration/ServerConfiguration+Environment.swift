import Foundation

extension ServerConfiguration {
    /// Applies `RERANK_*` environment variables: `RERANK_HOST`, `RERANK_PORT`, `RERANK_UPSTREAM` (comma-separated
    /// URLs), `RERANK_UPSTREAM_USERNAME`, `RERANK_UPSTREAM_PASSWORD`, `RERANK_WINDOW`, `RERANK_WEIGHT`,
    /// `RERANK_ALLOW_WRITES`, `RERANK_LOG_DIR`, `RERANK_LOG_CLUSTER`, `RERANK_LOG_SPOOL_DIR`, `RERANK_MODEL`,
    /// `RERANK_LOG_HASH_KEY`, `RERANK_ADMIN_TOKEN`, `RERANK_EVENT_LOOPS`.
    public mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        func number<T: LosslessStringConvertible>(_ name: String) throws(ConfigurationError) -> T? {
            guard let text = environment[name] else { return nil }
            guard let value = T(text) else { throw ConfigurationError.invalidValue("environment variable \(name)='\(text)' is not a number") }
            return value
        }
        host = environment["RERANK_HOST"] ?? host
        port = try number("RERANK_PORT") ?? port
        if let urls = environment["RERANK_UPSTREAM"] {
            upstream.urls = urls.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        upstream.username = environment["RERANK_UPSTREAM_USERNAME"] ?? upstream.username
        upstream.password = environment["RERANK_UPSTREAM_PASSWORD"] ?? upstream.password
        rerank.window = try number("RERANK_WINDOW") ?? rerank.window
        rerank.weight = try number("RERANK_WEIGHT") ?? rerank.weight
        log.directory = environment["RERANK_LOG_DIR"] ?? log.directory
        rerank.model = environment["RERANK_MODEL"] ?? rerank.model
        if let allow = environment["RERANK_ALLOW_WRITES"] {
            passthrough.allowWrites = ["1", "true", "yes"].contains(allow.lowercased())
        }
        if let cluster = environment["RERANK_LOG_CLUSTER"] {
            log.cluster = ["1", "true", "yes"].contains(cluster.lowercased())
        }
        log.spoolDirectory = environment["RERANK_LOG_SPOOL_DIR"] ?? log.spoolDirectory
        log.hashKey = environment["RERANK_LOG_HASH_KEY"] ?? log.hashKey
        admin.token = environment["RERANK_ADMIN_TOKEN"] ?? admin.token
        if let loops: Int = try number("RERANK_EVENT_LOOPS") {
            guard (1...1024).contains(loops) else {
                throw ConfigurationError.invalidValue("environment variable RERANK_EVENT_LOOPS=\(loops) must be in 1...1024")
            }
            limits.eventLoops = loops
        }
        try validate()
    }
}
