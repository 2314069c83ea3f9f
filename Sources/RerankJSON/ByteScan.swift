/// Word-at-a-time tests over bytes (eight per step, "SWAR"), for the scanners' long runs of plain string bytes.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset`, the first in the lowest bits.
    @inline(__always)
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + offset).loadUnaligned(as: UInt64.self))
    }

    /// Where `word`'s bytes end or escape a JSON string, or may not appear in one (`"`, `\` or a control character,
    /// below 0x20): the high bit of such bytes set. Bytes above the first such byte may be marked wrongly (a
    /// borrow), so only the lowest mark is exact: `trailingZeroBitCount / 8` is the first special byte's offset.
    @inline(__always)
    static func stringSpecials(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highBits
    }

    /// Whether every byte is below 0x80 (ASCII text is valid UTF-8 as it stands).
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        while offset + 8 <= bytes.count {
            if word(bytes, at: offset) & highBits != 0 { return false }
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] >= 0x80 { return false }
            offset += 1
        }
        return true
    }
}
