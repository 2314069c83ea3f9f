import Experiments
import Foundation
import RerankConfiguration
import Testing

@testable import RerankServer

/// The `experiments` section: what it reads, and errors that name the key path.
@Suite struct ExperimentConfigurationTests {
    @Test func readsABAndInterleavingExperiments() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"experiments_check_ms": 500, "experiments": [
              {"name": "model-ab", "salt": "model-ab-2", "traffic": 0.4, "start": "2026-12-01T00:00:00Z", "stop": "2026-12-15T00:00:00Z",
               "variants": [{"name": "control", "share": 0.5, "rerank": false},
                            {"name": "heavy", "share": 0.5, "weight": 0.9, "rules": [{"action": "bury", "field": "in_stock", "equals": false}]}]},
              {"name": "il", "type": "interleaving",
               "variants": [{"name": "engine", "rerank": false}, {"name": "model"}]},
              {"name": "three", "variants": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
            ]}
            """#)
        #expect(configuration.experimentsCheckMilliseconds == 500)
        #expect(configuration.experiments.map(\.name) == ["model-ab", "il", "three"])
        let ab = configuration.experiments[0]
        #expect(ab.salt == "model-ab-2")
        #expect(ab.kind == .abTest)
        #expect(ab.traffic == 0.4)
        #expect(ab.start != nil)
        #expect(ab.stop != nil)
        #expect(ab.variants[0].treatment == .off)
        guard case .on(let heavy) = ab.variants[1].treatment else { Issue.record("heavy reranks"); return }
        #expect(heavy.weight == 0.9)
        #expect(heavy.rules?.count == 1)
        #expect(heavy.model == nil)
        #expect(configuration.experiments[1].kind == .interleaving)
        #expect(configuration.experiments[1].salt == "il")
        let third: Double = 1.0 / 3
        #expect(configuration.experiments[2].variants.map(\.share) == [third, third, third])
    }

    @Test(arguments: [
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","share":0.5},{"name":"y","share":0.4}]}]}"#,
         "configuration key 'experiments[0].variants': the variants' shares sum to 0.9"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","share":1},{"name":"y"}]}]}"#,
         "configuration key 'experiments[0].variants': give every variant a share"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","model":"/nonexistent/model.json"}]}]}"#,
         "configuration key 'experiments[0].variants[0].model': no readable model file at '/nonexistent/model.json'"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","colour":"red"}]}]}"#,
         "unknown configuration key 'experiments[0].variants[0].colour'"),
        (#"{"experiments":[{"name":"a","type":"bandit","variants":[{"name":"x"}]}]}"#,
         "configuration key 'experiments[0].type' must be ab or interleaving"),
        (#"{"experiments":[{"name":"a","type":"interleaving","variants":[{"name":"x"}]}]}"#,
         "configuration key 'experiments[0].variants' of an interleaving experiment needs exactly two variants"),
        (#"{"experiments":[{"name":"a","type":"interleaving","variants":[{"name":"x","share":0.5},{"name":"y"}]}]}"#,
         "configuration key 'experiments[0].variants[0].share': interleaving shows both rankings"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x"}]},{"name":"a","variants":[{"name":"y"}]}]}"#,
         "configuration key 'experiments[1].name': experiment 'a' is declared twice"),
        (#"{"experiments":[{"name":"a/b","variants":[{"name":"x"}]}]}"#,
         "configuration key 'experiments[0].name' must be letters, digits"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"default"}]}]}"#,
         "configuration key 'experiments[0].variants[0].name' must be letters, digits, '-', '_' or '.' other than default and interleaved"),
        (#"{"experiments":[{"name":"a","traffic":1.5,"variants":[{"name":"x"}]}]}"#,
         "configuration key 'experiments[0].traffic' must be a number in 0.0...1.0"),
        (#"{"experiments":[{"name":"a","start":"2026-12-02T00:00:00Z","stop":"2026-12-01T00:00:00Z","variants":[{"name":"x"}]}]}"#,
         "configuration key 'experiments[0].stop' must be later than 'experiments[0].start'"),
        (#"{"experiments":[{"name":"a","start":"next week","variants":[{"name":"x"}]}]}"#,
         "configuration key 'experiments[0].start' must be an ISO-8601 time"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","rerank":false,"weight":0.5}]}]}"#,
         "configuration key 'experiments[0].variants[0].rerank' is false, so the variant takes no weight"),
        (#"{"experiments":[{"name":"a"}]}"#, "configuration key 'experiments[0].variants' is required"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","exploration":{"share":-0.1}}]}]}"#,
         "configuration key 'experiments[0].variants[0].exploration.share' must be a number in 0.0...1.0"),
        (#"{"experiments":[{"name":"a","variants":[{"name":"x","rerank":false,"exploration":{"share":0.1}}]}]}"#,
         "configuration key 'experiments[0].variants[0].rerank' is false, so the variant takes no weight, model, rules or exploration"),
    ])
    func badExperimentsSayWhatToFix(text: String, message: String) {
        do {
            _ = try ServerConfiguration.loaded(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(String(describing: error).contains(message), "\(error)")
        }
    }

    @Test func aVariantModelNeedsAServedModel() throws {
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-variant-\(UUID()).json").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: model))
        defer { try? FileManager.default.removeItem(atPath: model) }
        let configuration = try ServerConfiguration.loaded(#"{"experiments":[{"name":"a","variants":[{"name":"x"},{"name":"y","model":"\#(model)"}]}]}"#)
        #expect {
            try configuration.checkVariantModels()
        } throws: { error in
            String(describing: error).contains("configuration key 'experiments[0].variants[1].model' needs rerank.model")
        }
    }
}
