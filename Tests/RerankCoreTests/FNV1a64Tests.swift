import RerankCore
import Testing

/// The model file checksum: FNV-1a 64's published values, and the same hash whole or in pieces.
@Suite struct FNV1a64Tests {
    @Test func publishedValues() {
        #expect(FNV1a64.hash([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a64.hash(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a64.label(Array("a".utf8)) == "fnv1a64:af63dc4c8601ec8c")
        #expect(FNV1a64.label(hash: 0x1f) == "fnv1a64:000000000000001f")
    }

    @Test func piecesHashAsTheWhole() {
        let bytes = Array("{\"checksum\":\"\",\"extras\":{}}".utf8)
        for split in 0...bytes.count {
            #expect(FNV1a64.hash(bytes[split...], from: FNV1a64.hash(bytes[..<split])) == FNV1a64.hash(bytes))
        }
    }
}
