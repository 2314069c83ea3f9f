import Foundation
import LTRModel

/// Rankings in TREC form, joined with relevance judgments, ready for ``RankingEvaluator``.
///
/// A run file holds `query Q0 document rank score tag` lines (trec_eval's format; the `Q0` and `tag` columns are
/// ignored, documents are ordered by decreasing score and, for equal scores, by their order in the file). A qrels
/// file holds `query iteration document relevance` lines. Documents of a run without a judgment have relevance 0;
/// queries of the run without any judgment are left out (as trec_eval does). Judged documents that the run does
/// not contain are counted in ``unretrievedRelevant`` but not used: rerank measures the order of the lists it is
/// given, so NDCG's ideal order, recall and AP are taken over each retrieved list.
///
/// ```swift
/// let run = try TRECRun.read(run: "bm25.run", qrels: "test.qrels")
/// let report = evaluator.evaluate(labels: run.labels, scores: run.scores, queryBoundaries: run.queryBoundaries)
/// ```
public struct TRECRun: Sendable {
    /// Query ids, in the order they first appear in the run file.
    public var queries: [String]
    /// Relevance of each retrieved document, query after query.
    public var labels: [Float]
    /// Score of each retrieved document, query after query.
    public var scores: [Double]
    /// `[0, end of query 1, ..., document count]`.
    public var queryBoundaries: [Int]
    /// Queries of the run left out because the qrels do not mention them.
    public var unjudgedQueries: Int
    /// Relevant judged documents (relevance > 0) of evaluated queries that the run does not retrieve.
    public var unretrievedRelevant: Int

    /// Reads a run file and a qrels file and joins them.
    /// - Throws: `LTRError` naming the file and line of the first bad input, or when no query is judged.
    public static func read(run runPath: String, qrels qrelsPath: String) throws -> TRECRun {
        let judgments = try readQrels(qrelsPath)
        var retrieved: [String: [(document: String, score: Double, line: Int)]] = [:]
        var order: [String] = []
        try forEachLine(of: runPath, fields: 6) { fields, line in
            guard let score = Double(fields[4]), score.isFinite else {
                throw LTRError.malformedInput(file: runPath, line: line, "score \(fields[4]) is not a finite number")
            }
            if retrieved[String(fields[0])] == nil { order.append(String(fields[0])) }
            retrieved[String(fields[0]), default: []].append((String(fields[2]), score, line))
        }
        var result = TRECRun(
            queries: [], labels: [], scores: [], queryBoundaries: [0], unjudgedQueries: 0, unretrievedRelevant: 0)
        for query in order {
            guard let judged = judgments[query] else {
                result.unjudgedQueries += 1
                continue
            }
            var seen = Set<String>()
            for (document, score, line) in retrieved[query] ?? [] {
                guard seen.insert(document).inserted else {
                    throw LTRError.malformedInput(
                        file: runPath, line: line, "query \(query) lists document \(document) twice")
                }
                result.labels.append(Float(judged[document] ?? 0))
                result.scores.append(score)
            }
            result.unretrievedRelevant += judged.filter { $0.value > 0 && !seen.contains($0.key) }.count
            result.queries.append(query)
            result.queryBoundaries.append(result.labels.count)
        }
        guard !result.queries.isEmpty else {
            throw LTRError.missingGroups(
                "no query of \(runPath) has a judgment in \(qrelsPath); check that both files use the same query ids")
        }
        return result
    }

    /// Query → document → relevance.
    private static func readQrels(_ path: String) throws -> [String: [String: Double]] {
        var judgments: [String: [String: Double]] = [:]
        try forEachLine(of: path, fields: 4) { fields, line in
            guard let relevance = Double(fields[3]), relevance.isFinite else {
                throw LTRError.malformedInput(file: path, line: line, "relevance \(fields[3]) is not a number")
            }
            judgments[String(fields[0]), default: [:]][String(fields[2])] = relevance
        }
        return judgments
    }

    /// Calls `body` with the whitespace-separated fields of each non-empty line, which must number `fields`.
    private static func forEachLine(
        of path: String, fields count: Int, _ body: ([Substring], Int) throws -> Void
    ) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LTRError.unreadableFile(path, reason: error.localizedDescription)
        }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == count else {
                throw LTRError.malformedInput(
                    file: path, line: index + 1, "expected \(count) fields, found \(fields.count)")
            }
            try body(fields, index + 1)
        }
    }
}
