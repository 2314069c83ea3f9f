import Experiments
import Foundation

/// Which ranking an interleaving experiment's clicks preferred.
///
/// A search is a win for the treatment when its clicks credit the treatment's team more, a loss when they
/// credit the control's more, a tie when they credit both equally; searches whose clicks credit neither team
/// (no click, or a search that fell back to the engine's order and so was not interleaved) say nothing. The
/// preference share is wins / (wins + losses), summed per user for the interval (``RatioEstimate``), and tested
/// against 0.5, what identical rankings give.
public struct PreferenceResult: Sendable, Equatable {
    public var wins: Int
    public var losses: Int
    public var ties: Int
    /// Searches whose clicks credit neither team.
    public var searchesWithoutCredit: Int
    /// wins / (wins + losses), with its user-level standard error.
    public var share: RatioEstimate
    public var low: Double
    public var high: Double
    /// Two-sided p-value of share = 0.5.
    public var pValue: Double
    public var significant: Bool

    public init(_ searches: [ExperimentSearch], alpha: Double) {
        var wins = 0
        var losses = 0
        var ties = 0
        var without = 0
        var perUser: [String: (wins: Double, decided: Double)] = [:]
        for search in searches {
            if search.treatmentCredit > search.controlCredit {
                wins += 1
                perUser[search.user, default: (0, 0)].wins += 1
                perUser[search.user, default: (0, 0)].decided += 1
            } else if search.controlCredit > search.treatmentCredit {
                losses += 1
                perUser[search.user, default: (0, 0)].decided += 1
            } else if search.controlCredit > 0 {
                ties += 1
            } else {
                without += 1
            }
        }
        self.wins = wins
        self.losses = losses
        self.ties = ties
        searchesWithoutCredit = without
        let users = Array(perUser.values)
        share = RatioEstimate(numerators: users.map(\.wins), denominators: users.map(\.decided))
        let z = Distributions.normalQuantile(1 - alpha / 2)
        low = share.value - z * share.standardError
        high = share.value + z * share.standardError
        pValue = share.standardError > 0 ? Distributions.twoSidedNormalP((share.value - 0.5) / share.standardError) : .nan
        significant = pValue < alpha
    }

    /// `treatment` or `control` when the preference is significant; nil otherwise.
    public var winner: String? {
        guard significant else { return nil }
        return share.value > 0.5 ? "treatment" : "control"
    }

    /// One line: who is preferred, with the share's interval and p-value.
    public var verdict: String {
        let detail = String(format: "preference share %.4f [%.4f, %.4f], p=%.3g; %d wins, %d losses, %d ties", share.value, low, high, pValue, wins, losses, ties)
        guard let winner else { return "no winner: \(detail)" }
        return "\(winner) ranking preferred: \(detail)"
    }
}
