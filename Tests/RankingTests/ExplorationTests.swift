import RerankCore
import RerankJSON
import Testing

@testable import Ranking

/// Exploration: off by default, every search at share 1, no hit moved further than `max_move`, rules kept, the
/// swap drawn uniformly from the swappable pairs, and the record saying exactly what moved.
@Suite struct ExplorationTests {
    /// Twelve hits in engine order with descending search scores; d5 is out of stock (buried by the rules below).
    static let hits: [RankableHit] = (0..<12).map { rank in
        RankableHit(id: "d\(rank)", searchScore: Double(20 - rank), originalRank: rank, fields: ["in_stock": .bool(rank != 5)])
    }
    static let rules = [
        BusinessRule(action: .bury, match: .field("in_stock", [.bool(false)])),
        BusinessRule(action: .pin(2), match: .ids(["d9"])),
        BusinessRule(action: .exclude, match: .ids(["d3"])),
    ]

    /// Scores in engine order and calls the hits at `coldIDs` cold, as a model does from `item_cold`.
    struct ColdTelling: Ranker {
        let coldIDs: Set<String>
        var version: String { "cold-telling" }
        var requiredFields: [String] { [] }
        func score(_ hits: [RankableHit], context: SearchContext) throws -> RankerOutput {
            RankerOutput(scores: hits.map(\.searchScore), cold: hits.map { coldIDs.contains($0.id) })
        }
    }

    static func reranker(share: Double, maxMove: Int = 2, depth: Int = 10, cold: Set<String> = []) -> Reranker {
        Reranker(
            ranker: ColdTelling(coldIDs: cold), rules: rules, defaultWeight: 1,
            exploration: Exploration(share: share, maxMove: maxMove, depth: depth))
    }

    @Test func offByDefaultChangesNothing() throws {
        let ranked = try Self.reranker(share: 0).rerank(Self.hits, context: SearchContext())
        for seed in 0..<200 as Range<UInt64> {
            let served = try Reranker(ranker: ColdTelling(coldIDs: ["d7"]), rules: Self.rules, defaultWeight: 1)
                .rerank(Self.hits, context: SearchContext(), explorationSeed: seed)
            #expect(served.order == ranked.order)
            #expect(served.exploration == nil)
        }
        #expect(Reranker(ranker: nil).exploration == Exploration(share: 0, maxMove: 2, depth: 10, coldExposure: true))
    }

    @Test func atShareOneEverySearchIsExploredWithinTheRules() throws {
        let unexplored = try Self.reranker(share: 0).rerank(Self.hits, context: SearchContext()).order
        #expect(unexplored == [0, 1, 9, 2, 4, 6, 7, 8, 10, 11, 5], "d9 pinned at 2, d3 excluded, d5 buried last")
        var swaps = Set<Int>()
        var coldMoves = Set<Int>()
        for maxMove in [1, 2, 3] {
            let reranker = Self.reranker(share: 1, maxMove: maxMove, depth: 12, cold: ["d8"])
            for seed in 0..<300 as Range<UInt64> {
                let result = try reranker.rerank(Self.hits, context: SearchContext(), explorationSeed: seed)
                let record = try #require(result.exploration, "share 1 explores every search")
                let order = result.order
                #expect(Set(order) == Set(unexplored), "nothing added, excluded d3 still out")
                #expect(order[2] == 9, "pinned d9 stays at 2")
                #expect(order.last == 5, "buried d5 stays below every unburied hit")
                for (position, hit) in unexplored.enumerated() {
                    let moved = abs(order.firstIndex(of: hit)! - position)
                    #expect(moved <= maxMove, "d\(hit) moved \(moved) positions with max_move \(maxMove)")
                }
                var replayed = unexplored
                for move in record.moves { replayed[move.to] = unexplored[move.from] }
                #expect(replayed == order, "the record's moves are exactly what changed")
                let cold = try #require(record.cold, "d8, ranked at 7, is the cold hit")
                #expect(cold.from == 7 && (1...maxMove).contains(cold.from - cold.to))
                if let swap = record.swap { swaps.insert(swap) }
                coldMoves.insert(cold.from - cold.to)
            }
        }
        #expect(coldMoves == [1, 2, 3], "the cold hit moves a random 1...max_move")
        // Pairs touching the pinned position 2 or the buried last hit are never swapped; the others all are.
        #expect(swaps.isDisjoint(with: [1, 2, 9]))
        #expect(swaps.isSuperset(of: [0, 3, 8]))
    }

