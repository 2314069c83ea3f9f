import Foundation

/// Checks an interaction log for what a trainer would trip on.
///
/// Errors (the trainer would learn something wrong): unreadable lines, events whose `query_id` has no query,
/// clicks / add-to-carts / purchases on objects the query did not show, duplicate `query_id`s, timestamps in the
/// future. Warnings (the trainer learns less): torn last lines left by a crash, timestamps out of order within a
/// file, unknown action names, and fewer interactions or users than Amazon Personalize asks for (1,000
/// interactions; 25 users with at least 2).
///
/// ```swift
/// let log = try InteractionLogReader().read("logs")
/// let report = LogValidator().validate(log, now: Date())
/// print(report.text)
/// if report.hasErrors { exit(1) }
/// ```
public struct LogValidator: Sendable {
    /// Settings of the checks.
    ///
    /// - `extraActions` (Set<String>, default empty): action names used on purpose beyond `impression`,
    ///   `click`, `add_to_cart`, `purchase`; they count as interactions.
    /// - `minimumInteractions` (Int, default 1,000): Amazon Personalize's minimum number of interactions.
    /// - `minimumUsers` (Int, default 25): Personalize's minimum number of users with enough interactions.
    /// - `minimumInteractionsPerUser` (Int, default 2): what "enough" means for `minimumUsers`.
    /// - `futureTolerance` (seconds, default 300): timestamps up to this far past `now` are clock skew, not errors.
    /// - `orderTolerance` (seconds, default 1): a record this little before the one above it is not out of order
    ///   (concurrent appends land a few milliseconds apart).
    /// - `exampleLimit` (Int, default 5): examples kept per finding.
    public struct Configuration: Sendable {
        public var extraActions: Set<String> = []
        public var minimumInteractions = 1_000
        public var minimumUsers = 25
        public var minimumInteractionsPerUser = 2
        public var futureTolerance: TimeInterval = 300
        public var orderTolerance: TimeInterval = 1
        public var exampleLimit = 5

        public init() {}
    }

    /// Actions every UBI producer uses.
    public static let standardActions: Set<String> = ["impression", "click", "add_to_cart", "purchase"]
    /// Standard actions that are interactions with an object (as opposed to impressions).
    public static let standardInteractions: Set<String> = ["click", "add_to_cart", "purchase"]

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Actions that are not reported as unknown.
    public var knownActions: Set<String> { Self.standardActions.union(configuration.extraActions) }
    /// Actions that must be on a shown object and that count toward Personalize's minimums.
    public var interactionActions: Set<String> { Self.standardInteractions.union(configuration.extraActions) }

    /// Checks `log`.
    ///
    /// - Parameters:
    ///   - log: what ``InteractionLogReader`` read, problems included.
    ///   - now: the current time, for the future-timestamp check.
    public func validate(_ log: InteractionLog, now: Date) -> ValidationReport {
        let interactions = log.events.filter { interactionActions.contains($0.actionName) }
        var findings: [ValidationFinding?] = [
            unreadableLines(log),
            unknownQueryIDs(log),
            interactionsOnUnshownObjects(log),
            duplicateQueryIDs(log),
            futureTimestamps(log, now: now),
            tornLastLines(log),
            timestampsOutOfOrder(log),
            unknownActions(log),
        ]
        let users = Dictionary(grouping: interactions.compactMap(\.clientID), by: { $0 }).mapValues(\.count)
        findings.append(contentsOf: personalizeMinimums(interactions: interactions.count, users: users))
        return ValidationReport(
            files: log.files, queries: log.queries.count, events: log.events.count,
            interactions: interactions.count, users: users.count,
            usersWithEnoughInteractions: users.values.filter { $0 >= configuration.minimumInteractionsPerUser }.count,
            findings: findings.compactMap { $0 })
    }
}
