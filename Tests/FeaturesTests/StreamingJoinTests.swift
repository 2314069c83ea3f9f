import RerankCore
import Testing

@testable import Features

/// The join a streamed replay labels with: the whole-log join's credits, holding only a horizon of searches.
@Suite struct StreamingJoinTests {
    static func search(_ id: String, at time: Double, user: String?, session: String? = nil, items: [String]) -> LoggedImpression {
        LoggedImpression(
            queryID: id, time: time, userID: user, sessionID: session, device: .mobile,
            localTime: LocalTime(hour: 12, weekday: 3), query: "q", items: items)
    }

    /// A click; `number` tells events apart (it is carried as the position, which the join does not read).
    static func event(_ queryID: String?, at time: Double, item: String, user: String?, number: Int) -> LoggedEvent {
        LoggedEvent(queryID: queryID, time: time, kind: .click, itemID: item, userID: user, sessionID: nil, position: number)
    }

    /// Every event's credit, by event number, as `join` gives them for `log`'s records.
    static func credits(_ log: ReplayLog, _ join: StreamingJoin) -> [Int: InteractionJoin.Target] {
        var join = join
        var credits: [Int: InteractionJoin.Target] = [:]
        let record = { (event: LoggedEvent, target: InteractionJoin.Target, _: [String]) in
            credits[event.position!] = target
        }
        var records = log.records()
        while let next = records.next() {
            switch next {
            case .impression(let search): join.add(search, credit: record)
            case .event(let event): join.add(event, credit: record)
            }
        }
        join.finish(credit: record)
        return credits
    }

    @Test func creditsAsTheWholeLogJoinOnRandomLogs() {
        var random = SplitMix64(seed: 7)
        func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
        for _ in 0..<20 {
            var searches: [LoggedImpression] = []
            var events: [LoggedEvent] = []
            var time = 0.0
            for number in 0..<60 {
                time += Double(pick(600))
                let items = (0..<4).map { _ in "i\(pick(12))" }
                searches.append(Self.search("q\(number)", at: time, user: pick(3) == 0 ? nil : "u\(pick(5))", session: "s\(pick(5))", items: items))
                for _ in 0..<pick(3) {
                    // Clicks mostly after the search, some before it (a client clock behind), some without or with a
                    // wrong query_id.
                    let named: String? = [nil, "q\(number)", "q\(number)", "q\(max(0, number - 1))", "nope"][pick(5)]
                    let offset = Double(pick(2_400)) - 120
                    let item = pick(4) == 0 ? "i\(pick(12))" : items[pick(4)]
                    events.append(Self.event(named, at: time + offset, item: item, user: "u\(pick(5))", number: events.count))
                }
            }
            let log = ReplayLog(impressions: searches, events: events)
            let whole = WholeLogJoin(log.impressions)
            let streamed = Self.credits(log, StreamingJoin())
            #expect(streamed.count == log.events.count)
            for event in log.events {
                #expect(streamed[event.position!] == whole.target(of: event))
            }
        }
    }

    @Test func anEventNamingASearchPastTheHorizonIsNotJoined() {
        let log = ReplayLog(
            impressions: [Self.search("q1", at: 0, user: "u", items: ["a"])],
            events: [
                Self.event("q1", at: 3_000, item: "a", user: "v", number: 0),
                Self.event("q1", at: 90_000, item: "a", user: "v", number: 1),
            ])
        let credits = Self.credits(log, StreamingJoin(horizon: 86_400))
        #expect(credits[0] == .joined(0))
        #expect(credits[1] == .unmatched)
    }

    @Test func anEventBeforeItsSearchWaitsForIt() {
        let log = ReplayLog(
            impressions: [Self.search("q1", at: 100, user: "u", items: ["a"]), Self.search("q2", at: 1_000, user: "u", items: ["b"])],
            events: [
                Self.event("q1", at: 40, item: "a", user: "u", number: 0),
                Self.event("q2", at: 500, item: "b", user: "u", number: 1),
            ])
        let credits = Self.credits(log, StreamingJoin(lateness: 300))
        #expect(credits[0] == .joined(0))
        // 500 s before its search: longer than the lateness, so it no longer waits for it.
        #expect(credits[1] == .unmatched)
    }
}

/// The join's rules applied to a whole log in memory, every search known at once: what a streamed join must
/// match while its searches are within the horizon.
private struct WholeLogJoin {
    let searches: [LoggedImpression]
    let window = InteractionJoin.defaultWindow

    init(_ searches: [LoggedImpression]) {
        self.searches = searches
    }

    func target(of event: LoggedEvent) -> InteractionJoin.Target {
        let named = searches.lastIndex { $0.queryID == event.queryID }
        if let named, searches[named].items.contains(event.itemID) { return .joined(named) }
        let client = event.userID ?? event.sessionID
        let attributed = searches.indices.last { index in
            let elapsed = event.time - searches[index].time
            return client != nil && (searches[index].userID ?? searches[index].sessionID) == client
                && elapsed >= 0 && elapsed <= window && searches[index].items.contains(event.itemID)
        }
        if let attributed { return .attributed(attributed) }
        return named != nil ? .notShown : .unmatched
    }
}
