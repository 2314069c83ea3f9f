import Dispatch

/// Where event batches are parsed and applied and served searches folded into the online statistics: one thread
/// of its own, off Swift's cooperative pool (one thread per core), so ingestion never holds a thread that searches
/// need, takes at most one core, and applies searches and events in the order they came.
enum IngestionQueue {
    private static let queue = DispatchQueue(label: "rerank.events", qos: .utility)

    static func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
