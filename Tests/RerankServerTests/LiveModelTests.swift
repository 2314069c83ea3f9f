import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Personalization
import PersonalizationTraining
import RerankConfiguration
import RerankFixtures
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// A trained model serves searches, and model files swap under load without a failed request.
@Suite(.serialized) struct LiveModelTests {
    static func trainedModel(iterations: Int, path: String) throws -> PersonalizationModel {
        var options = LogTrainingOptions()
        options.parameters.iterations = iterations
        options.parameters.earlyStoppingRounds = 0
        let (model, _) = try LogTrainer.train(log: SyntheticLog.make(searches: 400), items: SyntheticLog.items(), options: options)
        try model.write(to: path)
        return model
    }

    @Test func modelFilesSwapUnderLoadWithoutAFailedRequest() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-model-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.json"
        let first = try Self.trainedModel(iterations: 5, path: path)
        let second = try Self.trainedModel(iterations: 8, path: directory + "/next.json")
        // Four tasks search at once, each through a connection of its own, through a client of the test's own:
        // the test framework's gives a request 15 s, and with every suite sharing two cores in CI a search under
        // this load has taken longer. A request still has a minute.
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await swapUnderLoad(http: http, path: path, directory: directory, first: first, second: second)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// The body of the test above, searching through `http`.
    private func swapUnderLoad(
        http: HTTPClient, path: String, directory: String, first: PersonalizationModel, second: PersonalizationModel
    ) async throws {
        try await withLiveSidecar(configure: { configuration in
            configuration.rerank.model = path
            configuration.rerank.modelCheckMilliseconds = 50
            configuration.rerank.budgetMilliseconds = 10_000
        }) { client, _ in
            let base = "http://127.0.0.1:\(client.port!)"
            let query = ByteBuffer(string: #"{"query":{"match":{"title":"jacket"}},"size":5,"ext":{"rerank":{"user_id":"u1"}}}"#)
            let execute = { @Sendable (uri: String, body: ByteBuffer?) async throws -> (status: Int, model: String?, body: String) in
                var request = HTTPClientRequest(url: base + uri)
                if let body {
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(body)
                }
                let response = try await http.execute(request, deadline: .now() + .minutes(1))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
                return (Int(response.status.code), response.headers.first(name: "X-Rerank-Model"), text)
            }
            let search = { @Sendable () async throws -> (status: Int, model: String?) in
                let answer = try await execute("/products/_search", query)
                return (answer.status, answer.model)
            }
            let metrics = { @Sendable () async throws -> String in try await execute("/metrics", nil).body }
            #expect(try await search().model == first.version)
            // Searches run throughout; the files change while they do: a broken file first (refused, counted),
            // then the next model, each step once the previous one was seen.
            let searching = SearchCount()
            let results = try await withThrowingTaskGroup(of: [(status: Int, model: String?)].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var seen: [(status: Int, model: String?)] = []
                        for _ in 0..<60 {
                            seen.append(try await search())
                            await searching.add()
                        }
                        return seen
                    }
                }
                group.addTask {
                    try await waitUntil("searches under way") { await searching.count >= 20 }
                    try Data("{ not a model".utf8).write(to: URL(fileURLWithPath: path))
                    try await waitUntil("the broken file refused") {
                        try await metrics().contains(#"rerank_model_reloads_total{result="failed"}"#)
                    }
                    try FileManager.default.removeItem(atPath: path)
                    try FileManager.default.copyItem(atPath: directory + "/next.json", toPath: path)
                    return []
                }
                var all: [(status: Int, model: String?)] = []
                for try await batch in group { all += batch }
                return all
            }
            #expect(results.count == 240)
            #expect(results.allSatisfy { $0.status == 200 }, "no search failed while the model file changed")
            try await waitUntil("the next model serving") { try await search().model == second.version }
            #expect(try await metrics().contains(#"rerank_model_reloads_total{result="loaded"}"#))
        }
    }

    @Test func anUnusableModelFailsTheStartWithAClearError() throws {
        var configuration = ServerConfiguration()
        configuration.rerank.model = "/nonexistent/model.json"
        #expect {
            _ = try buildApplication(configuration)
        } throws: { error in
            String(describing: error).contains("cannot serve --model /nonexistent/model.json")
        }
    }
}

/// How many searches the load of a test has done so far.
private actor SearchCount {
    private(set) var count = 0

    func add() { count += 1 }
}
