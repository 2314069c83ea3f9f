// Times in-process scoring of 100 hits with a 300-tree, 31-leaf model, feature extraction included:
// what ModelRanker does for every reranked search. Prints the latency distribution.
import Features
import Foundation
import LTR
import Personalization
import Ranking
import RerankCore
import RerankTesting

let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5000

var options = LogTrainingOptions()
options.parameters.iterations = 300
options.parameters.numLeaves = 31
options.parameters.minDataInLeaf = 5
options.parameters.earlyStoppingRounds = 0
let log = SyntheticLog.make(searches: 3000)
let (model, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: options)
let leaves = model.ranking.trees.map(\.leafValue.count).reduce(0, +)
print("model: \(model.ranking.trees.count) trees, \(Double(leaves) / Double(model.ranking.trees.count)) leaves per tree on average, \(model.ranking.featureNames.count) features")

let ranker = ModelRanker(model: model, state: LiveFeatureState(model.extras.state))
let items = SyntheticLog.items().sorted { $0.key < $1.key }
let hits = (0..<100).map { rank in
    let (id, attributes) = items[rank % items.count]
    return RankableHit(
        id: id, searchScore: Double(100 - rank) / 10, originalRank: rank,
        fields: [
            "category": .string(attributes.category ?? ""), "brand": .string(attributes.brand ?? ""),
            "price": .double(attributes.price ?? 0),
        ]
    )
}
var context = SearchContext(userID: "u3", sessionID: "s", device: .mobile, localTime: LocalTime(hour: 20, weekday: 6))
context.query = "things"
context.time = log.queries.last!.timestamp.timeIntervalSince1970 + 60

let clock = ContinuousClock()
var samples: [Double] = []
samples.reserveCapacity(iterations)
var checksum = 0.0
for _ in 0..<(iterations / 10) { checksum += try ranker.score(hits, context: context).scores[0] }
for _ in 0..<iterations {
    let start = clock.now
    let output = try ranker.score(hits, context: context)
    let elapsed = clock.now - start
    checksum += output.scores[0]
    samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
}
let sorted = samples.sorted()
let percentile = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
print(String(format: "scoring 100 hits (%d runs): p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, mean %.1f µs (checksum %.3f)",
    iterations, percentile(0.5), percentile(0.9), percentile(0.99), sorted.reduce(0, +) / Double(sorted.count), checksum))
