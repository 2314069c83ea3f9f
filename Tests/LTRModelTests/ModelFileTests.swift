import Foundation
import LTRModel
import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// The model file: round trip, checksum and structure validation, and the serving scorer.
@Suite struct ModelFileTests {
    static func trainedModel() throws -> (RankingModel, Dataset) {
        let data = try RankingFixtures.synthetic(queries: 40, documents: 20, features: 8)
        var parameters = TrainingParameters()
        parameters.iterations = 10
        parameters.minDataInLeaf = 5
        parameters.numThreads = 1
        var model = try Booster(train: data, valid: data, parameters: parameters).train()
        model.extras = .object(["popularity": .array([.number(1.5), .number(2)]), "source": .string("test")])
        return (model, data)
    }

    @Test func roundTrip() throws {
        let (model, data) = try Self.trainedModel()
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.json").path
        try model.write(to: path)
        let loaded = try RankingModel(contentsOf: path)
        #expect(loaded == model)
        #expect(loaded.summary.rows == data.rowCount && loaded.summary.queries == data.queryCount)
        #expect(loaded.summary.metric == "ndcg@10")
        #expect(try loaded.jsonData() == model.jsonData())
        let text = String(decoding: try model.jsonData(), as: UTF8.self)
        #expect(text.contains("\"format\":\"rerank-ltr-model\"") && text.contains("\"checksum\":\"fnv1a64:"))
    }

    @Test func extrasCarryAnyCodable() throws {
        struct Snapshot: Codable, Equatable {
            var clicks: [String: Int]
            var updated: String
        }
        let snapshot = Snapshot(clicks: ["sku-1": 12, "sku-2": 0], updated: "2026-01-01")
        var (model, _) = try Self.trainedModel()
        model.extras = try ModelExtras(encoding: snapshot)
        let loaded = try RankingModel(jsonData: model.jsonData())
        #expect(try loaded.extras?.decode(Snapshot.self) == snapshot)
    }

    @Test func scorerMatchesTrees() throws {
        let (model, data) = try Self.trainedModel()
        let scorer = model.scorer()
        #expect(scorer.featureCount == 8 && scorer.treeCount == model.trees.count)
        let scores = try scorer.score(rows: data.features)
        for row in 0..<data.rowCount {
            #expect(abs(scores[row] - model.predict(data.row(row))) < 1e-9)
        }
        // NaN reads as 0, as in training.
        var row = Array(data.row(0))
        row[0] = 0
        var missing = row
        missing[0] = .nan
        #expect(try scorer.score(missing) == scorer.score(row))
        #expect(throws: LTRError.featureCountMismatch) { try scorer.score([1, 2, 3]) }
    }

    @Test func scorerHandMadeModel() throws {
        // Tree 1: f0 <= 0.5 ? (f1 <= -1 ? 1 : 2) : 4. Tree 2: a single leaf worth 0.25.
        let tree = RegressionTree(
            splitFeature: [0, 1], threshold: [0.5, -1], leftChild: [1, ~0], rightChild: [~2, ~1],
            leafValue: [1, 2, 4])
        let constant = RegressionTree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], leafValue: [0.25])
        let model = RankingModel(
            featureNames: ["f0", "f1"], trees: [tree, constant], parameters: TrainingParameters(),
            summary: TrainingSummary(rows: 0, queries: 0, iterations: 2, bestIteration: 2, metric: "ndcg@10"))
        let rows: [[Float]] = [[0.5, -1], [0.5, -0.5], [0.6, -5], [.nan, -2], [-3, .nan], [.infinity, 0]]
        let expected = [1.25, 2.25, 4.25, 1.25, 2.25, 4.25]
        let scores = try model.scorer().score(rows: rows.flatMap { $0 })
        #expect(scores == expected)
        #expect(rows.map { model.predict($0) } == expected)
        // More rows than one block (128), in a repeating pattern.
        let many = (0..<300).flatMap { rows[$0 % rows.count] }
        #expect(try model.scorer().score(rows: many) == (0..<300).map { expected[$0 % expected.count] })
        #expect(try model.scorer().score(rows: []) == [])
    }

    @Test func flippedByteFailsTheChecksum() throws {
        let (model, _) = try Self.trainedModel()
        var bytes = Array(try model.jsonData())
        // Change one digit of the first leaf value: still valid JSON, different content.
        let text = String(decoding: bytes, as: UTF8.self)
        let leafValues = try #require(text.range(of: "\"leafValue\":["))
        var index = text.utf8.distance(from: text.utf8.startIndex, to: leafValues.upperBound)
        while !(bytes[index] >= UInt8(ascii: "1") && bytes[index] <= UInt8(ascii: "8")) { index += 1 }
        bytes[index] += 1
        #expect(throws: LTRError.checksumMismatch) { try RankingModel(jsonData: Data(bytes)) }
        // Any flipped byte is rejected one way or another.
        var flipped = Array(try model.jsonData())
        flipped[flipped.count / 2] ^= 0x01
        #expect(throws: LTRError.self) { try RankingModel(jsonData: Data(flipped)) }
    }

    @Test func badStructureIsRejected() throws {
        let (model, _) = try Self.trainedModel()
        let tree = model.trees[0]
        var badChild = tree
        badChild.leftChild[0] = Int32(tree.nodeCount + 5)
        #expect(throws: LTRError.malformedModel) { try badChild.validate(featureCount: 8) }
        var badLeaf = tree
        badLeaf.rightChild[0] = ~Int32(tree.numberOfLeaves + 1)
        #expect(throws: LTRError.malformedModel) { try badLeaf.validate(featureCount: 8) }
        var badFeature = tree
        badFeature.splitFeature[0] = 8
        #expect(throws: LTRError.malformedModel) { try badFeature.validate(featureCount: 8) }
        var cycle = tree
        cycle.leftChild[0] = 0
        #expect(throws: LTRError.malformedModel) { try cycle.validate(featureCount: 8) }

        // The same through the file: a correctly checksummed file with a bad child index is refused.
        var broken = model
        broken.trees[0] = badChild
        let data = try broken.jsonData()
        #expect(throws: LTRError.malformedModel) { try RankingModel(jsonData: data) }
    }

    @Test func wrongFormatOrVersionIsRejected() throws {
        let (model, _) = try Self.trainedModel()
        let text = String(decoding: try model.jsonData(), as: UTF8.self)
        let otherVersion = text.replacingOccurrences(of: "\"version\":1", with: "\"version\":2")
        #expect(throws: LTRError.unsupportedModel) { try RankingModel(jsonData: Data(otherVersion.utf8)) }
        let otherFormat = text.replacingOccurrences(of: "rerank-ltr-model", with: "lightgbm")
        #expect(throws: LTRError.unsupportedModel) { try RankingModel(jsonData: Data(otherFormat.utf8)) }
        #expect(throws: LTRError.malformedModel) { try RankingModel(jsonData: Data("not json".utf8)) }
        #expect(throws: LTRError.unreadableFile) { try RankingModel(contentsOf: "/nonexistent/model.json") }
    }
}
