import Synchronization

/// The query ids of the latest searches of some kind, at most `capacity` of them (the oldest forgotten first):
/// which searches an event may belong to when no statistics remember them.
final class RecentQueryIDs: Sendable {
    private struct Ring {
        var order: [String?]
        var next = 0
        var members: Set<String> = []
    }

    private let ring: Mutex<Ring>

    init(capacity: Int) {
        ring = Mutex(Ring(order: Array(repeating: nil, count: max(1, capacity))))
    }

    /// Remembers `queryID`, forgetting the oldest when full.
    func insert(_ queryID: String) {
        ring.withLock { ring in
            guard ring.members.insert(queryID).inserted else { return }
            if let old = ring.order[ring.next] { ring.members.remove(old) }
            ring.order[ring.next] = queryID
            ring.next = (ring.next + 1) % ring.order.count
        }
    }

    func contains(_ queryID: String) -> Bool {
        ring.withLock { $0.members.contains(queryID) }
    }
}
