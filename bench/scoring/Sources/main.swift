// Times what ModelRanker does for every reranked search: point-in-time feature extraction from the live
// statistics plus scoring of 100 hits with a 300-tree, 31-leaf model, against a live state filled with a crowd
// (by default 1M users, 1M sessions and 1M items), each run for another user, session and set of hits.
//
//   rerank-bench-scoring [RUNS] [--users N] [--items N] [--queries N] [--trees N] [--leaves N]   # 300 trees, 31 leaves
//   rerank-bench-scoring --export-rows DIR     # writes the rows of the bench's searches for bench/scoring/peer.sh
//   rerank-bench-scoring --lightgbm DIR [RUNS] # times the scorer on the model LightGBM learned in DIR (peer.sh)
import Features
import Foundation
import LTRModel
import Personalization
import PersonalizationTraining
import Ranking
import RerankCore
import RerankFixtures
import RerankJSON

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let number = Int(arguments[index + 1]) else { return value }
    arguments.removeSubrange(index...(index + 1))
    return number
}
let users = option("--users", default: 1_000_000)
let itemCount = option("--items", default: 1_000_000)
let queries = option("--queries", default: 10_000)
let treeCount = option("--trees", default: 300)
let leavesPerTree = option("--leaves", default: 31)
@MainActor func directory(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(index...(index + 1)) }
    return arguments[index + 1]
}
let exportDirectory = directory("--export-rows")
let lightGBMDirectory = directory("--lightgbm")
let iterations = Int(arguments.first ?? "") ?? 5000
if let lightGBMDirectory {
    try PeerRows(directory: lightGBMDirectory).timeScorer(runs: iterations)
    exit(0)
}

var options = LogTrainingOptions()
options.parameters.iterations = treeCount
options.parameters.numLeaves = leavesPerTree
options.parameters.minDataInLeaf = 5
options.parameters.earlyStoppingRounds = 0
let log = SyntheticLog.make(searches: 3000)
let (model, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: options)
let leaves = model.ranking.trees.map(\.leafValue.count).reduce(0, +)
print("model: \(model.ranking.trees.count) trees, \(Double(leaves) / Double(model.ranking.trees.count)) leaves per tree on average, \(model.ranking.featureNames.count) features, walked \(model.ranking.scorer().walk)")

// The crowd: every user clicks once in a session of their own, on items spread over the catalog, after a search
// for one of `queries` queries; then the state holds users x sessions x items as a large store would.
var limits = FeatureReplay.Limits()
limits.store.maxUsers = users
limits.store.maxSessions = users
limits.store.maxItems = itemCount
limits.store.maxUserItems = users
limits.store.maxUserTastes = 3 * users
limits.store.maxQueryItems = 2 * users
limits.maxSearches = 100_000
let categories = (0..<200).map { "category-\($0)" }
func item(_ number: Int) -> String { "sku-\(number)" }
func attributes(_ number: Int) -> ItemAttributes {
    ItemAttributes(category: categories[number % categories.count], brand: "brand-\(number % 500)", price: Double(5 + number % 400))
}
let start = log.queries.last!.timestamp.timeIntervalSince1970 + 60
var replay = FeatureReplay(store: model.extras.state.resized(to: limits.store), maxSearches: limits.maxSearches)
let clock = ContinuousClock()
let fillStart = clock.now
var random = SplitMix64(seed: 11)
for number in 0..<itemCount { replay.learn(attributes: [item(number): attributes(number)]) }
for user in 0..<users {
    let time = start + Double(user) * 0.001
    let shown = (0..<2).map { _ in item(Int(random.next() % UInt64(itemCount))) }
    let impression = LoggedImpression(
        queryID: "fill-\(user)", time: time, userID: "user-\(user)", sessionID: "session-\(user)", device: .mobile,
        localTime: LocalTime(hour: user % 24, weekday: user % 7 + 1), query: "query \(user % queries)", items: shown)
    replay.apply(impression)
    replay.apply(LoggedEvent(queryID: impression.queryID, time: time, kind: .click, itemID: shown[0], userID: nil, sessionID: nil, position: 0))
}
let fillSeconds = Double((clock.now - fillStart).components.seconds) + Double((clock.now - fillStart).components.attoseconds) / 1e18
let state = replay.statistics.map { "\($0.name) \($0.entries)" }.joined(separator: ", ")
print(String(format: "state filled in %.1f s (%.0f searches + clicks/s in-process): %@", fillSeconds, Double(users) / fillSeconds, state))
let bytes = replay.statistics.map(\.bytes).reduce(0, +)
print(String(format: "state tables: %.0f MiB allocated", Double(bytes) / 1_048_576))

