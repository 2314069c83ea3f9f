import EventLog
import Foundation
import RerankJSON

/// How far one UBI index has been read, per writing sidecar: which of each writer's numbered records
/// (``SidecarStamp``) were applied, and the query for the ones that were not.
///
/// Records of one writer become searchable out of order (a `_bulk` spreads them over shards that refresh
/// apart), so a number may show up after higher ones. Each writer keeps `applied` (every number up to it is done)
/// and the runs above it already done; a record is new when neither covers it. The query asks each known writer
/// for numbers above `applied` outside its runs, and any other writer for records dated after `since`. A gap
/// that stays open for `gapTimeout` seconds (a record the cluster refused, or one dated at or before `since`) is
/// given up, so the runs stay few and the query small; but only after a poll that saw every record waiting,
/// since a partial page says nothing about what is missing.
///
/// ```swift
/// var cursor = TailCursor(own: stamp.instance, since: store.latest)
/// if cursor.admit(instance: "9f2c…", sequence: 42) { apply(record) }
/// cursor.settle(now: Date().timeIntervalSince1970)
/// ```
public struct TailCursor: Sendable {
    /// One writer's progress.
    struct Progress: Sendable, Equatable {
        /// Every number up to this one is applied (or given up).
        var applied: Int
        /// Applied numbers above `applied + 1`, as disjoint ascending runs.
        var runs: [ClosedRange<Int>] = []
        /// Since when `applied + 1` has been missing with runs above it.
        var gapSince: Double?
    }

    /// Seconds a missing number is waited for before it is given up.
    public static let gapTimeout = 10.0
    /// The most runs kept per writer; beyond it the lowest gap is given up.
    static let maxRuns = 16

    /// This process's instance: its own records are never read back.
    public let own: String
    /// Records dated at or before it are already in the statistics.
    public let since: Date
    private(set) var writers: [String: Progress] = [:]

    public init(own: String, since: Date) {
        self.own = own
        self.since = since
    }

    /// Starts from a catch-up's records: each writer's numbers below the lowest seen are done (they are dated at
    /// or before `since`), the ones seen are applied.
    public mutating func start(with seen: [(instance: String, sequence: Int)]) {
        var numbers: [String: [Int]] = [:]
        for record in seen where record.instance != own { numbers[record.instance, default: []].append(record.sequence) }
        for (instance, list) in numbers {
            let sorted = list.sorted()
            writers[instance] = Progress(applied: sorted[0] - 1)
            for number in sorted { _ = admit(instance: instance, sequence: number) }
        }
    }

    /// Which records of one page (in any order) are new, marking them applied. A writer seen for the first time
    /// starts below its lowest number on the page.
    public mutating func admit(_ page: [(instance: String, sequence: Int)]) -> [Bool] {
        for record in page where writers[record.instance] == nil && record.instance != own {
            let lowest = page.lazy.filter { $0.instance == record.instance }.map(\.sequence).min()!
            writers[record.instance] = Progress(applied: lowest - 1)
        }
        return page.map { admit(instance: $0.instance, sequence: $0.sequence) }
    }

    /// Whether the record is new; if so it is marked applied.
    public mutating func admit(instance: String, sequence: Int) -> Bool {
        guard instance != own else { return false }
        var progress = writers[instance] ?? Progress(applied: sequence - 1)
        defer { writers[instance] = progress }
        guard sequence > progress.applied, !progress.runs.contains(where: { $0.contains(sequence) }) else { return false }
        progress.insert(sequence)
        return true
    }

    /// Gives up the gaps open longer than ``gapTimeout``, or beyond ``maxRuns``, when the last poll saw every
    /// record waiting (`viewComplete`).
    ///
    /// - Returns: how many numbers were given up.
    @discardableResult
    public mutating func settle(now: Double, viewComplete: Bool = true) -> Int {
        guard viewComplete else { return 0 }
        var givenUp = 0
        for instance in writers.keys {
            givenUp += writers[instance]!.settle(now: now)
        }
        return givenUp
    }

    /// The query for records not applied yet: other writers' numbers beyond their progress, and records of writers
    /// not seen yet dated after `since`.
    public var query: JSONObject {
        let stamped = JSONObject(["exists": .object(JSONObject(["field": .string(SidecarStamp.sequenceField)]))])
        var should: [JSONValue] = writers.sorted { $0.key < $1.key }.map { instance, progress in
            var mustNot: [JSONValue] = []
            for run in progress.runs {
                mustNot.append(Self.range(SidecarStamp.sequenceField, ["gte": .int(run.lowerBound), "lte": .int(run.upperBound)]))
            }
            var clause = JSONObject([
                "filter": .array([Self.term(instance), Self.range(SidecarStamp.sequenceField, ["gt": .int(progress.applied)])])
            ])
            if !mustNot.isEmpty { clause["must_not"] = .array(mustNot) }
            return .object(JSONObject(["bool": .object(clause)]))
        }
        let known = writers.keys.sorted().map(JSONValue.string)
        var unseen = JSONObject(["filter": .array([Self.range("timestamp", ["gt": .string(UBITimestamp.string(from: since))])])])
        if !known.isEmpty {
            unseen["must_not"] = .array([.object(JSONObject(["terms": .object(JSONObject([SidecarStamp.instanceField: .array(known)]))]))])
        }
        should.append(.object(JSONObject(["bool": .object(unseen)])))
        return JSONObject([
            "bool": .object(JSONObject([
                "filter": .array([.object(stamped)]),
                "must_not": .array([Self.term(own)]),
                "should": .array(should),
                "minimum_should_match": .int(1),
            ]))
        ])
    }

    private static func term(_ instance: String) -> JSONValue {
        .object(JSONObject(["term": .object(JSONObject([SidecarStamp.instanceField: .string(instance)]))]))
    }

    private static func range(_ field: String, _ bounds: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(JSONObject(["range": .object(JSONObject([field: .object(JSONObject(bounds))]))]))
    }
}

extension TailCursor.Progress {
    /// Marks `number` (above `applied`, in no run) applied.
    mutating func insert(_ number: Int) {
        if number == applied + 1 {
            applied = number
        } else {
            let at = runs.firstIndex { $0.lowerBound > number } ?? runs.count
            runs.insert(number...number, at: at)
        }
        merge()
    }

    /// Gives up the lowest gap when it has been open too long or there are too many runs.
    mutating func settle(now: Double) -> Int {
        guard let first = runs.first else {
            gapSince = nil
            return 0
        }
        let since = gapSince ?? now
        gapSince = since
        guard now - since >= TailCursor.gapTimeout || runs.count > TailCursor.maxRuns else { return 0 }
        let skipped = first.lowerBound - applied - 1
        applied = first.lowerBound - 1
        merge()
        gapSince = runs.isEmpty ? nil : now
        return skipped
    }

    /// Joins adjacent runs and moves `applied` through a run that starts right after it.
    private mutating func merge() {
        var merged: [ClosedRange<Int>] = []
        for run in runs {
            if let last = merged.last, last.upperBound + 1 >= run.lowerBound {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, run.upperBound)
            } else {
                merged.append(run)
            }
        }
        while let first = merged.first, first.lowerBound <= applied + 1 {
            applied = max(applied, first.upperBound)
            merged.removeFirst()
            gapSince = nil
        }
        runs = merged
    }
}
