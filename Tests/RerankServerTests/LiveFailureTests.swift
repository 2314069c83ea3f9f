import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RerankConfiguration
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// Bad input and bad upstreams get OpenSearch-shaped answers, and the sidecar keeps serving.
@Suite(.serialized) struct LiveFailureTests {
    static func errorType(_ buffer: ByteBuffer) throws -> String? {
        let object = try #require(try JSONParser.parse(Array(buffer: buffer)).objectValue)
        return object["error"]?.objectValue?["root_cause"]?.arrayValue?.first?.objectValue?["type"]?.stringValue
    }

    @Test func badRequestsGetClearErrors() async throws {
        try await withLiveSidecar(configure: { $0.limits.maxRequestBody = 2048 }) { client, _ in
            let json: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/products/_search", method: .post, headers: json, body: ByteBuffer(string: "{\"query\":")) { response in
                #expect(response.status == .badRequest)
                let type = try Self.errorType(response.body)
                #expect(type == "parsing_exception")
            }
            try await client.execute(uri: "/products/_search", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}")) { response in
                #expect(response.status.code == 406)
            }
            let big = "{\"query\":{\"match\":{\"title\":\"" + String(repeating: "x", count: 4096) + "\"}}}"
            try await client.execute(uri: "/products/_search", method: .post, headers: json, body: ByteBuffer(string: big)) { response in
                #expect(response.status.code == 413)
            }
            try await client.execute(uri: "/products/_search", method: .post, headers: json, body: ByteBuffer(string: #"{"ext":{"rerank":{"weight":5}}}"#)) { response in
                #expect(response.status == .badRequest)
                let text = String(buffer: response.body)
                #expect(text.contains("[ext.rerank.weight]"))
            }
            try await client.execute(uri: "/no_such_index/_search", method: .get) { response in
                #expect(response.status == .notFound)
                let type = try Self.errorType(response.body)
                #expect(type == "index_not_found_exception")
            }
            try await client.execute(uri: "/_rerank/health", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func writesAreRefusedUnlessAllowed() async throws {
        try await withLiveSidecar { client, cluster in
            let json: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/products/_doc/new-1", method: .put, headers: json, body: ByteBuffer(string: #"{"title":"x"}"#)) { response in
                #expect(response.status == .forbidden)
                let type = try Self.errorType(response.body)
                #expect(type == "security_exception")
            }
            try await client.execute(uri: "/products", method: .delete) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try await cluster.request(.GET, "/products/_doc/new-1").status == 404)
            try await client.execute(uri: "/products/_doc/sku-00001", method: .get) { response in
                let direct = try await cluster.request(.GET, "/products/_doc/sku-00001")
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == direct.body)
            }
        }
        try await withLiveSidecar(configure: { $0.passthrough.allowWrites = true }) { client, cluster in
            try await client.execute(uri: "/products/_doc/new-2?refresh=true", method: .put, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"title":"x"}"#)) { response in
                #expect(response.status == .created)
            }
            #expect(try await cluster.request(.GET, "/products/_doc/new-2").status == 200)
        }
    }

    @Test func unreachableUpstreamIsA502() async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.upstream.urls = ["http://127.0.0.1:1"]
        let app = try buildApplication(configuration)
        try await app.test(.live) { client in
            try await client.execute(uri: "/products/_search", method: .get) { response in
                #expect(response.status == .badGateway)
                let type = try Self.errorType(response.body)
                #expect(type == "rerank_upstream_unreachable_exception")
            }
            try await client.execute(uri: "/_rerank/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"rerank_http_requests_total{route="search",status="502"} 1"#))
            }
        }
    }
}
