import Foundation
import RerankCore
import Testing

@testable import Features
@testable import PersonalizationTraining

/// Counterfactual DCG@10 of logged clicks, worked out by hand on two searches.
@Suite struct CounterfactualEvaluationTests {
    /// Two searches of two items: the first clicked at position 2 (propensity 0.5, weight 2), the second at
    /// position 1 (weight 1).
    static func set() -> TrainingSet {
        var set = TrainingSet(featureNames: FeatureSchema.names, rows: [], labels: [], groupBoundaries: [0], groups: [])
        for (search, labels) in [[Float(0), 1], [1, 0]].enumerated() {
            set.rows += [Float](repeating: 0, count: 2 * FeatureSchema.width)
            set.labels += labels
            set.groupBoundaries.append(set.labels.count)
            set.groups.append(SearchGroup(LoggedImpression(
                queryID: "q\(search)", time: Double(search), userID: nil, sessionID: nil, device: .unknown,
                localTime: LocalTime(hour: 12, weekday: 3), query: "", items: ["a\(search)", "b\(search)"])))
        }
        return set
    }

    static let bias = PositionBias(propensities: [1, 0.5], observations: [2, 2])

    @Test func theLoggedOrderEarnsItsDiscountedWeightedClicks() {
        let estimate = CounterfactualEstimate(Self.set(), bias: Self.bias, seed: 1) { _, row in -Double(row) }
        let first = 2 / log2(3.0)
        #expect(abs(estimate.ips.mean - (first + 1) / 2) < 1e-12)
        #expect(abs(estimate.snips.mean - (first + 1) / 3) < 1e-12)
        #expect(estimate.ips.low <= estimate.ips.mean && estimate.ips.mean <= estimate.ips.high)
    }

    @Test func movingTheDeepClickUpEarnsItsFullWeight() {
        // Search 0's clicked item moves to the top; search 1 keeps its order.
        let estimate = CounterfactualEstimate(Self.set(), bias: Self.bias, seed: 1) { group, row in
            group == 0 ? Double(row) : -Double(row)
        }
        #expect(abs(estimate.ips.mean - 1.5) < 1e-12)
        #expect(abs(estimate.snips.mean - 1) < 1e-12)
    }
}
