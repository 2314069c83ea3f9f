import Ranking
import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct ExclusionFilterTests {
    static let rules: [BusinessRule] = [
        .init(action: .exclude, match: .field("in_stock", [.bool(false)])), .init(action: .bury, match: .field("brand", [.string("acme")])),
    ]

    func json(_ bytes: [UInt8]) throws -> String { String(decoding: JSONWriter.bytes(try JSONParser.parse(bytes)), as: UTF8.self) }

    @Test func nothingExcludedIsNoFilter() {
        #expect(ExclusionFilter(rules: [.init(action: .bury, match: .ids(["a"]))], excludedIDs: []) == nil)
    }

    @Test func theQueryIsWrappedAndScoresAsBefore() throws {
        let filter = try #require(ExclusionFilter(rules: Self.rules, excludedIDs: ["b", "a"]))
        let (body, query) = try filter.applied(to: Array(#"{"query":{"match":{"title":"jacket"}},"sort":["price"]}"#.utf8), query: "from=5")
        #expect(query == "from=5")
        #expect(try json(body) == #"{"query":{"bool":{"must":[{"match":{"title":"jacket"}}],"must_not":[{"ids":{"values":["a","b"]}},{"terms":{"in_stock":[false]}}]}},"sort":["price"]}"#)
    }

    @Test func anEmptyBodyExcludesFromEverything() throws {
        let filter = try #require(ExclusionFilter(rules: [], excludedIDs: ["a"]))
        #expect(try json(filter.applied(to: [], query: nil).body) == #"{"query":{"bool":{"must_not":[{"ids":{"values":["a"]}}]}}}"#)
    }

    @Test func aQParameterMovesIntoTheBody() throws {
        let filter = try #require(ExclusionFilter(rules: [], excludedIDs: ["a"]))
        let (body, query) = try filter.applied(to: [], query: "q=title:jacket&df=title&sort=price:asc&lenient=true")
        #expect(query == "sort=price:asc")
        #expect(try json(body).contains(#"{"query_string":{"query":"title:jacket","default_field":"title","lenient":true}}"#))
    }
}
