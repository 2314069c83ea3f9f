import Foundation

/// What an ``InteractionLogReader`` read: queries and events, each sorted by timestamp, and every line it
/// could not use.
public struct InteractionLog: Sendable {
    /// `ubi_queries` records, oldest first; records with equal timestamps keep their file order.
    public var queries: [UBIQuery]
    /// `ubi_events` records, oldest first; records with equal timestamps keep their file order.
    public var events: [UBIEvent]
    /// Lines that were skipped, in file and line order.
    public var problems: [LogProblem]
    /// The files read, in the order they were read.
    public var files: [String]

    public init(queries: [UBIQuery] = [], events: [UBIEvent] = [], problems: [LogProblem] = [], files: [String] = []) {
        self.queries = queries
        self.events = events
        self.problems = problems
        self.files = files
    }

    /// A log of records read in any order (files, or the cluster's slices), each kind sorted by timestamp;
    /// records with equal timestamps keep the order they were given in.
    public init(sorting queries: [UBIQuery], events: [UBIEvent], problems: [LogProblem] = [], files: [String] = []) {
        self.init(
            queries: Self.sortedByTime(queries, \.timestamp), events: Self.sortedByTime(events, \.timestamp),
            problems: problems, files: files)
    }

    private static func sortedByTime<Record>(_ records: [Record], _ time: KeyPath<Record, Date>) -> [Record] {
        records.enumerated()
            .sorted { lhs, rhs in
                let left = lhs.element[keyPath: time]
                let right = rhs.element[keyPath: time]
                return left != right ? left < right : lhs.offset < rhs.offset
            }
            .map(\.element)
    }
}

/// A log line the reader skipped, and why.
public struct LogProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file and line.
    public var location: LogLocation
    /// Why the line was skipped, e.g. `torn last line (...)` or `not valid JSON: ...`.
    public var reason: String
    /// The line is a file's partial last line, what a crash mid-append leaves: its append never returned, so
    /// no acknowledged record was lost.
    public var isTornLastLine: Bool

    public init(location: LogLocation, reason: String, isTornLastLine: Bool = false) {
        self.location = location
        self.reason = reason
        self.isTornLastLine = isTornLastLine
    }

    /// `file:line: reason`.
    public var description: String { "\(location): \(reason)" }
}
