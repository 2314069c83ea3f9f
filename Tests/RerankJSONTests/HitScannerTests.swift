import Testing

@testable import RerankJSON

@Suite struct HitScannerTests {
    static let response = #"""
        {"took":3,"timed_out":false,"_shards":{"total":1},"hits":{"total":{"value":3,"relation":"eq"},"max_score":2.5,
        "hits":[{"_index":"p","_id":"a","_score":2.5,"_source":{"title":"hits \"hits\"","price":{"amount":10},"tags":["x"]}},
        {"_index":"p","_id":"b","_score":1.5,"_source":{"title":"b","price.amount":20}},
        {"_index":"p","_id":"c","_score":null,"_source":{"title":"c"}}]},
        "aggregations":{"by_brand":{"buckets":[{"key":"hits","doc_count":2}]}},"unknown":{"hits":{"hits":[]}}}
        """#

    @Test func findsHitsIDsScoresAndSources() throws {
        let bytes = Array(Self.response.utf8)
        let layout = try #require(try HitScanner.scan(bytes))
        #expect(layout.hits.map(\.id) == ["a", "b", "c"])
        #expect(layout.hits.map(\.score) == [2.5, 1.5, nil])
        #expect(layout.hits.allSatisfy { $0.index == "p" })
        let source = try #require(layout.hits[0].source)
        let selector = FieldSelector(paths: ["price.amount", "tags", "missing"])
        #expect(selector.values(in: bytes, object: source) == ["price.amount": .number("10"), "tags": .array([.string("x")])])
        let dotted = try #require(layout.hits[1].source)
        #expect(selector.values(in: bytes, object: dotted) == ["price.amount": .number("20")])
        let both = FieldSelector(paths: ["price", "price.amount", "title"])
        #expect(both.values(in: bytes, object: source) == [
            "price": .object(JSONObject(["amount": .int(10)])), "price.amount": .number("10"),
            "title": .string(#"hits "hits""#),
        ])
    }

    @Test func splicingReordersHitsAndKeepsEveryOtherByte() throws {
        let bytes = Array(Self.response.utf8)
        let layout = try #require(try HitScanner.scan(bytes))
        let output = ResponseSplicer.splice(
            bytes, layout: layout,
            emitted: [.init(hit: 2), .init(hit: 0, appendedMember: Array(#""_rerank":{"rank":1}"#.utf8))]
        )
        let reparsed = try JSONParser.parse(output)
        let original = try JSONParser.parse(bytes)
        let hits = reparsed.objectValue?["hits"]?.objectValue?["hits"]?.arrayValue ?? []
        #expect(hits.compactMap { $0.objectValue?["_id"]?.stringValue } == ["c", "a"])
        #expect(hits[1].objectValue?["_rerank"] == .object(JSONObject(["rank": .int(1)])))
        for key in ["took", "timed_out", "_shards", "aggregations", "unknown"] {
            #expect(reparsed.objectValue?[key] == original.objectValue?[key])
        }
        #expect(reparsed.objectValue?["hits"]?.objectValue?["total"] == original.objectValue?["hits"]?.objectValue?["total"])
    }

    @Test func errorBodiesHaveNoLayoutAndGarbageThrows() throws {
        #expect(try HitScanner.scan(Array(#"{"error":{"type":"x"},"status":404}"#.utf8)) == nil)
        #expect(throws: JSONError.self) { try HitScanner.scan(Array("<html>502</html>".utf8)) }
        #expect(throws: JSONError.self) { try HitScanner.scan(Array(#"{"hits":{"hits":[{"_id":"a"}"#.utf8)) }
    }

    @Test func multiSearchResponsesAreLocated() throws {
        let text = #"{"took":1,"responses":[{"hits":{"hits":[{"_id":"x"}]}},{"error":{"type":"e"},"status":404}]}"#
        let bytes = Array(text.utf8)
        let ranges = try #require(try HitScanner.multiSearchResponses(bytes))
        #expect(ranges.count == 2)
        #expect(try HitScanner.scan(bytes, range: ranges[0])?.hits.first?.id == "x")
        #expect(try HitScanner.scan(bytes, range: ranges[1]) == nil)
    }

    @Test func objectEditorRemovesMembersOnly() {
        let bytes = Array(#"{"a":1,"b":{"c":[1,2]},"d":"x"}"#.utf8)
        let edited = JSONObjectEditor.removingMembers(bytes, object: 0..<bytes.count) { $0 == "b" }
        #expect(String(decoding: edited, as: UTF8.self) == #"{"a":1,"d":"x"}"#)
        let none = JSONObjectEditor.removingMembers(bytes, object: 0..<bytes.count) { _ in false }
        #expect(none == bytes)
        let all = JSONObjectEditor.removingMembers(bytes, object: 0..<bytes.count) { _ in true }
        #expect(all == Array("{}".utf8))
    }
}
