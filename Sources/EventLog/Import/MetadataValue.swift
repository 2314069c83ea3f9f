import Foundation
import RerankJSON

/// How CSV cells become JSON: empty cells are left out, `a|b` (Personalize's multi-valued separator) becomes
/// an array of strings, JSON-shaped numbers become numbers (so `007` and `1e` stay strings), the rest strings.
enum MetadataValue {
    static func parse(_ text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if trimmed.contains("|") { return list(trimmed) }
        return number(trimmed) ?? .string(trimmed)
    }

    /// The `|`-separated values of `text` as an array of strings; nil when empty.
    static func list(_ text: String) -> JSONValue? {
        let values = text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return values.isEmpty ? nil : .array(values.map(JSONValue.string))
    }

    /// `text` as a JSON number when it is written like one.
    static func number(_ text: String) -> JSONValue? {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0, !(leadingZero && integer > 1) else { return nil }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return nil }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        return bytes.isEmpty ? .number(text) : nil
    }
}
