import EventLog
import Features
import Foundation
import RerankCore
import RerankJSON

/// A small storefront log with a planted truth: each user clicks items of their favourite category, and
/// mobile users prefer cheap items; the engine's order ignores both. Deterministic for a seed.
public enum SyntheticLog {
    public static let categories = ["shoes", "bags", "home", "kitchen"]

    /// 60 items over four categories, five brands and a range of prices.
    public static func items() -> [String: ItemAttributes] {
        var items: [String: ItemAttributes] = [:]
        for number in 0..<60 {
            items["i\(number)"] = ItemAttributes(
                category: categories[number % 4], brand: "b\(number % 5)", price: Double(10 + (number * 37) % 300)
            )
        }
        return items
    }

    /// `searches` logged searches of 10 shown items each, a minute apart, by 40 users, with their clicks.
    public static func make(searches: Int = 1500, seed: UInt64 = 7) -> InteractionLog {
        var random = SplitMix64(seed: seed)
        let items = items()
        let ids = items.keys.sorted()
        var log = InteractionLog()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for search in 0..<searches {
            let user = Int(random.next() % 40)
            let favourite = categories[user % 4]
            let device = user % 3 == 0 ? "mobile" : "desktop"
            let time = start.addingTimeInterval(Double(search * 60))
            var shown: [String] = []
            while shown.count < 10 {
                let candidate = ids[Int(random.next() % UInt64(ids.count))]
                if !shown.contains(candidate) { shown.append(candidate) }
            }
            let queryID = "q\(search)"
            log.queries.append(UBIQuery(
                queryID: queryID, timestamp: time, clientID: "u\(user)", userQuery: "things",
                responseHitIDs: shown,
                attributes: JSONObject(["device": .string(device), "local_hour": .int(search % 24), "weekday": .int(search % 7 + 1)])
            ))
            for (position, item) in shown.enumerated() {
                let attributes = items[item]!
                var appeal = attributes.category == favourite ? 0.7 : 0.05
                if device == "mobile", (attributes.price ?? 0) > 150 { appeal *= 0.2 }
                let examined = 1.0 / Double(position + 1).squareRoot()
                if random.nextUnitDouble() < appeal * examined {
                    log.events.append(UBIEvent(
                        actionName: "click", timestamp: time.addingTimeInterval(5), queryID: queryID,
                        clientID: "u\(user)", objectID: item, position: position
                    ))
                }
            }
        }
        return log
    }
}

extension SyntheticLog {
    /// `log` written as the sidecar's rotated files in a new temporary directory (its path is returned; the caller
    /// removes it): queries in 3 files, events in 2, in time order.
    public static func writeFiles(_ log: InteractionLog) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("log-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func write(_ objects: [JSONObject], part: Int, of kind: String) throws {
            let bytes = objects.flatMap { JSONWriter.bytes(.object($0)) + [UInt8(ascii: "\n")] }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(kind)-\(part).ndjson"))
        }
        for (part, queries) in parts(log.queries, 3).enumerated() { try write(queries.map(\.json), part: part, of: "ubi_queries") }
        for (part, events) in parts(log.events, 2).enumerated() { try write(events.map(\.json), part: part, of: "ubi_events") }
        return directory
    }

    /// `elements` in `count` consecutive parts of about equal size.
    private static func parts<Element>(_ elements: [Element], _ count: Int) -> [ArraySlice<Element>] {
        let size = max(1, (elements.count + count - 1) / count)
        return stride(from: 0, to: elements.count, by: size).map { elements[$0..<min($0 + size, elements.count)] }
    }
}
