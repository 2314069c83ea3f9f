import RerankCore
import RerankJSON

/// One of the cluster's two UBI indices: its name, the body it is created with, and how a record's document
/// id is chosen.
///
/// Ids come from the record, so a record sent twice (a retried `_bulk`, a restart before the shipping cursor
/// was saved) is stored once: a query is keyed by its `query_id`; an event by the `event_id` it was given at
/// acceptance (kept in the spool and the local `ubi_events` files), so two identical events of one batch stay
/// two documents. A record without its id field (written before events had ids) is keyed by the 64-bit FNV-1a
/// hash of its bytes as spooled.
///
/// ```swift
/// UBIIndex.queries.documentID(of: impression, bytes: line)  // its query_id
/// UBIIndex.events.documentID(of: click, bytes: line)  // its event_id
/// ```
struct UBIIndex: Sendable {
    /// `ubi_queries` or `ubi_events`.
    let name: String
    /// The string field whose value is the document id, when the record has it.
    let idField: String?
    /// The `PUT /<name>` body: mappings after the UBI schema.
    let body: String

    /// The `_id` of a record: its `idField` when that is a non-empty string, else the hash of `bytes`.
    ///
    /// - Parameters:
    ///   - record: the parsed record.
    ///   - bytes: the record's JSON bytes, exactly as spooled.
    func documentID(of record: JSONObject, bytes: some Sequence<UInt8>) -> String {
        if let idField, let id = record[idField]?.stringValue, !id.isEmpty { return id }
        return hexDigits(FNV1a64.hash(bytes), count: 16)
    }
}

/// `value` in lowercase hexadecimal, zero-padded to `count` digits (at least as many as it needs).
func hexDigits(_ value: UInt64, count: Int) -> String {
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: max(0, count - hex.count)) + hex
}
