import Foundation

/// One UBI record of a log.
public enum LogRecord: Sendable {
    case query(UBIQuery)
    case event(UBIEvent)

    /// The record's timestamp.
    public var timestamp: Date {
        switch self {
        case .query(let query): query.timestamp
        case .event(let event): event.timestamp
        }
    }
}

/// Reads UBI logs a block at a time, in time order, holding a few blocks instead of the whole log.
///
/// Files are found as ``InteractionLogReader`` finds them. Each path given is a series of its own per kind: the
/// files of one kind (`ubi_queries*`, `ubi_events*`, other `_bulk` files) at one path are read one after another
/// in name order, as the sidecar's writer rotates them, each ``blockSize`` bytes at a time with every block's
/// records sorted by timestamp; all series (the kinds of every path, such as the slices of a cluster download)
/// are merged by timestamp, queries before events of the same time. Records of one series that are out of time
/// order across blocks or files come out in the order they were read: consumers that need exact order keep a
/// window (the replay's ``settle`` time). Unreadable lines are collected in ``problems``.
///
/// ```swift
/// var stream = try InteractionLogStream("/var/lib/rerank/logs")
/// while let record = try stream.next() { ... }
/// ```
public struct InteractionLogStream {
    /// Bytes read from a file at a time.
    public static let blockSize = 8 << 20

    /// The files, in the order they are read.
    public let files: [String]
    /// Lines skipped so far, in file and line order per series.
    public private(set) var problems: [LogProblem] = []
    /// Each path's files of one kind; the merge scans their heads, which suits a handful of series.
    private var series: [FileSeries]

    /// Opens the logs at `path` (a log directory or one file); nothing is read yet.
    ///
    /// - Throws: ``EventLogError`` when the path cannot be read or a directory holds no log files.
    public init(_ path: String, blockSize: Int = Self.blockSize) throws(EventLogError) {
        try self.init([path], blockSize: blockSize)
    }

    /// Opens the logs at each of `paths` (log directories or files), each path's files a time-ordered series of
    /// its own, merged with the others by time; nothing is read yet. No paths read as no records.
    ///
    /// ```swift
    /// var stream = try InteractionLogStream(["/tmp/download/slice-0", "/tmp/download/slice-1"])
    /// ```
    ///
    /// - Throws: ``EventLogError`` when a path cannot be read or a directory holds no log files.
    public init(_ paths: [String], blockSize: Int = Self.blockSize) throws(EventLogError) {
        var files: [String] = []
        var series: [FileSeries] = []
        for path in paths {
            let found = try InteractionLogReader.files(at: path)
            files += found.map(\.path)
            series += [LogFileKind.queries, .events, .mixed].compactMap { kind in
                let paths = found.filter { $0.kind == kind }.map(\.path)
                return paths.isEmpty ? nil : FileSeries(paths: paths, kind: kind, blockSize: blockSize)
            }
        }
        self.files = files
        self.series = series
    }

    /// The next record in time order, or nil at the end of the logs.
    ///
    /// - Throws: ``EventLogError`` when a file cannot be read.
    public mutating func next() throws(EventLogError) -> LogRecord? {
        var earliest: (index: Int, time: Date, rank: Int)?
        for index in series.indices {
            guard let head = try series[index].head(problems: &problems) else { continue }
            let rank = if case .query = head { 0 } else { 1 }
            if let best = earliest, (best.time, best.rank) <= (head.timestamp, rank) { continue }
            earliest = (index, head.timestamp, rank)
        }
        guard let earliest else { return nil }
        return series[earliest.index].pop()
    }
}

/// The files of one kind at one path, read one after another, a block at a time.
private struct FileSeries {
    let paths: [String]
    let kind: LogFileKind
    let blockSize: Int
    private var nextPath = 0
    private var handle: FileHandle?
    private var parser: LogFileParser?
    /// Bytes after the last whole line read so far.
    private var carry: [UInt8] = []
    /// The current block's records, in time order, and the next one to hand out.
    private var records: [LogRecord] = []
    private var position = 0

    init(paths: [String], kind: LogFileKind, blockSize: Int) {
        self.paths = paths
        self.kind = kind
        self.blockSize = blockSize
    }

    /// The next record without taking it; reads blocks (and opens files) as needed.
    mutating func head(problems: inout [LogProblem]) throws(EventLogError) -> LogRecord? {
        while position == records.count {
            guard try readBlock(problems: &problems) else { return nil }
        }
        return records[position]
    }

    mutating func pop() -> LogRecord {
        defer { position += 1 }
        return records[position]
    }

    /// Parses the next block of the open file (opening the next file at the end of one); false after the last.
    private mutating func readBlock(problems: inout [LogProblem]) throws(EventLogError) -> Bool {
        records = []
        position = 0
        if handle == nil {
            guard nextPath < paths.count else { return false }
            let path = paths[nextPath]
            nextPath += 1
            do {
                handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            } catch {
                throw .cannotRead(path, error.localizedDescription)
            }
            parser = LogFileParser(path: path, kind: kind)
            carry = []
        }
        let block: Data
        do {
            block = try handle?.read(upToCount: blockSize) ?? Data()
        } catch {
            throw .cannotRead(paths[nextPath - 1], error.localizedDescription)
        }
        var bytes = carry
        bytes.append(contentsOf: block)
        let endsFile = block.isEmpty
        if endsFile {
            try? handle?.close()
            handle = nil
            carry = []
        } else if let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            carry = Array(bytes[(lastNewline + 1)...])
            bytes.removeSubrange((lastNewline + 1)...)
        } else {
            carry = bytes
            return true
        }
        parser?.parse(bytes, endsFile: endsFile)
        guard let parsed = parser?.take() else { return true }
        problems += parsed.problems
        records = (parsed.queries.map(LogRecord.query) + parsed.events.map(LogRecord.event))
            .enumerated()
            .sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            .map(\.element)
        return true
    }
}
