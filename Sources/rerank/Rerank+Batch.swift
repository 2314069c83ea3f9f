import ArgumentParser
import EventLog
import Foundation
import LTRTraining
import Personalization
import Ranking
import RerankConfiguration
import RerankCore
import RerankJSON
import RerankServer

extension Rerank {
    /// `rerank batch`: ranks many item lists offline with a model, as `POST /_rerank/rank` would (a batch
    /// inference job).
    struct Batch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "batch",
            abstract: "Rank many item lists offline with a model, as POST /_rerank/rank would.",
            discussion: """
                Each input line is a rank request: {"items": [...], "user_id": ..., "context": {...}, "query": ..., \
                "request_id": ...} (see README, "Ranking without a search"). Each output line, in input order, is \
                its answer: the items ranked with their scores, or {"error": ...} for a line that could not be \
                ranked. Features come from the statistics stored in the model file (what the logs said when it \
                was trained). With --config, the file's rerank.rules and rerank.filters apply as the sidecar \
                applies them; history and session filters hold nothing here (there is no live event history). \
                The output file appears only when complete. Example: rerank batch --model model.json --input \
                requests.ndjson --output ranked.ndjson
                """
        )

        @Option(help: "The model file written by `rerank train`.")
        var model: String

        @Option(help: "Rank requests, one JSON object per line (NDJSON).")
        var input: String

        @Option(help: "Where to write the answers, one per input line (NDJSON).")
        var output: String

        @Option(help: "Blend weight of the model against the list's order, 0-1; default: the weight training chose. A request's weight wins.")
        var weight: Double?

        @Option(help: "A sidecar config file (JSON) whose rerank.rules and rerank.filters apply to every request.")
        var config: String?

        @Option(help: "Time zone (IANA name) of requests that name none.")
        var timezone = "UTC"

        @Option(help: "Most items one request may list.")
        var maxItems = 10_000

        @Flag(help: "No progress bar on standard error.")
        var quiet = false

        func validate() throws {
            if let weight, !(0...1).contains(weight) { throw ValidationError("--weight must be between 0 and 1, not \(weight).") }
            guard FileManager.default.isReadableFile(atPath: input) else {
                throw ValidationError("--input \(input) is not a readable file; give an NDJSON file of rank requests.")
            }
            guard maxItems > 0 else { throw ValidationError("--max-items must be at least 1.") }
        }

        func run() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let personalization = try PersonalizationModel(contentsOf: model)
            let ranker = ModelRanker(model: personalization, state: LiveFeatureState(personalization.extras.state))
            var settings = ServerConfiguration()
            if let config { try settings.apply(configFile: config) }
            let items = ItemRanker(
                reranker: Reranker(ranker: ranker, rules: settings.rerank.rules, defaultWeight: weight),
                filters: FilterSet(settings.rerank.filters), defaultTimeZone: timezone)
            let file = try AtomicFile(path: output)
            let progress = ProgressLine(enabled: !quiet)
            let total = (try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
            var counts = (requests: 0, failed: 0)
            var shownTenth = -1
            try NDJSONLines.read(input) { chunk, bytesRead in
                let answers = Self.answer(chunk, with: items, maxItems: maxItems)
                for answer in answers {
                    try file.append(answer)
                    counts.requests += 1
                    if answer["error"] != nil { counts.failed += 1 }
                }
                let tenth = total > 0 ? 10 * bytesRead / total : 10
                if tenth != shownTenth {
                    shownTenth = tenth
                    progress.show(done: bytesRead >> 10, of: max(total >> 10, 1), detail: " KiB  \(counts.requests) requests")
                }
            }
            try file.commit()
            progress.finish()
            let seconds = Double((clock.now - start).components.seconds) + Double((clock.now - start).components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(counts.requests) / seconds * 60 : 0
            print("ranked \(counts.requests - counts.failed) of \(counts.requests) requests with model \(ranker.version) "
                + "in \(String(format: "%.1f", seconds)) s (\(Int(rate)) a minute); \(counts.failed) could not be ranked; wrote \(output)")
        }

        /// The answers to a chunk of lines, in order, ranked on every core.
        private static func answer(_ lines: [ArraySlice<UInt8>], with items: ItemRanker, maxItems: Int) -> [JSONObject] {
            var answers = [JSONObject](repeating: JSONObject(), count: lines.count)
            answers.withUnsafeMutableBufferPointer { answers in
                Parallel.forEach(lines.count, threads: Parallel.threadCount(0)) { index in
                    let line = Array(lines[index])
                    do throws(RerankError) {
                        answers[index] = items.answer(try RankRequest(parsing: line, maxItems: maxItems))
                    } catch {
                        answers[index] = ItemRanker.failure(line, error)
                    }
                }
            }
            return answers
        }
    }
}

/// Reads an NDJSON file in chunks of whole lines without holding it all in memory.
enum NDJSONLines {
    /// Calls `body` with each chunk's non-blank lines and the bytes read so far.
    static func read(_ path: String, chunkBytes: Int = 1 << 22, _ body: ([ArraySlice<UInt8>], Int) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ValidationError("cannot open \(path) for reading")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var read = 0
        while true {
            let data = handle.readData(ofLength: chunkBytes)
            read += data.count
            pending += data
            let end = data.isEmpty ? pending.count : (pending.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)
            let lines = pending[..<end].split(separator: UInt8(ascii: "\n"))
                .filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
            if !lines.isEmpty { try body(lines, read) }
            pending.removeFirst(end)
            if data.isEmpty { return }
        }
    }
}
