import Foundation
import LTR
import RerankJSON

extension LogEvaluation {
    static let tableMetrics = ["ndcg@1", "ndcg@5", "ndcg@10", "precision@10", "recall@10", "mrr", "map"]

    /// The gain's name as reports print it.
    public var gainName: String { gain == .linear ? "linear (rel)" : "exponential (2^rel - 1)" }

    /// A terminal table: one row per ranking, overall metrics, coverage and changed share.
    public func table() -> String {
        var lines = ["held-out searches: \(heldOutGroups); NDCG gain: \(gainName)"]
        if seenInTraining > 0 {
            lines.append("warning: training already used \(seenInTraining) of these searches, so the model's figures are optimistic; train with --test-fraction equal to --fraction (the default 0.2 of both match)")
        }
        let header = ["ranking"] + Self.tableMetrics + ["coverage@10", "changed"]
        lines.append(header.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        for name in LogEvaluator.rankingNames {
            guard let ranking = rankings[name] else { continue }
            let values = Self.tableMetrics.map { String(format: "%.4f", ranking.overall.metrics[$0] ?? .nan) }
                + [String(format: "%.4f", ranking.coverage), String(format: "%.2f", ranking.changed)]
            lines.append(([name] + values).map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        }
        lines.append(String(format: "model - original NDCG@10: %+.4f (95%% bootstrap interval %+.4f to %+.4f)", uplift.mean, uplift.low, uplift.high))
        if let compared = upliftOverCompared {
            lines.append(String(format: "model - compared NDCG@10: %+.4f (95%% bootstrap interval %+.4f to %+.4f, paired)", compared.mean, compared.low, compared.high))
        }
        lines.append("by segment, NDCG@10 (original → model):")
        let segments = rankings["model"]?.segments.keys.sorted() ?? []
        for segment in segments {
            let original = rankings["original"]?.segments[segment]
            let model = rankings["model"]?.segments[segment]
            lines.append(String(format: "  %-22@ %5d searches  %.4f → %.4f", segment as NSString, model?.groups ?? 0,
                original?.metrics["ndcg@10"] ?? .nan, model?.metrics["ndcg@10"] ?? .nan))
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON form: each ranking by name with metric keys (`ndcg@10`, `precision@10`, `recall@10`, `mrr`,
    /// `map`, `coverage@10`, `changed`), its segments, the uplift and the gain used.
    public func json() -> JSONObject {
        func metrics(_ evaluation: RankingEvaluation) -> JSONValue {
            .object(JSONObject(evaluation.metrics.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .double($0.value)) }))
        }
        var rankingsObject = JSONObject()
        for name in LogEvaluator.rankingNames {
            guard let ranking = rankings[name] else { continue }
            var object = metrics(ranking.overall).objectValue ?? JSONObject()
            object["coverage@10"] = .double(ranking.coverage)
            object["changed"] = .double(ranking.changed)
            object["segments"] = .object(JSONObject(ranking.segments.sorted { $0.key < $1.key }.map { segment in
                var value = metrics(segment.value).objectValue ?? JSONObject()
                value["searches"] = .int(segment.value.groups)
                return .init(key: segment.key, value: .object(value))
            }))
            rankingsObject[name] = .object(object)
        }
        var root = rankingsObject
        root["held_out_searches"] = .int(heldOutGroups)
        root["held_out_searches_seen_in_training"] = .int(seenInTraining)
        root["gain"] = .string(gain == .linear ? "linear" : "exponential")
        func interval(_ value: (mean: Double, low: Double, high: Double)) -> JSONValue {
            .object(JSONObject([
                "mean": .double(value.mean), "low": .double(value.low), "high": .double(value.high), "confidence": .double(0.95),
            ]))
        }
        root["uplift_ndcg@10"] = interval(uplift)
        if let compared = upliftOverCompared { root["uplift_over_compared_ndcg@10"] = interval(compared) }
        return root
    }

    /// A ranking's order of every held-out search as a TREC run (`query_id Q0 item rank score name`), for
    /// `rerank evaluate --run` against other judgments, such as a simulation's ground truth.
    public func trecRun(_ name: String) -> String? {
        guard let ranking = rankings[name] else { return nil }
        var text = ""
        for (queryID, items) in zip(queryIDs, ranking.orders) {
            for (rank, item) in items.enumerated() {
                text += "\(queryID) Q0 \(item) \(rank + 1) \(items.count - rank) \(name)\n"
            }
        }
        return text
    }

    /// A self-contained HTML page: NDCG@10 of every ranking overall and per segment as an SVG bar chart, and the table.
    public func html(title: String) -> String {
        let groups = ["overall"] + (rankings["model"]?.segments.keys.sorted() ?? [])
        let names = LogEvaluator.rankingNames.filter { rankings[$0] != nil }
        let colors = ["original": "#9aa5b1", "baseline": "#f0b429", "random": "#e12d39", "compared": "#7b61ff", "model": "#2680c2"]
        let barWidth = 14.0, groupGap = 22.0, height = 260.0, top = 20.0
        let groupWidth = barWidth * Double(names.count) + groupGap
        let width = 60 + groupWidth * Double(groups.count)
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(width))' height='\(Int(height + 120))' font-family='sans-serif' font-size='11'>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = top + height * (1 - tick)
            svg += "<line x1='50' x2='\(Int(width))' y1='\(y)' y2='\(y)' stroke='#e4e7eb'/><text x='10' y='\(y + 4)'>\(String(format: "%.2f", tick))</text>"
        }
        for (index, group) in groups.enumerated() {
            let x0 = 60 + groupWidth * Double(index)
            for (offset, name) in names.enumerated() {
                let evaluation = group == "overall" ? rankings[name]?.overall : rankings[name]?.segments[group]
                let value = evaluation?.metrics["ndcg@10"] ?? 0
                let x = x0 + barWidth * Double(offset)
                svg += "<rect x='\(x)' y='\(top + height * (1 - value))' width='\(barWidth - 2)' height='\(height * value)' fill='\(colors[name] ?? "#000")'><title>\(name) \(group): \(String(format: "%.4f", value))</title></rect>"
            }
            svg += "<text transform='translate(\(x0 + 10),\(top + height + 10)) rotate(45)'>\(group)</text>"
        }
        for (offset, name) in names.enumerated() {
            let x = 60 + Double(offset) * 90
            svg += "<rect x='\(x)' y='\(top + height + 95)' width='10' height='10' fill='\(colors[name] ?? "#000")'/><text x='\(x + 14)' y='\(top + height + 104)'>\(name)</text>"
        }
        svg += "</svg>"
        let escapedTable = table().replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>\(title)</title>
            <style>body{font-family:sans-serif;margin:2em;color:#1f2933}pre{background:#f5f7fa;padding:1em}</style></head>
            <body><h1>\(title)</h1><p>NDCG@10 (\(gainName) gain) on \(heldOutGroups) held-out searches, overall and by segment.</p>
            \(svg)<pre>\(escapedTable)</pre></body></html>
            """
    }
}
