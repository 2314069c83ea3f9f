import EventLog
import Foundation
import RerankCore

/// A search log with a planted attractiveness per (query, item) and clicks biased by position: the click models'
/// test bed. Deterministic for a seed.
///
/// Each query has its own items, each with an attractiveness drawn uniformly from 0.05 to 0.85 and an engine
/// score that ignores it; every search shows the query's items in engine-score order, lightly shuffled by noise,
/// so the same items are nearly always on top. People scan the list from the top as in the dynamic Bayesian
/// network click model: they click an item they look at with its attractiveness, stop after a click with
/// probability 0.5 and after an item they pass over with probability 0.1. A click is followed by an add to cart
/// with probability 0.2. Raw click-through rates then mostly say where the engine put an item.
public enum SyntheticClickLog {
    /// What a made log holds: the log and the planted attractiveness, query text → item id → probability.
    public struct Made: Sendable {
        public var log: InteractionLog
        public var attractiveness: [String: [String: Double]]
    }

    /// `searches` searches, a minute apart, by 50 users, over `queries` queries of `itemsPerQuery` items each.
    public static func make(searches: Int = 4000, queries: Int = 20, itemsPerQuery: Int = 10, seed: UInt64 = 11) -> Made {
        var random = SplitMix64(seed: seed)
        var catalog: [(text: String, items: [String], engine: [Double])] = []
        var attractiveness: [String: [String: Double]] = [:]
        for query in 0..<queries {
            let text = "query \(query)"
            let items = (0..<itemsPerQuery).map { "q\(query)-i\($0)" }
            for item in items { attractiveness[text, default: [:]][item] = 0.05 + 0.8 * random.nextUnitDouble() }
            catalog.append((text, items, items.map { _ in random.nextUnitDouble() }))
        }
        var log = InteractionLog()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for search in 0..<searches {
            let (text, items, engine) = catalog[Int(random.next() % UInt64(queries))]
            let user = "u\(random.next() % 50)"
            let time = start.addingTimeInterval(Double(search * 60))
            let queryID = "s\(search)"
            let noisy = engine.map { $0 + 0.15 * random.nextUnitDouble() }
            let shown = items.indices.sorted { noisy[$0] > noisy[$1] }.map { items[$0] }
            log.queries.append(UBIQuery(queryID: queryID, timestamp: time, clientID: user, userQuery: text, responseHitIDs: shown))
            for (position, item) in shown.enumerated() {
                let clicked = random.nextUnitDouble() < attractiveness[text]![item]!
                if clicked {
                    for (action, delay) in [("click", 5.0), ("add_to_cart", 20.0)] {
                        if action == "add_to_cart", random.nextUnitDouble() >= 0.2 { continue }
                        log.events.append(UBIEvent(
                            actionName: action, timestamp: time.addingTimeInterval(delay + Double(position)), queryID: queryID,
                            clientID: user, objectID: item, position: position))
                    }
                }
                if random.nextUnitDouble() < (clicked ? 0.5 : 0.1) { break }
            }
        }
        log.events.sort { $0.timestamp < $1.timestamp }
        return Made(log: log, attractiveness: attractiveness)
    }
}
