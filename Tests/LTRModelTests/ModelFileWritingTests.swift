import Foundation
import RerankCore
import RerankFixtures
import Testing

@testable import LTRModel

/// Writing a model file with its extras encoded from their own type: the unchanged loader accepts it and reads back
/// the same values, and the bytes are the earlier writer's (extras read into a `ModelExtras` tree first), whose
/// files still load.
@Suite struct ModelFileWritingTests {
    /// Every kind of value a payload holds, with numbers whose text the loader would write otherwise.
    struct Payload: Codable, Equatable {
        struct Nested: Codable, Equatable {
            var zeta: Int
            var alpha: [String: Float]
            var middle: Bool?
            var list: [Int?]
        }

        var floats: [Float]
        var doubles: [Double]
        var ints: [Int]
        var nested: Nested
        var strings: [String]
        var byKey: [String: String]
        var emptyArray: [Float]
        var emptyObject: [String: Int]
        var missing: Double?
        var present: Float?
    }

    static let payload = Payload(
        floats: [
            0.1, 1e-7, 3.4e38, -3.4e38, -2.5, -0.0, 0, 1, 7, 1e7, 1e8, 16_777_216, 33_554_432, 123_456_792, 1e15, 1e16,
            -1e20, 0.333_333_3, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, .ulpOfOne,
        ],
        doubles: [
            0.1, 1e-7, 1e15, 1e16, 9_007_199_254_740_992, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1e-300,
            1.0 / 3,
        ],
        ints: [0, -1, 42, 1 << 53, -(1 << 53), 999_999_999_999_999, 1_000_000_000_000_000],
        nested: .init(
            zeta: 1, alpha: ["b": 1e8, "a": 0.1, "A": -0.0, "é": 2, "e": 3, "a/b": 4, "10": 5, "9": 6, "": 7],
            middle: nil, list: [1, nil, -3]),
        strings: [
            "a/b", "\"quoted\"", "back\\slash", "\u{0}\u{1}\u{1f}\u{7f}", "tab\tnew\nline\r", "é", "e\u{301}", "😀",
            "\u{2028}\u{2029}", "</script>", "1e+08", "",
        ],
        byKey: ["checksum": "x", "extras": "y", "Z": "z", "_": "_"],
        emptyArray: [], emptyObject: [:], missing: nil, present: 1e8)

    /// A small model whose tree thresholds are `Float`s the extras' rewriting must not touch (`1e+08`).
    static func model(extras: ModelExtras? = nil) -> RankingModel {
        let tree = RegressionTree(
            splitFeature: [0, 1], threshold: [1e8, 0.1], leftChild: [1, ~0], rightChild: [~2, ~1], leafValue: [1, 2, 4])
        return RankingModel(
            featureNames: ["f0", "f1"], trees: [tree], parameters: TrainingParameters(),
            summary: TrainingSummary(rows: 3, queries: 1, iterations: 1, bestIteration: 1, metric: "ndcg@10"),
            extras: extras)
    }

    /// The earlier writer: the extras held as a tree and the document encoded twice, for the checksum and with it.
    static func earlierWriter(_ model: RankingModel) throws -> Data {
        var document = ModelDocument(model, checksum: nil)
        document.checksum = FNV1a64.label(try RankingModel.canonicalEncoder.encode(document))
        return try RankingModel.canonicalEncoder.encode(document)
    }

    static func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func typedExtrasLoadBackExactlyAndRewriteByteForByte() throws {
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.json").path
        let model = Self.model()
        try model.write(to: path, extras: Self.payload)
        let written = try Self.contents(path)

        let loaded = try RankingModel(contentsOf: path)
        #expect(loaded.trees == model.trees && loaded.featureNames == model.featureNames)
        #expect(try loaded.extras?.decode(Payload.self) == Self.payload)
        // The extras' numbers are written as the loader reads them (a Float 1e8 as 100000000), the trees' Floats
        // as they are.
        let text = String(decoding: written, as: UTF8.self)
        #expect(text.contains("\"floats\":[0.1,1e-07,3.4e+38,") && text.contains("\"present\":100000000"))
        #expect(text.contains("\"threshold\":[1e+08,0.1]"))

        // Written again from what was loaded, as a tree or as the typed payload: the same bytes.
        #expect(try loaded.jsonData() == written)
        try loaded.write(to: path)
        #expect(try Self.contents(path) == written)
        try model.write(to: path, extras: loaded.extras?.decode(Payload.self))
        #expect(try Self.contents(path) == written)
        // Each write replaced the file and left no temporary file beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.json"])
    }

