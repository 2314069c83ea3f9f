import Foundation
import Features
import Ranking
import RerankCore
import RerankJSON

extension ServerConfiguration {
    /// Applies a JSON config file's keys on top of this configuration.
    ///
    /// - Throws: ``ConfigurationError`` naming the bad key, for unknown keys, wrong types or invalid JSON.
    public mutating func apply(configFile path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.unreadableFile("cannot read config file '\(path)': no such file or not readable")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw ConfigurationError.unreadableFile("config file '\(path)' is not valid JSON: \(error)")
        }
        guard let object = root.objectValue else {
            throw ConfigurationError.unreadableFile("config file '\(path)' must hold a JSON object")
        }
        try apply(ConfigReader(object))
        configFile = path
    }

    mutating func apply(_ reader: ConfigReader) throws(ConfigurationError) {
        try reader.requireKnownKeys([
            "host", "port", "upstream", "limits", "rerank", "passthrough", "log", "admin", "experiments", "experiments_check_ms",
            "state", "features", "indices",
        ])
        host = try reader.string("host") ?? host
        port = try reader.int("port", in: 0...65535) ?? port
        if let section = try reader.object("upstream") {
            try applyUpstream(section)
        }
        if let section = try reader.object("limits") {
            try applyLimits(section)
        }
        if let section = try reader.object("state") {
            try state.apply(section)
        }
        if let section = try reader.object("rerank") {
            try applyRerank(section)
        }
        if let declarations = reader.value("features") {
            do {
                features = try DeclaredFeatures(json: declarations)
            } catch {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key(error.field))' \(error.message)")
            }
        }
        if let section = try reader.object("log") {
            try applyLog(section)
        }
        if let entries = try reader.objects("indices") {
            indices = try Self.indexOverrides(entries)
        }
        if let experiments = try reader.objects("experiments") {
            self.experiments = try Self.experiments(experiments)
        }
        experimentsCheckMilliseconds = try reader.int("experiments_check_ms", in: 10...3_600_000) ?? experimentsCheckMilliseconds
        if let section = try reader.object("passthrough") {
            try section.requireKnownKeys(["allow_writes", "read_endpoints"])
            passthrough.allowWrites = try section.bool("allow_writes") ?? passthrough.allowWrites
            passthrough.readEndpoints = try section.strings("read_endpoints") ?? passthrough.readEndpoints
        }
        if let section = try reader.object("admin") {
            try section.requireKnownKeys(["token"])
            admin.token = try section.string("token") ?? admin.token
        }
        try validate()
    }

    private mutating func applyUpstream(_ section: ConfigReader) throws(ConfigurationError) {
        try section.requireKnownKeys([
            "urls", "username", "password", "forward_authorization", "tls_verify", "ca_file", "timeout_ms",
            "connect_timeout_ms", "max_connections",
        ])
        upstream.urls = try section.strings("urls") ?? upstream.urls
        upstream.username = try section.string("username") ?? upstream.username
        upstream.password = try section.string("password") ?? upstream.password
        upstream.forwardAuthorization = try section.bool("forward_authorization") ?? upstream.forwardAuthorization
        upstream.tlsVerify = try section.bool("tls_verify") ?? upstream.tlsVerify
        upstream.caFile = try section.string("ca_file") ?? upstream.caFile
        upstream.timeoutMilliseconds = try section.int("timeout_ms", in: 1...3_600_000) ?? upstream.timeoutMilliseconds
        upstream.connectTimeoutMilliseconds =
            try section.int("connect_timeout_ms", in: 1...600_000) ?? upstream.connectTimeoutMilliseconds
        upstream.maxConnections = try section.int("max_connections", in: 1...10_000) ?? upstream.maxConnections
    }

    private mutating func applyLimits(_ section: ConfigReader) throws(ConfigurationError) {
        try section.requireKnownKeys([
            "max_request_body", "max_response_body", "max_connections", "idle_timeout_s", "request_body_timeout_ms",
            "max_clock_skew_s", "heap_trim_s", "event_loops",
        ])
        limits.maxRequestBody = try section.int("max_request_body", in: 1024...Int(Int32.max)) ?? limits.maxRequestBody
        limits.maxResponseBody =
            try section.int("max_response_body", in: 1024...Int(Int32.max)) ?? limits.maxResponseBody
        limits.maxConnections = try section.int("max_connections", in: 1...1_000_000) ?? limits.maxConnections
        limits.idleTimeoutSeconds = try section.int("idle_timeout_s", in: 1...86_400) ?? limits.idleTimeoutSeconds
        limits.requestBodyTimeoutMilliseconds =
            try section.int("request_body_timeout_ms", in: 100...3_600_000) ?? limits.requestBodyTimeoutMilliseconds
        limits.maxClockSkewSeconds = try section.int("max_clock_skew_s", in: 0...86_400 * 366) ?? limits.maxClockSkewSeconds
        limits.heapTrimSeconds = try section.int("heap_trim_s", in: 0...86_400) ?? limits.heapTrimSeconds
        limits.eventLoops = try section.int("event_loops", in: 1...1024) ?? limits.eventLoops
    }

    private mutating func applyLog(_ section: ConfigReader) throws(ConfigurationError) {
        try section.requireKnownKeys([
            "dir", "queue_capacity", "flush_ms", "max_file_bytes", "max_file_age_s", "cluster", "spool_dir", "hash_user_ids", "hash_key",
            "share_state", "share_poll_ms",
        ])
        log.hashUserIDs = try section.bool("hash_user_ids") ?? log.hashUserIDs
        log.hashKey = try section.string("hash_key") ?? log.hashKey
        log.directory = try section.string("dir") ?? log.directory
        log.cluster = try section.bool("cluster") ?? log.cluster
        log.spoolDirectory = try section.string("spool_dir") ?? log.spoolDirectory
        log.shareState = try section.bool("share_state") ?? log.shareState
        log.sharePollMilliseconds = try section.int("share_poll_ms", in: 50...60_000) ?? log.sharePollMilliseconds
        log.queueCapacity = try section.int("queue_capacity", in: 1...10_000_000) ?? log.queueCapacity
        log.flushMilliseconds = try section.int("flush_ms", in: 0...10_000) ?? log.flushMilliseconds
        log.maxFileBytes = try section.int("max_file_bytes", in: 1024...Int(Int32.max)) ?? log.maxFileBytes
        log.maxFileAgeSeconds = try section.int("max_file_age_s", in: 1...31_536_000) ?? log.maxFileAgeSeconds
    }

    private mutating func applyRerank(_ section: ConfigReader) throws(ConfigurationError) {
        try section.requireKnownKeys([
            "enabled", "window", "max_window", "budget_ms", "weight", "default_timezone", "model", "model_check_ms", "signals", "rules",
            "exploration", "filters", "filter_history",
        ])
        rerank.enabled = try section.bool("enabled") ?? rerank.enabled
        rerank.window = try section.int("window", in: 1...10_000) ?? rerank.window
        rerank.maxWindow = try section.int("max_window", in: 1...10_000) ?? rerank.maxWindow
        rerank.budgetMilliseconds = try section.double("budget_ms", in: 0...60_000) ?? rerank.budgetMilliseconds
        rerank.weight = try section.double("weight", in: 0...1) ?? rerank.weight
        rerank.defaultTimeZone = try section.string("default_timezone") ?? rerank.defaultTimeZone
        rerank.model = try section.string("model") ?? rerank.model
        rerank.modelCheckMilliseconds = try section.int("model_check_ms", in: 10...3_600_000) ?? rerank.modelCheckMilliseconds
        if let signals = try section.objects("signals") {
            rerank.signals = try signals.map { (signal) throws(ConfigurationError) in try Self.signal(signal) }
        }
        if let rules = try section.objects("rules") {
            rerank.rules = try rules.map { (rule) throws(ConfigurationError) in try Self.rule(rule) }
        }
        if let exploration = try section.object("exploration") {
            rerank.exploration = try Self.exploration(exploration)
        }
        if let filters = try section.objects("filters") {
            rerank.filters = try Self.filters(filters)
        }
        if let history = try section.object("filter_history") {
            try Self.filterHistory(history, into: &rerank.filterHistory)
        }
    }

    static func signal(_ reader: ConfigReader) throws(ConfigurationError) -> SignalRanker.Signal {
        try reader.requireKnownKeys(["field", "weight", "transform"])
        guard let field = try reader.string("field") else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("field"))' is required")
        }
        let transformName = try reader.string("transform") ?? "linear"
        guard let transform = SignalRanker.Signal.Transform(rawValue: transformName) else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("transform"))' must be linear or log1p")
        }
        return .init(field: field, weight: try reader.double("weight", in: -1e6...1e6) ?? 1, transform: transform)
    }

    static func rule(_ reader: ConfigReader) throws(ConfigurationError) -> BusinessRule {
        try reader.requireKnownKeys(["action", "field", "equals", "in", "ids", "amount", "position"])
        let action: BusinessRule.Action
        switch try reader.string("action") {
        case "boost": action = .boost(try reader.double("amount", in: -1e6...1e6) ?? 0.1)
        case "bury": action = .bury
        case "pin": action = .pin(try reader.int("position", in: 0...10_000) ?? 0)
        case "exclude": action = .exclude
        default: throw ConfigurationError.invalidValue("configuration key '\(reader.key("action"))' must be boost, bury, pin or exclude")
        }
        if let ids = try reader.strings("ids") {
            return BusinessRule(action: action, match: .ids(Set(ids)))
        }
        guard let field = try reader.string("field") else {
            throw ConfigurationError.missingKey("rule '\(reader.path)' needs 'ids' or 'field' with 'equals' or 'in'")
        }
        if let values = reader.value("in")?.arrayValue {
            return BusinessRule(action: action, match: .field(field, values))
        }
        guard let value = reader.object["equals"] else {
            throw ConfigurationError.missingKey("rule '\(reader.path)' on field '\(field)' needs 'equals' or 'in'")
        }
        return BusinessRule(action: action, match: .field(field, [value]))
    }

    /// Checks the relations between keys that single-key checks cannot see.
    public func validate() throws(ConfigurationError) {
        guard !upstream.urls.isEmpty else { throw ConfigurationError.missingKey("upstream.urls must name at least one cluster URL") }
        for url in upstream.urls {
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
                parsed.host != nil
            else {
                throw ConfigurationError.invalidValue("upstream URL '\(url)' must look like http://host:9200 or https://host:9200")
            }
        }
        guard rerank.window <= rerank.maxWindow else {
            throw ConfigurationError.invalidValue("rerank.window (\(rerank.window)) must not exceed rerank.max_window (\(rerank.maxWindow))")
        }
        guard TimeZone(identifier: rerank.defaultTimeZone) != nil else {
            throw ConfigurationError.invalidValue("rerank.default_timezone '\(rerank.defaultTimeZone)' is not an IANA time zone such as Europe/Berlin")
        }
        try checkExplorations()
        try checkIndexOverrides()

        if log.hashUserIDs {
            guard let key = log.hashKey, SipHash24.Key(hex: key) != nil else {
                throw ConfigurationError.missingKey(
                    "log.hash_user_ids needs log.hash_key (or RERANK_LOG_HASH_KEY): 32 hexadecimal digits, e.g. from `openssl rand -hex 16`"
                )
            }
        }
        if let token = admin.token, token.utf8.count < 16 {
            throw ConfigurationError.invalidValue("admin.token (RERANK_ADMIN_TOKEN) must be at least 16 characters, e.g. from `openssl rand -hex 24`")
        }
    }
}

