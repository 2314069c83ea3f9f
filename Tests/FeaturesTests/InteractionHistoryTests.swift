import Testing

@testable import Features

@Suite struct InteractionHistoryTests {
    func event(_ kind: InteractionKind, _ item: String, user: String? = "u", session: String? = nil, at time: Double) -> LoggedEvent {
        LoggedEvent(queryID: nil, time: time, kind: kind, itemID: item, userID: user, sessionID: session, position: nil)
    }

    @Test func remembersEachKindWithItsLatestTime() {
        var history = InteractionHistory()
        history.record(event(.purchase, "a", at: 100))
        history.record(event(.click, "b", session: "s", at: 200))
        history.record(event(.purchase, "a", at: 50))
        #expect(history.items(of: .user, "u", kind: .purchase, since: 90) == ["a"], "an older event does not move the time back")
        #expect(history.items(of: .user, "u", kind: .purchase, since: 101) == [])
        #expect(history.items(of: .user, "u", kind: .click, since: 0) == ["b"])
        #expect(history.items(of: .session, "s", kind: .click, since: 0) == ["b"])
        #expect(history.items(of: .user, "other", kind: .purchase, since: 0) == [])
    }

    @Test func eachUserKeepsItsNewestEntriesAndTheOldestUserIsForgotten() {
        var limits = InteractionHistory.Limits()
        limits.maxUsers = 2
        limits.maxEventsPerKey = 2
        var history = InteractionHistory(limits: limits)
        for (index, item) in ["a", "b", "c"].enumerated() { history.record(event(.click, item, at: Double(index))) }
        #expect(history.items(of: .user, "u", kind: .click, since: 0) == ["b", "c"])
        history.record(event(.click, "x", user: "v", at: 5))
        history.record(event(.click, "y", user: "w", at: 6))
        #expect(history.items(of: .user, "u", kind: .click, since: 0) == [], "the least recently updated user is evicted")
        let users = history.statistics.first { $0.name == "filter_users" }
        #expect(users?.entries == 2)
        #expect(users?.evictions == 1)
        #expect((users?.bytes ?? 0) > 0)
    }

    @Test func longIDsCountTowardsTheBytes() {
        var history = InteractionHistory()
        history.record(event(.click, "short", at: 1))
        let before = history.statistics[0].bytes
        history.record(event(.click, String(repeating: "x", count: 100), at: 2))
        #expect(history.statistics[0].bytes - before >= 100)
    }
}
