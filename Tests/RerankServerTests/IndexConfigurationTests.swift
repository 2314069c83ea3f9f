import Foundation
import Ranking
import RerankCore
import RerankConfiguration
import Testing

@testable import RerankServer

/// The `indices` section: what it reads, which entry serves which index expression, how an entry's keys override
/// the `rerank` section's, and errors that name the key path.
@Suite struct IndexConfigurationTests {
    @Test func readsEntriesWithTheirOverrides() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"rerank": {"window": 50, "rules": [{"action": "bury", "field": "in_stock", "equals": false}],
                        "signals": [{"field": "popularity"}]},
             "indices": [
               {"pattern": "recipes", "window": 10, "budget_ms": 40, "weight": 0.2, "enabled": true,
                "rules": [{"action": "pin", "ids": ["r-1"], "position": 0}], "exploration": {"share": 0.1}},
               {"pattern": ["products", "products-eu-*"], "name": "products", "signals": [{"field": "rating", "weight": 2}]},
               {"pattern": "archive-*", "enabled": false}
             ]}
            """#)
        #expect(configuration.indices.map(\.name) == ["recipes", "products", "archive-*"])
        let recipes = configuration.indices[0]
        #expect(recipes.patterns == ["recipes"])
        #expect(recipes.window == 10)
        #expect(recipes.budgetMilliseconds == 40)
        #expect(recipes.weight == 0.2)
        #expect(recipes.enabled == true)
        #expect(recipes.rules?.count == 1)
        #expect(recipes.exploration?.share == 0.1)
        #expect(recipes.signals == nil)
        #expect(!recipes.ownsRanker)
        let products = configuration.indices[1]
        #expect(products.patterns == ["products", "products-eu-*"])
        #expect(products.signals?.map(\.field) == ["rating"])
        #expect(products.ownsRanker)
        #expect(products.window == nil, "keys left out are nil: the rerank section's apply")
        #expect(configuration.indices[2].enabled == false)
    }

    @Test func anEntrysKeysOverrideTheRerankSectionsAndTheRestAreInherited() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"rerank": {"window": 50, "budget_ms": 30, "weight": 0.6, "signals": [{"field": "popularity"}],
                        "rules": [{"action": "bury", "field": "in_stock", "equals": false}]},
             "indices": [{"pattern": "recipes", "window": 10, "rules": []},
                         {"pattern": "products", "signals": []},
                         {"pattern": "books", "enabled": false, "weight": 0.1}]}
            """#)
        let recipes = configuration.rerank(for: configuration.indices[0])
        #expect(recipes.window == 10)
        #expect(recipes.rules.isEmpty)
        #expect(recipes.budgetMilliseconds == 30)
        #expect(recipes.weight == 0.6)
        #expect(recipes.signals.map(\.field) == ["popularity"], "no model or signals of its own: the section's ranker")
        let products = configuration.rerank(for: configuration.indices[1])
        #expect(products.signals.isEmpty, "signals [] ranks with none")
        #expect(products.rules.count == 1)
        let books = configuration.rerank(for: configuration.indices[2])
        #expect(!books.enabled)
        #expect(books.weight == 0.1)
        #expect(configuration.rerank.window == 50, "the section itself is unchanged")
    }

    @Test func anEntryWithAModelOfItsOwnDropsTheSectionsModelAndSignals() throws {
        var configuration = ServerConfiguration()
        configuration.rerank.model = "/models/shared.json"
        configuration.rerank.signals = [.init(field: "popularity", weight: 1, transform: .linear)]
        var entry = ServerConfiguration.IndexOverride(name: "recipes", patterns: ["recipes"])
        entry.model = "/models/recipes.json"
        #expect(configuration.rerank(for: entry).model == "/models/recipes.json")
        #expect(configuration.rerank(for: entry).signals.isEmpty)
        entry.model = nil
        #expect(configuration.rerank(for: entry).model == "/models/shared.json", "nothing of its own: the section's model")
        entry.signals = [.init(field: "rating", weight: 1, transform: .linear)]
        #expect(configuration.rerank(for: entry).model == nil, "signals of its own replace the section's model")
    }

    @Test(arguments: [
        ("products", 0 as Int?),
        ("products-eu-1", 1),
        ("products-eu-1,products-eu-2", 1),
        ("products,products-eu-1", 1),
        ("products%2Cproducts-eu-1", 1),
        ("recipes", 2),
        ("products,recipes", nil),
        ("products-us-1", 3),
        ("recipes-eu", nil),
        ("_all", nil),
        ("products-*", 3),
        ("prod*", 3),
    ])
    func theFirstEntryMatchingEveryNamedIndexServesTheSearch(expression: String, expected: Int?) throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"indices": [{"pattern": "products"},
                         {"pattern": ["products", "products-eu-*"], "name": "products-all"},
                         {"pattern": "recipes"},
                         {"pattern": "prod*"}]}
            """#)
        #expect(configuration.indexOverride(for: expression) == expected, "\(expression)")
    }

    @Test func aSearchNamingNoIndexIsTheSections() throws {
        let configuration = try ServerConfiguration.loaded(#"{"indices": [{"pattern": "*"}]}"#)
        #expect(configuration.indexOverride(for: nil) == nil)
        #expect(configuration.indexOverride(for: "_all") == nil)
        #expect(configuration.indexOverride(for: "anything") == 0)
        #expect(ServerConfiguration().indexOverride(for: "products") == nil, "no entries: the section serves all")
    }

    @Test func indexScopesFollowTheMatch() throws {
        let configuration = try ServerConfiguration.loaded(#"{"indices": [{"pattern": "recipes"}]}"#)
        let scope = IndexScope(
            name: "recipes", position: 0, planner: SearchPlanner(window: 10, maxWindow: 100), rerankingEnabled: true,
            deadline: RankingDeadline(budget: .milliseconds(10)), online: nil)
        let scopes = IndexScopes(entries: configuration.indices, scopes: [scope])
        #expect(scopes.scope(for: "recipes")?.name == "recipes")
        #expect(scopes.scope(for: "products") == nil)
        #expect(ProxyController.index(path: "/recipes/_search") == "recipes")
    }

    @Test func anEntryTakesNoPartInExperimentsAndSaysSoInItsModelHeader() throws {
        let arm = ServingReranker(Reranker(ranker: nil, rules: [.init(action: .pin(0), match: .ids(["r-1"]))], defaultWeight: 0.5))
        let route = try ExperimentRoute(index: arm, name: "recipes", enabled: true, override: nil)
        #expect(route.model == "rules-1@recipes")
        #expect(route.variant == "default")
        #expect(route.skipReason == nil)
        let off = try ExperimentRoute(index: arm, name: "recipes", enabled: false, override: nil)
        #expect(off.model == "none@recipes")
        #expect(off.skipReason == "reranking disabled")
        #expect(throws: RerankError.self) { try ExperimentRoute(index: arm, name: "recipes", enabled: true, override: "ab/b") }
    }

    @Test(arguments: [
        (#"{"indices":[{"window":10}]}"#, "configuration key 'indices[0].pattern' is required"),
        (#"{"indices":[{"pattern":"a","colour":"red"}]}"#, "unknown configuration key 'indices[0].colour'"),
        (#"{"indices":[{"pattern":"a","max_window":10}]}"#, "unknown configuration key 'indices[0].max_window'"),
        (#"{"indices":[{"pattern":"a","window":"ten"}]}"#, "configuration key 'indices[0].window' must be an integer in 1...10000, not string"),
        (#"{"indices":[{"pattern":"a","enabled":"yes"}]}"#, "configuration key 'indices[0].enabled' must be true or false"),
        (#"{"indices":[{"pattern":"a","weight":2}]}"#, "configuration key 'indices[0].weight' must be a number in 0.0...1.0"),
        (#"{"indices":[{"pattern":"a","budget_ms":-1}]}"#, "configuration key 'indices[0].budget_ms' must be a number"),
        (#"{"indices":[{"pattern":"a","rules":[{"action":"shove"}]}]}"#, "configuration key 'indices[0].rules[0].action' must be boost"),
        (#"{"indices":[{"pattern":"a","signals":[{"weight":1}]}]}"#, "configuration key 'indices[0].signals[0].field' is required"),
        (#"{"indices":[{"pattern":"a","exploration":{"share":2}}]}"#, "configuration key 'indices[0].exploration.share' must be a number"),
        (#"{"indices":[{"pattern":"a","model":"/nonexistent/model.json"}]}"#,
         "configuration key 'indices[0].model': no readable model file at '/nonexistent/model.json'"),
        (#"{"indices":[{"pattern":7}]}"#, "configuration key 'indices[0].pattern' must be a string or an array of strings"),
        (#"{"indices":[{"pattern":"a,b"}]}"#, "configuration key 'indices[0].pattern': 'a,b' is not an index pattern"),
        (#"{"indices":[{"pattern":["a","b"]}]}"#, "configuration key 'indices[0].name' is required when 'pattern' holds several patterns"),
        (#"{"indices":[{"pattern":"a","name":"x/y"}]}"#, "configuration key 'indices[0].name' must be letters, digits"),
        (#"{"indices":[{"pattern":"default"}]}"#, "configuration key 'indices[0].name' must be letters, digits, '-', '_', '.' or '*' other than default"),
        (#"{"indices":[{"pattern":"a"},{"pattern":"b","name":"a"}]}"#, "configuration key 'indices[1].name': the name 'a' is used by two indices entries"),
        (#"{"indices":{"pattern":"a"}}"#, "configuration key 'indices' must be an array of objects"),
        (#"{"rerank":{"max_window":100},"indices":[{"pattern":"a","window":200}]}"#,
         "indices[0].window (200) must not exceed rerank.max_window (100)"),
        (#"{"indices":[{"pattern":"*"}],"experiments":[{"name":"ab","variants":[{"name":"x"}]}]}"#,
         "indices[0].pattern '*' serves every search that names an index, and experiments apply to the rerank section only"),
    ])
    func badEntriesSayWhatToFix(text: String, message: String) {
        do {
            _ = try ServerConfiguration.loaded(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(String(describing: error).contains(message), "\(error)")
        }
    }
}
