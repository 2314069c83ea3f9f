/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, fast on short inputs.
///
/// Used to pseudonymize user and session ids with a secret key, so logs never hold the ids in clear while equal
/// ids still map to equal pseudonyms. Foundation has no HMAC on Linux; SipHash is the standard short keyed hash.
///
/// ```swift
/// let key = SipHash24.Key(k0: 0x0706050403020100, k1: 0x0f0e0d0c0b0a0908)
/// let tag = SipHash24.hash(Array("alice".utf8), key: key)
/// ```
public enum SipHash24 {
    /// The 128-bit key, as two little-endian 64-bit words.
    public struct Key: Sendable, Equatable {
        public let k0: UInt64
        public let k1: UInt64

        public init(k0: UInt64, k1: UInt64) {
            self.k0 = k0
            self.k1 = k1
        }

        /// A key from 16 bytes, read little-endian as the paper does.
        public init?(bytes: [UInt8]) {
            guard bytes.count == 16 else { return nil }
            k0 = Self.littleEndian(bytes[0..<8])
            k1 = Self.littleEndian(bytes[8..<16])
        }

        /// A key from 32 hexadecimal digits (e.g. `openssl rand -hex 16`); nil for anything else.
        public init?(hex: String) {
            let digits = Array(hex.utf8)
            guard digits.count == 32 else { return nil }
            var bytes: [UInt8] = []
            for index in stride(from: 0, to: 32, by: 2) {
                guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
            }
            self.init(bytes: bytes)
        }

        private static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        private static func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }

    /// The SipHash-2-4 tag of `message` under `key`.
    public static func hash(_ message: [UInt8], key: Key) -> UInt64 {
        var state = State(key: key)
        let whole = message.count / 8 * 8
        var index = 0
        while index < whole {
            var word: UInt64 = 0
            for offset in (0..<8).reversed() { word = word << 8 | UInt64(message[index + offset]) }
            state.compress(word)
            index += 8
        }
        var last = UInt64(truncatingIfNeeded: message.count) << 56
        for offset in 0..<(message.count - whole) { last |= UInt64(message[whole + offset]) << (8 * UInt64(offset)) }
        state.compress(last)
        return state.finalize()
    }

    private struct State {
        var v0: UInt64
        var v1: UInt64
        var v2: UInt64
        var v3: UInt64

        init(key: Key) {
            v0 = key.k0 ^ 0x736f_6d65_7073_6575
            v1 = key.k1 ^ 0x646f_7261_6e64_6f6d
            v2 = key.k0 ^ 0x6c79_6765_6e65_7261
            v3 = key.k1 ^ 0x7465_6462_7974_6573
        }

        mutating func round() {
            v0 &+= v1
            v1 = v1.rotatedLeft(13) ^ v0
            v0 = v0.rotatedLeft(32)
            v2 &+= v3
            v3 = v3.rotatedLeft(16) ^ v2
            v0 &+= v3
            v3 = v3.rotatedLeft(21) ^ v0
            v2 &+= v1
            v1 = v1.rotatedLeft(17) ^ v2
            v2 = v2.rotatedLeft(32)
        }

        mutating func compress(_ word: UInt64) {
            v3 ^= word
            round()
            round()
            v0 ^= word
        }

        mutating func finalize() -> UInt64 {
            v2 ^= 0xff
            for _ in 0..<4 { round() }
            return v0 ^ v1 ^ v2 ^ v3
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
