import Experiments
import Foundation

/// The few distribution functions the report's tests need.
public enum Distributions {
    /// P(|Z| ≥ |z|) for a standard normal Z: the two-sided p-value of a z statistic.
    public static func twoSidedNormalP(_ z: Double) -> Double {
        guard z.isFinite else { return z.isNaN ? .nan : 0 }
        return erfc(abs(z) / 2.0.squareRoot())
    }

    /// The z with P(Z ≤ z) = `probability`, found by bisection on `erfc` (exact to 1e-12, no table).
    public static func normalQuantile(_ probability: Double) -> Double {
        precondition(probability > 0 && probability < 1, "a quantile needs a probability strictly between 0 and 1")
        var low = -40.0
        var high = 40.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < probability { low = middle } else { high = middle }
            if high - low < 1e-12 { break }
        }
        return (low + high) / 2
    }

    /// P(X ≥ `statistic`) for X chi-square distributed with `degreesOfFreedom`.
    public static func chiSquareSurvival(_ statistic: Double, degreesOfFreedom: Int) -> Double {
        guard statistic > 0 else { return 1 }
        return upperRegularizedGamma(Double(degreesOfFreedom) / 2, statistic / 2)
    }

    /// Q(s, x) = Γ(s, x) / Γ(s), by its series below s + 1 and its continued fraction above (Numerical Recipes).
    static func upperRegularizedGamma(_ s: Double, _ x: Double) -> Double {
        let logPrefix = s * log(x) - x - lgamma(s)
        if x < s + 1 {
            var term = 1 / s
            var sum = term
            var denominator = s
            for _ in 0..<1000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - s
        var c = 1 / tiny
        var d = 1 / b
        var fraction = d
        for step in 1..<1000 {
            let an = -Double(step) * (Double(step) - s)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return min(1, exp(logPrefix) * fraction)
    }
}
