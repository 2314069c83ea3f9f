import RerankCore
import Testing

@testable import RerankJSON

/// Numbers read from their bytes are, bit for bit, what `Double(String)` reads: on the fast path and off it.
@Suite struct JSONNumberTests {
    static func read(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { JSONNumber.double($0) }
    }

    static func expectSame(_ text: String) {
        let expected = Double(text)
        let read = Self.read(text)
        #expect(read?.bitPattern == expected?.bitPattern, "\(text): \(String(describing: read)) against \(String(describing: expected))")
    }

    @Test func writtenAsEnginesWriteThem() {
        for text in [
            "0", "-0", "0.0", "-0.0", "1", "-1", "94.47", "0.38503549", "8.254145E-5", "8.254145e-5", "1e22", "1e23",
            "9007199254740992", "9007199254740993", "12345678901234567890", "0.1", "0.30000000000000004", "1E+2", "2.5e-22",
            "2.5e-23", "4.9e-324", "1.7976931348623157e308", "1e309", "0e999", "123456789012345678", "0.000000000000000000001",
        ] {
            Self.expectSame(text)
        }
    }

    @Test func textThatIsNotAJSONNumber() {
        for text in ["", "-", "+1", ".5", "1.", "1e", "1e+", "inf", "nan", "0x10", " 1", "1 ", "--1", "1.2.3", "1e5e5"] {
            Self.expectSame(text)
        }
    }

    @Test func randomDecimals() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let digits = String((0..<(1 + Int(random.next() % 24))).map { _ in Character(String(random.next() % 10)) })
            var text = random.next() % 2 == 0 ? "" : "-"
            let point = Int(random.next() % UInt64(digits.count + 1))
            text += point == 0 || point == digits.count ? digits : "\(digits.prefix(point)).\(digits.dropFirst(point))"
            if random.next() % 2 == 0 { text += "e\(Int(random.next() % 60) - 30)" }
            Self.expectSame(text)
        }
    }
}
