import NIOCore
import NIOPosix
import Synchronization

/// Runs a search's CPU-bound work on a thread pool and stops waiting for it when the budget is spent.
///
/// Synchronous work cannot be interrupted: when the deadline comes first the caller goes on with nil at the
/// deadline, and the work's result is dropped whenever it ends. The work runs on pool threads, never on the event
/// loops (which also run the tasks when `serve` makes them the global executor), so a ranker that stalls holds a
/// pool thread, not the sockets of every connection on a loop, and the timer still fires. The timer is a task
/// scheduled on an event loop: a search that finishes in time costs a heap insert and removal.
struct RankingDeadline: Sendable {
    /// How long the work may take; zero or less answers nil without running it.
    let budget: Duration
    /// Where the timers run.
    var timers: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    /// Where the work runs.
    var workers: NIOThreadPool = .singleton

    /// The work's value when it was done within the budget, else nil, at the deadline.
    func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value? {
        guard budget > .zero else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        let budget = budget
        return await withCheckedContinuation { continuation in
            let answer = AnswerOnce(continuation)
            let timer = timers.any().scheduleTask(in: TimeAmount(budget)) { answer.resume(nil) }
            workers.submit { state in
                guard case .active = state else { return answer.resume(nil) }
                let value = work()
                timer.cancel()
                // Done after the budget but before the timer fired (a busy event loop) is still too late.
                answer.resume(clock.now - start <= budget ? value : nil)
            }
        }
    }
}

/// Resumes a continuation with the first answer given; later answers are dropped.
private final class AnswerOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value?, Never>?>

    init(_ continuation: CheckedContinuation<Value?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Value?) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
