import Foundation
import RerankJSON

/// Turns rows of a Personalize interactions CSV into `ubi_events` documents.
struct InteractionColumns {
    /// Columns with a place of their own in the event; every other column goes into `event_attributes`.
    static let mapped: Set<String> = [
        "USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "SESSION_ID", "QUERY",
    ]

    let user: Int
    let item: Int
    let timestamp: Int
    let eventType: Int
    let eventValue: Int?
    let session: Int?
    let query: Int?
    let impression: Int?
    /// Other columns: index and the lowercased name they get under `event_attributes`.
    let extras: [(index: Int, name: String)]
    let objectIDField: String

    init(_ table: CSVTable, objectIDField: String) {
        user = table.column("USER_ID")!
        item = table.column("ITEM_ID")!
        timestamp = table.column("TIMESTAMP")!
        eventType = table.column("EVENT_TYPE")!
        eventValue = table.column("EVENT_VALUE")
        session = table.column("SESSION_ID")
        query = table.column("QUERY")
        impression = table.column("IMPRESSION")
        extras = table.names.enumerated().compactMap { index, name in
            let upper = name.uppercased()
            guard !Self.mapped.contains(upper), table.column(upper) == index else { return nil }
            return (index, name.lowercased())
        }
        self.objectIDField = objectIDField
    }

    func event(_ fields: [String]) throws(RowRejection) -> JSONObject {
        let userID = try required(fields, user, "USER_ID")
        let itemID = try required(fields, item, "ITEM_ID")
        let time = try Self.timestamp(fields[timestamp])
        let action = try required(fields, eventType, "EVENT_TYPE").lowercased()
            .split(whereSeparator: \.isWhitespace).joined(separator: "_")

        var attributes = JSONObject([
            "object": .object(JSONObject(["object_id": .string(itemID), "object_id_field": .string(objectIDField)]))
        ])
        if let impression, let shown = MetadataValue.list(fields[impression])?.arrayValue,
            let ordinal = shown.firstIndex(of: .string(itemID))
        {
            attributes["position"] = .object(JSONObject(["ordinal": .int(ordinal)]))
        }
        if let eventValue, !fields[eventValue].trimmingCharacters(in: .whitespaces).isEmpty {
            let text = fields[eventValue].trimmingCharacters(in: .whitespaces)
            guard let value = MetadataValue.number(text) ?? Double(text).flatMap({ $0.isFinite ? .double($0) : nil })
            else {
                throw RowRejection(reason: "bad EVENT_VALUE", detail: "'\(text)' is not a number")
            }
            attributes["value"] = value
        }
        for extra in extras {
            let value =
                extra.index == impression
                ? MetadataValue.list(fields[extra.index]) : MetadataValue.parse(fields[extra.index])
            if let value { attributes[extra.name] = value }
        }
        let event = UBIEvent(
            actionName: action, timestamp: time, clientID: userID, sessionID: optional(fields, session),
            userQuery: optional(fields, query), attributes: attributes)
        return event.json
    }

    private func required(_ fields: [String], _ index: Int, _ name: String) throws(RowRejection) -> String {
        let value = fields[index].trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw RowRejection(reason: "missing \(name)", detail: "\(name) is empty") }
        return value
    }

    private func optional(_ fields: [String], _ index: Int?) -> String? {
        guard let index else { return nil }
        let value = fields[index].trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// Epoch seconds, as Personalize writes them; milliseconds are refused rather than read as far-future dates.
    static func timestamp(_ text: String) throws(RowRejection) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else {
            throw RowRejection(reason: "bad TIMESTAMP", detail: "'\(trimmed)' is not epoch seconds")
        }
        guard seconds < 100_000_000_000 else {
            throw RowRejection(
                reason: "bad TIMESTAMP",
                detail:
                    "'\(trimmed)' looks like epoch milliseconds; Personalize TIMESTAMP is epoch seconds, divide by 1000"
            )
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
