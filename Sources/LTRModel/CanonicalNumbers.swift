import Foundation

/// The numbers of an `extras` encoding as the model loader writes them back.
///
/// The loader reads `extras` as ``ModelExtras``, every number a `Double`, and checks the checksum over that tree
/// encoded again. A number whose text is not the `Double` it reads as would fail the check: a `Float` the encoder
/// writes in exponent form where a `Double` is written in full (`1e+08` for `100000000`), or an integer past 2^53
/// (`9007199254740993` reads as `9007199254740992`). Such numbers are rewritten as that `Double`, as
/// `ModelExtras(encoding:)` rewrites them; everything else, strings and keys included, is already what the loader
/// writes, since the same encoder writes both.
///
/// ```swift
/// let pieces = try CanonicalNumbers.pieces(of: Data(#"{"a":1e+08,"b":"1e+08"}"#.utf8))
/// // three pieces: {"a":   100000000   ,"b":"1e+08"}
/// ```
enum CanonicalNumbers {
    /// `json` (a JSON encoder's output) as runs of its own bytes, which share its storage, and the rewritten
    /// numbers between them; one piece, `json` itself, when no number needs rewriting.
    ///
    /// - Throws: `EncodingError.invalidValue` for a number beyond a `Double`'s range, which no loader could read.
    static func pieces(of json: Data) throws -> [Data] {
        var pieces: [Data] = []
        var copied = json.startIndex
        try json.withUnsafeBytes { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    index += 1
                } else if byte == UInt8(ascii: "-") || isDigit(byte) {
                    let start = index
                    while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
                    let token = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    if let rewritten = try rewritten(token) {
                        pieces.append(json[copied..<(json.startIndex + start)])
                        pieces.append(rewritten)
                        copied = json.startIndex + index
                    }
                } else {
                    index += 1
                }
            }
        }
        pieces.append(json[copied...])
        return pieces
    }

    /// The text the loader writes for `token`, or nil when it is `token` itself.
    private static func rewritten(_ token: UnsafeRawBufferPointer) throws -> Data? {
        // Integers of up to 15 digits are exact `Double`s, written back as they are: the common case, parsed not.
        let digits = token.first == UInt8(ascii: "-") ? token.count - 1 : token.count
        if digits <= 15, token.dropFirst(token.count - digits).allSatisfy(isDigit) { return nil }
        let text = String(decoding: token, as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            let reason = "the number \(text) in the model's extras is beyond a Double's range"
            throw EncodingError.invalidValue(text, .init(codingPath: [], debugDescription: reason))
        }
        // How `JSONEncoder` writes a `Double`: its shortest round-trip text, less a trailing `.0`.
        var canonical = value.description
        if canonical.hasSuffix(".0") { canonical.removeLast(2) }
        return canonical == text ? nil : Data(canonical.utf8)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The bytes a JSON number is made of.
    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }
}
