import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// End to end through the proxy against a real OpenSearch-compatible server (osmem-server).
@Suite(.serialized) struct LiveSearchTests {
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func object(_ buffer: ByteBuffer) throws -> JSONObject {
        try #require(try JSONParser.parse(Array(buffer: buffer)).objectValue)
    }

    static func hits(_ object: JSONObject) -> [JSONObject] {
        object["hits"]?.objectValue?["hits"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    @Test func reranksAPageAndKeepsTheResponseShape() async throws {
        try await withLiveSidecar(configure: configureSampleRanking) { client, cluster in
            let query = #"{"query":{"match":{"title":"jacket"}},"size":10,"aggs":{"brands":{"terms":{"field":"brand"}}}}"#
            let direct = try Self.object(ByteBuffer(bytes: try await cluster.request(.POST, "/products/_search", body: Array(query.utf8)).body))
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: query)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.rerankStatus] == "reranked")
                #expect(response.headers[.rerankModel] == "signals-2+rules-1")
                let body = try Self.object(response.body)
                #expect(body["hits"]?.objectValue?["total"] == direct["hits"]?.objectValue?["total"])
                #expect(body["aggregations"] == direct["aggregations"])
                #expect(body["_shards"] == direct["_shards"])
                let hits = Self.hits(body)
                #expect(hits.count == 10)
                let stock = hits.map { $0["_source"]?.objectValue?["in_stock"] == .bool(true) }
                #expect(stock == stock.sorted { $0 && !$1 }, "out-of-stock items are buried below in-stock ones")
            }
        }
    }

    @Test func pagesNeverOverlap() async throws {
        try await withLiveSidecar(configure: configureSampleRanking) { client, _ in
            var pages: [[String]] = []
            for from in [0, 10, 20] {
                let query = #"{"query":{"match":{"description":"range"}},"from":\#(from),"size":10}"#
                try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: query)) { response in
                    pages.append(Self.hits(try Self.object(response.body)).compactMap { $0["_id"]?.stringValue })
                }
            }
            let whole = #"{"query":{"match":{"description":"range"}},"size":30}"#
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: whole)) { response in
                let top = Self.hits(try Self.object(response.body)).compactMap { $0["_id"]?.stringValue }
                #expect(pages.flatMap { $0 } == top)
                #expect(Set(pages.flatMap { $0 }).count == 30)
            }
        }
    }

    @Test func explainAndSourceFilteringReturnWhatTheClientAskedFor() async throws {
        try await withLiveSidecar(configure: configureSampleRanking) { client, _ in
            let query = #"{"query":{"match":{"title":"boots"}},"_source":["title"],"size":3,"ext":{"rerank":{"explain":true,"user_id":"u1"}}}"#
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: query)) { response in
                #expect(response.status == .ok)
                let hits = Self.hits(try Self.object(response.body))
                #expect(!hits.isEmpty)
                for hit in hits {
                    #expect(hit["_source"]?.objectValue?.members.map(\.key) == ["title"])
                    let explanation = try #require(hit["_rerank"]?.objectValue)
                    #expect(explanation["original_rank"]?.intValue != nil)
                    #expect((explanation["features"]?.objectValue?["popularity"]?.doubleValue ?? 0) > 0)
                }
            }
            let noSource = #"{"query":{"match":{"title":"boots"}},"_source":false,"size":2}"#
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: noSource)) { response in
                let hits = Self.hits(try Self.object(response.body))
                #expect(hits.count == 2)
                #expect(hits.allSatisfy { $0["_source"] == nil })
            }
        }
    }

    @Test func multiSearchReranksEachSearchOnItsOwn() async throws {
        try await withLiveSidecar(configure: configureSampleRanking) { client, _ in
            let body = """
                {"index":"products"}
                {"query":{"match":{"title":"jacket"}},"size":5}
                {"index":"products"}
                {"size":0,"query":{"match_all":{}}}

                """
            try await client.execute(uri: "/_msearch", method: .post, headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.rerankStatus] == "reranked, skipped: size 0")
                let responses = try Self.object(response.body)["responses"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(responses.count == 2)
                #expect(Self.hits(responses[0]).count == 5)
                #expect(Self.hits(responses[1]).isEmpty)
                #expect(responses[1]["hits"]?.objectValue?["total"]?.objectValue?["value"] == .int(600))
            }
        }
    }

    @Test func skippedSearchesMatchTheClusterExactly() async throws {
        try await withLiveSidecar(configure: configureSampleRanking) { client, cluster in
            let query = #"{"query":{"match":{"title":"jacket"}},"sort":[{"price":"asc"}],"size":5}"#
            let direct = try await cluster.request(.POST, "/products/_search", body: Array(query.utf8))
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: query)) { response in
                #expect(response.headers[.rerankStatus] == "skipped: sort")
                var proxied = try Self.object(response.body)
                var expected = try Self.object(ByteBuffer(bytes: direct.body))
                proxied["took"] = nil
                expected["took"] = nil
                #expect(proxied == expected)
            }
        }
    }
}
