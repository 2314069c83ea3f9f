import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Ranking
import RerankConfiguration
import RerankJSON
import RerankServerTesting
import RerankTesting
import Testing

@testable import RerankServer

/// `indices` entries end to end: one sidecar serves two indices with their own rules and windows, the rest as
/// the `rerank` section says, against osmem-server.
@Suite(.serialized) struct LiveIndexTests {
    /// Five recipes whose titles say "soup" once among 0, 1, ... 4 other words, so BM25 ranks r-1 first and r-5 last.
    static func loadRecipes(into index: String, _ cluster: OsmemServer) async throws {
        var bulk = ""
        for number in 1...5 {
            let title = (["soup"] + (1..<number).map { "word\($0)" }).joined(separator: " ")
            bulk += #"{"index":{"_index":"\#(index)","_id":"r-\#(number)"}}"#
                + "\n" + #"{"title":"\#(title)","in_stock":true}"# + "\n"
        }
        let response = try await cluster.request(.POST, "/_bulk?refresh=true", body: Array(bulk.utf8), contentType: "application/x-ndjson")
        #expect(response.status == 200)
    }

    static func configure(_ configuration: inout ServerConfiguration) {
        configureSampleRanking(&configuration)
        let pinLast = BusinessRule(action: .pin(0), match: .ids(["r-5"]))
        var small = ServerConfiguration.IndexOverride(name: "recipes", patterns: ["recipes"])
        small.window = 3
        small.rules = [pinLast]
        var wide = ServerConfiguration.IndexOverride(name: "menus", patterns: ["menus-*"])
        wide.window = 10
        wide.rules = [pinLast]
        wide.signals = []
        configuration.indices = [small, wide]
    }

    static func search(_ client: some TestClientProtocol, _ path: String, headers: HTTPFields = [:]) async throws
        -> (status: HTTPResponse.Status, model: String?, ids: [String])
    {
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: headers)
        let body = ByteBuffer(string: #"{"query":{"match":{"title":"soup"}},"size":3}"#)
        return try await client.execute(uri: path, method: .post, headers: fields, body: body) { response in
            let object = try? JSONParser.parse(Array(buffer: response.body)).objectValue
            let hits = object?["hits"]?.objectValue?["hits"]?.arrayValue?.compactMap { $0.objectValue?["_id"]?.stringValue } ?? []
            return (response.status, response.headers[.rerankModel], hits)
        }
    }

    @Test func twoIndicesAreRankedByTheirOwnRulesAndWindows() async throws {
        try await withLiveSidecar(configure: Self.configure) { client, cluster in
            try await Self.loadRecipes(into: "recipes", cluster)
            try await Self.loadRecipes(into: "menus-eu", cluster)
            let recipes = try await Self.search(client, "/recipes/_search")
            #expect(recipes.status == .ok)
            #expect(recipes.model == "signals-2+rules-1@recipes", "the section's signals, the entry's rules")
            #expect(recipes.ids.first != "r-5", "a window of 3 never fetches the fifth recipe, so the pin finds nothing")
            #expect(!recipes.ids.contains("r-5"))
            let menus = try await Self.search(client, "/menus-eu/_search")
            #expect(menus.model == "rules-1@menus", "signals [] ranks with none: the engine's order under the rules")
            #expect(menus.ids == ["r-5", "r-1", "r-2"], "a window of 10 fetches it, and the pin puts it first")
            let products = try await Self.search(client, "/products/_search")
            #expect(products.model == "signals-2+rules-1", "no entry matches: the rerank section, as without indices")
            let both = try await Self.search(client, "/recipes,menus-eu/_search")
            #expect(both.model == "signals-2+rules-1", "no one entry matches both: the rerank section")
            let forced = try await Self.search(client, "/recipes/_search", headers: [.rerankVariantOverride: "ab/b"])
            #expect(forced.status == .badRequest, "experiments do not take an entry's searches")
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"rerank_index_searches_total{index_config="recipes",outcome="reranked"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"rerank_index_searches_total{index_config="menus",outcome="reranked"} 1"#))
            #expect(metrics.contains(#"rerank_index_searches_total{index_config="default",outcome="reranked"} 2"#))
        }
    }

    @Test func aRankRequestNamingAnIndexIsRankedByItsEntry() async throws {
        try await withLiveSidecar(configure: Self.configure) { client, _ in
            let rank = { @Sendable (extra: String) async throws -> (HTTPResponse.Status, JSONObject?) in
                let body = ByteBuffer(string: #"{"items": ["r-1", "r-2", "r-5"]\#(extra)}"#)
                return try await client.execute(uri: "/_rerank/rank", method: .post, headers: [.contentType: "application/json"], body: body) {
                    ($0.status, try? JSONParser.parse(Array(buffer: $0.body)).objectValue)
                }
            }
            let (status, menus) = try await rank(#", "index": "menus-eu""#)
            #expect(status == .ok)
            #expect(menus?["model"]?.stringValue == "rules-1@menus")
            #expect(menus?["items"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == "r-5", "the entry's pin")
            let (_, section) = try await rank("")
            #expect(section?["model"]?.stringValue == "signals-2+rules-1")
            let (bad, _) = try await rank(#", "index": 7"#)
            #expect(bad == .badRequest)
        }
    }

    @Test func anMsearchServesEachSearchByItsIndex() async throws {
        try await withLiveSidecar(configure: Self.configure) { client, cluster in
            try await Self.loadRecipes(into: "recipes", cluster)
            try await Self.loadRecipes(into: "menus-eu", cluster)
            let search = #"{"query":{"match":{"title":"soup"}},"size":3}"#
            let body = [#"{"index":"recipes"}"#, search, #"{"index":"menus-eu"}"#, search, #"{}"#, search].joined(separator: "\n") + "\n"
            try await client.execute(
                uri: "/products/_msearch", method: .post, headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.rerankModel] == "signals-2+rules-1@recipes, rules-1@menus, signals-2+rules-1")
                let object = try #require(try JSONParser.parse(Array(buffer: response.body)).objectValue)
                let responses = object["responses"]?.arrayValue ?? []
                let first = responses.map { $0.objectValue?["hits"]?.objectValue?["hits"]?.arrayValue?.first?.objectValue?["_id"]?.stringValue }
                #expect(first[1] == "r-5")
                #expect(first[0] != "r-5")
            }
        }
    }
}
