import Foundation

/// Reads UBI interaction logs from a log directory or a single file.
///
/// A directory (`--logs DIR`) is read file by file in name order: `ubi_queries*.ndjson` and `ubi_events*.ndjson`
/// (rotated files included, and logrotate's `*.ndjson.1`), plus any other `*.ndjson` file read as an OpenSearch
/// `_bulk` file mixing both kinds (an action line `{"index": {"_index": "ubi_queries"}}` before each document).
/// Hidden files and the importer's `items.ndjson` and `users.ndjson` are skipped. Subdirectories are not read.
///
/// Lines that cannot be used are skipped and reported in ``InteractionLog/problems`` with file and line; a file
/// that ends in a partial line without a newline (what a crash leaves) is reported as a torn last line.
///
/// ```swift
/// let log = try InteractionLogReader().read("/var/lib/rerank/logs")
/// for problem in log.problems { print(problem) }
/// ```
public struct InteractionLogReader: Sendable {
    /// Catalog and user metadata the importer writes next to the logs; they hold no UBI records.
    public static let metadataFileNames: Set<String> = ["items.ndjson", "users.ndjson"]

    public init() {}

    /// Reads every log file of a directory, or one file.
    ///
    /// - Parameter path: a log directory or an NDJSON / `_bulk` file.
    /// - Returns: queries and events sorted by timestamp (stable), and the lines that were skipped.
    /// - Throws: ``EventLogError`` when the path cannot be read or a directory holds no log files.
    public func read(_ path: String) throws(EventLogError) -> InteractionLog {
        let files = try Self.files(at: path)
        var queries: [UBIQuery] = []
        var events: [UBIEvent] = []
        var problems: [LogProblem] = []
        for file in files {
            var parser = LogFileParser(path: file.path, kind: file.kind)
            parser.parse(try Self.contents(of: file.path))
            queries.append(contentsOf: parser.queries)
            events.append(contentsOf: parser.events)
            problems.append(contentsOf: parser.problems)
        }
        return InteractionLog(sorting: queries, events: events, problems: problems, files: files.map(\.path))
    }

    /// The log files at `path` (a directory's, or the file itself) in the order they are read, with their kinds.
    static func files(at path: String) throws(EventLogError) -> [(path: String, kind: LogFileKind)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotRead(path, "no such file or directory")
        }
        guard isDirectory.boolValue else {
            return [(path, Self.kind(ofFileNamed: (path as NSString).lastPathComponent) ?? .mixed)]
        }
        let files = try Self.logFiles(in: path)
        guard !files.isEmpty else { throw .noLogFiles(path) }
        return files
    }

    /// The log files of `directory` in the order they are read, with the kind their names imply.
    static func logFiles(in directory: String) throws(EventLogError) -> [(path: String, kind: LogFileKind)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .cannotRead(directory, error.localizedDescription)
        }
        return names.sorted().compactMap { name in
            guard !name.hasPrefix("."), !metadataFileNames.contains(name), let kind = kind(ofFileNamed: name) else {
                return nil
            }
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { return nil }
            return (path, kind)
        }
    }

    /// The kind of records a file holds by its name, or nil when the name is not an NDJSON log's.
    static func kind(ofFileNamed name: String) -> LogFileKind? {
        guard isNDJSON(name) else { return nil }
        if name.hasPrefix("ubi_queries") { return .queries }
        if name.hasPrefix("ubi_events") { return .events }
        return .mixed
    }

    /// `*.ndjson`, or a logrotate copy such as `*.ndjson.1`.
    private static func isNDJSON(_ name: String) -> Bool {
        if name.hasSuffix(".ndjson") { return true }
        guard let range = name.range(of: ".ndjson.", options: .backwards) else { return false }
        let suffix = name[range.upperBound...]
        return !suffix.isEmpty && suffix.allSatisfy(\.isASCII) && suffix.allSatisfy(\.isNumber)
    }

    private static func contents(of path: String) throws(EventLogError) -> [UInt8] {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw .cannotRead(path, error.localizedDescription)
        }
    }
}
