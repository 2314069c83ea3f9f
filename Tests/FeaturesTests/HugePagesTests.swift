import Foundation
import Testing

@testable import Features

/// A large reservation keeps the array's elements, and on Linux with transparent huge pages offered, the elements
/// copied into the new buffer already sit in huge pages.
@Suite struct HugePagesTests {
    /// 40 MiB of elements: above ``HugePages/threshold``, and above the most that the C library serves from its
    /// heap (reused memory, already touched) rather than from a mapping of its own.
    static let count = 5 << 20

    @Test func aLargeReservationKeepsTheElements() {
        var numbers = (0..<Self.count).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let before = numbers
        numbers.reserveCapacity(preferringHugePages: 2 * Self.count)
        #expect(numbers.capacity >= 2 * Self.count)
        #expect(numbers == before)
        numbers[0] = 1
        #expect(before[0] == 0, "the copy taken before is its own")
    }

    @Test func elementsHoldingReferencesAreCopiedOnce() {
        var names = (0..<600_000).map { "a name long enough to be on the heap \($0)" }
        let before = names
        names.reserveCapacity(preferringHugePages: 1_000_000)
        #expect(names == before)
        names.removeAll()
        #expect(before[599_999] == "a name long enough to be on the heap 599999")
    }

    @Test(.enabled(if: Self.hugePagesOffered))
    func theCopiedElementsSitInHugePages() throws {
        var numbers = [UInt64](repeating: 7, count: Self.count)
        numbers.reserveCapacity(preferringHugePages: 2 * Self.count)
        let buffer = numbers.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let huge = try Self.anonymousHugePageBytes(in: buffer..<(buffer + UInt(numbers.capacity * 8)))
        // Only the copied 40 MiB were touched. All but the first and last 2 MiB lie in whole huge pages; at least
        // half of them is asked, as the kernel may run short of free huge pages (advice given after the copy
        // leaves none).
        #expect(huge >= 20 << 20, "\(huge) bytes of huge pages")
        #expect(numbers[Self.count - 1] == 7)
    }

    /// Whether the kernel gives huge pages to memory advised so, at its first touch.
    static var hugePagesOffered: Bool {
        func setting(_ name: String) -> String {
            (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/\(name)", encoding: .utf8)) ?? ""
        }
        let enabled = setting("enabled"), defrag = setting("defrag")
        return (enabled.contains("[always]") || enabled.contains("[madvise]"))
            && (defrag.contains("[always]") || defrag.contains("[madvise]") || defrag.contains("[defer+madvise]"))
    }

    /// `AnonHugePages` of the mappings overlapping `range`, from `/proc/self/smaps` (advice splits a mapping
    /// where it starts and ends).
    static func anonymousHugePageBytes(in range: Range<UInt>) throws -> Int {
        // Read to the end: the file reports no size.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var overlaps = false
        var total = 0
        for line in smaps.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let first = words.first, first.contains("-"), !first.hasSuffix(":") {
                let bounds = first.split(separator: "-").compactMap { UInt($0, radix: 16) }
                overlaps = bounds.count == 2 && bounds[0] < range.upperBound && range.lowerBound < bounds[1]
            } else if overlaps, words.first == "AnonHugePages:", words.count >= 2, let kib = Int(words[1]) {
                total += kib * 1024
            }
        }
        return total
    }
}
