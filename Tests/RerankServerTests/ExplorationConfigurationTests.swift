import Experiments
import Foundation
import Ranking
import RerankConfiguration
import Testing

@testable import RerankServer

/// `rerank.exploration` and a variant's `exploration`: off by default, read whole, settings made in code checked
/// (bad file values are in ``ConfigurationTests`` and ``ExperimentConfigurationTests``), and experiment arms
/// serve their own.
@Suite struct ExplorationConfigurationTests {
    @Test func offByDefault() {
        #expect(ServerConfiguration().rerank.exploration == Exploration())
        #expect(ServerConfiguration().rerank.exploration.share == 0)
    }

    @Test func readsTheSectionAndAVariantsOwn() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"rerank": {"exploration": {"share": 0.05, "max_move": 3, "depth": 8, "cold_exposure": false}},
             "experiments": [{"name": "explore-ab", "variants": [{"name": "control"},
                                                                 {"name": "exploring", "exploration": {"share": 0.2}}]}]}
            """#)
        #expect(configuration.rerank.exploration == Exploration(share: 0.05, maxMove: 3, depth: 8, coldExposure: false))
        guard case .on(let control) = configuration.experiments[0].variants[0].treatment,
            case .on(let exploring) = configuration.experiments[0].variants[1].treatment
        else {
            Issue.record("both variants rerank")
            return
        }
        #expect(control.exploration == nil)
        #expect(exploring.exploration == Exploration(share: 0.2), "keys left out take their defaults")
        // Each arm's reranker explores as its variant says, the control as the served configuration does.
        let served = Reranker(ranker: nil, exploration: configuration.rerank.exploration)
        let arms = ServingExperiments(try LoadedExperiments(configuration.experiments, live: nil), base: served)
        let experiment = configuration.experiments[0]
        guard case .rerank(let controlArm)? = arms.control(of: experiment),
            case .rerank(let exploringArm)? = arms.choice(for: Assignment(experiment: experiment, variantIndex: 1))
        else {
            Issue.record("both arms rerank")
            return
        }
        #expect(controlArm.reranker.exploration == configuration.rerank.exploration)
        #expect(exploringArm.reranker.exploration == Exploration(share: 0.2))
    }

    @Test func settingsMadeInCodeAreChecked() {
        for (exploration, message) in [
            (Exploration(share: 2), "rerank.exploration.share must be a share of searches in 0...1"),
            (Exploration(share: .nan), "rerank.exploration.share must be a share of searches in 0...1"),
            (Exploration(share: 0.1, maxMove: 0), "rerank.exploration.max_move must be in 1...1000"),
            (Exploration(share: 0.1, depth: 1), "rerank.exploration.depth must be in 2...10000"),
        ] {
            var configuration = ServerConfiguration()
            configuration.rerank.exploration = exploration
            #expect {
                try configuration.validate()
            } throws: { error in
                String(describing: error).contains(message)
            }
        }
    }
}
