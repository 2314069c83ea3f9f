/// Finds the search a click, add-to-cart or purchase belongs to, as training labels searches and click models
/// judge them: the search its `query_id` names, when that search showed the item; else the latest search of the
/// same client (user, else session) that showed the item at most `window` seconds before the event.
public struct InteractionJoin: Sendable {
    public enum Target: Sendable, Equatable {
        /// The search the event's `query_id` names (an index into the searches given).
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

    private let searches: [LoggedImpression]
    private let window: Double
    private var byQueryID: [String: Int] = [:]
    private var byClient: [String: [Int]] = [:]

    /// - Parameter searches: in time order; of several with one `query_id`, the last is the one it names.
    public init(_ searches: [LoggedImpression], window: Double = Self.defaultWindow) {
        self.searches = searches
        self.window = window
        for (index, search) in searches.enumerated() {
            byQueryID[search.queryID] = index
            if let client = search.userID ?? search.sessionID { byClient[client, default: []].append(index) }
        }
    }

    public func target(of event: LoggedEvent) -> Target {
        let named = event.queryID.flatMap { byQueryID[$0] }
        if let named, searches[named].items.contains(event.itemID) { return .joined(named) }
        if let client = event.userID ?? event.sessionID {
            for index in (byClient[client] ?? []).reversed() {
                let elapsed = event.time - searches[index].time
                guard elapsed >= 0 else { continue }
                guard elapsed <= window else { break }
                if searches[index].items.contains(event.itemID) { return .attributed(index) }
            }
        }
        return named != nil ? .notShown : .unmatched
    }
}
