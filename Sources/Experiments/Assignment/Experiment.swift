import Foundation
import Ranking

/// One experiment as configured: who takes part, when, and what each variant does to reranking.
///
/// ```swift
/// let experiment = Experiment(
///     name: "model-ab", salt: "model-ab-1", kind: .abTest, traffic: 0.5,
///     variants: [.init(name: "control", share: 0.5, treatment: .off),
///                .init(name: "model", share: 0.5, treatment: .on(.init(weight: 0.8)))])
/// ```
public struct Experiment: Sendable, Equatable {
    /// How participants are served.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Each participant is served by one variant, chosen by the stable hash.
        case abTest = "ab"
        /// Every participant sees the team-draft interleaving of the control's and the treatment's rankings.
        case interleaving
    }

    /// Names the experiment in headers, logs and the report.
    public var name: String
    /// Mixed into the hash with the user id: a new salt reshuffles users, experiments with different salts split
    /// users independently.
    public var salt: String
    public var kind: Kind
    /// Share of users (0…1) who take part; the others get the default (control) behaviour.
    public var traffic: Double
    /// The first variant is the control; A/B variants carry shares that sum to 1, interleaving has exactly two.
    public var variants: [Variant]
    /// Before this time the experiment takes nobody; nil: from the start.
    public var start: Date?
    /// From this time on the experiment takes nobody; nil: no end.
    public var stop: Date?

    public init(
        name: String, salt: String? = nil, kind: Kind = .abTest, traffic: Double = 1, variants: [Variant],
        start: Date? = nil, stop: Date? = nil
    ) {
        self.name = name
        self.salt = salt ?? name
        self.kind = kind
        self.traffic = traffic
        self.variants = variants
        self.start = start
        self.stop = stop
    }

    /// Whether the experiment takes users at `date`.
    public func isRunning(at date: Date) -> Bool {
        if let start, date < start { return false }
        if let stop, date >= stop { return false }
        return true
    }
}

/// One arm of an experiment.
public struct Variant: Sendable, Equatable {
    public var name: String
    /// Share of the experiment's participants (A/B); unused by interleaving.
    public var share: Double
    public var treatment: Treatment

    public init(name: String, share: Double = 1, treatment: Treatment) {
        self.name = name
        self.share = share
        self.treatment = treatment
    }
}

/// What a variant does to a search.
public enum Treatment: Sendable, Equatable {
    /// No reranking: the engine's order.
    case off
    /// Reranking with these settings; nil settings keep the served configuration's.
    case on(Rerank)

    /// Reranking settings a variant may change.
    public struct Rerank: Sendable, Equatable {
        /// The blend weight (0…1) of the ranker against the engine's score.
        public var weight: Double?
        /// A model file from `rerank train` to rank with instead of the served one.
        public var model: String?
        /// Business rules replacing the served ones (an empty list turns them off).
        public var rules: [BusinessRule]?
        /// Exploration replacing the served one (a share of 0 turns it off).
        public var exploration: Exploration?

        public init(weight: Double? = nil, model: String? = nil, rules: [BusinessRule]? = nil, exploration: Exploration? = nil) {
            self.weight = weight
            self.model = model
            self.rules = rules
            self.exploration = exploration
        }
    }
}