    @Test func theSwapIsDrawnUniformlyFromTheSwappablePairs() throws {
        let reranker = Reranker(ranker: nil, rules: Self.rules, defaultWeight: 0, exploration: Exploration(share: 1, depth: 8))
        var counts: [Int: Int] = [:]
        let searches = 7000
        for seed in 0..<UInt64(searches) {
            let record = try #require(try reranker.rerank(Self.hits, context: SearchContext(), explorationSeed: seed).exploration)
            #expect(record.blocked == [1, 2], "the pairs touching pinned d9 at 2")
            #expect(record.swappablePairs == [0, 3, 4, 5, 6])
            counts[try #require(record.swap), default: 0] += 1
        }
        #expect(counts.keys.sorted() == [0, 3, 4, 5, 6])
        for (pair, count) in counts {
            #expect(abs(Double(count) / Double(searches) - 0.2) < 0.03, "pair \(pair) drawn \(count) times of \(searches)")
        }
    }

    @Test func theShareOfExploredSearchesIsTheConfiguredOne() throws {
        let reranker = Self.reranker(share: 0.3)
        let explored = try (0..<4000 as Range<UInt64>).filter { seed in
            try reranker.rerank(Self.hits, context: SearchContext(), explorationSeed: seed).exploration != nil
        }
        #expect(abs(Double(explored.count) / 4000 - 0.3) < 0.03)
        #expect(try reranker.rerank(Self.hits, context: SearchContext()).exploration == nil, "no seed, no exploration")
    }

    @Test func aBuriedColdHitNeverPassesAnUnburiedOne() throws {
        let reranker = Self.reranker(share: 1, maxMove: 3, depth: 12, cold: ["d5"])
        for seed in 0..<100 as Range<UInt64> {
            let result = try reranker.rerank(Self.hits, context: SearchContext(), explorationSeed: seed)
            #expect(result.exploration?.cold == nil)
            #expect(result.order.last == 5)
        }
    }

    @Test func explanationsSayWhatExplorationMoved() throws {
        let reranker = Self.reranker(share: 1, depth: 2)
        let result = try reranker.rerank(Self.hits, context: SearchContext(explain: true), explorationSeed: 1)
        #expect(result.exploration?.swap == 0)
        #expect(result.order.prefix(2) == [1, 0])
        #expect(result.explanations?[0].rules == ["explore(0->1)"])
        #expect(result.explanations?[1].rules == ["explore(1->0)"])
    }

    @Test func theRecordReadsBackFromItsLogForm() throws {
        let record = ExplorationRecord(share: 0.05, depth: 10, swap: 3, blocked: [0], cold: .init(from: 8, to: 6))
        let text = String(decoding: JSONWriter.bytes(record.json), as: UTF8.self)
        #expect(text == #"{"share":0.05,"depth":10,"swap":[3,4],"cold":{"from":8,"to":6},"blocked":[0]}"#)
        #expect(ExplorationRecord(json: try JSONParser.parse(Array(text.utf8))) == record)
        #expect(record.moves.map { [$0.from, $0.to] } == [[3, 4], [4, 3], [6, 7], [7, 8], [8, 6]])
        for broken in [
            #"{"depth":10,"swap":[3,4]}"#, #"{"share":1,"depth":10,"swap":[3,5]}"#, #"{"share":1,"depth":4,"swap":[3,4]}"#,
            #"{"share":1,"depth":10,"swap":[3,4],"blocked":[3]}"#, #"{"share":1,"depth":10,"cold":{"from":2,"to":2}}"#, "[]",
        ] {
            #expect(ExplorationRecord(json: try JSONParser.parse(Array(broken.utf8))) == nil, "\(broken)")
        }
    }
}

