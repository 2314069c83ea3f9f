import ArgumentParser
import ClusterLogs
import EventLog
import Features
import Foundation
import Personalization
import PersonalizationTraining

/// The flags `train` and `evaluate` share for UBI logs (`--format ubi`, the default).
struct LogArguments: ParsableArguments {
    @Option(help: "UBI log directory or file (ubi_queries*.ndjson, ubi_events*.ndjson, or _bulk files), or the cluster log.cluster fills (http(s)://[user:password@]host:port).")
    var logs: String?

    @Option(help: "Items file (NDJSON, one object with an id and catalog fields per line) for category, brand, price and declared item features.")
    var items: String?

    @Option(help: "Users file (NDJSON, one object with an id and user fields per line, e.g. the users.ndjson of `rerank import --users`) for declared user features.")
    var users: String?

    @Option(help: "Only the searches the sidecar's indices entry of this name served (query_attributes.index_config) and the events joined to them by query_id; 'default': the rerank section's searches and events joined to no entry's search.")
    var indexConfig: String?

    func validate() throws {
        if let logs { try Self.check(logs) }
        if let items, !FileManager.default.isReadableFile(atPath: items) {
            throw ValidationError("--items \(items) is not a readable file; give an NDJSON items file such as sample/catalog.ndjson.")
        }
        if let users, !FileManager.default.isReadableFile(atPath: users) {
            throw ValidationError("--users \(users) is not a readable file; give an NDJSON users file such as the users.ndjson of `rerank import --users`.")
        }
    }

    /// The logs, item attributes and declared user values, with read problems reported on standard error.
    func load(declared: DeclaredFeatures = .none) async throws -> (log: InteractionLog, items: [String: ItemAttributes], users: [String: [UInt64]]) {
        guard let logs else { throw ValidationError("--format ubi needs --logs DIR: the UBI logs to learn from.") }
        var log = try await Self.read(logs)
        if let indexConfig {
            let all = log.queries.count
            log = log.servedBy { indexConfig == "default" ? $0 == nil : $0 == indexConfig }
            FileHandle.standardError.write(Data("--index-config \(indexConfig): \(log.queries.count) of \(all) searches\n".utf8))
            if log.queries.isEmpty {
                throw ValidationError("--index-config \(indexConfig): no search in \(logs) was served by it; the sidecar names the indices entry that served a search in query_attributes.index_config ('default' takes the rerank section's).")
            }
        }
        let (attributes, profiles) = try catalog(declared: declared)
        FileHandle.standardError.write(Data(
            "read \(log.queries.count) searches and \(log.events.count) events from \(Self.sources(of: log, at: logs))\(catalogRead(attributes, profiles))\n".utf8
        ))
        return (log, attributes, profiles)
    }

    /// Whether the logs are read as they are replayed (``LogFileRecords``), not into memory first: always but
    /// with `--index-config`, whose filter needs every search's entry.
    var streams: Bool { logs != nil && indexConfig == nil }

    /// The item attributes and declared user values of `--items` and `--users`.
    func catalog(declared: DeclaredFeatures) throws -> (items: [String: ItemAttributes], users: [String: [UInt64]]) {
        if users != nil, declared.declarations(of: .user).isEmpty {
            throw ValidationError("--users is read for declared user features, and none are declared; declare them (`features` with source user) or leave --users out.")
        }
        let attributes = try items.map { try ItemCatalog.read($0, declared: declared) } ?? [:]
        let profiles = try users.map { try ItemCatalog.readUsers($0, declared: declared) } ?? [:]
        return (attributes, profiles)
    }

    /// `; N items, M users` of what ``catalog(declared:)`` read.
    func catalogRead(_ items: [String: ItemAttributes], _ profiles: [String: [UInt64]]) -> String {
        "; \(items.count) items" + (users == nil ? "" : ", \(profiles.count) users")
    }

    /// Reports what a streamed replay read (``LogFileRecords``): the counts, and the lines it skipped. A cluster's
    /// download is named by the indices its files came from (each slice's files are named after their index).
    func reportStreamed(_ records: LogFileRecords, summary: ReplaySummary, catalog: String) {
        let source = if let logs, Self.isCluster(logs) {
            [ClusterLogReader.queriesIndex, ClusterLogReader.eventsIndex]
                .filter { index in records.files.contains { ($0 as NSString).lastPathComponent == index + ".ndjson" } }
                .map { "\(logs)/\($0)" }.joined(separator: " and ")
        } else {
            "\(records.files.count) files"
        }
        FileHandle.standardError.write(Data(
            "read \(summary.impressions) searches and \(summary.events) events from \(source), streamed\(catalog)\n".utf8))
        Self.reportProblems(records.problems)
    }

    /// `N unreadable log lines skipped, e.g. ...` on standard error, when there are any.
    static func reportProblems(_ problems: [LogProblem]) {
        guard let first = problems.first else { return }
        FileHandle.standardError.write(Data("\(problems.count) unreadable log lines skipped, e.g. \(first)\n".utf8))
    }

    /// Whether `--logs` names a cluster rather than files.
    static func isCluster(_ logs: String) -> Bool {
        logs.hasPrefix("http://") || logs.hasPrefix("https://")
    }

    /// Checks that `--logs` names a path that exists, or a cluster.
    static func check(_ logs: String) throws {
        if logs.contains("://"), !isCluster(logs) {
            throw ValidationError("--logs \(logs) is a URL the logs cannot be read from; give http(s)://host:port of the cluster log.cluster fills.")
        }
        if !isCluster(logs), !FileManager.default.fileExists(atPath: logs) {
            throw ValidationError("--logs \(logs) does not exist; give the directory `rerank serve --log-dir` writes, a UBI file, or the cluster's http(s)://host:port.")
        }
    }

    /// The UBI logs at `path` (files, or the cluster's `ubi_queries` and `ubi_events`), with unreadable lines
    /// or documents reported on standard error.
    static func read(_ path: String) async throws -> InteractionLog {
        let log = try await isCluster(path) ? readCluster(path) : InteractionLogReader().read(path)
        reportProblems(log.problems)
        return log
    }

    /// Both UBI indices of the cluster at `url`, read in a point in time, two slices at a time.
    private static func readCluster(_ url: String) async throws -> InteractionLog {
        try await withCluster(url) { try await $0.read() }
    }

    /// Both UBI indices of the cluster at `url` written to `directory`, two slices side by side, each slice's
    /// NDJSON files in time order in a directory of its own (``ClusterLogReader/download(to:)``).
    ///
    /// - Returns: the slice directories, for ``LogFileRecords/init(_:settle:blockSize:)`` to merge by time.
    static func downloadCluster(_ url: String, to directory: String) async throws -> [String] {
        try await withCluster(url) { try await $0.download(to: directory) }
    }

    private static func withCluster<Result>(_ url: String, _ body: (ClusterLogReader) async throws -> Result) async throws -> Result {
        let cluster = try HTTPClusterTransport(url: url)
        do {
            let result = try await body(ClusterLogReader(cluster: cluster))
            try await cluster.close()
            return result
        } catch {
            try? await cluster.close()
            throw error
        }
    }

    /// `N files`, or the cluster's index URLs.
    static func sources(of log: InteractionLog, at logs: String) -> String {
        isCluster(logs) ? log.files.joined(separator: " and ") : "\(log.files.count) files"
    }
}

extension FeatureFamily: ExpressibleByArgument {}
