import EventLog
@testable import Features
import LTRModel
import RerankCore
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

    @Test func choosesAServedBlendNotWorseThanTheEngineOrder() throws {
        let (model, report) = try LogTrainer.train(log: SyntheticLog.make(), items: SyntheticLog.items(), options: Self.options())
        let blend = report.blend
        #expect(model.extras.blend == blend)
        #expect(blend.candidates.first == 0 && blend.candidates.last == 1)
        #expect(blend.criterion == .counterfactualDCG, "the model was trained on debiased clicks")
        #expect(blend.chosenScore >= blend.engineScore)
        #expect(blend.chosenScore == blend.validationScores.max())
        #expect(blend.weight > 0, "the planted tastes are learnable, so some of the model is served")
        let served = try #require(report.validation["served"]?.metrics["ndcg@10"])
        let original = try #require(report.validation["original"]?.metrics["ndcg@10"])
        #expect(served > original)
        #expect(ModelRanker(model: model, state: LiveFeatureState(model.extras.state)).preferredWeight == blend.weight)
    }

    @Test func aModelWorseThanTheEngineIsServedAtWeightZero() throws {
        // Every search's clicked item is the engine's first; the "model" scores put it last.
        var set = TrainingSet(featureNames: FeatureSchema.names, rows: [], labels: [], groupBoundaries: [0], groups: [])
        var modelScores: [Double] = []
        for search in 0..<30 {
            let items = (0..<5).map { "s\(search)-\($0)" }
            set.rows += [Float](repeating: 0, count: 5 * FeatureSchema.width)
            set.labels += [1, 0, 0, 0, 0]
            modelScores += [0, 1, 2, 3, 4]
            set.groupBoundaries.append(set.labels.count)
            set.groups.append(SearchGroup(LoggedImpression(
                queryID: "q\(search)", time: Double(search), userID: nil, sessionID: nil, device: .unknown,
                localTime: LocalTime(hour: 12, weekday: 3), query: "", items: items, searchScores: [5, 4, 3, 2, 1])))
        }
        let blend = BlendChoice(choosingOn: set, modelScores: modelScores)
        #expect(blend.criterion == .ndcg)
        #expect(blend.weight == 0)
        #expect(blend.chosenScore == 1)
        // Judged by clicks corrected for position bias, the engine's order still wins.
        let corrected = BlendChoice(
            choosingOn: set, modelScores: modelScores, bias: PositionBias(propensities: [1, 0.5], observations: [30, 30]))
        #expect(corrected.criterion == .counterfactualDCG)
        #expect(corrected.weight == 0)
    }

    /// Two-item searches whose clicked item is the engine's second in `helped` of them and its first in `hurt`;
    /// the "model" always puts the engine's second first.
    static func twoItemSearches(helped: Int, hurt: Int) -> (set: TrainingSet, modelScores: [Double]) {
        var set = TrainingSet(featureNames: FeatureSchema.names, rows: [], labels: [], groupBoundaries: [0], groups: [])
        var modelScores: [Double] = []
        for search in 0..<(helped + hurt) {
            set.rows += [Float](repeating: 0, count: 2 * FeatureSchema.width)
            set.labels += search < helped ? [0, 1] : [1, 0]
            modelScores += [0, 1]
            set.groupBoundaries.append(set.labels.count)
            set.groups.append(SearchGroup(LoggedImpression(
                queryID: "q\(search)", time: Double(search), userID: nil, sessionID: nil, device: .unknown,
                localTime: LocalTime(hour: 12, weekday: 3), query: "", items: ["a\(search)", "b\(search)"], searchScores: [5, 4])))
        }
        return (set, modelScores)
    }

    @Test func aGainTheValidationCannotShowServesTheEngineOrder() throws {
        let (few, fewScores) = Self.twoItemSearches(helped: 4, hurt: 3)
        let unsure = BlendChoice(choosingOn: few, modelScores: fewScores)
        let best = try #require(unsure.bestWeight)
        let gain = try #require(unsure.bestGain)
        #expect(best > 0 && gain.mean > 0, "on average the model's order is better")
        #expect(gain.low <= 0)
        #expect(unsure.weight == 0, "but 7 searches cannot show it, so the engine's order is served")
        #expect(unsure.reason.contains("not shown to help"))
        let (many, manyScores) = Self.twoItemSearches(helped: 40, hurt: 3)
        let sure = BlendChoice(choosingOn: many, modelScores: manyScores)
        #expect(sure.weight == sure.bestWeight && sure.weight > 0)
        #expect(try #require(sure.bestGain).low > 0)
    }

    @Test func debiasesByDefaultAndCanLearnFromRawClicks() throws {
        let (model, report) = try LogTrainer.train(log: SyntheticLog.make(), items: SyntheticLog.items(), options: Self.options())
        let bias = try #require(report.positionBias, "the synthetic log has clicks below the first position")
        #expect(model.extras.positionBias == bias)
        #expect(bias.propensity(at: 0) == 1)
        #expect(bias.propensities.allSatisfy { $0 > 0 && $0 <= 1 })
        var raw = Self.options()
        raw.debias = false
        let (rawModel, rawReport) = try LogTrainer.train(log: SyntheticLog.make(), items: SyntheticLog.items(), options: raw)
        #expect(rawReport.positionBias == nil)
        #expect(rawModel.extras.positionBias == nil)
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
