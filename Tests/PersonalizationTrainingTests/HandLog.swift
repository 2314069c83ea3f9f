import EventLog
import Foundation

/// Small logs written out by hand for the judgment tests: searches a minute apart (`s0`, `s1`, ...) by one client,
/// each interaction a second after its search and naming it by `query_id`.
struct HandLog {
    private(set) var log = InteractionLog()
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Adds a search of `text` showing `shown` (as `query_response_hit_ids`), and returns its `query_id`.
    @discardableResult
    mutating func search(_ text: String?, shows shown: [String]?, id: String? = nil, client: String = "u1") -> String {
        let queryID = id ?? "s\(log.queries.count)"
        log.queries.append(UBIQuery(
            queryID: queryID, timestamp: time(log.queries.count), clientID: client, userQuery: text, responseHitIDs: shown))
        return queryID
    }

    /// Adds `action` on `item` after the search `queryID` (nil: an event without one, from `client`).
    mutating func act(_ action: String, on item: String, in queryID: String?, position: Int? = nil, client: String = "u1") {
        let search = log.queries.lastIndex { $0.queryID == queryID } ?? log.queries.count - 1
        log.events.append(UBIEvent(
            actionName: action, timestamp: time(search).addingTimeInterval(1 + Double(log.events.count) / 1000), queryID: queryID,
            clientID: client, objectID: item, position: position))
    }

    private func time(_ index: Int) -> Date { start.addingTimeInterval(Double(index * 60)) }
}
