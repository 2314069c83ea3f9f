import Experiments
import Features
import Ranking

/// Everything `rerank serve` can be told, with a default for every field.
///
/// Sources are layered: defaults, then the config file (`--config`, JSON), then `RERANK_*` environment
/// variables, then command-line flags. File keys (all optional):
///
/// | key | type | default |
/// |---|---|---|
/// | `host` | string | `127.0.0.1` |
/// | `port` | int | `9250` |
/// | `upstream.urls` | [string] | `["http://127.0.0.1:9200"]` (requests go round-robin) |
/// | `upstream.username`, `upstream.password` | string | none (basic auth to the cluster) |
/// | `upstream.forward_authorization` | bool | `false` (pass the client's `Authorization` instead) |
/// | `upstream.tls_verify` | bool | `true` |
/// | `upstream.ca_file` | string | none (system trust roots) |
/// | `upstream.timeout_ms` | int | `10000` (covers the whole response body, also one handed on as it arrives) |
/// | `upstream.connect_timeout_ms` | int | `2000` |
/// | `upstream.max_connections` | int | `64` (per upstream host) |
/// | `limits.max_request_body` | int bytes | `10485760` |
/// | `limits.max_response_body` | int bytes | `104857600` (responses the sidecar reads: reranked or logged searches, `_msearch`; not those handed on as they arrive) |
/// | `limits.max_connections` | int | `4096` (client connections; more wait in the listen backlog) |
/// | `limits.idle_timeout_s` | int seconds | `60` (a connection sending nothing, headers included, is closed) |
/// | `limits.request_body_timeout_ms` | int | `30000` (a request body not complete by then gets a 408) |
/// | `limits.max_clock_skew_s` | int seconds | `300` (events dated later than now plus this are refused, per line; logs replayed at start skip them) |
/// | `limits.heap_trim_s` | int seconds | `60` (how often memory malloc holds free goes back to the system; 0: never) |
/// | `limits.event_loops` | int | half the cores, at least 1 (threads serving connections; `RERANK_EVENT_LOOPS`) |
/// | `state.max_items` | int | `300000` (items with statistics; about 380 bytes each) |
/// | `state.max_users` | int | `300000` (user profiles; about 230 bytes each) |
/// | `state.max_sessions` | int | `300000` (sessions' recent clicks; about 300 bytes each) |
/// | `state.max_query_items` | int | `1000000` (query × item click rates; about 70 bytes each) |
/// | `state.max_user_items` | int | `1000000` (user × item history; about 70 bytes each) |
/// | `state.max_user_tastes` | int | `1000000` (user × category, brand, price band weights; about 55 bytes each) |
/// | `state.max_groups` | int | `50000` (categories and price bands with per-context rates) |
/// | `state.max_searches` | int | `50000` (recent searches remembered to put their events in context; about 1 KiB each at 100 hits) |
/// | `state.half_life_days` | double | `14` (interaction counters fade by half in this time) |
/// | `state.session_ttl_s` | int seconds | `1800` (a session's clicks older than this are forgotten) |
/// | `rerank.enabled` | bool | `true` |
/// | `rerank.window` | int | `100` |
/// | `rerank.max_window` | int | `1000` |
/// | `rerank.budget_ms` | double | `25` |
/// | `rerank.weight` | double 0…1 | the served model's trained blend weight; `0.5` without one |
/// | `rerank.default_timezone` | string | `UTC` |
/// | `rerank.model` | string | none (`--model`; a model trained by `rerank train`, watched and reloaded when it changes) |
/// | `rerank.model_check_ms` | int | `2000` (how often the model file is checked for a new version) |
/// | `rerank.signals` | [{field, weight, transform}] | `[]` (used when no model is given) |
/// | `rerank.rules` | [rule] | `[]` (see ``BusinessRule``) |
/// | `rerank.filters` | [filter] | `[]` (named filters: exclude from the user's or session's history, include-only, numeric range; see ``HitFilter``) |
/// | `rerank.filter_history.max_users` | int | `100000` (users whose events history filters remember) |
/// | `rerank.filter_history.max_sessions` | int | `100000` (sessions whose events session filters remember) |
/// | `rerank.filter_history.max_entries_per_user` | int | `200` (item × event entries per user or session; the oldest makes room) |
/// | `rerank.exploration` | {share, max_move, depth, cold_exposure} | share `0` (off), max_move `2`, depth `10`, cold_exposure `true` (see ``Exploration``) |
/// | `log.dir` | string | none (no local log files; `--log-dir`) |
/// | `log.queue_capacity` | int | `10000` impression records waiting to be written |
/// | `log.flush_ms` | int | `50` ms impressions gather before a batch is written (0: at once) |
/// | `log.max_file_bytes` | int bytes | `67108864` (rotate past it) |
/// | `log.max_file_age_s` | int seconds | `3600` (rotate past it) |
/// | `log.cluster` | bool | `false` (also write impressions and events to the cluster's `ubi_queries` and `ubi_events` indices; `RERANK_LOG_CLUSTER`) |
/// | `log.spool_dir` | string | `<log.dir>/spool` (where records wait for the cluster; required with `log.cluster` when `log.dir` is not set; `RERANK_LOG_SPOOL_DIR`) |
/// | `log.share_state` | bool | `true` (with `log.cluster`: fold what other sidecars wrote to the cluster into the online state, and catch up from the cluster at start) |
/// | `log.share_poll_ms` | int | `500` (how often the cluster is asked for other sidecars' records) |
/// | `log.hash_user_ids` | bool | `false` (write user and session ids as keyed hashes; needs `log.hash_key`) |
/// | `log.hash_key` | string | none (32 hex digits, the SipHash key; `RERANK_LOG_HASH_KEY`) |
/// | `admin.token` | string | none (admin endpoints disabled; `RERANK_ADMIN_TOKEN`) |
/// | `passthrough.allow_writes` | bool | `false` |
/// | `passthrough.read_endpoints` | [string] | `[]` (extra POST endpoints, e.g. `_plugins/_ltr`, treated as reads) |
/// | `experiments` | [experiment] | `[]` (A/B and interleaving experiments; see ``experiments(_:)``; reloaded when the config file changes) |
/// | `experiments_check_ms` | int | `2000` (how often the config file is checked for changed experiments) |
/// | `indices` | [index entry] | `[]` (per-index overrides of `rerank` keys: `pattern`, `name`, `enabled`, `window`, `budget_ms`, `weight`, `model`, `signals`, `rules`, `exploration`; see ``IndexOverride``) |
public struct ServerConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 9250
    public var upstream = Upstream()
    public var limits = Limits()
    public var rerank = Rerank()
    /// Per-index overrides of `rerank`, in order: a search is served by the first whose patterns match every
    /// index it names (``indexOverride(for:)``), else by `rerank`.
    public var indices: [IndexOverride] = []
    public var passthrough = Passthrough()
    public var log = Log()
    /// Experiments, in order: a search takes part in the first running one whose traffic holds its user.
    public var experiments: [Experiment] = []
    /// How often the config file is checked for changed experiments.
    public var experimentsCheckMilliseconds = 2_000
    /// The config file these settings were read from, watched for changed experiments; nil without `--config`.
    public var configFile: String?
    public var admin = Admin()
    /// Bounds of the online feature statistics (the least recently updated entries are evicted first).
    public var state = FeatureReplay.Limits()
    /// The storefront's own features (`features`): served models must declare exactly these; nil when the
    /// configuration declares none and any model's declaration is served.
    public var features: DeclaredFeatures?

    public init() {}

    /// The sidecar's own admin endpoints (`POST /_rerank/model/reload`, `GET /_rerank/stats`).
    public struct Admin: Sendable, Equatable {
        /// The bearer token admin requests must carry; nil disables the admin endpoints (403).
        public var token: String?

        public init() {}
    }

    /// Where impressions and events are written: UBI NDJSON files, the cluster's UBI indices, or both.
    public struct Log: Sendable, Equatable {
        /// The log directory; nil writes no local files, and with `cluster` off turns impression logging and the
        /// events API off.
        public var directory: String?
        public var queueCapacity = 10_000
        /// How long impressions gather before a batch is written: at most one write and fsync per interval.
        public var flushMilliseconds = 50
        public var maxFileBytes = 64 << 20
        public var maxFileAgeSeconds = 3600
        /// Also ship impressions and events to the cluster's `ubi_queries` and `ubi_events` indices.
        public var cluster = false
        /// Where records wait for the cluster; nil means `<directory>/spool`.
        public var spoolDirectory: String?
        /// With `cluster`: tail the UBI indices for the other sidecars' records, and catch up from the cluster at
        /// start instead of the log directory.
        public var shareState = true
        /// How often the tail asks the cluster.
        public var sharePollMilliseconds = 500

        /// Whether the sidecars share their online state through the cluster: `cluster` and `shareState`.
        public var sharesState: Bool { cluster && shareState }
        /// Write user and session ids as keyed hashes (impressions, events, online state).
        public var hashUserIDs = false
        /// The SipHash-2-4 key for `hashUserIDs`, as 32 hexadecimal digits.
        public var hashKey: String?

        public init() {}
    }

    /// How to reach the cluster.
    public struct Upstream: Sendable, Equatable {
        public var urls: [String] = ["http://127.0.0.1:9200"]
        public var username: String?
        public var password: String?
        public var forwardAuthorization = false
        public var tlsVerify = true
        public var caFile: String?
        public var timeoutMilliseconds = 10_000
        public var connectTimeoutMilliseconds = 2_000
        public var maxConnections = 64

        public init() {}
    }

    /// Body size limits, both ways.
    public struct Limits: Sendable, Equatable {
        public var maxRequestBody = 10 * 1024 * 1024
        /// Bounds the memory of a response the sidecar reads whole (a search it reranks or logs, an `_msearch`);
        /// a response handed on as it arrives is never held, so no limit applies to it.
        public var maxResponseBody = 100 * 1024 * 1024
        /// Client connections served at once; further connections wait in the listen backlog.
        public var maxConnections = 4096
        /// A connection that sends nothing for this long (mid-headers included) is closed.
        public var idleTimeoutSeconds = 60
        /// A request body not complete this long after its headers is answered 408 and the connection closed.
        public var requestBodyTimeoutMilliseconds = 30_000
        /// Events dated later than now plus this many seconds are refused.
        public var maxClockSkewSeconds = 300
        /// How often the memory malloc holds free is given back to the system; 0 never.
        public var heapTrimSeconds = 60
        /// Threads that serve connections, the cluster's included (SwiftNIO event loops); nil: half the cores, at
        /// least one. Ranking, the online state and the logs run on threads of their own.
        public var eventLoops: Int?

        public init() {}

        /// The event loops to run on a machine of `cores` cores: ``eventLoops``, or half the cores, at least one.
        public func eventLoopCount(cores: Int) -> Int {
            eventLoops ?? max(1, cores / 2)
        }
    }

    /// How searches are reranked.
    public struct Rerank: Sendable, Equatable {
        public var enabled = true
        /// Hits fetched and reranked per search; the page is cut from them.
        public var window = 100
        /// Searches whose `from + size` exceeds this are passed through unreranked.
        public var maxWindow = 1_000
        /// Reranking that takes longer falls back to the engine's order.
        public var budgetMilliseconds = 25.0
        /// nil: the ranker's own (a model's trained blend weight), else 0.5.
        public var weight: Double?
        public var defaultTimeZone = "UTC"
        /// A model file from `rerank train`; it replaces the signal ranker.
        public var model: String?
        /// How often the model file is checked for changes.
        public var modelCheckMilliseconds = 2_000
        public var signals: [SignalRanker.Signal] = []
        public var rules: [BusinessRule] = []
        /// Randomized swaps and cold-hit exposure in a share of reranked searches; off by default.
        public var exploration = Exploration()
        /// Named filters on what a search may return (`rerank.filters`).
        public var filters: [HitFilter] = []
        /// Bounds of the users' and sessions' event history that `exclude` filters read.
        public var filterHistory = InteractionHistory.Limits()

        public init() {}
    }

    /// Which non-search requests pass through to the cluster.
    public struct Passthrough: Sendable, Equatable {
        public var allowWrites = false
        public var readEndpoints: [String] = []

        public init() {}
    }
}
