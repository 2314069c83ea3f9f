import Testing

@testable import RerankCore

/// SipHash-2-4 against the vectors of the SipHash paper and its reference implementation (key 00 01 … 0f,
/// message 00 01 … of the given length, tag read little-endian).
@Suite struct SipHashTests {
    let key = SipHash24.Key(bytes: Array(0..<16))!

    @Test(arguments: [
        (0, 0x726f_db47_dd0e_0e31 as UInt64),
        (1, 0x74f8_39c5_93dc_67fd),
        (15, 0xa129_ca61_49be_45e5),  // the paper's Appendix A example
    ])
    func matchesTheReferenceVectors(length: Int, tag: UInt64) {
        #expect(SipHash24.hash((0..<length).map { UInt8($0) }, key: key) == tag)
    }

    @Test func readsAHexKeyAsTheBytesItSpells() {
        #expect(SipHash24.Key(hex: "000102030405060708090a0b0c0d0e0f") == key)
        #expect(SipHash24.Key(hex: "000102030405060708090A0B0C0D0E0F") == key)
        #expect(SipHash24.Key(hex: "000102030405060708090a0b0c0d0e") == nil, "too short")
        #expect(SipHash24.Key(hex: "000102030405060708090a0b0c0d0e0g") == nil, "not hex")
    }

    @Test func theKeyChangesTheTag() {
        let other = SipHash24.Key(k0: key.k0 ^ 1, k1: key.k1)
        let message = Array("alice".utf8)
        #expect(SipHash24.hash(message, key: key) != SipHash24.hash(message, key: other))
        #expect(SipHash24.hash(message, key: key) == SipHash24.hash(message, key: key))
    }
}
