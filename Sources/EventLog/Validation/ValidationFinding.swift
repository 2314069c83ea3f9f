/// One kind of problem ``LogValidator`` found, how often, and a few examples.
public struct ValidationFinding: Sendable, Equatable {
    /// The problems the validator looks for, in the order reports list them.
    public enum Kind: String, Sendable, CaseIterable {
        /// Lines the reader skipped (bad JSON, missing fields), torn last lines apart.
        case unreadableLine = "unreadable_line"
        /// Files ending in a partial line, as a crash mid-append leaves them.
        case tornLastLine = "torn_last_line"
        /// Events whose `query_id` has no `ubi_queries` record.
        case unknownQueryID = "unknown_query_id"
        /// Clicks, add-to-carts and purchases on objects the query did not show.
        case interactionOnUnshownObject = "interaction_on_unshown_object"
        /// More than one `ubi_queries` record with the same `query_id`.
        case duplicateQueryID = "duplicate_query_id"
        /// Timestamps later than now.
        case futureTimestamp = "future_timestamp"
        /// Records earlier than a record above them in the same file.
        case timestampOutOfOrder = "timestamp_out_of_order"
        /// Events whose `action_name` is not a known action.
        case unknownAction = "unknown_action"
        /// Fewer interactions than Amazon Personalize asks for.
        case tooFewInteractions = "too_few_interactions"
        /// Fewer users with enough interactions than Amazon Personalize asks for.
        case tooFewUsers = "too_few_users"
    }

    /// Whether a trainer would go wrong (`error`) or merely learn less (`warning`).
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var kind: Kind
    public var severity: Severity
    /// How many records, lines or query ids have the problem; for the Personalize minimums, the measured total
    /// that fell short of the threshold.
    public var count: Int
    /// What is wrong and how to fix it.
    public var message: String
    /// Up to the configured number of examples, each naming a file and line or an id.
    public var examples: [String]

    public init(kind: Kind, severity: Severity, count: Int, message: String, examples: [String]) {
        self.kind = kind
        self.severity = severity
        self.count = count
        self.message = message
        self.examples = examples
    }
}
