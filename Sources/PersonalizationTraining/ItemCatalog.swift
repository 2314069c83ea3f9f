import Features
import Foundation
import RerankJSON

/// Item and user metadata for training: category, brand, price and declared item values by item id; declared
/// user values by user id.
public enum ItemCatalog {
    /// Reads an NDJSON items file (one object per line with an `id`, or `_id`, and catalog fields), such as
    /// `sample/catalog.ndjson` or the `items.ndjson` that `rerank import` writes; `declared` names the item
    /// fields declared features read (dotted paths).
    ///
    /// - Throws: ``ItemCatalogError`` naming the file and line of a bad line.
    public static func read(
        _ path: String, fields: AttributeFields = AttributeFields(), declared: DeclaredFeatures = .none
    ) throws -> [String: ItemAttributes] {
        var attributes: [String: ItemAttributes] = [:]
        let selector = FieldSelector(paths: declared.fields(of: .item))
        try forEachObject(in: path, file: "items") { id, object, line in
            var values = SourceFields(paths: fields.all)
            for field in fields.all { values[field] = object[field] }
            var item = fields.attributes(from: values)
            if !declared.isEmpty { item.declared = declared.values(of: .item, in: selector.values(in: line, object: line.indices)) }
            attributes[id] = item
        }
        return attributes
    }

    /// Reads an NDJSON users file (one object per line with an `id`, or `_id`, and user fields), such as the
    /// `users.ndjson` that `rerank import --users` writes: the declared user values by user id.
    ///
    /// - Throws: ``ItemCatalogError`` naming the file and line of a bad line.
    public static func readUsers(_ path: String, declared: DeclaredFeatures) throws -> [String: [UInt64]] {
        var profiles: [String: [UInt64]] = [:]
        let selector = FieldSelector(paths: declared.fields(of: .user))
        try forEachObject(in: path, file: "users") { id, _, line in
            profiles[id] = declared.values(of: .user, in: selector.values(in: line, object: line.indices))
        }
        return profiles
    }

    /// Calls `body` with each line's id, object and bytes (for a ``FieldSelector``, which reads dotted paths).
    private static func forEachObject(
        in path: String, file kind: String, _ body: (String, JSONObject, [UInt8]) throws -> Void
    ) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ItemCatalogError.unreadableFile(path, kind: kind)
        }
        for (number, line) in Array(data).split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            let line = Array(line)
            let object: JSONObject
            do {
                guard let parsed = try JSONParser.parse(line).objectValue else {
                    throw ItemCatalogError.notAnObject(path, line: number + 1)
                }
                object = parsed
            } catch let error as JSONError {
                throw ItemCatalogError.invalidJSON(path, line: number + 1, error)
            }
            guard let id = object["id"]?.stringValue ?? object["_id"]?.stringValue ?? object["id"]?.intValue.map(String.init) else {
                throw ItemCatalogError.missingID(path, line: number + 1)
            }
            try body(id, object, line)
        }
    }
}

/// An items file that could not be read.
public struct ItemCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unreadableFile
        case notAnObject
        case invalidJSON
        case missingID
    }

    private let code: Code
    /// What went wrong, with the file and line.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Errors of the same kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's
    /// `HTTPClientError`).
    public static func == (lhs: ItemCatalogError, rhs: ItemCatalogError) -> Bool { lhs.code == rhs.code }

    static func unreadableFile(_ path: String, kind: String) -> ItemCatalogError {
        .init(.unreadableFile, "cannot read \(kind) file '\(path)'")
    }

    static func notAnObject(_ path: String, line: Int) -> ItemCatalogError {
        .init(.notAnObject, "\(path):\(line): each line must be a JSON object")
    }

    static func invalidJSON(_ path: String, line: Int, _ error: any Error) -> ItemCatalogError {
        .init(.invalidJSON, "\(path):\(line): not valid JSON: \(error)")
    }

    static func missingID(_ path: String, line: Int) -> ItemCatalogError {
        .init(.missingID, "\(path):\(line): the line has no 'id' field")
    }
}
