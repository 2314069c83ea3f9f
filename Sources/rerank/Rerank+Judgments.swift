import ArgumentParser
import EventLog
import Foundation
import PersonalizationTraining

extension Rerank {
    /// `rerank judgments`: relevance judgments of (query, item) pairs from a click model fitted on UBI logs.
    struct Judgments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "judgments",
            abstract: "Write click-model relevance judgments from UBI logs: TREC qrels or a Search Relevance Workbench import.",
            discussion: """
                A click model is fitted on every search of the logs, per normalized query text (lowercased, \
                punctuation removed) and item:
                - sdbn (simplified DBN, the default): an item shown at or above a search's last interaction was \
                examined; the score is its clicks over its examined impressions. Searches without interactions \
                examine nothing.
                - coec (clicks over expected clicks, what OpenSearch's Search Relevance Workbench computes): every \
                impression counts; the score is the item's clicks over those an average item gets at the positions \
                it was shown, from --expected-clicks position-ctr (each position's click rate in the same logs) or \
                estimated (the position bias `rerank train` estimates, which separates looking from liking).
                Interactions are joined to their search as training joins them and count with --gains (click 1, \
                add_to_cart 2, purchase 3; a search credits an item with its best one). Scores are smoothed with \
                --smoothing pseudo-impressions of an average item, so 1 click in 1 impression is not a perfect \
                score; pairs with fewer than --min-impressions counted impressions are not judged. A grade is the \
                number of --thresholds its score reaches: 0 to 3 (sdbn 0.1, 0.3, 0.6: click probabilities; coec \
                0.5, 1, 2: ratios to the average).

                --format trec writes qrels (query 0 item grade). With --query-key id (the default) each logged \
                search's query_id gets the judgments of its query, so the runs `rerank evaluate --runs DIR` writes \
                score against them; --query-key text names a query by its normalized text, percent-encoded \
                (wireless%20earbuds). --format srw writes the body of PUT _plugins/_search_relevance/judgments \
                (type IMPORT_JUDGMENT), one entry per spelling of a query as typed. A summary goes to standard \
                error.

                Examples:
                  rerank judgments --logs DIR --output clicks.qrels
                  rerank evaluate --run runs/original.run --qrels clicks.qrels
                  rerank judgments --logs DIR --format srw --click-model coec --output srw.json
                """
        )

        /// The output file's format (`--format`).
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case trec
            case srw
        }

        @OptionGroup var logArguments: LogArguments

        @Option(help: "Where to write the judgments.")
        var output: String

        @Option(help: "Output: trec (qrels: query 0 item grade) or srw (Search Relevance Workbench judgment import, JSON).")
        var format: Format = .trec

        @Option(help: "sdbn (simplified DBN: clicks over examined impressions) or coec (clicks over expected clicks).")
        var clickModel: JudgmentOptions.Model = .sdbn

        @Option(help: "coec: position-ctr (each position's click rate in the logs) or estimated (position bias from the logs).")
        var expectedClicks: JudgmentOptions.ExpectedClicks?

        @Option(help: "Pairs with fewer counted impressions (sdbn: examined; coec: all) get no judgment.")
        var minImpressions = JudgmentOptions().minImpressions

        @Option(help: "Pseudo-impressions of an average item added to every pair's counts (0: none).")
        var smoothing = JudgmentOptions().smoothing

        @Option(help: "Scores at which grades 1, 2, 3 start, increasing (default sdbn 0.1,0.3,0.6; coec 0.5,1,2).")
        var thresholds: String?

        @Option(help: "Credit of a click, an add_to_cart and a purchase; 1,1,1 counts every interaction as a click.")
        var gains = "1,2,3"

        @Option(help: "trec: name each query by the search's query_id (id) or by its normalized text, percent-encoded (text).")
        var queryKey: TRECQueryKey?

        @Option(help: "srw: the judgment list's name (default: rerank <click model> judgments).")
        var name: String?

        @Option(help: "srw: rate each document with its grade or with the click model's score.")
        var rating: SRWRating?

        func validate() throws {
            guard logArguments.logs != nil else {
                throw ValidationError("rerank judgments needs --logs DIR: UBI logs (the directory `rerank serve --log-dir` writes, or a _bulk file).")
            }
            let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--output \(output): the directory \(directory) does not exist; create it or write elsewhere.")
            }
            if format == .srw, queryKey != nil {
                throw ValidationError("--query-key names TREC queries; --format srw always names a query by its text.")
            }
            if format == .trec, name != nil || rating != nil {
                throw ValidationError("--name and --rating describe a Search Relevance Workbench import; add --format srw.")
            }
            if clickModel == .sdbn, expectedClicks != nil {
                throw ValidationError("--expected-clicks sets COEC's expectation; add --click-model coec.")
            }
            if logArguments.items != nil, expectedClicks != .estimated {
                throw ValidationError("--items only informs --expected-clicks estimated (with --click-model coec); leave it out.")
            }
            let options = try options()
            do throws(JudgmentError) {
                try options.validate()
            } catch {
                throw ValidationError(error.message + ".")
            }
        }

        func run() async throws {
            let (log, items, _) = try await logArguments.load()
            let judgments = try JudgmentList.make(from: log, items: items, options: try options())
            let file = try AtomicFile(path: output)
            var lines = 0
            var leftOut = 0
            func write(_ text: String) throws {
                lines += text.utf8.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
                try file.append(text: text)
            }
            switch format {
            case .trec:
                leftOut = try judgments.writeTREC(keyedBy: queryKey ?? .queryID, to: write)
            case .srw:
                try judgments.writeSRW(name: name ?? "rerank \(clickModel.rawValue) judgments", rating: rating ?? .grade, to: write)
            }
            try file.commit()
            var report = judgments.summaryText() + "\n"
            switch format {
            case .trec:
                let key = queryKey ?? .queryID
                report += "wrote \(lines) qrels lines to \(output), queries named by \(key == .queryID ? "query_id" : "percent-encoded text")\n"
                if leftOut > 0 {
                    report += "\(leftOut) lines left out: their query or item id holds white space, which TREC lines cannot; use --format srw\n"
                }
            case .srw:
                report += "wrote a Search Relevance Workbench judgment import to \(output) "
                    + "(PUT _plugins/_search_relevance/judgments), rated by \((rating ?? .grade).rawValue)\n"
            }
            FileHandle.standardError.write(Data(report.utf8))
        }

        /// The options the flags set.
        private func options() throws(ValidationError) -> JudgmentOptions {
            var options = JudgmentOptions()
            options.model = clickModel
            options.expectedClicks = expectedClicks ?? .positionCTR
            options.minImpressions = minImpressions
            options.smoothing = smoothing
            if let thresholds {
                guard let values = Self.numbers(thresholds) else {
                    throw ValidationError("--thresholds must be numbers separated by commas, e.g. 0.1,0.3,0.6.")
                }
                options.thresholds = values
            }
            guard let credits = Self.numbers(gains), credits.count == 3 else {
                throw ValidationError("--gains must be three numbers separated by commas (click, add_to_cart, purchase), e.g. 1,2,3.")
            }
            options.gains.click = credits[0]
            options.gains.addToCart = credits[1]
            options.gains.purchase = credits[2]
            return options
        }

        private static func numbers(_ list: String) -> [Double]? {
            let values = list.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            return values.isEmpty || values.contains(nil) ? nil : values.compactMap { $0 }
        }
    }
}

extension JudgmentOptions.Model: ExpressibleByArgument {}
extension JudgmentOptions.ExpectedClicks: ExpressibleByArgument {}
extension TRECQueryKey: ExpressibleByArgument {}
extension SRWRating: ExpressibleByArgument {}
