import Dispatch
import Foundation
import Synchronization

/// Runs independent pieces of work on several threads.
///
/// Work is always cut into the same pieces whatever the thread count, and each piece writes only its own
/// output, so results never depend on how many threads ran them.
public enum Parallel {
    /// The number of threads to use for a requested count, where 0 means one per active processor.
    public static func threadCount(_ requested: Int) -> Int {
        requested > 0 ? requested : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Calls `body(i)` for every `i` in `0..<count`, on up to `threads` threads.
    public static func forEach(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if threads <= 1 || count == 1 {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            let workers = min(threads, count)
            let next = AtomicCounter()
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index = next.increment()
                    if index >= count { break }
                    box.value(index)
                }
            }
        }
    }

    /// Splits `0..<count` into `pieces` contiguous ranges of nearly equal length.
    static func ranges(_ count: Int, pieces: Int) -> [Range<Int>] {
        let pieces = max(1, min(pieces, count))
        return (0..<pieces).map { piece in
            (count * piece / pieces)..<(count * (piece + 1) / pieces)
        }
    }
}

/// A shared work counter handed out to worker threads.
final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Returns the current value and adds one.
    func increment() -> Int {
        value.add(1, ordering: .relaxed).oldValue
    }
}

/// Carries a value across a concurrency boundary where the caller guarantees that the threads touch
/// disjoint memory through it (each work item writes only its own slice).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
