import Foundation
import RerankJSON

/// What an imported Search Relevance Workbench judgment rates a document with (`rerank judgments --rating`).
public enum SRWRating: String, Sendable, CaseIterable {
    /// The grade, 0 to 3 by default, as in the TREC qrels.
    case grade
    /// The click model's score (SDBN: a click probability; COEC: a ratio to the average, like SRW's own COEC).
    case score
}

extension JudgmentList {
    /// Writes the judgments as the body of OpenSearch Search Relevance Workbench's judgment import,
    /// `PUT _plugins/_search_relevance/judgments`, in chunks to `output`:
    ///
    /// ```json
    /// {"name":"...","description":"...","type":"IMPORT_JUDGMENT","judgmentRatings":[
    /// {"query":"red dress","ratings":[{"docId":"B077ZJXCTS","rating":"3.000"}, ...]},
    /// ...
    /// ]}
    /// ```
    ///
    /// SRW looks judgments up by the query text of its query sets, which it samples from `ubi_queries` as typed;
    /// so every spelling the logs hold of a normalized query gets an entry, with that query's ratings. Ratings
    /// are strings with three decimals, as SRW writes them.
    public func writeSRW(name: String, rating: SRWRating, to output: (String) throws -> Void) rethrows {
        let header = JSONObject([
            "name": .string(name), "description": .string(srwDescription(rating)), "type": .string("IMPORT_JUDGMENT"),
        ])
        var opening = String(decoding: JSONWriter.bytes(.object(header)), as: UTF8.self)
        opening.removeLast()
        try output(opening + ",\"judgmentRatings\":[\n")
        var separator = ""
        for (query, judged) in byQuery {
            let ratings = JSONValue.array(judged.map { judgment in
                let value = rating == .grade ? Double(judgment.grade) : judgment.score
                return .object(JSONObject(["docId": .string(judgment.item), "rating": .string(String(format: "%.3f", value))]))
            })
            for text in spellings[query] ?? [query] {
                let entry = JSONObject(["query": .string(text), "ratings": ratings])
                try output(separator + String(decoding: JSONWriter.bytes(.object(entry)), as: UTF8.self))
                separator = ",\n"
            }
        }
        try output("\n]}\n")
    }

    /// How the judgments were made, for the judgment list's description.
    private func srwDescription(_ rating: SRWRating) -> String {
        let ratings =
            rating == .grade
            ? "ratings are grades 0-\(thresholds.count) from score thresholds \(thresholds.map(Self.number).joined(separator: ", "))"
            : "ratings are the click model's scores"
        return "Implicit judgments by rerank: \(model.name) click model on \(summary.searches) searches, at least "
            + "\(options.minImpressions) \(countedImpressions) per pair, \(ratings)"
    }
}
