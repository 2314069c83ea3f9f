import EventLog
import Features
import Foundation
import Logging
import Personalization
import RerankJSON
import Testing

@testable import RerankServer

/// How events and the log directory are shared out between the `rerank` section's statistics and those of the
/// `indices` entries with models of their own.
@Suite struct LiveStatesTests {
    static func impression(_ queryID: String, items: [String], time: Double = 10) -> LoggedImpression {
        LoggedImpression(
            queryID: queryID, time: time, userID: "u", sessionID: nil, device: .mobile,
            localTime: FeatureContext.unknownLocalTime, query: "soup", items: items)
    }

    static func click(_ queryID: String?, _ item: String, time: Double = 11) -> LoggedEvent {
        LoggedEvent(queryID: queryID, time: time, kind: .click, itemID: item, userID: "u", sessionID: nil, position: nil)
    }

    static func items(_ live: LiveFeatureState) -> Int {
        live.statistics.tables.first { $0.name == "items" }?.entries ?? -1
    }

    @Test func eventsGoToTheStatisticsThatRememberTheirSearch() {
        let top = LiveFeatureState(FeatureStore())
        let recipes = LiveFeatureState(FeatureStore())
        let states = LiveStates(top: top, entries: [("recipes", recipes)])
        recipes.enqueue(Self.impression("q-recipes", items: ["r-1", "r-2"]))
        top.enqueue(Self.impression("q-products", items: ["p-1"]))
        recipes.applyPending()
        top.applyPending()
        let (recipesBefore, topBefore) = (Self.items(recipes), Self.items(top))
        states.apply([Self.click("q-recipes", "r-9"), Self.click("q-products", "p-9"), Self.click(nil, "x-9"), Self.click("q-gone", "y-9")])
        #expect(Self.items(recipes) == recipesBefore + 1, "the entry's search's click only")
        #expect(Self.items(top) == topBefore + 3, "the rest, as without indices entries")
    }

    @Test func eventsOfSearchesRankedBySignalsStayOutOfTheSectionsStatistics() {
        let top = LiveFeatureState(FeatureStore())
        let apart = RecentQueryIDs(capacity: 2)
        let states = LiveStates(top: top, apart: ["books"], apartSearches: apart)
        for queryID in ["q-old", "q-books-1", "q-books-2"] { apart.insert(queryID) }
        #expect(!apart.contains("q-old"), "the oldest is forgotten beyond the capacity")
        let before = Self.items(top)
        states.apply([Self.click("q-books-1", "b-1"), Self.click("q-books-2", "b-2"), Self.click("q-old", "b-3"), Self.click(nil, "p-1")])
        #expect(Self.items(top) == before + 2, "the forgotten search's event and the one without a query id")
    }

    @Test func aQueuedSearchIsFoundByItsEvents() {
        let top = LiveFeatureState(FeatureStore())
        let recipes = LiveFeatureState(FeatureStore())
        recipes.enqueue(Self.impression("q-recipes", items: ["r-1"]))
        let (claimed, rest) = recipes.claim([Self.click("q-recipes", "r-1"), Self.click(nil, "r-1")])
        #expect(claimed.map(\.queryID) == ["q-recipes"])
        #expect(rest.count == 1)
        LiveStates(top: top, entries: [("recipes", recipes)]).apply([])
    }

    @Test func theLogDirectoryIsSharedOutByIndexConfig() {
        let top = LiveFeatureState(FeatureStore())
        let recipes = LiveFeatureState(FeatureStore())
        let books = "books"  // ranked by signals of its own: its searches feed no statistics
        let states = LiveStates(top: top, entries: [("recipes", recipes)], apart: [books])
        func query(_ id: String, _ config: String?, items: [String]) -> UBIQuery {
            var attributes = JSONObject()
            if let config { attributes[InteractionLog.indexConfigKey] = .string(config) }
            return UBIQuery(queryID: id, timestamp: Date(timeIntervalSince1970: 100), clientID: "u", responseHitIDs: items, attributes: attributes)
        }
        let click = { (queryID: String, item: String) in
            UBIEvent(actionName: "click", timestamp: Date(timeIntervalSince1970: 101), queryID: queryID, clientID: "u", objectID: item)
        }
        let log = InteractionLog(
            queries: [query("q-top", nil, items: ["p-1"]), query("q-recipes", "recipes", items: ["r-1", "r-2"]),
                      query("q-books", books, items: ["b-1", "b-2", "b-3"])],
            events: [click("q-recipes", "r-1"), click("q-top", "p-1"), click("q-books", "b-1")])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        states.catchUp(with: log, notAfter: .infinity, source: "logs", logger: logger)
        top.applyPending()
        recipes.applyPending()
        #expect(Self.items(recipes) == 2)
        #expect(Self.items(top) == 1, "neither the recipes entry's searches nor those ranked apart")
    }
}
