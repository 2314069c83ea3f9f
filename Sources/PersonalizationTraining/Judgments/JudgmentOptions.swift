import Features

/// How ``JudgmentList/make(from:items:options:)`` turns logs into judgments. Every field has a default:
///
/// - `model` (``Model``, `.sdbn`): the click model (``ClickModel``).
/// - `expectedClicks` (``ExpectedClicks``, `.positionCTR`): where COEC's expected clicks per position come from.
/// - `minImpressions` (`Int`, 3): pairs with fewer impressions that count as evidence (SDBN: examined ones; COEC:
///   all) get no judgment.
/// - `smoothing` (`Double`, 1): pseudo-impressions of an average pair added to every pair's evidence
///   (``ClickEvidence/score(prior:strength:)``): with one, 1 click in 1 impression is not a perfect score nor 0 in 1
///   a zero, and a handful of impressions decide (more shrinks harder towards the average); 0 turns it off.
/// - `gains` (``LabelGains``, click 1, add-to-cart 2, purchase 3): the credit of each interaction; all 1 counts
///   every interaction as a click.
/// - `thresholds` (`[Double]?`, nil): ascending scores at which grades 1, 2, 3, ... start; nil takes
///   ``defaultThresholds(for:)``.
///
/// ```swift
/// var options = JudgmentOptions()
/// options.model = .coec
/// options.minImpressions = 10
/// let judgments = try JudgmentList.make(from: log, options: options)
/// ```
public struct JudgmentOptions: Sendable, Equatable {
    /// The click models by name.
    public enum Model: String, Sendable, CaseIterable {
        case sdbn
        case coec
    }

    /// COEC's expectation per position, by name.
    public enum ExpectedClicks: String, Sendable, CaseIterable {
        /// Each position's credit per impression in the same log.
        case positionCTR = "position-ctr"
        /// The position bias ``PositionBiasEstimator`` estimates from the same log.
        case estimated
    }

    public var model = Model.sdbn
    public var expectedClicks = ExpectedClicks.positionCTR
    public var minImpressions = 3
    public var smoothing = 1.0
    public var gains = LabelGains()
    public var thresholds: [Double]?

    public init() {}

    /// The grade thresholds of a model: SDBN scores are click probabilities (grade 1 from 0.1, 2 from 0.3, 3 from
    /// 0.6); COEC scores are ratios to the average at the same positions (grade 1 from half the average, 2 from
    /// the average, 3 from twice it).
    public static func defaultThresholds(for model: Model) -> [Double] {
        switch model {
        case .sdbn: [0.1, 0.3, 0.6]
        case .coec: [0.5, 1, 2]
        }
    }

    /// The thresholds in force: ``thresholds`` or the model's defaults.
    public var gradeThresholds: [Double] { thresholds ?? Self.defaultThresholds(for: model) }

    /// Checks every field, naming the command-line flag that sets it.
    /// - Throws: ``JudgmentError`` saying what is wrong and what is expected.
    public func validate() throws(JudgmentError) {
        guard minImpressions >= 1 else { throw .invalidOption("--min-impressions must be at least 1, e.g. 3") }
        guard smoothing >= 0, smoothing.isFinite else {
            throw .invalidOption("--smoothing must be 0 (none) or more pseudo-impressions, e.g. 1")
        }
        let thresholds = gradeThresholds
        guard !thresholds.isEmpty, thresholds.allSatisfy({ $0.isFinite && $0 > 0 }),
            zip(thresholds, thresholds.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw .invalidOption("--thresholds must be positive scores in increasing order, e.g. 0.1,0.3,0.6 for grades 1, 2 and 3")
        }
        let credits = [gains.click, gains.addToCart, gains.purchase]
        guard credits.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidOption("--gains must be three positive numbers (click, add_to_cart, purchase), e.g. 1,2,3")
        }
    }
}
