/// Finds the search each click, add-to-cart or purchase belongs to as a replay meets searches and interactions
/// in time order, holding only the searches of the last ``horizon`` seconds.
///
/// The rules are ``InteractionJoin``'s: the search the event's `query_id` names, when that search showed the
/// item; else the latest search of the same client (user, else session) that showed the item at most `window`
/// seconds before the event. An event whose named search has not been met yet (a client clock behind the
/// server's) waits up to ``lateness`` seconds for it. What differs from the whole-log join: a search named more
/// than ``horizon`` seconds after it was shown is no longer found.
///
/// ```swift
/// var join = StreamingJoin()
/// join.add(search) { event, target, shown in ... }   // searches are numbered 0, 1, ... as added
/// join.add(event) { event, target, shown in ... }
/// join.finish { event, target, shown in ... }        // the events still waiting
/// ```
public struct StreamingJoin {
    /// Called with each event, the search it was credited to (an index in the order searches were added) and
    /// that search's shown items (none for `.notShown` and `.unmatched`).
    public typealias Credit = (LoggedEvent, InteractionJoin.Target, [String]) -> Void

    /// The default horizon: a day.
    public static let defaultHorizon = 86_400.0
    /// The default lateness: five minutes.
    public static let defaultLateness = 300.0

    public let window: Double
    public let horizon: Double
    public let lateness: Double
    /// Searches added so far.
    public private(set) var searchCount = 0

    private var searches: [Int: Search] = [:]
    private var oldest = 0
    private var byQueryID: [String: Int] = [:]
    private var byClient: [String: [Int]] = [:]
    /// Events whose named search was not met, in the order they came (so by the time they stop waiting), and
    /// whether that search has since credited them.
    private var waiting: [(event: LoggedEvent, credited: Bool)] = []
    private var firstWaiting = 0
    /// Positions in `waiting` (counted from the first event ever made to wait) by the `query_id` they name.
    private var waitingByQueryID: [String: [Int]] = [:]
    private var waitingDropped = 0

    /// - Parameters:
    ///   - window: how long after a search an event without a usable `query_id` can be credited to it.
    ///   - horizon: how long a search is kept for its events; at least `window + lateness`.
    ///   - lateness: how long an event waits for the search it names.
    public init(
        window: Double = InteractionJoin.defaultWindow, horizon: Double = Self.defaultHorizon,
        lateness: Double = Self.defaultLateness
    ) {
        self.window = window
        self.lateness = lateness
        self.horizon = max(horizon, window + lateness)
    }

    /// Adds the next search (its index is ``searchCount`` before the call) and credits the waiting events
    /// that name it and that it showed.
    public mutating func add(_ search: LoggedImpression, credit: Credit) {
        advance(to: search.time, credit: credit)
        let index = searchCount
        searchCount += 1
        let client = search.userID ?? search.sessionID
        searches[index] = Search(time: search.time, queryID: search.queryID, items: search.items, client: client)
        byQueryID[search.queryID] = index
        if let client { byClient[client, default: []].append(index) }
        for number in waitingByQueryID.removeValue(forKey: search.queryID) ?? [] {
            let position = number - waitingDropped
            guard search.items.contains(waiting[position].event.itemID) else { continue }
            credit(waiting[position].event, .joined(index), search.items)
            waiting[position].credited = true
        }
    }

    /// Credits an event, or keeps it waiting for the search it names.
    public mutating func add(_ event: LoggedEvent, credit: Credit) {
        advance(to: event.time, credit: credit)
        if let queryID = event.queryID, byQueryID[queryID] == nil {
            waitingByQueryID[queryID, default: []].append(waitingDropped + waiting.count)
            waiting.append((event, false))
            return
        }
        settle(event, credit: credit)
    }

    /// Credits the events still waiting.
    public mutating func finish(credit: Credit) {
        advance(to: .infinity, credit: credit)
    }

    /// Forgets searches older than the horizon and stops the waits that are over at `time`.
    private mutating func advance(to time: Double, credit: Credit) {
        while firstWaiting < waiting.count, waiting[firstWaiting].event.time + lateness < time {
            let (event, credited) = waiting[firstWaiting]
            let number = waitingDropped + firstWaiting
            firstWaiting += 1
            guard !credited else { continue }
            if let queryID = event.queryID {
                waitingByQueryID[queryID]?.removeAll { $0 == number }
                if waitingByQueryID[queryID]?.isEmpty == true { waitingByQueryID[queryID] = nil }
            }
            settle(event, credit: credit)
        }
        if firstWaiting > 1024, firstWaiting * 2 > waiting.count {
            waiting.removeFirst(firstWaiting)
            waitingDropped += firstWaiting
            firstWaiting = 0
        }
        while oldest < searchCount, let search = searches[oldest], search.time + horizon < time {
            searches[oldest] = nil
            if byQueryID[search.queryID] == oldest { byQueryID[search.queryID] = nil }
            if let client = search.client {
                byClient[client]?.removeFirst()
                if byClient[client]?.isEmpty == true { byClient[client] = nil }
            }
            oldest += 1
        }
    }

    /// Credits `event` to its search as the searches stand now.
    private func settle(_ event: LoggedEvent, credit: Credit) {
        let target = target(of: event)
        switch target {
        case .joined(let index), .attributed(let index): credit(event, target, searches[index]?.items ?? [])
        case .notShown, .unmatched: credit(event, target, [])
        }
    }

    private func target(of event: LoggedEvent) -> InteractionJoin.Target {
        let named = event.queryID.flatMap { byQueryID[$0] }
        if let named, searches[named]?.items.contains(event.itemID) == true { return .joined(named) }
        if let client = event.userID ?? event.sessionID {
            for index in (byClient[client] ?? []).reversed() {
                guard let search = searches[index] else { continue }
                let elapsed = event.time - search.time
                guard elapsed >= 0 else { continue }
                guard elapsed <= window else { break }
                if search.items.contains(event.itemID) { return .attributed(index) }
            }
        }
        return named != nil ? .notShown : .unmatched
    }

    private struct Search {
        let time: Double
        let queryID: String
        let items: [String]
        let client: String?
    }
}
