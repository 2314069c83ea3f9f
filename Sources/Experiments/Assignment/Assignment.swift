import Foundation

/// Which experiment and variant serve one search.
public struct Assignment: Sendable, Equatable {
    public var experiment: Experiment
    /// Index into the experiment's variants; nil for an interleaving participant, who sees both.
    public var variantIndex: Int?
    /// Set by the QA override header: the search is served as asked but left out of the report.
    public var forced: Bool

    public init(experiment: Experiment, variantIndex: Int?, forced: Bool = false) {
        self.experiment = experiment
        self.variantIndex = variantIndex
        self.forced = forced
    }

    /// The variant's name as headers and logs carry it: a variant's name, or `interleaved`.
    public var variantName: String {
        variantIndex.map { experiment.variants[$0].name } ?? Self.interleaved
    }

    /// The variant name of an interleaving participant.
    public static let interleaved = "interleaved"
    /// The variant name of a search outside every experiment.
    public static let outside = "default"
}

/// Assigns searches to experiments: a hash and a comparison per running experiment, no locks, no I/O.
///
/// A search takes part in at most one experiment: the first running one, in configuration order, whose traffic
/// share holds its user (or session, when anonymous). Because salts differ, the next experiment sees a random
/// sample of the rest, so each experiment's variants stay comparable. A search outside every experiment gets the
/// default: the control of the first running experiment (``defaultExperiment(at:)``).
///
/// ```swift
/// let assigner = ExperimentAssigner([experiment])
/// let assignment = try assigner.assign(clientID: "alice", at: .now, override: nil)
/// ```
public struct ExperimentAssigner: Sendable {
    public let experiments: [Experiment]

    public init(_ experiments: [Experiment]) {
        self.experiments = experiments
    }

    /// The assignment of a search by `clientID` at `date`; nil when it is outside every experiment.
    ///
    /// - Parameter override: `experiment/variant` (or `experiment/interleaved`) from the QA header; forces the
    ///   search into that arm whatever the hash, the traffic share or the schedule say.
    /// - Throws: ``OverrideError`` when the override names no configured experiment or variant.
    public func assign(clientID: String?, at date: Date, override: String? = nil) throws(OverrideError) -> Assignment? {
        if let override { return try forced(override) }
        guard let clientID else { return nil }
        for experiment in experiments where experiment.isRunning(at: date) {
            guard StableBucket.unit(salt: experiment.salt, id: clientID) < experiment.traffic else { continue }
            switch experiment.kind {
            case .interleaving: return Assignment(experiment: experiment, variantIndex: nil)
            case .abTest:
                // A hash of its own picks the variant, so raising the traffic share adds users without moving anyone.
                let unit = StableBucket.unit(salt: experiment.salt + Self.variantSaltSuffix, id: clientID)
                return Assignment(experiment: experiment, variantIndex: Self.variant(unit, experiment.variants))
            }
        }
        return nil
    }

    static let variantSaltSuffix = "/variant"

    /// The experiment whose control serves searches outside every experiment: the first running one.
    public func defaultExperiment(at date: Date) -> Experiment? {
        experiments.first { $0.isRunning(at: date) }
    }

    /// The variant whose cumulative share range holds `unit` (in [0, 1)).
    static func variant(_ unit: Double, _ variants: [Variant]) -> Int {
        var upper = 0.0
        for (index, variant) in variants.enumerated() {
            upper += variant.share
            if unit < upper { return index }
        }
        return variants.count - 1
    }

    private func forced(_ value: String) throws(OverrideError) -> Assignment {
        let parts = value.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let names = experiments.map(\.name).joined(separator: ", ")
        guard parts.count == 2, let experiment = experiments.first(where: { $0.name == parts[0] }) else {
            throw .unknownExperiment(value, configured: names)
        }
        if experiment.kind == .interleaving, parts[1] == Assignment.interleaved {
            return Assignment(experiment: experiment, variantIndex: nil, forced: true)
        }
        guard let index = experiment.variants.firstIndex(where: { $0.name == parts[1] }) else {
            var choices = experiment.variants.map(\.name)
            if experiment.kind == .interleaving { choices.append(Assignment.interleaved) }
            throw .unknownVariant(parts[1], experiment: experiment.name, choices: choices)
        }
        return Assignment(experiment: experiment, variantIndex: index, forced: true)
    }
}
