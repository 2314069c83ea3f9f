import CHeapStatistics
import Foundation

/// The process's memory as the kernel and the allocator see it, for `/metrics`.
///
/// A resident set that grows while the heap in use stays flat is the allocator holding freed memory
/// (fragmentation), not a leak; a growing heap in use is live data: a table filling or a leak.
struct ProcessMemory: Sendable {
    /// Resident set size (`/proc/self/statm`).
    var residentBytes: Int?
    /// Bytes handed out by malloc and not freed, mapped chunks included (glibc's `mallinfo2`; nil elsewhere).
    var heapInUseBytes: Int?
    /// Bytes malloc holds free for reuse.
    var heapFreeBytes: Int?

    static func current() -> ProcessMemory {
        var memory = ProcessMemory()
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            memory.residentBytes = pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        }
        var inUse = 0
        var free = 0
        if rerank_heap_statistics(&inUse, &free) == 1 {
            memory.heapInUseBytes = inUse
            memory.heapFreeBytes = free
        }
        return memory
    }
}
