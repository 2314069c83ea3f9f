import Foundation

/// How TREC qrels name a query (`rerank judgments --query-key`).
public enum TRECQueryKey: String, Sendable, CaseIterable {
    /// Each logged search's `query_id`; every search gets the judgments of its normalized query. These are the
    /// query ids of the runs `rerank evaluate --runs` writes, so those runs score against these qrels.
    case queryID = "id"
    /// The normalized query text, percent-encoded (``JudgmentList/trecQueryID(text:)``): one query per text, for
    /// runs keyed by query text.
    case text
}

extension JudgmentList {
    /// Writes the judgments as TREC qrels, `query 0 item grade` per line, in chunks to `output`.
    ///
    /// TREC lines are split at white space, so a judgment whose query id or item id holds white space cannot be
    /// written; it is left out and counted.
    ///
    /// - Returns: the lines left out.
    @discardableResult
    public func writeTREC(keyedBy key: TRECQueryKey, to output: (String) throws -> Void) rethrows -> Int {
        var leftOut = 0
        for (query, judged) in byQuery {
            let ids = key == .text ? [Self.trecQueryID(text: query)] : searchIDs[query] ?? []
            for id in ids {
                var lines = ""
                for judgment in judged {
                    guard Self.fitsTREC(id), Self.fitsTREC(judgment.item) else {
                        leftOut += 1
                        continue
                    }
                    lines += "\(id) 0 \(judgment.item) \(judgment.grade)\n"
                }
                try output(lines)
            }
        }
        return leftOut
    }

    /// A query text as a TREC query id: UTF-8, every byte but ASCII letters, digits and `-._~` percent-encoded
    /// (`wireless earbuds` → `wireless%20earbuds`), so any percent-decoder gives the text back.
    public static func trecQueryID(text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func fitsTREC(_ id: String) -> Bool {
        !id.isEmpty && !id.contains { $0.isWhitespace }
    }
}
