import EventLog
import Features
import Personalization
import RerankCore

/// The users' and sessions' event history that `exclude` filters read, shared by every request: fed by accepted
/// `POST /_rerank/events` and, at start, by the log directory's events; read by searches under a shared lock.
final class FilterHistory: Sendable {
    private let history: ReadWriteLock<InteractionHistory>

    init(limits: InteractionHistory.Limits) {
        history = ReadWriteLock(InteractionHistory(limits: limits))
    }

    /// Remembers clicks, add-to-carts and purchases; other events carry nothing a filter reads.
    func record(_ events: [UBIEvent]) {
        record(events.compactMap(LoggedEvent.init(ubi:)))
    }

    func record(_ events: [LoggedEvent]) {
        guard !events.isEmpty else { return }
        history.write { history in
            for event in events { history.record(event) }
        }
    }

    /// Remembers the events `log` holds, dated at most `notAfter` (now plus the allowed clock skew).
    ///
    /// - Returns: how many events were applied.
    @discardableResult
    func catchUp(with log: InteractionLog, notAfter: Double) -> Int {
        let events = log.loggedEvents().filter { $0.time <= notAfter }
        record(events)
        return events.count
    }

    /// The items `id` had an interaction of `kind` with at or after `since`.
    func items(of owner: InteractionHistory.Owner, _ id: String, kind: InteractionKind, since: Double) -> Set<String> {
        history.read { $0.items(of: owner, id, kind: kind, since: since) }
    }

    /// The history tables' entries, capacity, evictions and bytes, for `/metrics`.
    var statistics: [TableStatistics] { history.read { $0.statistics } }
}
