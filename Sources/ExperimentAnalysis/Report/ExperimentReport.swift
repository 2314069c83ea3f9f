import EventLog
import Experiments

/// Who won each experiment, and how sure that is: per-variant metrics with intervals, differences from the
/// control with tests, interleaving preferences, and a sample-ratio check.
///
/// Users are the unit of randomization, so every interval and test sums per user first (``RatioEstimate``).
///
/// ```swift
/// let report = ExperimentReport(ExperimentLog(try InteractionLogReader().read("logs")))
/// print(report.table())
/// ```
public struct ExperimentReport: Sendable {
    /// Significance level of every test; intervals are at 1 − alpha.
    public var alpha: Double
    /// The metric an A/B verdict is decided on (the others are reported, not voted on).
    public var primaryMetric: ExperimentMetric
    public var experiments: [ExperimentResult]
    public var forcedSearches: Int
    public var outsideSearches: Int

    /// - Parameters:
    ///   - log: the experiment searches read from the logs.
    ///   - configured: experiments from the configuration; their split and control win over the logged ones.
    public init(_ log: ExperimentLog, configured: [Experiment] = [], alpha: Double = 0.05, primaryMetric: ExperimentMetric = .ctr) {
        self.alpha = alpha
        self.primaryMetric = primaryMetric
        forcedSearches = log.forcedSearches
        outsideSearches = log.outsideSearches
        let byExperiment = Dictionary(grouping: log.searches, by: \.experiment)
        // Configured experiments in configuration order, then the others as they first appear in the logs.
        let rank = Dictionary(configured.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let tags = log.experiments.enumerated().sorted { a, b in
            (rank[a.element.experiment ?? ""] ?? configured.count + a.offset) < (rank[b.element.experiment ?? ""] ?? configured.count + b.offset)
        }.map(\.element)
        experiments = tags.compactMap { tag in
            guard let name = tag.experiment, let searches = byExperiment[name] else { return nil }
            var design = ExperimentResult.Design(tag: tag)
            if let experiment = configured.first(where: { $0.name == name }) { design = .init(experiment: experiment) }
            return ExperimentResult(name: name, design: design, searches: searches, alpha: alpha, primaryMetric: primaryMetric)
        }
    }
}

/// One experiment's results.
public struct ExperimentResult: Sendable {
    /// What the experiment was meant to be: its type and the configured split, control first.
    public struct Design: Sendable, Equatable {
        public var interleaving: Bool
        public var split: [ExperimentTag.Share]

        init(tag: ExperimentTag) {
            interleaving = tag.type == Experiment.Kind.interleaving.rawValue
            split = tag.split
        }

        init(experiment: Experiment) {
            interleaving = experiment.kind == .interleaving
            split = interleaving ? [] : experiment.variants.map { .init(variant: $0.name, share: $0.share) }
        }
    }

    public var name: String
    public var design: Design
    /// Variants in configuration order (control first), then any the configuration does not name.
    public var variants: [VariantResult]
    /// Interleaving: which ranking the clicks preferred.
    public var preference: PreferenceResult?
    /// A/B: users per variant against the configured split; nil without a split or with one variant.
    public var sampleRatio: SampleRatioCheck?
    /// The variant that won, `control` included; nil when no difference is significant.
    public var winner: String?
    /// One line saying who won and how sure that is.
    public var verdict: String

    init(name: String, design: Design, searches: [ExperimentSearch], alpha: Double, primaryMetric: ExperimentMetric) {
        self.name = name
        self.design = design
        let byVariant = Dictionary(grouping: searches, by: \.variant)
        let order = design.split.map(\.variant).filter { byVariant[$0] != nil } + byVariant.keys.sorted().filter { name in
            !design.split.contains { $0.variant == name }
        }
        var variants: [VariantResult] = []
        for name in order {
            variants.append(VariantResult(name: name, searches: byVariant[name] ?? [], control: variants.first, alpha: alpha))
        }
        self.variants = variants
        if design.interleaving {
            let preference = PreferenceResult(searches, alpha: alpha)
            self.preference = preference
            winner = preference.winner
            verdict = preference.verdict
            return
        }
        if design.split.count >= 2 {
            let users = Dictionary(uniqueKeysWithValues: variants.map { ($0.name, $0.users) })
            sampleRatio = SampleRatioCheck(observed: users, expected: Dictionary(design.split.map { ($0.variant, $0.share) }, uniquingKeysWith: { a, _ in a }))
        }
        let decision = Self.decide(variants, metric: primaryMetric, alpha: alpha)
        winner = decision.winner
        verdict = decision.verdict
    }

    /// The best variant by a significant difference on `metric`; the control when every other is significantly worse.
    static func decide(_ variants: [VariantResult], metric: ExperimentMetric, alpha: Double) -> (winner: String?, verdict: String) {
        guard let control = variants.first, variants.count >= 2 else { return (nil, "no comparison: fewer than two variants were served") }
        let compared = variants.dropFirst().compactMap { variant in variant.differences[metric].map { (variant.name, $0) } }
        let better = compared.filter { $0.1.significant && $0.1.value > 0 }.max { $0.1.value < $1.1.value }
        if let better {
            return (better.0, "\(better.0) wins on \(metric.rawValue): \(Self.describe(better.1)) vs \(control.name)")
        }
        if !compared.isEmpty, compared.allSatisfy({ $0.1.significant && $0.1.value < 0 }) {
            return (control.name, "\(control.name) wins on \(metric.rawValue): every other variant is worse, e.g. \(compared[0].0) \(Self.describe(compared[0].1))")
        }
        let closest = compared.min { $0.1.pValue < $1.1.pValue }
        return (nil, "no winner on \(metric.rawValue) at alpha \(alpha)" + (closest.map { ": \($0.0) \(Self.describe($0.1))" } ?? ""))
    }

    static func describe(_ difference: Difference) -> String {
        func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + String(format: "%.4f", x) }
        return "\(signed(difference.value)) [\(signed(difference.low)), \(signed(difference.high))], p=\(String(format: "%.3g", difference.pValue))"
    }
}

/// One variant's exposures, users and metrics, and its differences from the control.
public struct VariantResult: Sendable {
    public var name: String
    /// Searches served (exposures).
    public var searches: Int
    public var users: Int
    public var metrics: [ExperimentMetric: RatioEstimate]
    /// treatment − control per metric; empty for the control itself.
    public var differences: [ExperimentMetric: Difference]

    init(name: String, searches: [ExperimentSearch], control: VariantResult?, alpha: Double) {
        self.name = name
        self.searches = searches.count
        let byUser = Dictionary(grouping: searches, by: \.user)
        users = byUser.count
        let denominators = byUser.values.map { Double($0.count) }
        var metrics: [ExperimentMetric: RatioEstimate] = [:]
        for metric in ExperimentMetric.allCases {
            let numerators = byUser.values.map { $0.reduce(0) { $0 + metric.value($1) } }
            metrics[metric] = RatioEstimate(numerators: numerators, denominators: denominators)
        }
        self.metrics = metrics
        var differences: [ExperimentMetric: Difference] = [:]
        if let control {
            for metric in ExperimentMetric.allCases {
                guard let mine = metrics[metric], let theirs = control.metrics[metric] else { continue }
                differences[metric] = Difference(treatment: mine, control: theirs, alpha: alpha)
            }
        }
        self.differences = differences
    }
}
