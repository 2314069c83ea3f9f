import EventLog
import Foundation
import LTRTraining
import PersonalizationTraining
import Ranking
import RerankCore
import RerankFixtures
import LTRModel
import Testing

@testable import Personalization

/// The personalization model file: written by training, read back and served; a file that is not one is refused.
@Suite struct PersonalizationModelTests {
    /// A model trained on `log` (and the synthetic catalog) in `iterations` trees, on two threads.
    static func trainedModel(on log: InteractionLog, iterations: Int) throws -> PersonalizationModel {
        var options = LogTrainingOptions()
        options.parameters.iterations = iterations
        options.parameters.numThreads = 2
        return try LogTrainer.train(log: log, items: SyntheticLog.items(), options: options).model
    }

    @Test func modelFilesRoundTripAndServe() throws {
        let model = try Self.trainedModel(on: SyntheticLog.make(searches: 600), iterations: 60)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.write(to: path)
        let loaded = try PersonalizationModel(contentsOf: path)
        #expect(loaded.ranking.featureNames == model.ranking.featureNames)
        // What was read back is written as the same bytes: the loader's canonical form is what was written.
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        try loaded.write(to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == written)
        let ranker = ModelRanker(model: loaded, state: LiveFeatureState(loaded.extras.state))
        // Trees of 31 leaves: the processor's best walk.
        #expect(ranker.walk == ScoringWalk.best.rawValue)
        let hits = ["i0", "i1", "i2", "i3"].enumerated().map { rank, id in
            RankableHit(id: id, searchScore: 1, originalRank: rank, fields: ["category": .string(SyntheticLog.categories[rank])])
        }
        let context = SearchContext(userID: "u1", device: .desktop, explain: true)
        let output = try ranker.score(hits, context: context)
        #expect(output.scores.count == 4)
        // u1's favourite category is "bags" (index 1): its item ranks first.
        #expect(RankingMetrics.ranking(scores: output.scores).first == 1)
        #expect(output.features?[1]["user_category_share"] ?? 0 > 0)
        // The model tells exploration which hits its statistics have rarely shown (`item_cold`).
        let withNew = hits + [RankableHit(id: "never-shown", searchScore: 1, originalRank: 4)]
        #expect(try ranker.score(withNew, context: context).cold == [false, false, false, false, true])
    }

    @Test func corruptModelFilesAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"format\":\"nope\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError.unusable("")) { try PersonalizationModel(contentsOf: path) }
    }
}
