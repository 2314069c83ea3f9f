import EventLog
import ExperimentAnalysis
import Experiments
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RerankConfiguration
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// Experiments end to end: assignment through the real sidecar over osmem-server, headers, the override,
/// tagged impressions with interleaving teams, events joined to them, the report on the written logs, and a
/// changed config file applied without a restart.
@Suite(.serialized) struct LiveExperimentTests {
    static let experiments = #"""
        {"experiments": [
          {"name": "ab", "salt": "ab-live", "traffic": 0.5,
           "variants": [{"name": "control", "share": 0.5, "rerank": false}, {"name": "treatment", "share": 0.5, "weight": 1}]},
          {"name": "il", "type": "interleaving", "salt": "il-live",
           "variants": [{"name": "engine", "rerank": false}, {"name": "signals", "weight": 1}]}
        ]}
        """#
    static let queries = ["jacket", "shoes", "bag", "lamp"]

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rerank-\(name)-\(UUID())").path
    }

    static func writeConfig(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func search(_ client: any TestClientProtocol, user: String, query: String, override: String? = nil) async throws
        -> (status: HTTPResponse.Status, headers: HTTPFields, ids: [String])
    {
        var headers: HTTPFields = [.contentType: "application/json", .rerankUser: user]
        if let override { headers[.rerankVariantOverride] = override }
        let body = ByteBuffer(string: #"{"query":{"match":{"title":"\#(query)"}},"size":5}"#)
        return try await client.execute(uri: "/products/_search", method: .post, headers: headers, body: body) { response in
            let object = try? JSONParser.parse(Array(buffer: response.body)).objectValue
            let hits = object?["hits"]?.objectValue?["hits"]?.arrayValue ?? []
            return (response.status, response.headers, hits.compactMap { $0.objectValue?["_id"]?.stringValue })
        }
    }

    @Test func searchesAreAssignedTaggedLoggedAndReported() async throws {
        let directory = Self.temporary("experiment-logs")
        let configPath = Self.temporary("experiment-config") + ".json"
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: configPath)
        }
        try Self.writeConfig(Self.experiments, to: configPath)
        var fromFile = ServerConfiguration()
        try fromFile.apply(configFile: configPath)
        let assigner = ExperimentAssigner(fromFile.experiments)
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.experiments = fromFile.experiments
            configuration.log.directory = directory
        }) { client, _ in
            var events = ""
            for user in (0..<40).map({ "shopper-\($0)" }) {
                let expected = try #require(try assigner.assign(clientID: user, at: Date()))
                for query in Self.queries.prefix(3) {
                    let served = try await Self.search(client, user: user, query: query)
                    #expect(served.status == .ok)
                    // Sticky and the same in every instance: the offline assigner agrees with the sidecar.
                    #expect(served.headers[.rerankExperiment] == expected.experiment.name)
                    #expect(served.headers[.rerankVariant] == expected.variantName)
                    if expected.variantName == "control" {
                        #expect(served.headers[.rerankStatus]?.hasPrefix("skipped: reranking off in experiment ab") == true)
                        #expect(served.headers[.rerankModel] == "none")
                    } else {
                        #expect(served.headers[.rerankStatus] == "reranked")
                    }
                    let queryID = try #require(served.headers[.rerankQueryID])
                    if let first = served.ids.first {
                        events += #"{"action_name":"click","query_id":"\#(queryID)","client_id":"\#(user)","event_attributes":{"object":{"object_id":"\#(first)"},"position":{"ordinal":0}}}"# + "\n"
                    }
                }
            }
            try await client.execute(uri: "/_rerank/events", method: .post, headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: events)) { response in
                #expect(response.status == .ok)
            }
            let forced = try await Self.search(client, user: "shopper-0", query: "lamp", override: "ab/treatment")
            #expect(forced.headers[.rerankVariant] == "treatment")
            #expect(forced.headers[.rerankExperiment] == "ab")
            let unknown = try await Self.search(client, user: "shopper-0", query: "lamp", override: "ab/bogus")
            #expect(unknown.status == .badRequest)
        }

        let log = try InteractionLogReader().read(directory)
        #expect(log.queries.count == 40 * 3 + 1)
        for query in log.queries {
            let tag = try #require(query.experimentTag)
            #expect(tag.experiment != nil)
            if tag.experiment == "il", !tag.forced {
                #expect(tag.teams?.count == query.responseHitIDs?.count, "every shown hit records its team")
                #expect(tag.teams?.allSatisfy { $0 == "control" || $0 == "treatment" } == true)
            }
            if tag.experiment == "ab" { #expect(tag.split.map(\.variant) == ["control", "treatment"]) }
        }
        #expect(log.queries.filter { $0.experimentTag?.forced == true }.count == 1)

        let report = ExperimentReport(ExperimentLog(log), configured: fromFile.experiments)
        #expect(report.forcedSearches == 1)
        let byName = Dictionary(uniqueKeysWithValues: report.experiments.map { ($0.name, $0) })
        let ab = try #require(byName["ab"])
        let il = try #require(byName["il"])
        #expect(ab.variants.reduce(0) { $0 + $1.users } + il.variants.reduce(0) { $0 + $1.users } == 40)
        #expect(ab.variants.allSatisfy { $0.searches == $0.users * 3 })
        #expect(ab.sampleRatio != nil)
        let preference = try #require(il.preference)
        #expect(preference.wins + preference.losses + preference.ties == il.variants[0].searches, "every interleaved search had a click")
        #expect(il.variants[0].metrics[.ctr]?.value == 1)
    }

    @Test func aStorefrontWithRerankingOffReranksOnlyTheTreatment() async throws {
        let experiment = Experiment(name: "launch", traffic: 0.5, variants: [
            .init(name: "control", share: 0.5, treatment: .off), .init(name: "treatment", share: 0.5, treatment: .on(.init())),
        ])
        let finished = Experiment(name: "finished", variants: [.init(name: "only", treatment: .on(.init()))], stop: Date(timeIntervalSince1970: 0))
        let assigner = ExperimentAssigner([experiment])
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.rerank.enabled = false
            configuration.experiments = [experiment]
        }) { client, _ in
            var seen = Set<String>()
            for user in (0..<40).map({ "shopper-\($0)" }) {
                let status = try await Self.search(client, user: user, query: "jacket").headers[.rerankStatus]
                switch try assigner.assign(clientID: user, at: Date())?.variantName {
                case "treatment"?: #expect(status == "reranked")
                case "control"?: #expect(status == "skipped: reranking off in experiment launch variant control")
                default: #expect(status == "skipped: reranking off by default (the control of experiment launch)")
                }
                seen.insert(status ?? "")
            }
            #expect(seen.count == 3, "treatment, control and outside users were all served: \(seen)")
        }
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.rerank.enabled = false
            configuration.experiments = [finished]
        }) { client, _ in
            let served = try await Self.search(client, user: "shopper-1", query: "jacket")
            #expect(served.headers[.rerankStatus] == "skipped: reranking disabled", "a stopped experiment takes nobody")
            #expect(served.headers[.rerankVariant] == "default")
        }
    }

    @Test func changedExperimentsTakeEffectWithoutARestart() async throws {
        let configPath = Self.temporary("experiment-reload") + ".json"
        defer { try? FileManager.default.removeItem(atPath: configPath) }
        let everyoneInAB = #"{"experiments": [{"name": "ab", "variants": [{"name": "a"}, {"name": "b"}]}]}"#
        try Self.writeConfig(everyoneInAB, to: configPath)
        var fromFile = ServerConfiguration()
        try fromFile.apply(configFile: configPath)
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.experiments = fromFile.experiments
            configuration.configFile = configPath
            configuration.experimentsCheckMilliseconds = 20
        }) { client, _ in
            #expect(try await Self.search(client, user: "u1", query: "jacket").headers[.rerankExperiment] == "ab")
            let interleaving = #"{"experiments": [{"name": "il-2", "type": "interleaving", "variants": [{"name": "engine", "rerank": false}, {"name": "signals"}]}]}"#
            try Self.writeConfig(interleaving, to: configPath)
            try await waitUntil("the new experiment serving") {
                try await Self.search(client, user: "u1", query: "jacket").headers[.rerankExperiment] == "il-2"
            }
            try Self.writeConfig(#"{"experiments": [{"name": "ab", "variants": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}]}]}"#, to: configPath)
            try await waitUntil("the refused file counted") {
                try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                    .contains(#"rerank_experiment_reloads_total{result="failed"} 1"#)
            }
            let served = try await Self.search(client, user: "u1", query: "jacket")
            #expect(served.headers[.rerankExperiment] == "il-2", "a refused file leaves the running experiments alone")
            #expect(served.headers[.rerankVariant] == "interleaved")
            try await client.execute(uri: "/metrics", method: .get) { response in
                let metrics = String(buffer: response.body)
                #expect(metrics.contains(#"rerank_experiment_reloads_total{result="loaded"} 1"#))
                #expect(metrics.contains(#"rerank_experiment_reloads_total{result="failed"} 1"#))
            }
        }
    }
}
