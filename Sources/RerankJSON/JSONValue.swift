/// A JSON value that keeps object member order and the exact text of numbers.
///
/// Request bodies are rewritten through this type: members the sidecar does not touch are written back as they
/// came, in the same order, so the cluster sees the client's query unchanged apart from the edits.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, kept as its JSON text so `1.0` stays `1.0` and 64-bit ids keep every digit.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Makes a number value from an integer.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// Makes a number value from a double, written in the shortest form that reads back exactly.
    public static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int(value))) }
        return .number(String(value))
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return text.withContiguousUTF8 { JSONNumber.double($0) }
    }

    /// The value as an integer when it is a number with no fractional part.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let int = Int(text) { return int }
        if let double = doubleValue, double == double.rounded(), abs(double) < 9e15 { return Int(double) }
        return nil
    }

    /// A short name of the value's kind for error messages: `object`, `array`, `string`, ...
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object whose members keep their order.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    public var isEmpty: Bool { members.isEmpty }

    /// The value of the last member named `key` (JSON parsers in OpenSearch keep the last duplicate).
    public subscript(key: String) -> JSONValue? {
        get { members.last(where: { $0.key == key })?.value }
        set {
            if let newValue {
                if let index = members.lastIndex(where: { $0.key == key }) {
                    members[index].value = newValue
                    // Earlier duplicates of the key (a parsed document may have them) go; usually there are none.
                    if members[..<index].contains(where: { $0.key == key }) {
                        members = members.enumerated().filter { $0.offset == index || $0.element.key != key }.map(\.element)
                    }
                } else {
                    members.append(Member(key: key, value: newValue))
                }
            } else {
                members.removeAll { $0.key == key }
            }
        }
    }
}
