import Foundation
import Ranking
import RerankConfiguration
import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct FilterTests {
    static let config = #"""
        {"rerank": {"filters": [
          {"name": "no_repurchase", "exclude": "history", "event": "purchase", "within": "30d"},
          {"name": "not_again", "exclude": "session", "event": "click"},
          {"name": "in_category", "include": {"field": "category", "in": "$categories"}, "apply": "on_request"},
          {"name": "affordable", "range": {"field": "price", "gte": 10, "lte": "$max_price"}}]}}
        """#

    func filterSet() throws -> FilterSet { FilterSet(try ServerConfiguration.loaded(Self.config).rerank.filters) }

    func request(_ json: String) throws -> FilterRequest { try FilterRequest(JSONParser.parse(Array(json.utf8))) }

    @Test func readsEveryKind() throws {
        let filters = try ServerConfiguration.loaded(Self.config).rerank.filters
        #expect(filters[0] == HitFilter(name: "no_repurchase", kind: .exclude(.history, event: "purchase", within: 30 * 86_400)))
        #expect(filters[1].kind == .exclude(.session, event: "click", within: nil))
        #expect(filters[2] == HitFilter(name: "in_category", apply: .onRequest, kind: .include(field: "category", values: .placeholder("categories"))))
        #expect(filters[3].kind == .range(field: "price", bounds: [(.gte, .literal(.int(10))), (.lte, .placeholder("max_price"))]))
    }

    @Test(arguments: [
        (#"{"name": "a", "exclude": "history", "event": "wishlist"}"#, "unknown event 'wishlist'"),
        (#"{"name": "a", "exclude": "history", "event": "click", "within": "30 days"}"#, "rerank.filters[0].within"),
        (#"{"name": "a", "exclude": "history", "event": "click", "size": 3}"#, "unknown configuration key 'rerank.filters[0].size'"),
        (#"{"name": "a", "include": {"field": "c", "in": []}}"#, "rerank.filters[0].include.in"),
        (#"{"name": "a", "include": {"field": "c", "in": "$c"}, "range": {"field": "p", "gte": 1}}"#, "exactly one of"),
        (#"{"name": "a", "range": {"field": "p", "gte": "cheap"}}"#, "rerank.filters[0].range.gte"),
        (#"{"name": "a", "range": {"field": "p"}}"#, "at least one of gte"),
        (#"{"name": "a", "include": {"field": "c", "in": "$c"}, "apply": "sometimes"}"#, "always or on_request"),
    ])
    func refusesABadFilter(filter: String, message: String) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.loaded(#"{"rerank": {"filters": [\#(filter)]}}"#)
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func refusesTwoFiltersOfOneName() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.loaded(#"{"rerank": {"filters": [{"name": "a", "range": {"field": "p", "gte": 1}}, {"name": "a", "range": {"field": "p", "lt": 1}}]}}"#)
        }
        #expect(error?.message.contains("used by two filters") == true)
    }

    @Test func anAlwaysFilterWithoutItsValueKeepsItsOtherBounds() throws {
        let active = try filterSet().resolve(FilterRequest(), context: SearchContext(), history: nil)
        #expect(active == [ActiveFilter(name: "affordable", test: .range(field: "price", RangeBounds(gte: 10)))])
    }

    @Test func aNamedFilterTakesItsValues() throws {
        let active = try filterSet().resolve(
            request(#"{"filters": ["in_category", "affordable"], "filter_values": {"categories": "shoes", "max_price": 50}}"#),
            context: SearchContext(), history: nil)
        #expect(active == [
            ActiveFilter(name: "in_category", test: .include(field: "category", values: [.string("shoes")])),
            ActiveFilter(name: "affordable", test: .range(field: "price", RangeBounds(gte: 10, lte: 50))),
        ])
    }

    @Test(arguments: [
        (#"{"filters": ["in_category"]}"#, "ext.rerank.filter_values.categories"),
        (#"{"filters": ["affordable"]}"#, "ext.rerank.filter_values.max_price"),
        (#"{"filters": ["nope"]}"#, "unknown filter 'nope'"),
        (#"{"filter_values": {"colour": "red"}}"#, "no configured filter reads $colour"),
        (#"{"filters": ["in_category"], "filter_values": {"categories": []}}"#, "non-empty array"),
    ])
    func refusesABadRequest(json: String, message: String) throws {
        let error = #expect(throws: RerankError.self) {
            try filterSet().resolve(request(json), context: SearchContext(), history: nil)
        }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func historyFiltersReadTheUsersAndSessionsEvents() throws {
        let history = FilterHistory(limits: .init())
        history.record([
            .init(queryID: nil, time: 1000, kind: .purchase, itemID: "old", userID: "u", sessionID: "s", position: nil),
            .init(queryID: nil, time: 40 * 86_400, kind: .purchase, itemID: "new", userID: "u", sessionID: "s", position: nil),
            .init(queryID: nil, time: 40 * 86_400, kind: .click, itemID: "seen", userID: "u", sessionID: "s", position: nil),
        ])
        var context = SearchContext(userID: "u", sessionID: "s")
        context.time = 41 * 86_400
        let active = try filterSet().resolve(FilterRequest(), context: context, history: history)
        #expect(active.prefix(2) == [
            ActiveFilter(name: "no_repurchase", test: .excludeIDs(["new"])),
            ActiveFilter(name: "not_again", test: .excludeIDs(["seen"])),
        ])
        let anonymous = try filterSet().resolve(FilterRequest(), context: SearchContext(), history: history)
        #expect(anonymous.map(\.name) == ["affordable"])
    }

    @Test func theForwardedQueryFiltersAndExcludes() throws {
        let filters = [
            ActiveFilter(name: "h", test: .excludeIDs(["b", "a"])),
            ActiveFilter(name: "c", test: .include(field: "category", values: [.string("shoes")])),
            ActiveFilter(name: "p", test: .range(field: "price", RangeBounds(lte: 50))),
        ]
        let exclusion = try #require(ExclusionFilter(rules: [], excludedIDs: [], filters: filters))
        let body = try exclusion.applied(to: Array(#"{"query":{"match_all":{}}}"#.utf8), query: nil).body
        #expect(String(decoding: body, as: UTF8.self) == #"{"query":{"bool":{"must":[{"match_all":{}}],"filter":[{"terms":{"category":["shoes"]}},{"range":{"price":{"lte":50}}}],"must_not":[{"ids":{"values":["a","b"]}}]}}}"#)
    }

    @Test func theRerankerDropsWhatAFilterRefusesAndSaysWhich() throws {
        let hits = [
            RankableHit(id: "a", searchScore: 3, originalRank: 0, fields: ["price": .int(20)]),
            RankableHit(id: "b", searchScore: 2, originalRank: 1, fields: ["price": .int(80)]),
            RankableHit(id: "c", searchScore: 1, originalRank: 2),
        ]
        let filters = [ActiveFilter(name: "affordable", test: .range(field: "price", RangeBounds(lte: 50)))]
        let result = try Reranker(ranker: nil).rerank(hits, context: SearchContext(explain: true), filters: filters)
        #expect(result.order == [0])
        #expect(result.explanations?[1].rules == ["filter(affordable)"])
        #expect(Reranker(ranker: nil).ruled(hits, context: SearchContext(), filters: filters).order == [0])
    }
}
