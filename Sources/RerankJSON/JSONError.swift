/// A JSON document that could not be read, with the byte offset where reading stopped.
///
/// The code says what kind of problem it is; the reason, sent to clients as is, says what was wrong. Errors of
/// the same kind are equal, wherever they stopped (as `LTRError` and AsyncHTTPClient's `HTTPClientError`).
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedCharacter
        case invalidLiteral
        case invalidNumber
        case invalidString
        case invalidEscape
        case tooDeep
        case trailingData
        case wrongShape
    }

    private let code: Code
    /// What was wrong, in words a client can act on.
    public let reason: String
    /// Byte offset into the document.
    public let offset: Int

    private init(_ code: Code, _ reason: String, at offset: Int) {
        self.code = code
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason) at byte \(offset)" }

    public static func == (lhs: JSONError, rhs: JSONError) -> Bool { lhs.code == rhs.code }

    /// The document ends inside a value.
    static func unexpectedEnd(at offset: Int) -> JSONError { .init(.unexpectedEnd, "unexpected end of input", at: offset) }

    /// A byte that cannot start or continue a value here.
    static func unexpectedCharacter(at offset: Int) -> JSONError { .init(.unexpectedCharacter, "unexpected character", at: offset) }

    /// Another byte than the punctuation the grammar needs here (`:`, `,`, a closing bracket).
    static func expected(_ byte: UInt8, at offset: Int) -> JSONError {
        .init(.unexpectedCharacter, "expected '\(Character(Unicode.Scalar(byte)))'", at: offset)
    }

    /// Something that starts like `true`, `false` or `null` but is not.
    static func invalidLiteral(at offset: Int) -> JSONError { .init(.invalidLiteral, "invalid literal", at: offset) }

    /// A number with a fraction or exponent that has no digits.
    static func invalidNumber(_ problem: String, at offset: Int) -> JSONError { .init(.invalidNumber, problem, at: offset) }

    /// A string with a control character, no closing quote or bytes that are not UTF-8.
    static func invalidString(_ problem: String, at offset: Int) -> JSONError { .init(.invalidString, problem, at: offset) }

    /// A backslash escape that JSON does not define or that does not make a character.
    static func invalidEscape(_ problem: String, at offset: Int) -> JSONError { .init(.invalidEscape, problem, at: offset) }

    /// Nesting deeper than ``JSONParser/maximumDepth``.
    static func tooDeep(at offset: Int) -> JSONError {
        .init(.tooDeep, "nesting deeper than \(JSONParser.maximumDepth)", at: offset)
    }

    /// Bytes other than whitespace after the document's value.
    static func trailingData(at offset: Int) -> JSONError {
        .init(.trailingData, "unexpected data after the JSON value", at: offset)
    }

    /// Valid JSON of another shape than the reader needs, e.g. a search hit that is not an object.
    static func wrongShape(_ problem: String, at offset: Int) -> JSONError { .init(.wrongShape, problem, at: offset) }
}
