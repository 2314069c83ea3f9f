import Synchronization

/// Metric handles by their label values, each made once.
///
/// Making a swift-metrics handle goes through the Prometheus registry: a lock, the labels formatted and compared,
/// a new object. A search did that five times (requests, durations, upstream, outcome), a few percent of the
/// sidecar's CPU passing through. A handle made once records into the same registry metric, so `/metrics` reads
/// the same. Label values must come from a bounded set, as the registry's own would grow with them too.
final class MetricHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let made = Mutex<[Key: Handle]>([:])
    private let make: @Sendable (Key) -> Handle

    init(_ make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
    }

    /// The handle for `key`, made on first use.
    subscript(key: Key) -> Handle {
        if let handle = made.withLock({ $0[key] }) { return handle }
        // Made outside the lock; two threads making the same one get handles of the same registry metric.
        let handle = make(key)
        return made.withLock { made in
            if let first = made[key] { return first }
            made[key] = handle
            return handle
        }
    }
}
