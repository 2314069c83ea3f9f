import EventLog
import Features
import Foundation
import LTRModel
import LTRTraining
import Ranking
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

    @Test func modelFilesRoundTripAndServe() throws {
        let (model, _) = try LogTrainer.train(log: SyntheticLog.make(searches: 600), items: SyntheticLog.items(), options: Self.options())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.write(to: path)
        let loaded = try PersonalizationModel(contentsOf: path)
        #expect(loaded.ranking.featureNames == model.ranking.featureNames)
        let ranker = ModelRanker(model: loaded, state: LiveFeatureState(loaded.extras.state))
        let hits = ["i0", "i1", "i2", "i3"].enumerated().map { rank, id in
            RankableHit(id: id, searchScore: 1, originalRank: rank, fields: ["category": .string(SyntheticLog.categories[rank])])
        }
        let context = SearchContext(userID: "u1", device: .desktop, explain: true)
        let output = try ranker.score(hits, context: context)
        #expect(output.scores.count == 4)
        // u1's favourite category is "bags" (index 1): its item ranks first.
        #expect(RankingMetrics.ranking(scores: output.scores).first == 1)
        #expect(output.features?[1]["user_category_share"] ?? 0 > 0)
    }

    @Test func clearErrorsForUnusableLogs() {
        #expect(throws: TrainingError.self) { try LogTrainer.train(log: InteractionLog(), items: [:]) }
        var noClicks = SyntheticLog.make(searches: 50)
        noClicks.events = []
        #expect(throws: TrainingError.self) { try LogTrainer.train(log: noClicks, items: [:]) }
        let tooFew = SyntheticLog.make(searches: 8)
        #expect(throws: TrainingError.self) { try LogTrainer.train(log: tooFew, items: [:]) }
    }

    @Test func corruptModelFilesAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"format\":\"nope\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError.unusable("")) { try PersonalizationModel(contentsOf: path) }
    }
}

@Suite struct LiveFeatureStateTests {
    @Test func catchUpReplaysOnlyWhatCameAfterTheSnapshot() throws {
        let full = SyntheticLog.make(searches: 800)
        var early = full
        early.queries = Array(full.queries.prefix(400))
        let cutoff = early.queries.last!.timestamp
        early.events = full.events.filter { $0.timestamp <= cutoff }
        var options = LogTrainerTests.options()
        options.parameters.iterations = 10
        let (model, _) = try LogTrainer.train(log: early, items: SyntheticLog.items(), options: options)
        let live = LiveFeatureState(model.extras.state)
        let before = live.latest
        let applied = live.catchUp(with: full)
        #expect(applied.impressions == 400)
        #expect(applied.events == full.events.count - early.events.count)
        #expect(live.latest > before)
        #expect(live.catchUp(with: full) == (0, 0), "a second catch-up finds nothing new")
    }

    @Test func countsHitsThatCarryNoCatalogFields() {
        let live = LiveFeatureState(FeatureStore())
        let context = FeatureContext.unknown(at: 0)
        _ = live.features(for: [Candidate(id: "a", searchScore: 0, originalRank: 0, attributes: ItemAttributes(category: "shoes"))], in: context)
        _ = live.features(for: [Candidate(id: "b", searchScore: 0, originalRank: 0, attributes: ItemAttributes())], in: context)
        _ = live.features(for: [Candidate(id: "c", searchScore: 0, originalRank: 0)], in: context)
        #expect(live.attributeCoverage == (3, 2))
    }

    @Test func attributesHitsCarryAreLearnedOffTheSearch() {
        let live = LiveFeatureState(FeatureStore())
        let context = FeatureContext(time: 10, userID: "u", sessionID: nil, device: .mobile, localTime: FeatureContext.unknownLocalTime, query: "")
        let hit = Candidate(id: "a", searchScore: 0, originalRank: 0, attributes: ItemAttributes(category: "shoes", price: 20))
        _ = live.features(for: [hit], in: context)
        live.applyPending()
        live.apply([LoggedEvent(queryID: nil, time: 11, kind: .click, itemID: "a", userID: "u", sessionID: nil, position: nil)])
        // The click counts for the user's taste in the hit's category, learned from the hit alone.
        let plain = Candidate(id: "a", searchScore: 0, originalRank: 0)
        let share = live.features(for: [plain], in: context)[Feature.userCategoryShare.rawValue]
        #expect(share == 1)
    }
}

@Suite struct FeatureParityTests {
    /// Replays one log through the trainer and through the live state as serving updates it (searches queued
    /// and applied off the request path, events in batches): every trained search gets the same row.
    @Test(arguments: [false, true])
    func servingComputesTheRowsTrainingComputed(hitsCarryAttributes: Bool) {
        let log = SyntheticLog.make(searches: 600)
        let items = SyntheticLog.items()
        let impressions = log.loggedImpressions().sorted { $0.time < $1.time }
        let events = log.loggedEvents().sorted { $0.time < $1.time }
        let (set, _, _) = TrainingSetBuilder().build(impressions: impressions, events: events, attributes: items)
        #expect(set.groupCount > 50)

        var start = FeatureReplay()
        start.learn(attributes: items)
        let live = LiveFeatureState(start.store)
        var served: [String: [Float]] = [:]
        var next = 0
        for impression in impressions {
            let first = next
            while next < events.count, events[next].time < impression.time { next += 1 }
            live.apply(Array(events[first..<next]))
            var candidates = impression.candidates
            if hitsCarryAttributes {
                for index in candidates.indices { candidates[index] = Candidate(
                    id: candidates[index].id, searchScore: candidates[index].searchScore,
                    originalRank: candidates[index].originalRank, attributes: items[candidates[index].id]) }
            }
            served[impression.queryID] = live.features(for: candidates, in: impression.context)
            live.enqueue(impression)
        }
        let width = FeatureSchema.width
        var compared = 0
        for (group, impression) in set.groups.enumerated() {
            let rows = Array(set.rows[(set.groupBoundaries[group] * width)..<(set.groupBoundaries[group + 1] * width)])
            #expect(served[impression.queryID] == rows, "search \(impression.queryID)")
            compared += 1
        }
        #expect(compared == set.groupCount)
    }
}
