import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct SearchPlannerTests {
    let planner = SearchPlanner(window: 100, maxWindow: 1000)

    func body(_ plan: SearchPlan) throws -> JSONObject {
        let bytes = try #require(plan.body)
        return try #require(try JSONParser.parse(bytes).objectValue)
    }

    @Test func overFetchesTheWindowAndRemembersThePage() throws {
        let plan = try planner.plan(body: Array(#"{"query":{"match":{"title":"shoe"}},"from":10,"size":10}"#.utf8), query: nil)
        #expect(plan.page == .init(from: 10, size: 10))
        let forwarded = try body(plan)
        #expect(forwarded["from"] == .int(0))
        #expect(forwarded["size"] == .int(100))
        #expect(forwarded["query"] != nil)
        let deep = try planner.plan(body: Array(#"{"from":150,"size":20}"#.utf8), query: nil)
        #expect(try body(deep)["size"] == .int(170))
    }

    @Test func urlParametersOverrideTheBodyAndAreMovedIntoIt() throws {
        let plan = try planner.plan(body: [], query: "q=title:shoe&size=5&from=5&typed_keys=true")
        #expect(plan.page == .init(from: 5, size: 5))
        #expect(plan.query == "q=title:shoe&typed_keys=true")
        #expect(try body(plan)["size"] == .int(100))
    }

    @Test(arguments: [
        (#"{"size":0,"aggs":{}}"#, nil as String?, "size 0"),
        (#"{"sort":[{"price":"asc"}]}"#, nil, "sort"),
        (#"{"search_after":[1]}"#, nil, "search_after"),
        (#"{"collapse":{"field":"brand"}}"#, nil, "collapse"),
        ("{}", "scroll=1m", "scroll"),
        ("{}", "sort=price:asc", "sort"),
        (#"{"from":995,"size":10}"#, nil, "page beyond max_window 1000"),
        (#"{"size":-1}"#, nil, "from/size not non-negative integers"),
    ])
    func skipsWhatCannotBeReranked(body: String, query: String?, reason: String) throws {
        let plan = try planner.plan(body: Array(body.utf8), query: query)
        #expect(plan.page == nil)
        #expect(plan.skipReason == reason)
        #expect(plan.body == nil, "an untouched search is forwarded as the client's bytes")
    }

    @Test func scoreSortIsStillReranked() throws {
        #expect(try planner.plan(body: Array(#"{"sort":["_score"]}"#.utf8), query: nil).page != nil)
        #expect(try planner.plan(body: Array(#"{"sort":[{"_score":{"order":"desc"}}]}"#.utf8), query: nil).page != nil)
        #expect(try planner.plan(body: Array(#"{"sort":[{"_score":"asc"}]}"#.utf8), query: nil).page == nil)
    }

    @Test func stripsTheRerankExtensionEvenWhenSkipping() throws {
        let text = #"{"size":0,"ext":{"rerank":{"user_id":"u"},"other":{"k":1}}}"#
        let plan = try planner.plan(body: Array(text.utf8), query: nil)
        #expect(plan.rerankExtension == .object(JSONObject(["user_id": .string("u")])))
        let forwarded = try body(plan)
        #expect(forwarded["ext"] == .object(JSONObject(["other": .object(JSONObject(["k": .int(1)]))])))
        let only = try planner.plan(body: Array(#"{"ext":{"rerank":{}}}"#.utf8), query: nil)
        #expect(try body(only)["ext"] == nil)
    }

    @Test func aPlanWithoutRerankingForwardsTheClientsSearch() throws {
        let body = #"{"query":{"match":{"title":"x"}},"from":10,"size":5,"ext":{"rerank":{"user_id":"u"}}}"#
        let plan = try planner.plan(body: Array(body.utf8), query: "timeout=1s")
        #expect(plan.page != nil)
        let unreranked = plan.withoutReranking("reranking disabled")
        #expect(unreranked.skipReason == "reranking disabled")
        #expect(unreranked.page == nil)
        #expect(unreranked.sourceEdit == nil)
        #expect(unreranked.query == "timeout=1s")
        #expect(try self.body(unreranked) == JSONObject(["query": .object(JSONObject(["match": .object(JSONObject(["title": .string("x")]))])), "from": .int(10), "size": .int(5)]))
    }

    @Test(arguments: ["{", "[1]", #"{"a":}"#])
    func invalidBodiesAreParsingErrors(text: String) {
        #expect {
            try planner.plan(body: Array(text.utf8), query: nil)
        } throws: { error in
            (error as? RerankCore.RerankError)?.status == 400
        }
    }

    @Test func widensSourceFiltersForRankingFields() throws {
        var body = JSONObject(["_source": .bool(false)])
        #expect(SourceFilter.widen(&body, for: ["popularity"]) == .removeSource)
        var includes = JSONObject(["_source": .array([.string("title")])])
        let edit = SourceFilter.widen(&includes, for: ["popularity", "title"])
        #expect(edit == .restrict(SourcePatterns(includes: ["title"], excludes: [])))
        #expect(includes["_source"]?.objectValue?["includes"] == .array([.string("title"), .string("popularity")]))
        var wildcard = JSONObject(["_source": .string("po*ty")])
        #expect(SourceFilter.widen(&wildcard, for: ["popularity"]) == nil)
        var excludes = JSONObject(["_source": .object(JSONObject(["excludes": .array([.string("pop*")])]))])
        #expect(SourceFilter.widen(&excludes, for: ["popularity"]) == .restrict(SourcePatterns(includes: [], excludes: ["pop*"])))
        #expect(excludes["_source"]?.objectValue?["excludes"] == .array([]))
        var untouched = JSONObject()
        #expect(SourceFilter.widen(&untouched, for: ["popularity"]) == nil)
    }

    @Test func sourcePatternsFollowOpenSearch() {
        let patterns = SourcePatterns(includes: ["ti*", "price.amount"], excludes: ["*_internal"])
        #expect(patterns.returns("title"))
        #expect(patterns.returns("price"), "a parent of an included field is kept")
        #expect(patterns.returns("price.amount"))
        #expect(!patterns.returns("popularity"))
        #expect(!patterns.returns("tier_internal"))
        #expect(SourcePatterns.glob("*le", "title"))
        #expect(SourcePatterns.glob("a*b*c", "aXbYc"))
        #expect(!SourcePatterns.glob("a*b", "ab-c"))
    }

    @Test func urlSourceParametersMoveIntoTheBody() throws {
        let plan = try planner.plan(body: [], query: "_source_includes=title&q=boots", fields: ["popularity"])
        #expect(plan.query == "q=boots")
        #expect(plan.sourceEdit == .restrict(SourcePatterns(includes: ["title"], excludes: [])))
        let none = try planner.plan(body: [], query: "_source=false", fields: ["popularity"])
        #expect(none.sourceEdit == .removeSource)
    }

    @Test func hugeSizesAndFilterPathAreSkippedNotCrashed() throws {
        let huge = try planner.plan(body: Array(#"{"from":1,"size":9223372036854775807}"#.utf8), query: nil)
        #expect(huge.skipReason == "page beyond max_window 1000")
        #expect(try planner.plan(body: [], query: "filter_path=hits.hits._id").skipReason == "filter_path")
    }

    @Test(arguments: [
        (#"{"query":{"match":{"title":"shoe"}}}"#, false),
        (#"{"query":{"match":{"title":"next"}}}"#, false),
        (#"{"query":{"match":{"title":"ext"}}}"#, true),  // a value spelled like the key: planned, to be safe
        ("", false),
        (#"{"ext":{"rerank":{}}}"#, true),
        (#"{"q":1,"ext":{}}"#, true),
        (#"{"\u0065xt":{"rerank":{}}}"#, true),
        (#"{"title":"a \"quoted\" word"}"#, true),
    ])
    func aBodyMayHoldExtOnlyWhenItSpellsTheKeyOrEscapes(body: String, may: Bool) {
        #expect(SearchPlanner.mayHaveExtension(Array(body.utf8)) == may)
    }
}
