import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Personalization
import RerankConfiguration
import RerankJSON
import Testing

@testable import RerankServer

/// The admin endpoints: off without a token, 401 without the right one, and the model reload and stats behind it.
@Suite(.serialized) struct LiveAdminTests {
    static let token = "test-admin-token-0123456789"

    static func withSidecar(
        _ configure: (inout ServerConfiguration) -> Void = { _ in },
        test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.upstream.urls = ["http://127.0.0.1:1"]
        configure(&configuration)
        try await buildApplication(configuration).test(.live, test)
    }

    static func object(_ buffer: ByteBuffer) throws -> JSONObject {
        try #require(try JSONParser.parse(Array(buffer: buffer)).objectValue)
    }

    static let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

    @Test func withoutATokenAdminEndpointsAreDisabled() async throws {
        try await Self.withSidecar { client in
            for (uri, method) in [("/_rerank/stats", HTTPRequest.Method.get), ("/_rerank/model/reload", .post)] {
                try await client.execute(uri: uri, method: method, headers: Self.bearer) { response in
                    #expect(response.status == .forbidden)
                    let error = try Self.object(response.body)["error"]?.objectValue
                    #expect(error?["type"] == .string("security_exception"))
                    #expect(error?["reason"]?.stringValue?.contains("admin.token") == true)
                }
            }
            try await client.execute(uri: "/_rerank/health", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func aMissingOrWrongTokenIs401() async throws {
        try await Self.withSidecar({ $0.admin.token = Self.token }) { client in
            let attempts: [HTTPFields] = [
                [:], [.authorization: "Bearer wrong"], [.authorization: "Bearer \(Self.token)x"],
                [.authorization: "Basic \(Self.token)"], [.authorization: Self.token],
                [.authorization: "Bearer \(Self.token.dropLast())"],
            ]
            for headers in attempts {
                try await client.execute(uri: "/_rerank/stats", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(headers)")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                }
            }
            try await client.execute(uri: "/_rerank/stats", method: .get, headers: Self.bearer) { response in
                #expect(response.status == .ok)
                let stats = try Self.object(response.body)
                #expect(stats["model"]?.objectValue?["version"]?.stringValue?.isEmpty == false)
                #expect(stats["hash_user_ids"] == .bool(false))
            }
            try await client.execute(uri: "/_rerank/model/reload", method: .post, headers: Self.bearer) { response in
                #expect(response.status == .notFound, "no model configured")
            }
        }
    }

    @Test func tokensCompareWholly() {
        let token = Array("0123456789abcdef".utf8)
        #expect(AdminGuard<BasicRequestContext>.constantTimeEqual(token, token))
        #expect(!AdminGuard<BasicRequestContext>.constantTimeEqual([], token))
        #expect(!AdminGuard<BasicRequestContext>.constantTimeEqual(Array("0123456789abcdeF".utf8), token))
        #expect(!AdminGuard<BasicRequestContext>.constantTimeEqual(token + token, token))
        #expect(!AdminGuard<BasicRequestContext>.constantTimeEqual(Array(token.prefix(8)), token))
        #expect(AdminGuard<BasicRequestContext>.bearerToken("bearer abc") == Array("abc".utf8))
        #expect(AdminGuard<BasicRequestContext>.bearerToken("Bearer") == nil)
    }

    @Test func reloadSwapsAValidModelAndRefusesAnotherSchema() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-admin-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.json"
        let first = try LiveModelTests.trainedModel(iterations: 5, path: path)
        var renamed = try LiveModelTests.trainedModel(iterations: 8, path: directory + "/next.json")
        renamed.ranking.featureNames[0] = "a_feature_this_build_does_not_compute"
        let foreign = renamed
        try await Self.withSidecar({ configuration in
            configuration.admin.token = Self.token
            configuration.rerank.model = path
            configuration.rerank.modelCheckMilliseconds = 3_600_000  // only the endpoint reloads in this test
        }) { client in
            let version = { @Sendable () async throws -> String? in
                try await client.execute(uri: "/_rerank/stats", method: .get, headers: Self.bearer) {
                    try Self.object($0.body)["model"]?.objectValue?["version"]?.stringValue
                }
            }
            #expect(try await version() == first.version)
            try foreign.write(to: path)
            try await client.execute(uri: "/_rerank/model/reload", method: .post, headers: Self.bearer) { response in
                #expect(response.status == .badRequest)
                let error = try Self.object(response.body)["error"]?.objectValue
                #expect(error?["type"] == .string("rerank_model_refused_exception"))
                #expect(error?["reason"]?.stringValue?.contains("retrain") == true)
            }
            #expect(try await version() == first.version, "the loaded model keeps serving")
            try FileManager.default.removeItem(atPath: path)
            try await client.execute(uri: "/_rerank/model/reload", method: .post, headers: Self.bearer) { response in
                #expect(response.status == .badRequest, "a deleted file is refused too")
            }
            #expect(try await version() == first.version)
            try FileManager.default.copyItem(atPath: directory + "/next.json", toPath: path)
            let second = try PersonalizationModel(contentsOf: path)
            try await client.execute(uri: "/_rerank/model/reload", method: .post, headers: Self.bearer) { response in
                #expect(response.status == .ok)
                let answer = try Self.object(response.body)
                #expect(answer["version"] == .string(second.version))
            }
            #expect(try await version() == second.version)
            try await client.execute(uri: "/metrics", method: .get) { response in
                let metrics = String(buffer: response.body)
                #expect(metrics.contains(#"rerank_model_reloads_total{result="failed"} 2"#))
            }
        }
    }
}
