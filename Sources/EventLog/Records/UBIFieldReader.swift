import Foundation
import RerankJSON

/// Reads the typed fields of one UBI record, throwing errors that name the record kind and the field.
struct UBIFieldReader {
    let object: JSONObject
    /// `ubi_queries` or `ubi_events`, for messages.
    let record: String

    func requiredString(_ key: String, _ hint: String) throws(EventLogError) -> String {
        guard let value = try string(key) else { throw .missingField(key, in: record, hint) }
        return value
    }

    /// The string at `key`; nil when the member is absent or null.
    func string(_ key: String) throws(EventLogError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let string)?: return string
        case let other?: throw .invalidField(key, in: record, "expected a string, found \(other.kindName)")
        }
    }

    func timestamp() throws(EventLogError) -> Date {
        guard let value = object["timestamp"], value != .null else {
            throw .missingField("timestamp", in: record, "every record needs an ISO-8601 time or epoch milliseconds")
        }
        guard let date = UBITimestamp.parse(value) else {
            let text = String(decoding: JSONWriter.bytes(value).prefix(60), as: UTF8.self)
            throw .invalidField(
                "timestamp", in: record,
                "\(text) is neither ISO-8601 (e.g. 2024-12-10T00:01:29.378Z) nor epoch milliseconds")
        }
        return date
    }

    /// The array of strings at `key`; nil when absent or null.
    func strings(_ key: String) throws(EventLogError) -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let array)?:
            var strings: [String] = []
            strings.reserveCapacity(array.count)
            for (index, element) in array.enumerated() {
                guard case .string(let string) = element else {
                    throw .invalidField(key, in: record, "element \(index) is a \(element.kindName), expected a string")
                }
                strings.append(string)
            }
            return strings
        case let other?: throw .invalidField(key, in: record, "expected an array of strings, found \(other.kindName)")
        }
    }

    /// The object at `key`; empty when absent or null.
    func object(_ key: String) throws(EventLogError) -> JSONObject {
        switch object[key] {
        case nil, .null?: return JSONObject()
        case .object(let object)?: return object
        case let other?: throw .invalidField(key, in: record, "expected an object, found \(other.kindName)")
        }
    }
}

extension JSONObject {
    /// Sets `key` in place (appending when absent). A nil value removes the member, except that an explicit
    /// `null` in the original record is kept so records round-trip.
    mutating func put(_ key: String, _ value: JSONValue?) {
        if let value {
            self[key] = value
        } else if self[key] != .null {
            self[key] = nil
        }
    }

    /// Sets an object-valued member, leaving an absent or `null` member as it was when `value` is empty.
    mutating func put(_ key: String, object value: JSONObject) {
        if value.isEmpty, self[key] == nil || self[key] == .null { return }
        self[key] = .object(value)
    }

    /// The text of a string or number member, for identifiers that some producers write as numbers.
    func identifier(_ key: String) -> String? {
        switch self[key] {
        case .string(let string)?: string
        case .number(let text)?: text
        default: nil
        }
    }
}
