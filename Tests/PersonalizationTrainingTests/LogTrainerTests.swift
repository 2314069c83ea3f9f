import EventLog
import Features
import LTRModel
import RerankFixtures
import Testing

@testable import Personalization
@testable import PersonalizationTraining

@Suite struct LogTrainerTests {
    static func options() -> LogTrainingOptions {
        var options = LogTrainingOptions()
        options.parameters.iterations = 60
        options.parameters.numThreads = 2
        return options
    }

    @Test func learnsThePlantedTastesAndBeatsTheEngineOrder() throws {
        let (model, report) = try LogTrainer.train(log: SyntheticLog.make(), items: SyntheticLog.items(), options: Self.options())
        let original = try #require(report.validation["original"]?.metrics["ndcg@10"])
        let learned = try #require(report.validation["model"]?.metrics["ndcg@10"])
        #expect(learned > original + 0.1, "model \(learned) vs engine order \(original)")
        #expect(report.trainingGroups > report.validationGroups)
        #expect(report.replay.joinedByQueryID == report.replay.events)
        #expect(model.extras.columns.count == FeatureSchema.definitions.count)
    }

    @Test func ablationDropsTheFamily() throws {
        var options = Self.options()
        options.excludedFamilies = [.user]
        let (model, report) = try LogTrainer.train(log: SyntheticLog.make(), items: SyntheticLog.items(), options: options)
        #expect(model.ranking.featureNames.allSatisfy { name in
            FeatureSchema.definitions.first { $0.name == name }?.family != .user
        })
        let full = try LogTrainer.train(log: SyntheticLog.make(), items: SyntheticLog.items(), options: Self.options()).report
        let withoutUser = try #require(report.validation["model"]?.metrics["ndcg@10"])
        let withUser = try #require(full.validation["model"]?.metrics["ndcg@10"])
        #expect(withUser > withoutUser, "the planted tastes are per user")
    }

    @Test func clearErrorsForUnusableLogs() {
        #expect(throws: TrainingError.self) { try LogTrainer.train(log: InteractionLog(), items: [:]) }
        var noClicks = SyntheticLog.make(searches: 50)
        noClicks.events = []
        #expect(throws: TrainingError.self) { try LogTrainer.train(log: noClicks, items: [:]) }
        let tooFew = SyntheticLog.make(searches: 8)
        #expect(throws: TrainingError.self) { try LogTrainer.train(log: tooFew, items: [:]) }
    }
}
