import Experiments

/// A ratio of sums over users, Σ numerator / Σ denominator, with a standard error that treats the user as
/// the unit: the delta method over per-user sums.
///
/// Searches by one user are not independent (some people click a lot), so a per-search binomial interval is
/// too narrow; summing per user first and applying the delta method to the ratio of means keeps the interval
/// honest (Deng, Knoblich and Lu, 2018).
///
/// ```swift
/// // two users: 3 clicked searches of 4, and 1 of 2
/// let ctr = RatioEstimate(numerators: [3, 1], denominators: [4, 2])  // value 4/6
/// ```
public struct RatioEstimate: Sendable, Equatable {
    /// Σ numerators / Σ denominators; nan when there is no denominator.
    public var value: Double
    /// The delta-method standard error; nan with fewer than two users.
    public var standardError: Double
    /// Users (clusters) it was computed from.
    public var users: Int

    public init(value: Double, standardError: Double, users: Int) {
        self.value = value
        self.standardError = standardError
        self.users = users
    }

    /// Estimates the ratio from one numerator and one denominator per user.
    public init(numerators: [Double], denominators: [Double]) {
        precondition(numerators.count == denominators.count, "one numerator and one denominator per user")
        users = numerators.count
        let n = Double(users)
        let sumX = numerators.reduce(0, +)
        let sumY = denominators.reduce(0, +)
        value = sumY > 0 ? sumX / sumY : .nan
        guard users >= 2, sumY > 0 else {
            standardError = .nan
            return
        }
        let meanX = sumX / n
        let meanY = sumY / n
        var varX = 0.0
        var varY = 0.0
        var covariance = 0.0
        for (x, y) in zip(numerators, denominators) {
            varX += (x - meanX) * (x - meanX)
            varY += (y - meanY) * (y - meanY)
            covariance += (x - meanX) * (y - meanY)
        }
        varX /= n - 1
        varY /= n - 1
        covariance /= n - 1
        let variance = (varX - 2 * value * covariance + value * value * varY) / (n * meanY * meanY)
        standardError = max(0, variance).squareRoot()
    }

    /// The two-sided interval at `confidence` (e.g. 0.95).
    public func interval(confidence: Double) -> (low: Double, high: Double) {
        let z = Distributions.normalQuantile(0.5 + confidence / 2)
        return (value - z * standardError, value + z * standardError)
    }
}

/// The difference of a variant's ratio from the control's, with its interval and a two-sided z test.
public struct Difference: Sendable, Equatable {
    /// treatment − control.
    public var value: Double
    public var standardError: Double
    public var low: Double
    public var high: Double
    public var pValue: Double
    /// p < alpha.
    public var significant: Bool

    /// Compares two independent groups of users.
    public init(treatment: RatioEstimate, control: RatioEstimate, alpha: Double) {
        value = treatment.value - control.value
        standardError = (treatment.standardError * treatment.standardError + control.standardError * control.standardError).squareRoot()
        let z = Distributions.normalQuantile(1 - alpha / 2)
        low = value - z * standardError
        high = value + z * standardError
        pValue = standardError > 0 ? Distributions.twoSidedNormalP(value / standardError) : .nan
        significant = pValue < alpha
    }
}
