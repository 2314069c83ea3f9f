import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct RankRequestTests {
    func parse(_ body: String, maxItems: Int = 100) throws(RerankError) -> RankRequest {
        try RankRequest(parsing: Array(body.utf8), maxItems: maxItems)
    }

    @Test func idsAndObjectsBecomeHitsInTheListsOrder() throws {
        let request = try parse(#"""
            {"items": ["a", {"id": "b", "fields": {"brand": {"name": "acme"}, "price": 20}}],
             "query": "shoes", "request_id": "r", "user_id": "u"}
            """#)
        #expect(request.query == "shoes" && request.requestID == "r")
        #expect(request.rerank["user_id"]?.stringValue == "u", "the other keys are read as ext.rerank")
        let hits = request.hits(FieldSelector(paths: ["brand.name", "price"]))
        #expect(hits.map(\.id) == ["a", "b"])
        #expect(hits.map(\.originalRank) == [0, 1])
        #expect(hits[0].searchScore > hits[1].searchScore, "without scores, earlier items score higher")
        #expect(hits[1].fields["brand.name"]?.stringValue == "acme")
        #expect(hits[1].fields["price"]?.doubleValue == 20)
        #expect(hits[0].fields["price"] == nil)
    }

    @Test func givenScoresAreTheEnginesScores() throws {
        let hits = try parse(#"{"items": [{"id": "a", "score": 1.5}, {"id": "b", "score": 7}]}"#).hits(FieldSelector(paths: []))
        #expect(hits.map(\.searchScore) == [1.5, 7])
    }

    @Test func tooManyItemsAreRefused() {
        #expect(throws: RerankError.self) { try parse(#"{"items": ["a", "b", "c"]}"#, maxItems: 2) }
        #expect(throws: RerankError.self) { try parse(#"{"items": [""]}"#) }
        #expect(throws: RerankError.self) { try parse(#"{"items": [{"score": 1}]}"#) }
        #expect(throws: RerankError.self) { try parse(#"{"items": ["a"], "query": 3}"#) }
    }
}
