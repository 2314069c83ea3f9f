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
        let declaredFields = declared.fields(of: .item)
        try forEachObject(in: path, file: "items") { id, object in
            var values = SourceFields(paths: fields.all)
            for field in fields.all { values[field] = object[field] }
            var item = fields.attributes(from: values)
            if !declaredFields.isEmpty { item.declared = declared.values(of: .item, in: sourceFields(declaredFields, in: object)) }
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
        let fields = declared.fields(of: .user)
        try forEachObject(in: path, file: "users") { id, object in
            profiles[id] = declared.values(of: .user, in: sourceFields(fields, in: object))
        }
        return profiles
    }

    /// The values of `paths` in a line's object; a path is a key of the object, or dotted through nested ones.
    private static func sourceFields(_ paths: [String], in object: JSONObject) -> SourceFields {
        var fields = SourceFields(paths: paths)
        for path in paths {
            var value = object[path]
            if value == nil {
                var current: JSONValue? = .object(object)
                for key in path.split(separator: ".") { current = current?.objectValue?[String(key)] }
                value = current
            }
            fields[path] = value
        }
        return fields
    }

    /// Calls `body` with each line's id and object.
    private static func forEachObject(
        in path: String, file kind: String, _ body: (String, JSONObject) throws -> Void
    ) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ItemCatalogError.unreadableFile(path, kind: kind)
        }
        for (number, line) in Array(data).split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            let object: JSONObject
            do {
                guard let parsed = try JSONParser.parse(Array(line)).objectValue else {
                    throw ItemCatalogError.notAnObject(path, line: number + 1)
                }
                object = parsed
            } catch let error as JSONError {
                throw ItemCatalogError.invalidJSON(path, line: number + 1, error)
            }
            guard let id = object["id"]?.stringValue ?? object["_id"]?.stringValue ?? object["id"]?.intValue.map(String.init) else {
                throw ItemCatalogError.missingID(path, line: number + 1)
            }
            try body(id, object)
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
