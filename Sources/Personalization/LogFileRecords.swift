import EventLog
import Features
import Foundation

/// UBI log files handed to a replay as searches and interactions in time order, read a block at a time
/// (``InteractionLogStream``): memory holds the last ``settle`` seconds of records, not the log.
///
/// Records wait ``settle`` seconds (of log time) before they are handed out, and are handed out in time order
/// within that window: long enough for a search's `impression` events and session id to arrive (logs that
/// record shown items as events, ``InteractionLog/loggedImpressions()``) and for records the files hold slightly
/// out of order. A record read later than that, dated before one already handed out, is refused with
/// ``EventLogError/outOfTimeOrder(_:behind:)``: a replay must meet records in time order, and such logs are read
/// into memory instead. Impression events more than ``settle`` seconds after their search no longer reach it.
///
/// ```swift
/// var records = try LogFileRecords("/var/lib/rerank/logs")
/// while let record = try records.next() { ... }
/// ```
public struct LogFileRecords: ReplaySource {
    /// How long records wait for what belongs to them: five minutes, as long as an event waits for its search.
    public static let defaultSettle = StreamingJoin.defaultLateness

    private var stream: InteractionLogStream
    private let settle: Double
    /// Records read and not handed out, in time order from `head`.
    private var waiting: [Waiting] = []
    private var head = 0
    private var read = 0
    private var newest = -Double.infinity
    private var ended = false
    /// What searches' events said about them, until the search is handed out, and when each was noted.
    private var shownByEvents: [String: [(position: Int, item: String)]] = [:]
    private var sessions: [String: String] = [:]
    private var noted: [(time: Double, queryID: String)] = []
    private var firstNoted = 0

    /// The time of the latest record handed out: a record dated before it is refused (``next()``).
    private var lastHandedOut = -Double.infinity

    /// The files, in the order they are read.
    public var files: [String] { stream.files }
    /// Lines skipped so far.
    public var problems: [LogProblem] { stream.problems }

    /// Opens the logs at `path` (a log directory or one file); nothing is read yet.
    ///
    /// - Throws: ``EventLogError`` when the path cannot be read or a directory holds no log files.
    /// - Parameter blockSize: bytes read from a file at a time.
    public init(
        _ path: String, settle: Double = Self.defaultSettle, blockSize: Int = InteractionLogStream.blockSize
    ) throws(EventLogError) {
        try self.init([path], settle: settle, blockSize: blockSize)
    }

    /// Opens the logs at each of `paths` (log directories or files, such as the slices of a cluster download),
    /// each a time-ordered series of its own, merged by time as ``InteractionLogStream`` merges them; nothing is
    /// read yet.
    ///
    /// - Throws: ``EventLogError`` when a path cannot be read or a directory holds no log files.
    /// - Parameter blockSize: bytes read from a file at a time.
    public init(
        _ paths: [String], settle: Double = Self.defaultSettle, blockSize: Int = InteractionLogStream.blockSize
    ) throws(EventLogError) {
        stream = try InteractionLogStream(paths, blockSize: blockSize)
        self.settle = settle
    }

    /// The next record in time order, or nil after the last.
    ///
    /// - Throws: ``EventLogError`` when a file cannot be read, or a record is further out of time order than
    ///   ``settle`` reaches.
    public mutating func next() throws(EventLogError) -> ReplayRecord? {
        while true {
            if head < waiting.count, ended || waiting[head].time + settle < newest {
                let (record, time) = (waiting[head].record, waiting[head].time)
                guard time >= lastHandedOut else {
                    throw .outOfTimeOrder(record.location?.description ?? "a record", behind: lastHandedOut - time)
                }
                lastHandedOut = time
                head += 1
                compact()
                if let replayed = replayRecord(record) { return replayed }
                continue
            }
            if ended { return nil }
            guard let record = try stream.next() else {
                ended = true
                continue
            }
            add(record)
        }
    }

    private mutating func add(_ record: LogRecord) {
        let time = record.timestamp.timeIntervalSince1970
        newest = max(newest, time)
        if case .event(let event) = record, let queryID = event.queryID {
            if event.actionName == "impression", let item = event.objectID {
                shownByEvents[queryID, default: []].append((event.position ?? Int.max, item))
                noted.append((time, queryID))
            }
            if let session = event.sessionID, sessions[queryID] == nil {
                sessions[queryID] = session
                noted.append((time, queryID))
            }
        }
        let entry = Waiting(time: time, rank: record.isQuery ? 0 : 1, order: read, record: record)
        read += 1
        var index = waiting.count
        while index > head, entry < waiting[index - 1] { index -= 1 }
        waiting.insert(entry, at: index)
    }

    /// The record as a replay reads it; nil for searches that show nothing and events that are not interactions.
    private mutating func replayRecord(_ record: LogRecord) -> ReplayRecord? {
        switch record {
        case .query(let query):
            let impression = LoggedImpression(
                ubi: query, shownByEvents: shownByEvents.removeValue(forKey: query.queryID),
                eventSession: sessions.removeValue(forKey: query.queryID))
            forget(before: query.timestamp.timeIntervalSince1970 - settle)
            return impression.map(ReplayRecord.impression)
        case .event(let event):
            return LoggedEvent(ubi: event).map(ReplayRecord.event)
        }
    }

    /// Drops what events said about searches that were never read, once it is older than any search to come.
    private mutating func forget(before time: Double) {
        while firstNoted < noted.count, noted[firstNoted].time < time {
            shownByEvents[noted[firstNoted].queryID] = nil
            sessions[noted[firstNoted].queryID] = nil
            firstNoted += 1
        }
        if firstNoted > 4096, firstNoted * 2 > noted.count {
            noted.removeFirst(firstNoted)
            firstNoted = 0
        }
    }

    private mutating func compact() {
        if head > 4096, head * 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
    }

    /// A record waiting to be handed out, ordered by time, searches first, then the order read.
    private struct Waiting: Comparable {
        let time: Double
        let rank: Int
        let order: Int
        let record: LogRecord

        static func < (lhs: Waiting, rhs: Waiting) -> Bool {
            (lhs.time, lhs.rank, lhs.order) < (rhs.time, rhs.rank, rhs.order)
        }

        static func == (lhs: Waiting, rhs: Waiting) -> Bool { lhs.order == rhs.order }
    }
}

extension LogRecord {
    fileprivate var isQuery: Bool {
        if case .query = self { true } else { false }
    }

    /// The file and line the record was read from.
    fileprivate var location: LogLocation? {
        switch self {
        case .query(let query): query.location
        case .event(let event): event.location
        }
    }
}
