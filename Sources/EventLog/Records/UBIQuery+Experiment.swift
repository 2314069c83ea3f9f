import RerankJSON

/// The experiment a logged search took part in, as its `query_attributes` carry it.
///
/// Keys: `experiment` (name), `variant` (the arm; `interleaved` for an interleaving participant, `default` for a
/// search outside every experiment, which has no `experiment`), `experiment_type` (`ab` or `interleaving`),
/// `traffic` (the configured share of users in the experiment), `split` (each variant's configured share of the
/// participants in configuration order, the control first, so a report can check the sample ratio and find the
/// control from the logs alone), `forced` (true when the QA
/// override header chose the variant) and `teams` (interleaving: per shown hit, `control` or `treatment`, the
/// ranking that contributed it, aligned with `query_response_hit_ids`).
///
/// ```swift
/// if let tag = query.experimentTag, !tag.forced { print(tag.experiment, tag.variant) }
/// ```
public struct ExperimentTag: Sendable, Equatable {
    /// One variant's configured share of an experiment's participants.
    public struct Share: Sendable, Equatable {
        public var variant: String
        public var share: Double

        public init(variant: String, share: Double) {
            self.variant = variant
            self.share = share
        }
    }

    public var experiment: String?
    public var variant: String
    /// `ab` or `interleaving`.
    public var type: String?
    public var traffic: Double?
    public var split: [Share]
    public var forced: Bool
    public var teams: [String]?

    public init(
        experiment: String?, variant: String, type: String? = nil, traffic: Double? = nil, split: [Share] = [],
        forced: Bool = false, teams: [String]? = nil
    ) {
        self.experiment = experiment
        self.variant = variant
        self.type = type
        self.traffic = traffic
        self.split = split
        self.forced = forced
        self.teams = teams
    }

    /// Reads the tag from `query_attributes`; nil when the search carries no `variant`.
    public init?(attributes: JSONObject) {
        guard let variant = attributes["variant"]?.stringValue else { return nil }
        self.variant = variant
        experiment = attributes["experiment"]?.stringValue
        type = attributes["experiment_type"]?.stringValue
        traffic = attributes["traffic"]?.doubleValue
        split = (attributes["split"]?.objectValue?.members ?? []).compactMap { member in
            member.value.doubleValue.map { Share(variant: member.key, share: $0) }
        }
        forced = attributes["forced"]?.boolValue ?? false
        teams = attributes["teams"]?.arrayValue?.compactMap(\.stringValue)
    }

    /// Writes the tag's keys into `query_attributes`.
    public func write(into attributes: inout JSONObject) {
        if let experiment { attributes["experiment"] = .string(experiment) }
        attributes["variant"] = .string(variant)
        if let type { attributes["experiment_type"] = .string(type) }
        if let traffic { attributes["traffic"] = .double(traffic) }
        if !split.isEmpty {
            attributes["split"] = .object(JSONObject(split.map { .init(key: $0.variant, value: .double($0.share)) }))
        }
        if forced { attributes["forced"] = .bool(true) }
        if let teams { attributes["teams"] = .array(teams.map(JSONValue.string)) }
    }
}

extension UBIQuery {
    /// The experiment and variant this search was served by; nil for searches logged without one.
    public var experimentTag: ExperimentTag? { ExperimentTag(attributes: attributes) }
}
