/// What each user and each session did with which item, and when: the item ids (as strings, so a forwarded query
/// can leave them out by `_id`) with the latest time of each interaction kind.
///
/// Filters read it (`rerank.filters`, "no repurchase within 30 days", "not clicked again this session"); it is
/// kept apart from ``FeatureStore`` and never enters a model file or the feature schema. Both tables are
/// bounded: past `maxUsers` (or `maxSessions`) the least recently updated user (or session) is forgotten in O(1)
/// (``BoundedTable``); past `maxEventsPerKey` a user's oldest entry makes room, which costs O(`maxEventsPerKey`).
///
/// ```swift
/// var history = InteractionHistory()
/// history.record(LoggedEvent(queryID: nil, time: 100, kind: .purchase, itemID: "sku-1", userID: "u", sessionID: nil, position: nil))
/// history.items(of: .user, "u", kind: .purchase, since: 0)  // ["sku-1"]
/// ```
public struct InteractionHistory: Sendable {
    /// Bounds of the history (`rerank.filter_history` in the configuration).
    public struct Limits: Sendable, Equatable {
        /// Users remembered.
        public var maxUsers = 100_000
        /// Sessions remembered.
        public var maxSessions = 100_000
        /// Item × interaction entries per user or session; the oldest makes room.
        public var maxEventsPerKey = 200

        public init() {}
    }

    /// Whose history: a user's, across sessions, or one session's.
    public enum Owner: Sendable {
        case user
        case session
    }

    /// One item's latest interaction of one kind.
    struct Entry: Sendable {
        var item: String
        var kind: InteractionKind
        var time: Double

        /// Bytes the entry holds: its slot in the list and, past the 15 bytes a string keeps inline, its id.
        var bytes: Int { MemoryLayout<Entry>.stride + (item.utf8.count > 15 ? item.utf8.count + 32 : 0) }
    }

    public let limits: Limits
    private var users: Table
    private var sessions: Table

    public init(limits: Limits = Limits()) {
        self.limits = limits
        users = Table(capacity: limits.maxUsers)
        sessions = Table(capacity: limits.maxSessions)
    }

    /// Remembers `event` under its user and its session.
    public mutating func record(_ event: LoggedEvent) {
        let entry = Entry(item: event.itemID, kind: event.kind, time: event.time)
        if let user = event.userID, !user.isEmpty { users.record(entry, key: FeatureKey.of(user), cap: limits.maxEventsPerKey) }
        if let session = event.sessionID, !session.isEmpty {
            sessions.record(entry, key: FeatureKey.of(session), cap: limits.maxEventsPerKey)
        }
    }

    /// The items `id` (a user or session id) had an interaction of `kind` with at or after `since` (seconds
    /// since 1970).
    public func items(of owner: Owner, _ id: String, kind: InteractionKind, since: Double) -> Set<String> {
        let table = owner == .user ? users : sessions
        guard let slot = table.entries.slot(of: FeatureKey.of(id)) else { return [] }
        var items = Set<String>()
        for entry in table.entries.values[slot] where entry.kind == kind && entry.time >= since { items.insert(entry.item) }
        return items
    }

    /// The `filter_users` and `filter_sessions` tables' entries, capacity, evictions and bytes.
    public var statistics: [TableStatistics] {
        [users.statistics(name: "filter_users"), sessions.statistics(name: "filter_sessions")]
    }

    /// Entry lists by user or session key, with the bytes each list holds beyond the table's own arrays.
    private struct Table: Sendable {
        var entries: BoundedTable<[Entry]>
        private var listBytes: [Int] = []
        private var totalListBytes = 0

        init(capacity: Int) {
            entries = BoundedTable(capacity: capacity, empty: [])
        }

        mutating func record(_ entry: Entry, key: UInt64, cap: Int) {
            let (slot, isNew) = entries.update(key)
            if slot == listBytes.count { listBytes.append(0) }
            if isNew {
                totalListBytes -= listBytes[slot]
                listBytes[slot] = 0
            }
            var list = entries.values[slot]
            entries.values[slot] = []
            var time = entry.time
            if let index = list.firstIndex(where: { $0.item == entry.item && $0.kind == entry.kind }) {
                time = max(time, list[index].time)
                adjust(slot, by: -list[index].bytes)
                list.remove(at: index)
            } else if list.count >= cap {
                adjust(slot, by: -list[0].bytes)
                list.removeFirst()
            }
            let latest = Entry(item: entry.item, kind: entry.kind, time: time)
            adjust(slot, by: latest.bytes)
            list.append(latest)
            entries.values[slot] = list
        }

        private mutating func adjust(_ slot: Int, by bytes: Int) {
            listBytes[slot] += bytes
            totalListBytes += bytes
        }

        func statistics(name: String) -> TableStatistics {
            TableStatistics(
                name: name, entries: entries.count, capacity: entries.capacity, evictions: entries.evictions,
                bytes: entries.bytes + listBytes.capacity * 8 + totalListBytes)
        }
    }
}
