import Foundation

/// The model file's opaque `extras` payload: any JSON value (named apart from RerankJSON's request-body `JSONValue`).
///
/// Numbers are `Double`s (integers are exact up to 2^53). Use `init(encoding:)` and `decode(_:)` to store
/// and read back any `Codable` value.
///
/// ```swift
/// let extras = try ModelExtras(encoding: snapshot)          // e.g. item statistics
/// let again = try extras.decode(StatisticsSnapshot.self)
/// ```
public enum ModelExtras: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ModelExtras])
    case object([String: ModelExtras])

    /// The JSON form of an `Encodable` value.
    ///
    /// - Throws: the encoder's or decoder's error.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(ModelExtras.self, from: data)
    }

    /// Decodes a `Decodable` value from this JSON.
    ///
    /// - Throws: the decoder's error when the JSON does not fit `type`.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: JSONEncoder().encode(self))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ModelExtras].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ModelExtras].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
