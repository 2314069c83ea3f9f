import Foundation
import RerankJSON
import Testing

@testable import EventLog

/// `InteractionLog.servedBy(_:)`: the searches an `indices` entry served and the events joined to them.
@Suite struct InteractionLogIndexConfigTests {
    static let log: InteractionLog = {
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        func query(_ id: String, _ config: String?) -> UBIQuery {
            var attributes = JSONObject()
            if let config { attributes[InteractionLog.indexConfigKey] = .string(config) }
            return UBIQuery(queryID: id, timestamp: time, clientID: "u", responseHitIDs: ["a"], attributes: attributes)
        }
        func click(_ queryID: String?) -> UBIEvent {
            UBIEvent(actionName: "click", timestamp: time + 1, queryID: queryID, clientID: "u", objectID: "a")
        }
        return InteractionLog(
            queries: [query("q-top", nil), query("q-recipes", "recipes"), query("q-products", "products")],
            events: [click("q-top"), click("q-recipes"), click("q-recipes"), click("q-products"), click(nil), click("q-gone")])
    }()

    @Test func anEntrysPartHoldsItsSearchesAndTheirEvents() {
        let recipes = Self.log.servedBy { $0 == "recipes" }
        #expect(recipes.queries.map(\.queryID) == ["q-recipes"])
        #expect(recipes.events.map(\.queryID) == ["q-recipes", "q-recipes"])
    }

    @Test func eventsJoinedToNoSearchGoWithTheRerankSection() {
        let section = Self.log.servedBy { $0 == nil }
        #expect(section.queries.map(\.queryID) == ["q-top"])
        #expect(section.events.map(\.queryID) == ["q-top", nil, "q-gone"])
        #expect(InteractionLog.indexConfig(of: Self.log.queries[1]) == "recipes")
        #expect(InteractionLog.indexConfig(of: Self.log.queries[0]) == nil)
    }
}
