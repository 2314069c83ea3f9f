import RerankCore
import Testing

@testable import Features

/// ASCII queries are normalized byte by byte exactly as `Character`s would be.
@Suite struct QueryNormalizationTests {
    static func slow(_ query: String) -> String {
        query.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }).joined(separator: " ")
    }

    @Test func everyASCIIByteInEveryPlace() {
        for byte in UInt8(0)..<128 {
            let c = String(decoding: [byte], as: UTF8.self)
            for query in ["a\(c)B", "\(c)x", "X\(c)", "\(c)\(c)", "\(c)", "Red\(c)\(c)Shoes\(c)", "\r\n\(c)"] {
                #expect(FeatureStore.asciiNormalized(query) == Self.slow(query), "byte \(byte) in \(query.debugDescription)")
            }
        }
    }

    @Test func randomASCIIQueries() {
        var random = SplitMix64(seed: 9)
        for _ in 0..<5_000 {
            let bytes = (0..<Int(random.next() % 24)).map { _ in UInt8(random.next() % 128) }
            let query = String(decoding: bytes, as: UTF8.self)
            #expect(FeatureStore.asciiNormalized(query) == Self.slow(query), "\(bytes)")
        }
    }

    @Test func otherQueriesTakeTheUnicodePath() {
        #expect(FeatureStore.asciiNormalized("Café  crème") == nil)
        #expect(FeatureStore.normalize(query: "Café  CRÈME!") == "café crème")
        #expect(FeatureStore.normalize(query: "  Red   SHOES, size 42 ") == "red shoes size 42")
    }
}
