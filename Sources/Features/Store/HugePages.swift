#if canImport(Glibc)
import Glibc
#endif

extension Array {
    /// Reserves room for `count` elements and, on Linux, asks for transparent huge pages for a large
    /// reservation. The store's tables are read at random: with 4 KiB pages almost every lookup in a table of
    /// hundreds of MiB also misses the TLB, and the page walks, not the cache misses, then bound how many
    /// lookups the processor overlaps. Where huge pages are off (or not offered) this is a plain reservation.
    mutating func reserveCapacity(preferringHugePages count: Int) {
        #if os(Linux)
        guard count > capacity, count * MemoryLayout<Element>.stride >= HugePages.threshold else {
            reserveCapacity(count)
            return
        }
        // The new buffer is advised before the elements are copied into it, so that the pages the copy touches
        // are huge from their first fault: advice given after the copy leaves the copied part (half of a
        // doubled table) in 4 KiB pages.
        let old = self
        self = Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            let bytes = buffer.count * MemoryLayout<Element>.stride
            HugePages.advise(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: bytes)
            old.withUnsafeBufferPointer { initialized = buffer.initialize(fromContentsOf: $0) }
        }
        #else
        reserveCapacity(count)
        #endif
    }
}

enum HugePages {
    /// Arrays smaller than this keep the default: a huge page is 2 MiB, and small tables stay in the caches.
    static let threshold = 8 << 20

    #if os(Linux)
    /// `madvise(MADV_HUGEPAGE)` on the whole pages inside `bytes` from `start`. Advice only: a refusal changes
    /// nothing but speed, so its result is not checked.
    static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + bytes) / page * page
        guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(aligned, end - first, MADV_HUGEPAGE)
    }
    #endif
}
