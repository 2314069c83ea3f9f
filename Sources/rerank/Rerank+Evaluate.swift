import ArgumentParser
import Foundation
import LTRModel
import LTRTraining
import Personalization
import PersonalizationTraining
import RerankJSON

extension Rerank {
    /// `rerank evaluate`: ranking metrics of a model on held-out data.
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluate",
            abstract: "Evaluate a ranking model (or a TREC run): NDCG@k, precision@10, recall@10, MRR and MAP.",
            discussion: """
                Queries without any relevant document count as NDCG 1, recall 1 and AP 1 (LightGBM's convention) \
                and as precision 0 and reciprocal rank 0; with --run they are left out. Examples: \
                rerank evaluate --format letor --model model.json --data rank.test --json metrics.json; \
                rerank evaluate --run bm25.run --qrels test.qrels (any ranking in trec_eval's run format)
                """
        )

        /// Which searches `--format ubi` holds out (`--hold-out`).
        enum HoldOutArgument: String, ExpressibleByArgument, CaseIterable {
            case time
            case lastPerUser = "last-per-user"

            var holdOut: HoldOut { self == .time ? .time : .lastPerUser }
        }

        /// The NDCG gain (`--gain`).
        enum Gain: String, ExpressibleByArgument, CaseIterable {
            case exponential
            case linear

            var relevanceGain: RelevanceGain { self == .exponential ? .exponential : .linear }
        }

        @Option(help: "Input: ubi (interaction logs, --logs) or letor (--data file).")
        var format: InputFormat = .ubi

        @OptionGroup var logArguments: LogArguments

        @Option(help: "ubi: which searches to hold out: time (the latest share) or last-per-user.")
        var holdOut: HoldOutArgument = .time

        @Option(help: "ubi: the share of searches held out with --hold-out time.")
        var fraction: Double = 0.2

        @Option(help: "ubi: also write an HTML report with a chart to this file.")
        var report: String?

        @Option(help: "ubi: write each ranking's order of the held-out searches to DIR/<ranking>.run (TREC run format).")
        var runs: String?

        @Option(help: "The model file written by `rerank train` (not with --run).")
        var model: String?

        @Option(help: "ubi: another model file to compare with on the same searches (e.g. the one serving now).")
        var compare: String?

        @Option(
            name: .customLong("run"),
            help: "Evaluate this TREC run file (query Q0 doc rank score tag) instead of a model; needs --qrels.")
        var runFile: String?

        @Option(help: "With --run: relevance judgments (query iteration doc relevance).")
        var qrels: String?

        @Option(help: "Held-out data (letor: svmlight lines; groups from qid: or FILE.query).")
        var data: String?

        @Option(help: "Also write the metrics as JSON to this file.")
        var json: String?

        @Option(help: "NDCG gain: exponential (2^label - 1) or linear (label).")
        var gain: Gain = .exponential

        @Option(help: "Labels above this are relevant for precision, recall, MRR and MAP.")
        var relevanceThreshold: Double = 0

        func validate() throws {
            if let run = runFile {
                guard model == nil else { throw ValidationError("--run evaluates a ranking file; leave out --model.") }
                guard let qrels else { throw ValidationError("--run needs --qrels FILE: the relevance judgments.") }
                for path in [run, qrels] where !FileManager.default.isReadableFile(atPath: path) {
                    throw ValidationError("\(path) is not a readable file; check the path.")
                }
                return
            }
            guard let model else {
                throw ValidationError("rerank evaluate needs --model FILE (from `rerank train`), or --run FILE --qrels FILE.")
            }
            guard FileManager.default.fileExists(atPath: model) else {
                throw ValidationError("--model \(model) does not exist; give a model file written by `rerank train`.")
            }
            switch format {
            case .ubi:
                guard logArguments.logs != nil else {
                    throw ValidationError("rerank evaluate needs --logs DIR (UBI logs), or --format letor --data FILE.")
                }
                guard fraction > 0, fraction < 1 else { throw ValidationError("--fraction must be between 0 and 1, e.g. 0.2.") }
                if let compare, !FileManager.default.fileExists(atPath: compare) {
                    throw ValidationError("--compare \(compare) does not exist; give a model file written by `rerank train`.")
                }
            case .letor:
                guard compare == nil else { throw ValidationError("--compare works with --format ubi (logs).") }
                guard let data else {
                    throw ValidationError(
                        "--format letor needs --data FILE: svmlight/LETOR lines, with query groups from qid: fields "
                            + "or a FILE.query file.")
                }
                guard FileManager.default.fileExists(atPath: data) else {
                    throw ValidationError("--data \(data) does not exist; check the path.")
                }
            }
        }

        func run() async throws {
            if let runFile {
                try evaluateRun(runFile, qrels: qrels ?? "")
                return
            }
            let model = model ?? ""
            if format == .ubi {
                try await evaluateLogs(model: model)
                return
            }
            let loaded = try RankingModel(contentsOf: model)
            let report = try evaluateLETOR(model: loaded, data: data ?? "", evaluator: evaluator())
            printTable(report, ranking: "model")
            if let json { try writeJSON(report, ranking: "model", to: json) }
        }

        private func evaluator(skipQueriesWithoutRelevant: Bool = false) -> RankingEvaluator {
            RankingEvaluator(
                ndcgAt: [1, 5, 10], precisionAt: [10], recallAt: [10], gain: gain.relevanceGain,
                relevanceThreshold: relevanceThreshold, skipQueriesWithoutRelevant: skipQueriesWithoutRelevant)
        }

        /// The TREC path: metrics of a run file's rankings against qrels (queries without a relevant document
        /// left out, as trec_eval does).
        private func evaluateRun(_ path: String, qrels: String) throws {
            let run = try TRECRun.read(run: path, qrels: qrels)
            let report = evaluator(skipQueriesWithoutRelevant: true).evaluate(
                labels: run.labels, scores: run.scores, queryBoundaries: run.queryBoundaries)
            let skipped = run.queries.count - report.queries
            print(
                "\(run.queries.count) judged queries in \(path) (\(skipped) without a relevant document left out, "
                    + "\(run.unjudgedQueries) without judgments left out); \(run.unretrievedRelevant) relevant "
                    + "documents in \(qrels) are not in the run and do not count (metrics are over the retrieved lists)")
            printTable(report, ranking: "run")
            if let json { try writeJSON(report, ranking: "run", to: json) }
        }

        /// The UBI input path: replay the logs, reorder the held-out searches, compare orderings.
        private func evaluateLogs(model: String) async throws {
            let personalization = try PersonalizationModel(contentsOf: model)
            let compared = try compare.map { try PersonalizationModel(contentsOf: $0) }
            let builder = LogEvaluator.builder(for: personalization)
            let heldOut = try await logArguments.replayTwice(declared: builder.declared, summary: \.summary) { first, second, items, users in
                try HeldOutSearches(
                    reading: &first, again: &second, builder: builder, items: items, profiles: users, holdOut: holdOut.holdOut,
                    fraction: fraction)
            }
            let evaluation = try LogEvaluator.evaluate(
                model: personalization, comparedWith: compared, heldOut: heldOut, gain: gain.relevanceGain)
            print(evaluation.table())
            if let json {
                var bytes = JSONWriter.bytes(.object(evaluation.json()))
                bytes.append(UInt8(ascii: "\n"))
                try Data(bytes).write(to: URL(fileURLWithPath: json), options: .atomic)
            }
            if let runs {
                try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
                for name in LogEvaluator.rankingNames {
                    guard let run = evaluation.trecRun(name) else { continue }
                    try Data(run.utf8).write(to: URL(fileURLWithPath: runs).appendingPathComponent("\(name).run"), options: .atomic)
                }
            }
            if let report {
                try Data(evaluation.html(title: "rerank evaluation: \(model)").utf8).write(to: URL(fileURLWithPath: report), options: .atomic)
            }
        }

        /// The letor input path: score every row of a svmlight file with the model.
        private func evaluateLETOR(model: RankingModel, data: String, evaluator: RankingEvaluator) throws
            -> RankingReport
        {
            let dataset = try LETORReader.read(path: data, featureCount: model.featureNames.count)
            let scores = try model.scorer().score(rows: dataset.features)
            return evaluator.evaluate(labels: dataset.labels, scores: scores, queryBoundaries: dataset.queryBoundaries)
        }

        private func printTable(_ report: RankingReport, ranking: String) {
            print("\(report.queries) queries, NDCG gain \(gain.rawValue), relevant: label > \(relevanceThreshold)")
            print("metric".padding(toLength: 14, withPad: " ", startingAt: 0) + ranking)
            for metric in report.metrics {
                print(metric.name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: "%.4f", metric.value))
            }
        }

        /// `{"model": {"ndcg@10": ..., ...}, "gain": ..., "queries": ...}`: metrics under the ranking's name.
        private func writeJSON(_ report: RankingReport, ranking: String, to path: String) throws {
            var metrics: [String: Double] = [:]
            for metric in report.metrics { metrics[metric.name] = metric.value }
            let document: [String: Any] = [
                ranking: metrics, "gain": gain.rawValue, "queries": report.queries,
                "relevance_threshold": relevanceThreshold,
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }
}
