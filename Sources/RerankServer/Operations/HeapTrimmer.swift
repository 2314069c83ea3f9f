import CHeapStatistics
import ServiceLifecycle

/// Gives the memory malloc holds free back to the system every `limits.heap_trim_s`.
///
/// Under churn (full tables evicting and refilling, served searches' item lists replaced) glibc keeps the pages of
/// freed chunks in its arenas: RSS creeps up while the heap in use stays flat (`/metrics` shows both). A trim
/// takes milliseconds; it runs on a queue of its own, off the event loops.
struct HeapTrimmer: Service {
    let interval: Duration

    func run() async throws {
        // The sleep ends at shutdown and on cancellation, so neither waits for the interval nor spins.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                await OffPoolQueue.fileLoads.run { rerank_heap_trim() }
            }
        }
    }
}
