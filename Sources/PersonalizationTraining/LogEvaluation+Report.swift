import Foundation
import LTRModel
import LTRTraining
import Personalization
import Ranking
import Reporting
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
        let origin = servedChoice.map { "chosen in training: \($0.reason)" } ?? "the default: the model file records no chosen weight (trained before weights were chosen, or imported)"
        let clicks = debiased ? "with clicks corrected for position bias" : "on raw clicks"
        lines.append("served: the model blended with the engine's score at weight \(String(format: "%.1f", servedWeight)) (\(origin)); trained \(clicks)")
        lines.append(String(format: "model - original NDCG@10: %+.4f (95%% bootstrap interval %+.4f to %+.4f)", uplift.mean, uplift.low, uplift.high))
        lines.append(String(format: "served - original NDCG@10: %+.4f (95%% bootstrap interval %+.4f to %+.4f)", servedUplift.mean, servedUplift.low, servedUplift.high))
        if let compared = upliftOverCompared {
            lines.append(String(format: "model - compared NDCG@10: %+.4f (95%% bootstrap interval %+.4f to %+.4f, paired)", compared.mean, compared.low, compared.high))
        }
        if let positionBias {
            let shown = [1, 2, 3, 5, 10].filter { $0 <= positionBias.propensities.count }
            let estimate = shown.map { "\($0): " + String(format: "%.2f", positionBias.propensity(at: $0 - 1)) }.joined(separator: ", ")
            lines.append("counterfactual DCG@10 of the logged clicks, each weighted by 1/propensity of its logged position (at most \(String(format: "%g", positionBias.maxWeight)); propensities estimated from these logs by \(positionBias.method), \(estimate)), with 95% bootstrap intervals:")
            for name in LogEvaluator.rankingNames {
                guard let estimate = rankings[name]?.counterfactual else { continue }
                func interval(_ value: (mean: Double, low: Double, high: Double)) -> String {
                    String(format: "%.4f (%.4f to %.4f)", value.mean, value.low, value.high)
                }
                lines.append("  " + name.padding(toLength: 10, withPad: " ", startingAt: 0) + "IPS " + interval(estimate.ips) + "   SNIPS " + interval(estimate.snips))
            }
        } else {
            lines.append("counterfactual estimates: none (no clicks past the first position to estimate position bias from)")
        }
        lines.append("by segment, NDCG@10 (original → model → served):")
        let segments = rankings["model"]?.segments.keys.sorted() ?? []
        for segment in segments {
            let original = rankings["original"]?.segments[segment]
            let model = rankings["model"]?.segments[segment]
            let served = rankings["served"]?.segments[segment]
            lines.append(String(format: "  %-22@ %5d searches  %.4f → %.4f → %.4f", segment as NSString, model?.groups ?? 0,
                original?.metrics["ndcg@10"] ?? .nan, model?.metrics["ndcg@10"] ?? .nan, served?.metrics["ndcg@10"] ?? .nan))
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON form: each ranking by name with metric keys (`ndcg@10`, `precision@10`, `recall@10`, `mrr`,
    /// `map`, `coverage@10`, `changed`), its segments, the uplift and the gain used.
    public func json() -> JSONObject {
        func metrics(_ evaluation: RankingEvaluation) -> JSONValue {
            .object(JSONObject(evaluation.metrics.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .double($0.value)) }))
        }
        func interval(_ value: (mean: Double, low: Double, high: Double)) -> JSONValue {
            .object(JSONObject([
                "mean": .double(value.mean), "low": .double(value.low), "high": .double(value.high), "confidence": .double(0.95),
            ]))
        }
        var rankingsObject = JSONObject()
        for name in LogEvaluator.rankingNames {
            guard let ranking = rankings[name] else { continue }
            var object = metrics(ranking.overall).objectValue ?? JSONObject()
            object["coverage@10"] = .double(ranking.coverage)
            object["changed"] = .double(ranking.changed)
            if let estimate = ranking.counterfactual {
                object["ips_dcg@10"] = interval(estimate.ips)
                object["snips_dcg@10"] = interval(estimate.snips)
            }
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
        root["uplift_ndcg@10"] = interval(uplift)
        root["served_uplift_ndcg@10"] = interval(servedUplift)
        root["served_weight"] = .double(servedWeight)
        root["served_weight_chosen"] = .bool(servedWeightChosen)
        if let servedChoice {
            root["served_weight_reason"] = .string(servedChoice.reason)
            if let best = servedChoice.bestWeight { root["validation_best_weight"] = .double(best) }
            if let gain = servedChoice.bestGain { root["validation_best_gain"] = interval((gain.mean, gain.low, gain.high)) }
        }
        if let positionBias { root["position_bias"] = .array(positionBias.propensities.map(JSONValue.double)) }
        root["debiased"] = .bool(debiased)
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
        let names = LogEvaluator.rankingNames.filter { rankings[$0] != nil }
        let colors = [
            "original": "#9aa5b1", "baseline": "#f0b429", "coec": "#cb6e17", "random": "#e12d39", "compared": "#7b61ff",
            "model": "#2680c2", "served": "#0e7c86",
        ]
        var chart = SVGBarChart(series: names, colors: colors)
        chart.range = 0...1
        chart.groups = (["overall"] + (rankings["model"]?.segments.keys.sorted() ?? [])).map { group in
            SVGBarChart.Group(name: group, bars: names.map { name in
                let evaluation = group == "overall" ? rankings[name]?.overall : rankings[name]?.segments[group]
                return SVGBarChart.Bar(series: name, value: evaluation?.metrics["ndcg@10"] ?? 0)
            })
        }
        return HTMLPage.render(title: title, sections: [
            HTMLPage.paragraph("NDCG@10 (\(gainName) gain) on \(heldOutGroups) held-out searches, overall and by segment."),
            chart.svg(),
            HTMLPage.preformatted(table()),
        ])
    }
}
