import Testing

@testable import RerankJSON

/// The word-at-a-time tests agree with the byte-at-a-time definitions for every byte value at every position.
@Suite struct ByteScanTests {
    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { ByteScan.word($0, at: 0) }
    }

    @Test func stringSpecialBytesAreFoundAtEveryPosition() {
        let plain = Array("abcdefgh".utf8)
        #expect(!ByteScan.hasStringSpecial(Self.word(plain)))
        for position in 0..<8 {
            for value in UInt8.min...UInt8.max {
                var bytes = plain
                bytes[position] = value
                let special = value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") || value < 0x20
                #expect(ByteScan.hasStringSpecial(Self.word(bytes)) == special, "byte \(value) at \(position)")
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
