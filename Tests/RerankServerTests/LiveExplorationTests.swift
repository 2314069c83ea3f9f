import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Personalization
import Ranking
import RerankCore
import RerankJSON
import RerankServerTesting
import Testing

@testable import RerankServer

/// Exploration through the live sidecar: at share 1 every reranked search swaps a pair, says so in its header and
/// its impression, keeps the rules, and the log replays with the swaps training reads.
@Suite(.serialized) struct LiveExplorationTests {
    static let pinned = "sku-00011"
    static let excluded = "sku-00043"

    @Test func exploredSearchesAreLoggedAsSuchAndReplay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-explore-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let searches = 24
        let seen = ServedSearches()
        try await withLiveSidecar(configure: { configuration in
            configureSampleRanking(&configuration)
            configuration.rerank.rules += [
                BusinessRule(action: .pin(3), match: .ids([Self.pinned])),
                BusinessRule(action: .exclude, match: .ids([Self.excluded])),
            ]
            configuration.rerank.exploration = Exploration(share: 1, maxMove: 2, depth: 10)
            configuration.log.directory = directory
        }) { client, _ in
            let query = ByteBuffer(string: #"{"query":{"match":{"title":"jacket"}},"size":10}"#)
            for _ in 0..<searches {
                try await client.execute(uri: "/products/_search", method: .post, headers: [.contentType: "application/json"], body: query) { response in
                    #expect(response.headers[.rerankStatus] == "reranked")
                    let body = try #require(try JSONParser.parse(Array(buffer: response.body)).objectValue)
                    let shown = body["hits"]?.objectValue?["hits"]?.arrayValue?.compactMap { $0.objectValue?["_id"]?.stringValue } ?? []
                    await seen.add(
                        queryID: try #require(response.headers[.rerankQueryID]),
                        header: try #require(response.headers[.rerankExploration], "every search explored"), shown: shown)
                }
            }
            let msearch = ByteBuffer(string: "{\"index\":\"products\"}\n{\"query\":{\"match\":{\"title\":\"jacket\"}},\"size\":10}\n{}\n{\"query\":{\"match\":{\"title\":\"boots\"}},\"size\":5}\n")
            try await client.execute(uri: "/_msearch", method: .post, headers: [.contentType: "application/x-ndjson"], body: msearch) { response in
                let header = try #require(response.headers[.rerankExploration])
                #expect(header.split(separator: ",").count == 2, "one value per search: \(header)")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("rerank_exploration_searches_total \(searches + 2)"))
            }
        }
        let served = await seen.searches
        #expect(served.count == searches)
        // Undoing each search's swap gives the same ranking every time, which kept the rules.
        var rankings = Set<[String]>()
        var swaps = Set<Int>()
        for search in served {
            let swap = try #require(Int(search.header.split(separator: " ")[1].split(separator: "-")[0]), "\(search.header)")
            #expect(search.header == "swap \(swap)-\(swap + 1)", "the signal ranker cannot tell cold hits")
            var ranked = search.shown
            ranked.swapAt(swap, swap + 1)
            rankings.insert(ranked)
            swaps.insert(swap)
            #expect(search.shown[3] == Self.pinned, "the pinned hit stays at 3")
            #expect(!search.shown.contains(Self.excluded))
        }
        #expect(rankings.count == 1, "one ranking under every swap")
        #expect(swaps.isDisjoint(with: [2, 3]), "pairs touching the pinned position are never swapped")
        #expect(swaps.count > 1, "the swapped pair varies between searches")

        let log = try InteractionLogReader().read(directory)
        let byQueryID = Dictionary(uniqueKeysWithValues: log.loggedImpressions().map { ($0.queryID, $0) })
        for search in served {
            let impression = try #require(byQueryID[search.queryID])
            #expect(impression.items == search.shown)
            let exploration = try #require(impression.exploration, "the impression is marked explored")
            #expect(ProxyHeaders.exploration(exploration) == search.header)
            #expect(exploration.share == 1 && exploration.depth == 10)
            #expect(exploration.blocked == [2, 3])
            // The draws are a hash of the query id: the log alone says how a search was explored.
            let exploring = Exploration(share: 1, depth: 10)
            var random = SplitMix64(seed: ProxyController.explorationSeed(queryID: search.queryID))
            var order = Array(0..<10)
            #expect(exploring.explores(&random))
            let redrawn = exploring.explore(&order, pinned: [3], buried: Array(repeating: false, count: 10), cold: nil, random: &random)
            #expect(redrawn == exploration)
        }
        let record = try #require(log.queries.first { $0.queryID == served[0].queryID })
        #expect(record.attributes["exploration"]?.objectValue?["swap"] != nil)
    }
}

/// What the live test saw of each search: its query id, `X-Rerank-Exploration` and the ids shown.
private actor ServedSearches {
    private(set) var searches: [(queryID: String, header: String, shown: [String])] = []

    func add(queryID: String, header: String, shown: [String]) { searches.append((queryID, header, shown)) }
}
