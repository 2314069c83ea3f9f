/// A forward reader over JSON bytes that can skip whole values without building them.
///
/// The hit scanner and the field reader use it to find byte ranges; only the few values the ranker needs are
/// ever materialized.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var atEnd: Bool { position >= end }

    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it.
    mutating func peek() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard position < end else { throw .unexpectedEnd(at: position) }
        return bytes[position]
    }

    mutating func expect(_ byte: UInt8) throws(JSONError) {
        guard try peek() == byte else {
            throw .expected(byte, at: position)
        }
        position += 1
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) throws(JSONError) -> Bool {
        guard try peek() == byte else { return false }
        position += 1
        return true
    }

    /// Skips one value of any kind and returns its byte range.
    ///
    /// Objects and arrays are skipped by matching brackets outside strings, without checking the grammar inside
    /// (the scanners pass skipped values on as the engine wrote them): a well-formed value ends where a full parse
    /// ends it, and nesting beyond `depth` + ``JSONParser/maximumDepth`` is refused as it is there.
    @discardableResult
    mutating func skipValue(depth: Int = 0) throws(JSONError) -> Range<Int> {
        guard depth < JSONParser.maximumDepth else { throw .tooDeep(at: position) }
        _ = try peek()
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer(depth: depth)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        default: _ = try numberRange()
        }
        return start..<position
    }

    /// Skips the object or array that starts at `position`, at nesting `depth`.
    private mutating func skipContainer(depth: Int) throws(JSONError) {
        var open = 0
        while position < end {
            switch bytes[position] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                open += 1
                guard depth + open <= JSONParser.maximumDepth else { throw .tooDeep(at: position) }
                position += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                open -= 1
                position += 1
                if open == 0 { return }
            case UInt8(ascii: "\""):
                try skipString()
            default:
                position += 1
            }
        }
        throw .unexpectedEnd(at: position)
    }

    mutating func skipLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= end else { throw .unexpectedEnd(at: position) }
        let text = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != text[offset] {
            throw .invalidLiteral(at: position)
        }
        position += count
    }

    /// Skips a string; returns the range of its contents (between the quotes) and whether it has escapes.
    @discardableResult
    mutating func skipString() throws(JSONError) -> (contents: Range<Int>, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = position
        var escaped = false
        while position < end {
            // Eight plain bytes at a time, then straight to the first byte that is not plain.
            while position + 8 <= end {
                let specials = ByteScan.stringSpecials(ByteScan.word(bytes, at: position))
                if specials != 0 {
                    position += specials.trailingZeroBitCount >> 3
                    break
                }
                position += 8
            }
            guard position < end else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return (start..<(position - 1), escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 2
            } else {
                if byte < 0x20 { throw .invalidString("control character in string", at: position) }
                position += 1
            }
        }
        throw .invalidString("unterminated string", at: position)
    }

    /// Reads the range of a number's text and checks its grammar.
    mutating func numberRange() throws(JSONError) -> Range<Int> {
        let start = position
        if position < end, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < end, isDigit(bytes[position]) { position += 1 }
        guard position > digitsStart else { throw .unexpectedCharacter(at: position) }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            let fraction = position
            while position < end, isDigit(bytes[position]) { position += 1 }
            guard position > fraction else { throw .invalidNumber("digit expected after '.'", at: position) }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            let exponent = position
            while position < end, isDigit(bytes[position]) { position += 1 }
            guard position > exponent else { throw .invalidNumber("digit expected in exponent", at: position) }
        }
        return start..<position
    }

    /// Whether the string contents at `range` equal `key` (keys with escapes never match a plain key).
    func contents(_ range: Range<Int>, equal key: String) -> Bool {
        var key = key
        return key.withUTF8 { utf8 in
            guard utf8.count == range.count else { return false }
            for offset in 0..<utf8.count where bytes[range.lowerBound + offset] != utf8[offset] { return false }
            return true
        }
    }

    /// Decodes a string's contents, resolving escapes.
    func decodeString(_ range: Range<Int>, escaped: Bool) throws(JSONError) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        if !escaped {
            if ByteScan.isASCII(slice) { return String(decoding: slice, as: UTF8.self) }
            guard let string = String(validating: slice, as: UTF8.self) else {
                throw .invalidString("invalid UTF-8 in string", at: range.lowerBound)
            }
            return string
        }
        return try JSONStringDecoder.decode(slice, offset: range.lowerBound)
    }

    func double(_ range: Range<Int>) -> Double? {
        JSONNumber.double(UnsafeBufferPointer(rebasing: bytes[range]))
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
