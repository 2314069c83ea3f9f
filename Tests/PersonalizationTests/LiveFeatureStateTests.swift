import Features
import RerankFixtures
import Testing

@testable import Personalization

@Suite struct LiveFeatureStateTests {
    @Test func catchUpReplaysOnlyWhatCameAfterTheSnapshot() throws {
        let full = SyntheticLog.make(searches: 800)
        var early = full
        early.queries = Array(full.queries.prefix(400))
        let cutoff = early.queries.last!.timestamp
        early.events = full.events.filter { $0.timestamp <= cutoff }
        let model = try PersonalizationModelTests.trainedModel(on: early, iterations: 10)
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
