import Foundation
import RerankCore

/// Writing the model file: the document is encoded once, its `extras` straight from their own type, and written in
/// pieces, so that a large payload (a statistics snapshot) is never held as a `ModelExtras` tree or encoded twice.
extension RankingModel {
    /// The model file's bytes, checksum included.
    ///
    /// - Throws: an encoding error (e.g. a non-finite number in `extras`).
    public func jsonData() throws -> Data {
        let pieces = try fileContents(extras: extras)
        var data = Data(capacity: pieces.reduce(0) { $0 + $1.count })
        for piece in pieces { data.append(piece) }
        return data
    }

    /// Writes the model file atomically.
    ///
    /// - Throws: an encoding error, or `LTRError.unwritableFile`.
    public func write(to path: String) throws {
        try write(to: path, extras: extras)
    }

    /// Writes the model file atomically with `extras` as its payload in place of ``extras``, encoded from its own
    /// type.
    ///
    /// The file is the one ``write(to:)`` writes with `ModelExtras(encoding: extras)` as ``extras``, byte for byte,
    /// without that tree: its payload decodes as `extras`.
    ///
    /// ```swift
    /// try model.write(to: "model.json", extras: snapshot)
    /// let again = try RankingModel(contentsOf: "model.json").extras?.decode(Snapshot.self)
    /// ```
    ///
    /// - Throws: an encoding error (e.g. a non-finite number in `extras`), or `LTRError.unwritableFile`.
    public func write<Extras: Encodable>(to path: String, extras: Extras?) throws {
        try AtomicFile.store(fileContents(extras: extras), at: path)
    }

    /// The file as pieces to write one after another: `{"checksum":"…",`, then the document's canonical encoding
    /// (compact, keys sorted) after its opening brace, which is what the checksum is computed over.
    ///
    /// The encoder sorts keys by their UTF-8 bytes, and `checksum` and `extras` sort before every other key of the
    /// document: so the document is encoded without both, and they are spliced in after its opening brace.
    private func fileContents<Extras: Encodable>(extras: Extras?) throws -> [Data] {
        var model = self
        model.extras = nil
        let rest = try Self.canonicalEncoder.encode(ModelDocument(model, checksum: nil))
        guard let firstKey = Self.firstKey(of: rest), "extras".utf8.lexicographicallyPrecedes(firstKey) else {
            preconditionFailure("the model document's first key must sort after checksum and extras")
        }
        var canonical = [Data("{".utf8)]
        let payload = try extras.map { try Self.canonicalEncoder.encode($0) }
        // The loader reads `"extras":null` as no payload, so a payload that encodes as null is left out.
        if let payload, payload != Data("null".utf8) {
            canonical.append(Data(#""extras":"#.utf8))
            canonical += try CanonicalNumbers.pieces(of: payload)
            canonical.append(Data(",".utf8))
        }
        canonical.append(rest.dropFirst())
        let hash = canonical.reduce(FNV1a64.offsetBasis) { hash, piece in
            piece.withUnsafeBytes { FNV1a64.hash($0, from: hash) }
        }
        return [Data(#"{"checksum":"\#(FNV1a64.label(hash: hash))","#.utf8)] + canonical.dropFirst()
    }

    /// The first key of an encoded object, nil when it has none.
    private static func firstKey(of object: Data) -> Data? {
        let quote = UInt8(ascii: "\"")
        guard object.starts(with: [UInt8(ascii: "{"), quote]) else { return nil }
        let start = object.startIndex + 2
        return object[start...].firstIndex(of: quote).map { object[start..<$0] }
    }
}
