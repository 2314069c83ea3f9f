import EventLog
import Foundation
import Testing

@testable import PersonalizationTraining

/// How interactions join searches for the click models, and the logs that give no judgments.
@Suite struct ClickLogTests {
    @Test func interactionOnAnItemItsSearchDidNotShowIsCountedNotCredited() throws {
        var hand = HandLog()
        let search = hand.search("Red Dress", shows: ["a", "b"])
        hand.act("click", on: "a", in: search)
        hand.act("click", on: "ghost", in: search)
        hand.act("click", on: "b", in: "no-such-search")
        let clicks = ClickLog(log: hand.log)
        #expect(clicks.join.joinedByQueryID == 1)
        #expect(clicks.join.notShown == 1)
        #expect(clicks.join.unmatched == 0, "the event naming an unknown search is credited to its client's search instead")
        #expect(clicks.join.attributed == 1)
        #expect(clicks.searches == [ClickLog.Search(
            queryID: search, query: "red dress", text: "Red Dress", items: ["a", "b"], positions: [0, 1], credits: [1, 1])])
        var options = JudgmentOptions()
        options.minImpressions = 1
        let judged = try JudgmentList.make(from: hand.log, options: options).judgments.map(\.item)
        #expect(!judged.contains("ghost"), "an item never shown is never judged")
    }

    @Test func interactionsWithoutPositionsTakeTheirItemsShownPosition() throws {
        // Shown items from impression events (as the UBI sample logs them), the page starting at position 20;
        // the click carries no position.ordinal.
        var hand = HandLog()
        let search = hand.search("desk", shows: nil)
        var log = hand.log
        for (offset, item) in ["x", "y", "z"].enumerated() {
            log.events.append(UBIEvent(
                actionName: "impression", timestamp: log.queries[0].timestamp, queryID: search, clientID: "u1", objectID: item,
                position: 20 + offset))
        }
        log.events.append(UBIEvent(
            actionName: "click", timestamp: log.queries[0].timestamp.addingTimeInterval(2), queryID: search, clientID: "u1", objectID: "y"))
        let clicks = ClickLog(log: log)
        #expect(clicks.searches.first?.positions == [20, 21, 22])
        #expect(clicks.searches.first?.credits == [0, 1, 0])
        #expect(clicks.searches.first?.lastInteraction == 1)
    }

    @Test func theLatestRecordOfAReusedQueryIDIsTheSearch() {
        var hand = HandLog()
        hand.search("prin", shows: ["p1"], id: "typed")
        let search = hand.search("Printer toner", shows: ["t1", "t2"], id: "typed")
        hand.search("printe", shows: [], id: "typed")  // a later record without hits: not a search, nor its text
        hand.act("click", on: "t2", in: search)
        let clicks = ClickLog(log: hand.log)
        #expect(clicks.join.duplicateRecords == 1)
        #expect(clicks.searches.map(\.query) == ["printer toner"])
        #expect(clicks.searches.first?.text == "Printer toner")
        #expect(clicks.searches.first?.credits == [0, 1])
    }

    @Test func interactionsWithoutQueryIDGoToTheClientsLatestSearchShowingTheItem() {
        var hand = HandLog()
        hand.search("mug", shows: ["m1", "m2"])
        hand.search("cup", shows: ["m2", "c1"])
        hand.search("plate", shows: ["p1"], client: "u2")
        hand.act("click", on: "m2", in: nil)
        hand.act("click", on: "m1", in: nil)
        hand.act("click", on: "c1", in: nil, client: "u3")
        let clicks = ClickLog(log: hand.log)
        #expect(clicks.join.attributed == 2 && clicks.join.unmatched == 1)
        #expect(clicks.searches.map(\.credits) == [[1, 0], [1, 0], [0]], "m2 to the later cup search, m1 to the mug search")
    }

    @Test func searchesWithoutQueryTextAreLeftOut() throws {
        var hand = HandLog()
        let browse = hand.search("", shows: ["a"])
        hand.act("click", on: "a", in: browse)
        #expect(ClickLog(log: hand.log).join.withoutQueryText == 1)
        let error = #expect(throws: JudgmentError.self) { try JudgmentList.make(from: hand.log) }
        #expect(error?.message.contains("no searches with query text") == true)
    }

    @Test func logsWithoutInteractionsSaySo() {
        var hand = HandLog()
        for _ in 0..<5 { hand.search("lamp", shows: ["a", "b"]) }
        hand.act("impression", on: "a", in: "s0")
        hand.act("click", on: "zzz", in: "s1")
        let error = #expect(throws: JudgmentError.self) { try JudgmentList.make(from: hand.log) }
        #expect(error?.message.contains("no click, add-to-cart or purchase") == true)
        #expect(error?.message.contains("1 name a search that did not show their item") == true)
    }

    @Test func tooFewImpressionsForEveryPairSaysHowManyThereAre() throws {
        var hand = HandLog()
        for _ in 0..<2 {
            let search = hand.search("lamp", shows: ["a", "b"])
            hand.act("click", on: "b", in: search)
        }
        let error = #expect(throws: JudgmentError.self) { try JudgmentList.make(from: hand.log) }
        #expect(error?.message.contains("no (query, item) pair has 3 impressions") == true)
        #expect(error?.message.contains("the most any pair has is 2") == true)
        var options = JudgmentOptions()
        options.minImpressions = 2
        let judgments = try JudgmentList.make(from: hand.log, options: options)
        #expect(judgments.summary.pairs == 2 && judgments.summary.skippedPairs == 0)
    }

    @Test func invalidOptionsNameTheirFlag() {
        var options = JudgmentOptions()
        options.thresholds = [0.5, 0.2]
        #expect(errorMessage { try options.validate() }.contains("--thresholds"))
        options = JudgmentOptions()
        options.minImpressions = 0
        #expect(errorMessage { try options.validate() }.contains("--min-impressions"))
        options = JudgmentOptions()
        options.smoothing = -1
        #expect(errorMessage { try options.validate() }.contains("--smoothing"))
        options = JudgmentOptions()
        options.gains.purchase = 0
        #expect(errorMessage { try options.validate() }.contains("--gains"))
        #expect(errorMessage { try JudgmentOptions().validate() } == "no error")
    }

    private func errorMessage(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }
}
