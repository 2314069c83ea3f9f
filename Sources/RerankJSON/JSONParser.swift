/// Parses JSON text into ``JSONValue`` trees.
///
/// ```swift
/// let body = try JSONParser.parse(Array(#"{"size": 10}"#.utf8))
/// ```
public enum JSONParser {
    /// Documents nested deeper than this are refused, so a hostile body cannot exhaust the stack.
    public static let maximumDepth = 128

    /// Parses one complete JSON document; trailing bytes other than whitespace are an error.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try parse(bytes, range: 0..<bytes.count)
    }

    /// Parses the JSON document in `range` of `bytes`.
    public static func parse(_ bytes: [UInt8], range: Range<Int>) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
            var cursor = JSONCursor(buffer, range: range)
            let value = try cursor.parseValue(depth: 0)
            cursor.skipWhitespace()
            guard cursor.atEnd else { throw .trailingData(at: cursor.position) }
            return value
        }
    }
}

extension JSONCursor {
    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < JSONParser.maximumDepth else { throw .tooDeep(at: position) }
        switch try peek() {
        case UInt8(ascii: "{"):
            position += 1
            var object = JSONObject()
            if try consume(UInt8(ascii: "}")) { return .object(object) }
            repeat {
                _ = try peek()
                let key = try skipString()
                let name = try decodeString(key.contents, escaped: key.escaped)
                try expect(UInt8(ascii: ":"))
                object.members.append(.init(key: name, value: try parseValue(depth: depth + 1)))
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
            return .object(object)
        case UInt8(ascii: "["):
            position += 1
            var array: [JSONValue] = []
            if try consume(UInt8(ascii: "]")) { return .array(array) }
            repeat {
                array.append(try parseValue(depth: depth + 1))
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
            return .array(array)
        case UInt8(ascii: "\""):
            let string = try skipString()
            return .string(try decodeString(string.contents, escaped: string.escaped))
        case UInt8(ascii: "t"):
            try skipLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try skipLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try skipLiteral("null")
            return .null
        default:
            let range = try numberRange()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        }
    }
}

/// Resolves the escapes of a JSON string's contents.
enum JSONStringDecoder {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int) throws(JSONError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        func fail(_ problem: String) -> JSONError { .invalidEscape(problem, at: offset + index) }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { throw fail("unterminated escape") }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(bytes, at: index, offset: offset)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw fail("unpaired surrogate in \\u escape") }
                    let low = try hex4(bytes, at: index + 2, offset: offset)
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                output.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw fail("invalid escape")
            }
        }
        guard let string = String(validating: output, as: UTF8.self) else {
            throw .invalidString("invalid UTF-8 in string", at: offset)
        }
        return string
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, offset: Int) throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw .invalidEscape("short \\u escape", at: offset + index) }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape("invalid hex digit in \\u escape", at: offset + index)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
