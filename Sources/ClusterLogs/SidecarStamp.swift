import EventLog
import Foundation
import RerankJSON
import Synchronization

/// What a sidecar writes into each record it sends to the cluster, so that the other sidecars can tail the UBI
/// indices for what they have not seen: the writing process (`rerank_instance`, random at each start), the
/// record's number in that process's stream for that index (`rerank_seq`, 1, 2, 3, ...), and when it was written
/// (`rerank_logged_at`).
///
/// ```swift
/// let stamp = SidecarStamp(instance: SidecarStamp.newInstance())
/// var records = [impression.json]
/// stamp.stamp(&records, at: Date())  // rerank_instance, rerank_seq, rerank_logged_at
/// ```
public final class SidecarStamp: Sendable {
    public static let instanceField = "rerank_instance"
    public static let sequenceField = "rerank_seq"
    public static let loggedAtField = "rerank_logged_at"

    /// This process's id.
    public let instance: String
    private let sequence = Atomic<Int>(0)

    public init(instance: String) {
        self.instance = instance
    }

    /// A fresh process id: 16 random hex digits.
    public static func newInstance() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Stamps a batch of records with this process, consecutive numbers in batch order, and `time`.
    public func stamp(_ records: inout [JSONObject], at time: Date) {
        let last = sequence.wrappingAdd(records.count, ordering: .relaxed).newValue
        let loggedAt = JSONValue.string(UBITimestamp.string(from: time))
        for index in records.indices {
            records[index][Self.instanceField] = .string(instance)
            records[index][Self.sequenceField] = .int(last - records.count + 1 + index)
            records[index][Self.loggedAtField] = loggedAt
        }
    }

    /// The writer and number a record carries; nil for records no sidecar stamped.
    public static func read(_ record: JSONObject) -> (instance: String, sequence: Int)? {
        guard let instance = record[instanceField]?.stringValue, let sequence = record[sequenceField]?.intValue else { return nil }
        return (instance, sequence)
    }

    /// When the record was written, seconds since 1970; nil when it was not stamped.
    public static func loggedAt(_ record: JSONObject) -> Double? {
        record[loggedAtField].flatMap(UBITimestamp.parse)?.timeIntervalSince1970
    }

    /// The mapping of the stamp's fields, added to both UBI indices.
    public static let mappingProperties = JSONObject([
        instanceField: .object(JSONObject(["type": .string("keyword")])),
        sequenceField: .object(JSONObject(["type": .string("long")])),
        loggedAtField: .object(JSONObject(["type": .string("date")])),
    ])
}
