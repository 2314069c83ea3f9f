import Dispatch

/// A serial queue with a thread of its own, off the threads that run tasks (the event loops in `serve`, else
/// Swift's cooperative pool; one per core either way), for work that would otherwise hold a thread searches need.
///
/// ```swift
/// let model = try await OffPoolQueue.fileLoads.run { try PersonalizationModel(contentsOf: path) }
/// ```
struct OffPoolQueue: Sendable {
    private let queue: DispatchQueue
    /// Runs tasks on the queue: `withTaskExecutorPreference(OffPoolQueue.ingestion.executor) { ... }` keeps a
    /// task's synchronous stretches, and the default actors it calls, off the event loops.
    let executor: QueueExecutor

    /// Where event batches are parsed and applied and served searches folded into the online statistics:
    /// ingestion takes at most one core, and applies searches and events in the order they came.
    static let ingestion = OffPoolQueue(label: "rerank.events")
    /// Where model and config files are read and parsed on a reload (a large model takes seconds).
    static let fileLoads = OffPoolQueue(label: "rerank.file-loads")

    private init(label: String) {
        queue = DispatchQueue(label: label, qos: .utility)
        executor = QueueExecutor(queue)
    }

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

/// A task executor that runs jobs on a serial dispatch queue, one at a time, in the order they come.
final class QueueExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(_ queue: DispatchQueue) {
        self.queue = queue
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
