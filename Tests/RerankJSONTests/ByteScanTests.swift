import Testing

@testable import RerankJSON

/// The word-at-a-time tests agree with the byte-at-a-time definitions for every byte value at every position.
@Suite struct ByteScanTests {
    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { ByteScan.word($0, at: 0) }
    }

    /// The offset of the first byte that ends, escapes or may not appear in a string; nil when all eight are plain.
    static func firstSpecial(_ bytes: [UInt8]) -> Int? {
        let specials = ByteScan.stringSpecials(word(bytes))
        return specials == 0 ? nil : specials.trailingZeroBitCount >> 3
    }

    static func isSpecial(_ value: UInt8) -> Bool { value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") || value < 0x20 }

    @Test func stringSpecialBytesAreFoundAtEveryPosition() {
        let plain = Array("abcdefgh".utf8)
        #expect(Self.firstSpecial(plain) == nil)
        for position in 0..<8 {
            for value in UInt8.min...UInt8.max {
                var bytes = plain
                bytes[position] = value
                #expect(Self.firstSpecial(bytes) == (Self.isSpecial(value) ? position : nil), "byte \(value) at \(position)")
            }
        }
    }

    /// A special byte's borrow may mark bytes after it; the first mark is still the first special byte.
    @Test func theFirstOfSeveralSpecialBytesIsFound() {
        let plain = Array("abcdefgh".utf8)
        let specials: [UInt8] = [0x00, 0x01, 0x1F, UInt8(ascii: "\""), UInt8(ascii: "\\")]
        let after: [UInt8] = specials + [0x20, 0x21, 0x22 + 1, 0x5C + 1, 0x7F, 0x80, 0xFF]
        for first in 0..<8 {
            for special in specials {
                for later in after {
                    for position in first..<8 {
                        var bytes = plain
                        for rest in position..<8 { bytes[rest] = later }
                        bytes[first] = special
                        #expect(Self.firstSpecial(bytes) == first, "\(special) at \(first), then \(later) from \(position)")
                    }
                }
            }
        }
    }

    @Test func asciiIsEveryByteBelow0x80AtAnyLength() {
        for length in 0..<20 {
            let ascii = [UInt8](repeating: 0x7F, count: length)
            #expect(ascii.withUnsafeBufferPointer(ByteScan.isASCII))
            for position in 0..<length {
                var bytes = ascii
                bytes[position] = 0x80
                #expect(!bytes.withUnsafeBufferPointer(ByteScan.isASCII), "length \(length), 0x80 at \(position)")
            }
        }
    }
}
