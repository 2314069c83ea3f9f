import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RerankConfiguration
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// Responses nothing reads (pass-through, and searches neither reranked nor logged) are handed on as they arrive,
/// never held, so `limits.max_response_body`, which bounds what the sidecar holds, does not apply to them.
@Suite(.serialized) struct LiveStreamingTests {
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test func responsesHandedOnAreNotBoundByTheResponseLimit() async throws {
        try await withLiveSidecar(configure: {
            configureSampleRanking(&$0)
            $0.limits.maxResponseBody = 1024
        }) { client, cluster in
            let ids = (1...40).map { String(format: #""sku-%05d""#, $0) }.joined(separator: ",")
            let mget = #"{"ids":[\#(ids)]}"#
            let direct = try await cluster.request(.POST, "/products/_mget", body: Array(mget.utf8))
            #expect(direct.body.count > 10 * 1024)
            try await client.execute(uri: "/products/_mget", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: mget)) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == direct.body)
            }

            let sorted = #"{"query":{"match_all":{}},"size":30,"sort":[{"price":"asc"},{"id":"asc"}]}"#
            let directSearch = try await cluster.request(.POST, "/products/_search", body: Array(sorted.utf8))
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: sorted)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.rerankStatus] == "skipped: sort")
                #expect(response.headers[.rerankModel] == "signals-2+rules-1")
                #expect(Self.hitIDs(Array(buffer: response.body)) == Self.hitIDs(directSearch.body))
                #expect(response.body.readableBytes > 1024)
            }

            // A reranked search is read whole, so the limit bounds it.
            let ranked = #"{"query":{"match_all":{}},"size":30}"#
            try await client.execute(uri: "/products/_search", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ranked)) { response in
                #expect(response.status == .badGateway)
                let type = try LiveFailureTests.errorType(response.body)
                #expect(type == "rerank_upstream_response_too_large_exception")
            }
        }
    }

    static func hitIDs(_ bytes: [UInt8]) -> [String] {
        let hits = (try? JSONParser.parse(bytes))?.objectValue?["hits"]?.objectValue?["hits"]?.arrayValue ?? []
        return hits.compactMap { $0.objectValue?["_id"]?.stringValue }
    }
}
