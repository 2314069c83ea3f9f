import Experiments
import RerankJSON

extension ExperimentReport {
    /// The JSON form: `alpha`, `confidence`, `primary_metric`, `forced_searches`, `outside_searches`, and per
    /// experiment `name`, `type`, `winner` (null for none), `verdict`, `sample_ratio`, `preference` and
    /// `variants`, each with `searches`, `users` and per metric (`ctr`, `add_to_cart_rate`, `purchase_rate`,
    /// `clicks_per_search`, `mrr`) its `value`, `low`, `high`, `standard_error` and, off the control, its
    /// `difference` from the control (`value`, `low`, `high`, `p_value`, `significant`).
    public func json() -> JSONObject {
        let confidence = 1 - alpha
        return JSONObject([
            "alpha": .double(alpha),
            "confidence": .double(confidence),
            "primary_metric": .string(primaryMetric.rawValue),
            "forced_searches": .int(forcedSearches),
            "outside_searches": .int(outsideSearches),
            "experiments": .array(experiments.map { .object($0.json(confidence: confidence)) }),
        ])
    }
}

extension ExperimentResult {
    func json(confidence: Double) -> JSONObject {
        var object = JSONObject([
            "name": .string(name),
            "type": .string(design.interleaving ? Experiment.Kind.interleaving.rawValue : Experiment.Kind.abTest.rawValue),
            "winner": winner.map(JSONValue.string) ?? .null,
            "verdict": .string(verdict),
        ])
        object["variants"] = .array(variants.map { variant in
            var metrics = JSONObject()
            for metric in ExperimentMetric.allCases {
                guard let estimate = variant.metrics[metric] else { continue }
                let interval = estimate.interval(confidence: confidence)
                var value = JSONObject([
                    "value": .double(estimate.value), "low": .double(interval.low), "high": .double(interval.high),
                    "standard_error": .double(estimate.standardError),
                ])
                if let difference = variant.differences[metric] {
                    value["difference"] = .object(JSONObject([
                        "value": .double(difference.value), "low": .double(difference.low), "high": .double(difference.high),
                        "p_value": .double(difference.pValue), "significant": .bool(difference.significant),
                    ]))
                }
                metrics[metric.rawValue] = .object(value)
            }
            return .object(JSONObject([
                "name": .string(variant.name), "searches": .int(variant.searches), "users": .int(variant.users), "metrics": .object(metrics),
            ]))
        })
        if let sampleRatio {
            object["sample_ratio"] = .object(JSONObject([
                "statistic": .double(sampleRatio.statistic), "degrees_of_freedom": .int(sampleRatio.degreesOfFreedom),
                "p_value": .double(sampleRatio.pValue), "mismatch": .bool(sampleRatio.mismatch),
                "expected": .object(JSONObject(design.split.map { .init(key: $0.variant, value: .double($0.share)) })),
                "observed_users": .object(JSONObject(variants.map { .init(key: $0.name, value: .int($0.users)) })),
            ]))
        }
        if let preference {
            object["preference"] = .object(JSONObject([
                "share": .double(preference.share.value), "low": .double(preference.low), "high": .double(preference.high),
                "p_value": .double(preference.pValue), "significant": .bool(preference.significant),
                "wins": .int(preference.wins), "losses": .int(preference.losses), "ties": .int(preference.ties),
                "searches_without_credit": .int(preference.searchesWithoutCredit), "users": .int(preference.share.users),
            ]))
        }
        return object
    }
}