extension ServerConfiguration.Log {
    /// The cluster sink's spool directory: `spool_dir`, else `<dir>/spool`; nil when `cluster` is off.
    ///
    /// Checked when the application is built rather than in `validate()`, since `dir` may come from a later
    /// source (`--log-dir`) than `cluster`.
    /// - Throws: ``ConfigurationError`` when `cluster` is on and neither `spool_dir` nor `dir` is set, or when
    ///   `spool_dir` is the log directory itself.
    public func clusterSpoolDirectory() throws(ConfigurationError) -> String? {
        guard cluster else { return nil }
        if let spoolDirectory {
            if let directory, (spoolDirectory as NSString).standardizingPath == (directory as NSString).standardizingPath {
                throw ConfigurationError.invalidValue(
                    "log.spool_dir must not be log.dir ('\(directory)'): readers of the log directory would count spooled records twice; leave log.spool_dir unset to use '\(directory)/spool'"
                )
            }
            return spoolDirectory
        }
        guard let directory else {
            throw ConfigurationError.missingKey(
                "log.cluster is on but there is no spool to keep records in while the cluster is unreachable; set log.spool_dir (RERANK_LOG_SPOOL_DIR) or log.dir (--log-dir, RERANK_LOG_DIR)"
            )
        }
        return (directory as NSString).appendingPathComponent("spool")
    }
}
