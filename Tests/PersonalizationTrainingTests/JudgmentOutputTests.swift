import EventLog
import Foundation
import LTRTraining
import RerankFixtures
import Testing

@testable import PersonalizationTraining

/// The judgments as files: TREC qrels and Search Relevance Workbench imports read back, and qrels scoring the runs
/// `rerank evaluate --runs` writes.
@Suite struct JudgmentOutputTests {
    /// Two spellings of one query, one other query, and an item id TREC cannot hold.
    static func spelledLog() -> InteractionLog {
        var hand = HandLog()
        for (text, clicked) in [("Red Dress", "r1"), ("red dress!", "r1"), ("Red Dress", "r2"), ("USB-C cable", "c1")] {
            for _ in 0..<3 {
                let search = hand.search(text, shows: text.hasPrefix("USB") ? ["c1", "c 2"] : ["r1", "r2", "r3"])
                hand.act("click", on: clicked, in: search)
                if text.hasPrefix("USB") { hand.act("purchase", on: "c 2", in: search) }
            }
        }
        return hand.log
    }

    static func text(_ write: ((String) -> Void) -> Void) -> String {
        var text = ""
        write { text += $0 }
        return text
    }

    @Test func trecQrelsKeyedBySearchGiveEverySearchItsQuerysJudgments() throws {
        let judgments = try JudgmentList.make(from: Self.spelledLog())
        var leftOut = 0
        let qrels = Self.text { leftOut = judgments.writeTREC(keyedBy: .queryID, to: $0) }
        let lines = qrels.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.allSatisfy { $0.count == 4 && $0[1] == "0" && (0...3).contains(Int($0[3]) ?? -1) })
        #expect(Set(lines.map { String($0[0]) }) == Set((0..<12).map { "s\($0)" }))
        let dressItems = judgments.judgments.filter { $0.query == "red dress" }.count
        #expect(lines.filter { $0[0] == "s0" }.count == dressItems, "every search lists its query's judgments")
        #expect(leftOut == 3, "c 2 of the cable query's three searches: TREC cannot hold an id with a space")
        #expect(!lines.contains { $0[2] == "c" })
    }

    @Test func trecQrelsKeyedByTextPercentEncodeTheNormalizedQuery() throws {
        let judgments = try JudgmentList.make(from: Self.spelledLog())
        let qrels = Self.text { judgments.writeTREC(keyedBy: .text, to: $0) }
        let queries = Set(qrels.split(separator: "\n").map { String($0.split(separator: " ")[0]) })
        #expect(queries == ["red%20dress", "usb%20c%20cable"])
        #expect(Set(queries.compactMap { $0.removingPercentEncoding }) == ["red dress", "usb c cable"])
        #expect(JudgmentList.trecQueryID(text: "café 50% off") == "caf%C3%A9%2050%25%20off")
    }

    @Test func srwImportParsesBackWithEverySpellingAndItsRatings() throws {
        let judgments = try JudgmentList.make(from: Self.spelledLog())
        let document = Self.text { judgments.writeSRW(name: "clicks", rating: .grade, to: $0) }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(Set(parsed.keys) == ["name", "description", "type", "judgmentRatings"])
        #expect(parsed["name"] as? String == "clicks" && parsed["type"] as? String == "IMPORT_JUDGMENT")
        #expect((parsed["description"] as? String)?.contains("sdbn click model") == true)
        let entries = try #require(parsed["judgmentRatings"] as? [[String: Any]])
        #expect(entries.compactMap { $0["query"] as? String } == ["Red Dress", "red dress!", "USB-C cable"])
        let ratings = entries.map { ($0["ratings"] as? [[String: String]]) ?? [] }
        #expect(ratings[0] == ratings[1], "both spellings carry the ratings of their normalized query")
        // r2 was examined only in the searches that clicked it, r1 in all nine (six clicks); r3 never.
        #expect(ratings[0].map { $0["docId"] } == ["r2", "r1"])
        #expect(ratings[2].map { $0["docId"] } == ["c 2", "c1"], "JSON holds any id; the purchased item first")
        for rating in ratings.joined() {
            let value = try #require(rating["rating"].flatMap(Double.init))
            #expect([0, 1, 2, 3].contains(value) && rating["rating"]?.split(separator: ".").last?.count == 3)
        }
        let scored = Self.text { judgments.writeSRW(name: "clicks", rating: .score, to: $0) }
        let first = judgments.judgments.first { $0.query == "red dress" }?.score ?? 0
        #expect(scored.contains("\"rating\":\"\(String(format: "%.3f", first))\""))
    }

    @Test func qrelsScoreTheRunsEvaluateWrites() throws {
        let made = SyntheticClickLog.make(searches: 1500)
        var options = LogTrainerTests.options()
        options.parameters.iterations = 10
        let (model, _) = try LogTrainer.train(log: made.log, items: [:], options: options)
        let evaluation = try LogEvaluator.evaluate(model: model, log: made.log, items: [:])
        let judgments = try JudgmentList.make(from: made.log)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("judgments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let qrels = directory.appendingPathComponent("clicks.qrels").path
        try Self.text { judgments.writeTREC(keyedBy: .queryID, to: $0) }.write(toFile: qrels, atomically: true, encoding: .utf8)
        let original = directory.appendingPathComponent("original.run").path
        try #require(evaluation.trecRun("original")).write(toFile: original, atomically: true, encoding: .utf8)
        // The same searches in the planted order: the best a ranking of their items can do.
        var planted = ""
        let texts = Dictionary(made.log.queries.map { ($0.queryID, $0.userQuery ?? "") }, uniquingKeysWith: { $1 })
        for (queryID, items) in zip(evaluation.queryIDs, try #require(evaluation.rankings["original"]).orders) {
            let truth = made.attractiveness[texts[queryID] ?? ""] ?? [:]
            for (rank, item) in items.sorted(by: { truth[$0, default: 0] > truth[$1, default: 0] }).enumerated() {
                planted += "\(queryID) Q0 \(item) \(rank + 1) \(items.count - rank) planted\n"
            }
        }
        let ideal = directory.appendingPathComponent("planted.run").path
        try planted.write(toFile: ideal, atomically: true, encoding: .utf8)

        let evaluator = RankingEvaluator(ndcgAt: [10], skipQueriesWithoutRelevant: true)
        func ndcg(_ path: String) throws -> (queries: Int, unjudged: Int, ndcg: Double) {
            let run = try TRECRun.read(run: path, qrels: qrels)
            let report = evaluator.evaluate(labels: run.labels, scores: run.scores, queryBoundaries: run.queryBoundaries)
            return (run.queries.count, run.unjudgedQueries, report.metrics.first { $0.name == "ndcg@10" }?.value ?? .nan)
        }
        let engine = try ndcg(original)
        let best = try ndcg(ideal)
        #expect(engine.queries == evaluation.heldOutGroups && engine.unjudged == 0, "every held-out search is judged")
        #expect(best.ndcg > engine.ndcg + 0.05, "the click judgments prefer the planted order: \(best.ndcg) vs \(engine.ndcg)")
    }
}
