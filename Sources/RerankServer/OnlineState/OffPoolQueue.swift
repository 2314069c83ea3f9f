import Dispatch

/// A serial queue with a thread of its own, off the threads that run tasks (the event loops in `serve`, else
/// Swift's cooperative pool; one per core either way), for work that would otherwise hold a thread searches need.
///
/// ```swift
/// let model = try await OffPoolQueue.fileLoads.run { try PersonalizationModel(contentsOf: path) }
/// ```
struct OffPoolQueue: Sendable {
    private let queue: DispatchQueue

    /// Where event batches are parsed and applied and served searches folded into the online statistics:
    /// ingestion takes at most one core, and applies searches and events in the order they came.
    static let ingestion = OffPoolQueue(queue: DispatchQueue(label: "rerank.events", qos: .utility))
    /// Where model and config files are read and parsed on a reload (a large model takes seconds).
    static let fileLoads = OffPoolQueue(queue: DispatchQueue(label: "rerank.file-loads", qos: .utility))

    func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }

    func run<Value: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await run { Result { () throws(Failure) in try work() } }
        return try result.get()
    }
}
