import Foundation
import Ranking
import RerankConfiguration
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct ConfigurationTests {
    @Test func readsEverySection() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"host":"0.0.0.0","port":8080,
             "upstream":{"urls":["https://a:9200","https://b:9200"],"username":"u","password":"p","tls_verify":false,"timeout_ms":500},
             "limits":{"max_request_body":4096},"log":{"queue_capacity":500,"flush_ms":0},
             "rerank":{"window":50,"weight":0.3,"default_timezone":"Europe/Berlin",
                       "signals":[{"field":"popularity","transform":"log1p"}],
                       "rules":[{"action":"bury","field":"in_stock","equals":false},{"action":"pin","ids":["x"],"position":2},
                                {"action":"boost","field":"brand","in":["a","b"],"amount":0.2}]},
             "passthrough":{"allow_writes":true,"read_endpoints":["_plugins/_ltr"]}}
            """#)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.upstream.urls.count == 2)
        #expect(configuration.upstream.tlsVerify == false)
        #expect(configuration.limits.maxRequestBody == 4096)
        #expect(configuration.log.queueCapacity == 500)
        #expect(configuration.log.flushMilliseconds == 0)
        #expect(ServerConfiguration().log.flushMilliseconds == 50)
        #expect(configuration.rerank.window == 50)
        #expect(configuration.rerank.signals == [.init(field: "popularity", weight: 1, transform: .log1p)])
        #expect(configuration.rerank.rules[1] == BusinessRule(action: .pin(2), match: .ids(["x"])))
        #expect(configuration.rerank.rules[2] == BusinessRule(action: .boost(0.2), match: .field("brand", [.string("a"), .string("b")])))
        #expect(configuration.passthrough.allowWrites)
    }

    @Test func readsTheStateLimits() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"limits":{"max_clock_skew_s":60,"heap_trim_s":0,"event_loops":3},
             "state":{"max_items":10,"max_users":20,"max_sessions":30,"max_query_items":40,"max_user_items":50,
                      "max_user_tastes":60,"max_groups":70,"max_searches":80,"half_life_days":2,"session_ttl_s":600}}
            """#)
        #expect(configuration.limits.maxClockSkewSeconds == 60)
        #expect(configuration.limits.heapTrimSeconds == 0)
        #expect(ServerConfiguration().limits.heapTrimSeconds == 60)
        #expect(configuration.limits.eventLoops == 3)
        #expect(ServerConfiguration().limits.eventLoops == nil, "unset: the sidecar takes half the cores")
        #expect(configuration.limits.eventLoopCount(cores: 16) == 3)
        #expect([1, 2, 3, 16].map(ServerConfiguration().limits.eventLoopCount) == [1, 1, 1, 8])
        let state = configuration.state
        let entries: [Int] = [
            state.store.maxItems, state.store.maxUsers, state.store.maxSessions, state.store.maxQueryItems,
            state.store.maxUserItems, state.store.maxUserTastes, state.store.maxGroups, state.maxSearches,
        ]
        #expect(entries == [10, 20, 30, 40, 50, 60, 70, 80])
        #expect(state.store.halfLife == 2 * 86_400)
        #expect(state.store.sessionTTL == 600)
    }

    @Test(arguments: [
        (#"{"prot":1}"#, "unknown configuration key 'prot'"),
        (#"{"rerank":{"weight":3}}"#, "configuration key 'rerank.weight' must be a number in 0.0...1.0"),
        (#"{"upstream":{"urls":["ftp://x"]}}"#, "upstream URL 'ftp://x'"),
        (#"{"rerank":{"rules":[{"action":"hide","ids":["a"]}]}}"#, "configuration key 'rerank.rules[0].action'"),
        (#"{"rerank":{"rules":[{"action":"bury","field":"x"}]}}"#, "rule 'rerank.rules[0]' on field 'x' needs"),
        (#"{"rerank":{"window":2000}}"#, "rerank.window (2000) must not exceed"),
        (#"{"rerank":{"default_timezone":"Moon"}}"#, "rerank.default_timezone 'Moon'"),
        ("{not json", "is not valid JSON"),
        (#"{"state":{"max_users":0}}"#, "configuration key 'state.max_users' must be"),
        (#"{"state":{"users":5}}"#, "unknown configuration key 'state.users'"),
        (#"{"limits":{"heap_trim_s":-1}}"#, "configuration key 'limits.heap_trim_s' must be"),
        (#"{"limits":{"event_loops":0}}"#, "configuration key 'limits.event_loops' must be an integer in 1...1024"),
        (#"{"log":{"flush_ms":20000}}"#, "configuration key 'log.flush_ms' must be an integer in 0...10000"),
        (#"{"rerank":{"exploration":{"share":1.5}}}"#, "configuration key 'rerank.exploration.share' must be a number in 0.0...1.0"),
        (#"{"rerank":{"exploration":{"share":"some"}}}"#, "configuration key 'rerank.exploration.share' must be a number"),
        (#"{"rerank":{"exploration":{"max_move":0}}}"#, "configuration key 'rerank.exploration.max_move' must be an integer in 1...1000"),
        (#"{"rerank":{"exploration":{"depth":1}}}"#, "configuration key 'rerank.exploration.depth' must be an integer in 2...10000"),
        (#"{"rerank":{"exploration":{"share":0.1,"weight":2}}}"#, "unknown configuration key 'rerank.exploration.weight'"),
        (#"{"rerank":{"exploration":0.1}}"#, "configuration key 'rerank.exploration' must be an object"),
    ])
    func badFilesSayWhatToFix(text: String, message: String) {
        do {
            _ = try ServerConfiguration.loaded(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(String(describing: error).contains(message), "\(error)")
        }
    }

    @Test func environmentOverridesTheFile() throws {
        var configuration = ServerConfiguration()
        try configuration.apply(environment: [
            "RERANK_UPSTREAM": "http://x:9200, http://y:9200", "RERANK_PORT": "9300", "RERANK_ALLOW_WRITES": "true",
            "RERANK_EVENT_LOOPS": "2",
        ])
        #expect(configuration.upstream.urls == ["http://x:9200", "http://y:9200"])
        #expect(configuration.port == 9300)
        #expect(configuration.passthrough.allowWrites)
        #expect(configuration.limits.eventLoops == 2)
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["RERANK_PORT": "many"]) }
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["RERANK_EVENT_LOOPS": "0"]) }
    }

    @Test func passthroughPolicyAllowsReadsOnly() {
        let policy = PassthroughPolicy(allowWrites: false, readEndpoints: ["_plugins/_sql"])
        #expect(policy.allows(.get, path: "/products/_doc/1"))
        #expect(policy.allows(.post, path: "/products/_count"))
        #expect(policy.allows(.post, path: "/_search/scroll"))
        #expect(policy.allows(.delete, path: "/_search/scroll"))
        #expect(policy.allows(.post, path: "/_plugins/_sql"))
        #expect(!policy.allows(.post, path: "/_bulk"))
        #expect(!policy.allows(.put, path: "/products"))
        #expect(!policy.allows(.delete, path: "/products"))
        #expect(!policy.allows(.post, path: "/products/_doc"))
        #expect(!policy.allows(.put, path: "/products/_settings"))
        #expect(PassthroughPolicy(allowWrites: true, readEndpoints: []).allows(.delete, path: "/products"))
    }
}