let live = LiveFeatureState(replay.store, limits: limits)
let ranker = ModelRanker(model: model, state: live)
// 1,024 different result lists of 100 hits, drawn from the whole catalog (more items than the processor's caches
// hold, as in a large store), each as the body of a search response. Each run reads its hits out of a body as the
// sidecar does right before ranking (`ResponseReranker`: the hits scanned, the ranker's fields selected from each
// `_source`), outside the timing: the ranker gets hits just read, in the caches, as in the sidecar.
let attributeFields = AttributeFields()
let selector = FieldSelector(paths: ranker.requiredFields)
let bodies = (0..<1024).map { _ in
    let hits = (0..<100).map { rank in
        let number = Int(random.next() % UInt64(itemCount))
        let attributes = attributes(number)
        return """
            {"_index":"catalog","_id":"\(item(number))","_score":\(Double(100 - rank) / 10),"_source":{"title":"item \(number)",\
            "\(attributeFields.category)":"\(attributes.category!)","\(attributeFields.brand)":"\(attributes.brand!)",\
            "\(attributeFields.price)":\(attributes.price!)}}
            """
    }
    return Array(#"{"took":3,"timed_out":false,"hits":{"total":{"value":100},"hits":["#.utf8) + Array(hits.joined(separator: ",").utf8)
        + Array("]}}".utf8)
}
/// The hits of response `list`, read as the sidecar reads them.
func readHits(_ list: Int) throws -> [RankableHit] {
    let body = bodies[list]
    guard let layout = try HitScanner.scan(body) else { fatalError("response \(list) has no hits") }
    return layout.hits.enumerated().map { rank, hit in
        let fields = hit.source.map { selector.values(in: body, object: $0) } ?? [:]
        return RankableHit(id: hit.id ?? "", index: hit.index, searchScore: hit.score ?? 0, originalRank: rank, fields: fields)
    }
}
@MainActor func context(_ run: Int) -> SearchContext {
    let user = Int(random.next() % UInt64(users))
    var context = SearchContext(
        userID: "user-\(user)", sessionID: "session-\(user)", device: run.isMultiple(of: 2) ? .mobile : .desktop,
        localTime: LocalTime(hour: run % 24, weekday: run % 7 + 1))
    context.query = "query \(user % queries)"
    context.time = start + Double(users) * 0.001 + 60
    return context
}

/// What feature extraction reads for `hits` in `searchContext`: the candidates and the feature context, built
/// outside the timing of the feature runs below.
func featureInputs(_ hits: [RankableHit], _ searchContext: SearchContext) -> ([Candidate], FeatureContext) {
    (ranker.candidates(of: hits), ModelRanker.featureContext(of: searchContext))
}
if let exportDirectory {
    let lists = try bodies.indices.map { list in
        let (candidates, featureContext) = featureInputs(try readHits(list), context(list))
        return FeatureSchema.select(model.extras.columns, from: live.features(for: candidates, in: featureContext))
    }
    try PeerRows(directory: exportDirectory).write(lists: lists, width: model.ranking.featureNames.count, scorer: model.ranking.scorer())
    exit(0)
}

var samples: [Double] = []
var featureSamples: [Double] = []
var scoringSamples: [Double] = []
var inputSamples: [Double] = []
samples.reserveCapacity(iterations)
let scorer = model.ranking.scorer()
// The processor's other walks on the same rows, for comparison; their scores must be the same.
let otherWalks = ScoringWalk.available.filter { $0 != scorer.walk }.map { ModelScorer(model.ranking, walk: $0) }
var otherSamples = [[Double]](repeating: [], count: otherWalks.count)
var checksum = 0.0
for run in 0..<(iterations / 10) { checksum += try ranker.score(try readHits(run % 1024), context: context(run)).scores[0] }
// Runs alternate between the whole ranker and feature extraction alone, then scoring alone of the rows just
// extracted, each on a search of its own.
for run in 0..<(2 * iterations) {
    let hits = try readHits(Int(random.next() % 1024))
    let searchContext = context(run)
    if run.isMultiple(of: 2) {
        let begin = clock.now
        let output = try ranker.score(hits, context: searchContext)
        samples.append(microseconds(clock.now - begin))
        checksum += output.scores[0]
        // The hits are the caller's: they are dropped after the timing, not within it (as after their last use).
        withExtendedLifetime(hits) {}
        continue
    }
    let inputStart = clock.now
    let (candidates, featureContext) = featureInputs(hits, searchContext)
    inputSamples.append(microseconds(clock.now - inputStart))
    let featureStart = clock.now
    let rows = live.features(for: candidates, in: featureContext)
    featureSamples.append(microseconds(clock.now - featureStart))
    let columns = FeatureSchema.select(model.extras.columns, from: rows)
    let scoringStart = clock.now
    let scores = try scorer.score(rows: columns)
    scoringSamples.append(microseconds(clock.now - scoringStart))
    checksum += scores[0]
    for (index, other) in otherWalks.enumerated() {
        let otherStart = clock.now
        let otherScores = try other.score(rows: columns)
        otherSamples[index].append(microseconds(clock.now - otherStart))
        guard otherScores == scores else { fatalError("the \(scorer.walk) and \(other.walk) walks scored run \(run) differently") }
    }
    withExtendedLifetime((hits, candidates)) {}
}
print("features + scoring of 100 hits (\(iterations) runs, a different user and hits each): \(summary(samples))")
print("feature extraction alone (\(iterations) other runs; candidates built outside the timing): \(summary(featureSamples))")
print("the hits read into candidates alone (ModelRanker.candidates(of:), the same runs): \(summary(inputSamples))")
print("scoring alone (the rows of those runs): \(summary(scoringSamples))")
for (other, samples) in zip(otherWalks, otherSamples) {
    print("scoring alone, \(other.walk) walk (the same rows, after each; the same scores): \(summary(samples))")
}
print("fixed work as long as the whole ranker's p50 (arithmetic, no memory; the machine's own tail): \(FixedWork.timings(lasting: samples.sorted()[samples.count / 2], runs: iterations))")
print(String(format: "checksum %.3f", checksum))
