import Experiments
import Foundation

extension ExperimentReport {
    /// The terminal table: per experiment, the sample-ratio check, each variant's exposures, users and metrics
    /// with intervals, the differences from the control with p-values (`*` below alpha), and the verdict.
    public func table() -> String {
        let percent = String(format: "%g%%", (1 - alpha) * 100)
        var lines = ["alpha \(alpha); intervals \(percent); users are the unit (per-user sums, delta method); verdicts on \(primaryMetric.rawValue)"]
        if forcedSearches > 0 { lines.append("\(forcedSearches) searches forced by X-Rerank-Variant-Override left out") }
        if outsideSearches > 0 { lines.append("\(outsideSearches) searches outside every experiment (variant default)") }
        if experiments.isEmpty { lines.append("no experiment searches in these logs") }
        for experiment in experiments {
            lines.append("")
            lines += experiment.tableLines(confidence: 1 - alpha)
        }
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }
}

extension ExperimentResult {
    func tableLines(confidence: Double) -> [String] {
        let type = design.interleaving ? "team-draft interleaving" : "A/B"
        var lines = ["experiment \(name) (\(type))" + (design.interleaving ? "" : ", control: \(variants.first?.name ?? "-")")]
        if let sampleRatio {
            let counts = design.split.map { share in
                "\(share.variant) \(variants.first { $0.name == share.variant }?.users ?? 0) users (configured \(String(format: "%.1f%%", share.share * 100)))"
            }
            let status = sampleRatio.mismatch ? "WARNING: sample ratio mismatch, comparisons are suspect" : "ok"
            lines.append("  sample ratio: \(counts.joined(separator: ", ")); chi-square \(String(format: "%.2f", sampleRatio.statistic)), p=\(String(format: "%.3g", sampleRatio.pValue)): \(status)")
        }
        lines.append("  " + pad("variant", 14) + pad("searches", 10, right: true) + pad("users", 8, right: true))
        for variant in variants {
            lines.append("  " + pad(variant.name, 14) + pad("\(variant.searches)", 10, right: true) + pad("\(variant.users)", 8, right: true))
        }
        lines.append("  " + pad("metric", 19) + pad("variant", 14) + pad("value", 9) + pad("interval", 20) + pad("vs control", 11) + pad("interval", 22) + "p")
        for metric in ExperimentMetric.allCases {
            for variant in variants {
                guard let estimate = variant.metrics[metric] else { continue }
                let interval = estimate.interval(confidence: confidence)
                var line = "  " + pad(metric.rawValue, 19) + pad(variant.name, 14) + pad(Self.number(estimate.value), 9)
                    + pad("[\(Self.number(interval.low)), \(Self.number(interval.high))]", 20)
                if let difference = variant.differences[metric] {
                    line += pad(Self.signed(difference.value), 11) + pad("[\(Self.signed(difference.low)), \(Self.signed(difference.high))]", 22)
                        + String(format: "%.3g", difference.pValue) + (difference.significant ? " *" : "")
                }
                lines.append(line)
            }
        }
        if let preference {
            lines.append(String(format: "  preference for the treatment ranking: %.4f [%.4f, %.4f], p=%.3g%@", preference.share.value, preference.low, preference.high, preference.pValue, preference.significant ? " *" : ""))
            lines.append("  \(preference.wins) wins, \(preference.losses) losses, \(preference.ties) ties, \(preference.searchesWithoutCredit) searches without credited clicks; users with a preference: \(preference.share.users)")
        }
        lines.append("  verdict: \(verdict)")
        return lines
    }

    static func number(_ value: Double) -> String { String(format: "%.4f", value) }

    static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + String(format: "%.4f", value) }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text + " " }
        let padding = String(repeating: " ", count: width - text.count)
        return right ? padding + text + "  " : text + padding
    }
}