    @Test func treeExtrasAreWrittenAsTheEarlierWriterDid() throws {
        let tree = try ModelExtras(encoding: Self.payload)
        for model in [Self.model(extras: tree), Self.model()] {
            let earlier = try Self.earlierWriter(model)
            #expect(try model.jsonData() == earlier)
            // Files of the earlier writer, Floats widened to Doubles, still load.
            let loaded = try RankingModel(jsonData: earlier)
            #expect(loaded == model)
            #expect(try loaded.extras.map { try $0.decode(Payload.self) } == (model.extras == nil ? nil : Self.payload))
        }
        // Typed extras give the earlier writer's bytes too: it read the encoder's text back as Doubles, as the
        // loader does.
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.json").path
        try Self.model().write(to: path, extras: Self.payload)
        #expect(try Self.contents(path) == Self.earlierWriter(Self.model(extras: tree)))
    }

    @Test func numbersBeyondDoublePrecisionLoadAsTheDoubleTheyReadAs() throws {
        let ints = [(1 << 53) + 1, Int.max, Int.min, 12_345_678_901_234_567]
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.json").path
        try Self.model().write(to: path, extras: ints)
        let loaded = try RankingModel(contentsOf: path)
        #expect(loaded.extras == .array(ints.map { .number(Double($0)) }))
        #expect(try Self.contents(path) == Self.earlierWriter(Self.model(extras: .init(encoding: ints))))
    }

    @Test func randomFloatsAndDoublesLoadBackExactlyAsTheEarlierWriterWroteThem() throws {
        var random = SplitMix64(seed: 7)
        var floats: [Float] = []
        var doubles: [Double] = []
        while floats.count < 20_000 {
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
            if float.isFinite { floats.append(float) }
            let double = Double(bitPattern: random.next())
            if double.isFinite { doubles.append(double) }
        }
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.json").path
        try Self.model().write(to: path, extras: floats)
        #expect(try RankingModel(contentsOf: path).extras?.decode([Float].self) == floats)
        #expect(try Self.contents(path) == Self.earlierWriter(Self.model(extras: .init(encoding: floats))))
        try Self.model().write(to: path, extras: doubles)
        #expect(try RankingModel(contentsOf: path).extras?.decode([Double].self) == doubles)
    }

    @Test func nullExtrasAreLeftOut() throws {
        let loaded = try RankingModel(jsonData: Self.model(extras: .null).jsonData())
        #expect(loaded.extras == nil && loaded == Self.model())
    }

    @Test func onlyNumbersOutsideStringsAreRewritten() throws {
        let json = Data(#"{"a":1e+08,"b":"1e+08 \"2e+08\\","c":[-3.3554432e+07,0.5,12,-0],"d":9007199254740993}"#.utf8)
        let pieces = try CanonicalNumbers.pieces(of: json)
        #expect(
            String(decoding: pieces.reduce(Data(), +), as: UTF8.self)
                == #"{"a":100000000,"b":"1e+08 \"2e+08\\","c":[-33554432,0.5,12,-0],"d":9007199254740992}"#)
        let canonical = Data(#"{"a":0.1,"b":[1e-07,-0,1e+16,"3.0"]}"#.utf8)
        #expect(try CanonicalNumbers.pieces(of: canonical) == [canonical])
        #expect(throws: EncodingError.self) { try CanonicalNumbers.pieces(of: Data("[1e400]".utf8)) }
    }

    @Test func unwritablePathsFailWithTheirReason() throws {
        #expect(throws: LTRError.unwritableFile) { try Self.model().write(to: "/nonexistent/model.json") }
    }
}
