import Foundation
import RerankCore
import Testing

@testable import Features

@Suite struct FeatureStateTests {
    static let noon = LocalTime(hour: 12, weekday: 3)

    func impression(_ items: [String], at time: Double, user: String? = "u", device: Device = .desktop, query: String = "shoe") -> ImpressionObservation {
        ImpressionObservation(
            context: FeatureContext(time: time, userID: user, sessionID: "s", device: device, localTime: Self.noon, query: query),
            items: items
        )
    }

    func event(_ kind: InteractionKind, _ item: String, at time: Double, user: String? = "u", device: Device = .desktop, position: Int? = 0) -> InteractionObservation {
        InteractionObservation(time: time, kind: kind, itemID: item, userID: user, sessionID: "s", device: device,
            localTime: Self.noon, query: "shoe", position: position)
    }

    func value(_ name: String, _ rows: [Float], row: Int = 0) -> Float {
        let width = FeatureSchema.definitions.count
        return rows[row * width + FeatureSchema.names.firstIndex(of: name)!]
    }

    func context(at time: Double, user: String? = "u", device: Device = .desktop) -> FeatureContext {
        FeatureContext(time: time, userID: user, sessionID: "s", device: device, localTime: Self.noon, query: "shoe")
    }

    @Test func aFullHistoryEvictsTheOldestItemAndTheSmallestIdOnTies() {
        var limits = FeatureState.Limits()
        limits.itemsPerUser = 2
        var state = FeatureState(limits: limits)
        state.apply(event(.click, "z", at: 5))
        for item in ["c", "a", "b"] { state.apply(event(.click, item, at: 10)) }
        // "z" goes first (oldest); then "a", "b", "c" share a second and the smallest id goes, whatever the
        // dictionary's order, so a replay keeps the same items every run.
        #expect(Set(state.users["u"]?.items.keys.map { $0 } ?? []) == ["b", "c"])
    }

    @Test func featuresSeeOnlyThePast() {
        var state = FeatureState()
        state.learn(attributes: ["a": ItemAttributes(category: "shoes", brand: "acme", price: 50)])
        let candidates = [Candidate(id: "a", searchScore: 2, originalRank: 0)]
        let before = state.features(for: candidates, in: context(at: 100))
        state.apply(impression(["a"], at: 100))
        state.apply(event(.purchase, "a", at: 101))
        let after = state.features(for: candidates, in: context(at: 102))
        // Before its own impression and purchase, the item has no clicks, no history with the user.
        #expect(value("item_clicks_log", before) == 0)
        #expect(value("user_item_interactions_log", before) == 0)
        #expect(value("user_category_share", before) == 0)
        #expect(value("user_cold", before) == 1)
        #expect(value("item_clicks_log", after) == 0, "a purchase is not a click")
        #expect(value("item_purchase_rate", after) > value("item_purchase_rate", before))
        #expect(value("user_item_interactions_log", after) > 0)
        #expect(value("user_category_share", after) == 1)
        #expect(value("user_cold", after) == 0)
    }

    @Test func clickRatesAreSmoothedAndContextual() {
        var state = FeatureState()
        for step in 0..<50 {
            let time = Double(step * 10)
            state.apply(impression(["hot", "cold"], at: time, device: step.isMultiple(of: 2) ? .mobile : .desktop))
            if step.isMultiple(of: 2) { state.apply(event(.click, "hot", at: time + 1, device: .mobile)) }
        }
        let candidates = [Candidate(id: "hot", searchScore: 1, originalRank: 0), Candidate(id: "cold", searchScore: 1, originalRank: 1)]
        let mobile = state.features(for: candidates, in: context(at: 600, device: .mobile))
        let desktop = state.features(for: candidates, in: context(at: 600, device: .desktop))
        #expect(value("item_ctr", mobile, row: 0) > value("item_ctr", mobile, row: 1))
        #expect(value("device_item_ctr", mobile, row: 0) > value("device_item_ctr", desktop, row: 0))
        #expect(value("query_item_ctr", mobile, row: 0) > value("query_item_ctr", mobile, row: 1))
        #expect(value("device_mobile", mobile) == 1)
        #expect(value("device_mobile", desktop) == 0)
    }

    @Test func positionPropensityFallsWithClicksByPosition() {
        var state = FeatureState()
        for step in 0..<200 {
            state.apply(impression(["a", "b", "c"], at: Double(step), user: nil))
            state.apply(event(.click, "a", at: Double(step), user: nil, position: 0))
            if step.isMultiple(of: 4) { state.apply(event(.click, "c", at: Double(step), user: nil, position: 2)) }
        }
        #expect(state.propensity(0) == 1)
        #expect(state.propensity(2) < 0.4)
        #expect(state.propensity(1) < state.propensity(2), "position 1 was never clicked")
    }

    @Test func countersFadeWithTheHalfLife() {
        var limits = FeatureState.Limits()
        limits.halfLife = 100
        var state = FeatureState(limits: limits)
        state.apply(impression(["a"], at: 0))
        state.apply(event(.click, "a", at: 0))
        let candidates = [Candidate(id: "a", searchScore: 0, originalRank: 0)]
        let fresh = value("item_clicks_log", state.features(for: candidates, in: context(at: 0)))
        let faded = value("item_clicks_log", state.features(for: candidates, in: context(at: 100)))
        #expect(abs(Double(fresh) - log1p(1)) < 1e-6)
        #expect(abs(Double(faded) - log1p(0.5)) < 1e-6)
    }

    @Test func coOccurrenceAndSessionsLinkItems() {
        var state = FeatureState()
        state.apply(event(.click, "tent", at: 0, user: "u1"))
        state.apply(event(.click, "stove", at: 1, user: "u1"))
        state.apply(event(.click, "tent", at: 2, user: "u2"))
        let candidates = [Candidate(id: "stove", searchScore: 0, originalRank: 0), Candidate(id: "lamp", searchScore: 0, originalRank: 1)]
        let rows = state.features(for: candidates, in: context(at: 3, user: "u2"))
        #expect(value("user_cooccurrence", rows, row: 0) > 0)
        #expect(value("user_cooccurrence", rows, row: 1) == 0)
        let session = state.features(for: [Candidate(id: "tent", searchScore: 0, originalRank: 0)], in: context(at: 3))
        #expect(value("session_item_clicks", session) == 2)
        let later = state.features(for: [Candidate(id: "tent", searchScore: 0, originalRank: 0)], in: context(at: 4000))
        #expect(value("session_item_clicks", later) == 0, "sessions forget after their TTL")
    }

    @Test func usersAreBounded() {
        var limits = FeatureState.Limits()
        limits.maxUsers = 100
        var state = FeatureState(limits: limits)
        for user in 0..<1000 { state.apply(event(.click, "a", at: Double(user), user: "user-\(user)")) }
        #expect(state.users.count <= 100)
        #expect(state.users["user-999"] != nil, "the most recent users stay")
    }

    @Test func schemaFamiliesSelectColumns() {
        let all = FeatureSchema.columns(excluding: [])
        let noContext = FeatureSchema.columns(excluding: [.context])
        #expect(all.count == FeatureSchema.definitions.count)
        #expect(noContext.count < all.count)
        #expect(noContext.allSatisfy { FeatureSchema.definitions[$0].family != .context })
        #expect(Set(FeatureSchema.names).count == FeatureSchema.names.count)
    }
}
