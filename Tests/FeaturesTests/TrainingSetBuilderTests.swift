import RerankCore
import Testing

@testable import Features

@Suite struct TrainingSetBuilderTests {
    static let noon = LocalTime(hour: 12, weekday: 3)

    func impression(_ id: String, at time: Double, user: String = "u", items: [String]) -> LoggedImpression {
        LoggedImpression(queryID: id, time: time, userID: user, sessionID: nil, device: .mobile, localTime: Self.noon, query: "Red Shoes", items: items)
    }

    func column(_ name: String, _ set: TrainingSet, row: Int) -> Float {
        set.rows[row * set.featureNames.count + set.featureNames.firstIndex(of: name)!]
    }

    @Test func labelsJoinByQueryIDAndByClientWithinTheWindow() {
        let impressions = [
            impression("q1", at: 100, items: ["a", "b", "c"]),
            impression("q2", at: 200, user: "v", items: ["c", "d"]),
            impression("q3", at: 300, user: "w", items: ["e"]),
        ]
        let events = [
            LoggedEvent(queryID: "q1", time: 110, kind: .click, itemID: "b", userID: "u", sessionID: nil, position: 1),
            LoggedEvent(queryID: "q1", time: 120, kind: .purchase, itemID: "b", userID: "u", sessionID: nil, position: 1),
            LoggedEvent(queryID: nil, time: 250, kind: .addToCart, itemID: "d", userID: "v", sessionID: nil, position: nil),
            LoggedEvent(queryID: nil, time: 9_000, kind: .click, itemID: "e", userID: "w", sessionID: nil, position: nil),
            LoggedEvent(queryID: "unknown", time: 400, kind: .click, itemID: "z", userID: "x", sessionID: nil, position: nil),
        ]
        let (set, _, _, summary) = TrainingSetBuilder().build(impressions: impressions, events: events, attributes: [:])
        #expect(set.groupCount == 2, "q3's click came after the attribution window")
        #expect(set.labels == [0, 3, 0, 0, 2])
        #expect(set.groupBoundaries == [0, 3, 5])
        #expect(summary.joinedByQueryID == 2)
        #expect(summary.attributed == 1)
        #expect(summary.unjoinable == 2)
        #expect(summary.groupsWithInteractions == 2)
    }

    @Test func anImpressionsOwnClickNeverReachesItsFeatures() {
        // Two searches for the same item; the first one's click may inform the second, never itself.
        let impressions = [impression("q1", at: 100, items: ["a", "b"]), impression("q2", at: 200, items: ["a", "b"])]
        let events = [
            LoggedEvent(queryID: "q1", time: 100, kind: .click, itemID: "a", userID: "u", sessionID: nil, position: 0),
            LoggedEvent(queryID: "q2", time: 201, kind: .click, itemID: "a", userID: "u", sessionID: nil, position: 0),
        ]
        let (set, _, state, _) = TrainingSetBuilder().build(impressions: impressions, events: events, attributes: [:])
        #expect(set.groupCount == 2)
        #expect(column("item_clicks_log", set, row: 0) == 0, "q1 is scored before its own click")
        #expect(column("user_item_interactions_log", set, row: 0) == 0)
        #expect(column("item_clicks_log", set, row: 2) > 0, "q2 sees q1's click")
        #expect(column("user_item_interactions_log", set, row: 2) > 0)
        #expect(column("item_shown_log", set, row: 0) == 0)
        #expect(column("item_shown_log", set, row: 2) > 0)
        #expect(state.latest == 201)
    }

    @Test func subsetsKeepGroupsWhole() {
        let impressions = (0..<4).map { impression("q\($0)", at: Double($0 * 100), items: ["a", "b"]) }
        let events = (0..<4).map {
            LoggedEvent(queryID: "q\($0)", time: Double($0 * 100 + 1), kind: .click, itemID: "b", userID: "u", sessionID: nil, position: 1)
        }
        let (set, _, _, _) = TrainingSetBuilder().build(impressions: impressions, events: events, attributes: [:])
        let tail = set.subset(2..<4)
        #expect(tail.groupCount == 2)
        #expect(tail.groups.map(\.time) == [200, 300])
        #expect(tail.rows.count == 4 * set.featureNames.count)
        #expect(tail.labels == [0, 1, 0, 1])
        let labelsOnly = set.subset(2..<4, keepingRows: false)
        #expect(labelsOnly.rows.isEmpty && labelsOnly.labels == tail.labels && labelsOnly.groupBoundaries == tail.groupBoundaries)
    }
    @Test func labelsGroupCreditsThatArriveInterleavedBySearch() {
        let impressions = [
            impression("q1", at: 100, items: ["a", "b", "c"]),
            impression("q2", at: 110, user: "v", items: ["d", "e"]),
            impression("q3", at: 120, user: "w", items: ["f"]),
        ]
        let events = [
            LoggedEvent(queryID: "q2", time: 130, kind: .addToCart, itemID: "e", userID: "v", sessionID: nil, position: 1),
            LoggedEvent(queryID: "q1", time: 140, kind: .purchase, itemID: "c", userID: "u", sessionID: nil, position: 2),
            LoggedEvent(queryID: "q2", time: 150, kind: .click, itemID: "e", userID: "v", sessionID: nil, position: 1),
            LoggedEvent(queryID: "q1", time: 160, kind: .click, itemID: "a", userID: "u", sessionID: nil, position: 0),
            LoggedEvent(queryID: "q1", time: 170, kind: .click, itemID: "c", userID: "u", sessionID: nil, position: 2),
        ]
        var records = ReplayLog(impressions: impressions, events: events).records()
        let labels = TrainingSetBuilder().label(&records)
        #expect(labels.grades(ofSearch: 0) == [1, 0, 3], "the purchase outranks the later click on c")
        #expect(labels.grades(ofSearch: 1) == [0, 2])
        #expect(labels.grades(ofSearch: 2) == nil, "nothing was credited to q3")
        #expect(Array(labels.rowCounts) == [3, 2])
        #expect(labels.groupCount == 2)
    }

    @Test func searchGroupsKeepRanksAndScoresOnlyWhereTheyOrderTheItems() {
        var shown = impression("q1", at: 100, items: ["a", "b", "c"])
        shown.firstPosition = 10
        let inOrder = SearchGroup(shown)
        #expect((0..<3).map(inOrder.originalRank(ofShown:)) == [0, 1, 2])
        #expect(inOrder.engineScores == [0, -1, -2], "without scores, minus the engine's rank")
        #expect(inOrder.itemCount == 3 && inOrder.position(ofShown: 2) == 12 && inOrder.exploration == nil)
        shown.originalRanks = [2, 0, 1]
        shown.searchScores = [1.5, 3, 2]
        shown.exploration = ExplorationRecord(share: 0.05, depth: 3, swap: 1)
        let reranked = SearchGroup(shown)
        #expect((0..<3).map(reranked.originalRank(ofShown:)) == [2, 0, 1])
        #expect(reranked.engineScores == [1.5, 3, 2])
        #expect(reranked.exploration == shown.exploration)
    }
}
