/// How a click, add-to-cart or purchase finds its search, as training labels searches and click models judge them
/// (``StreamingJoin`` applies it): the search its `query_id` names, when that search showed the item; else the
/// latest search of the same client (user, else session) that showed the item at most ``defaultWindow`` seconds
/// before the event.
public enum InteractionJoin {
    public enum Target: Sendable, Equatable {
        /// The search the event's `query_id` names (an index into the searches, in the order they were met).
        case joined(Int)
        /// A recent search of the same client that showed the item.
        case attributed(Int)
        /// The named search did not show the item, and no recent search of the client did.
        case notShown
        /// No search matches.
        case unmatched
    }

    /// The default window of attribution: 30 minutes.
    public static let defaultWindow = 1800.0
}
