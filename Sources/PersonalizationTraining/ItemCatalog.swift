import Features
import Foundation
import RerankJSON

/// Item metadata for training: category, brand and price by item id.
public enum ItemCatalog {
    /// Reads an NDJSON items file (one object per line with an `id`, or `_id`, and catalog fields), such as
    /// `sample/catalog.ndjson` or the `items.ndjson` that `rerank import` writes.
    ///
    /// - Throws: ``ItemCatalogError`` naming the file and line of a bad line.
    public static func read(_ path: String, fields: AttributeFields = AttributeFields()) throws -> [String: ItemAttributes] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ItemCatalogError.unreadableFile(path)
        }
        var attributes: [String: ItemAttributes] = [:]
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
            var values = SourceFields(paths: fields.all)
            for field in fields.all { values[field] = object[field] }
            attributes[id] = fields.attributes(from: values)
        }
        return attributes
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

    static func unreadableFile(_ path: String) -> ItemCatalogError {
        .init(.unreadableFile, "cannot read items file '\(path)'")
    }

    static func notAnObject(_ path: String, line: Int) -> ItemCatalogError {
        .init(.notAnObject, "\(path):\(line): an item must be a JSON object")
    }

    static func invalidJSON(_ path: String, line: Int, _ error: any Error) -> ItemCatalogError {
        .init(.invalidJSON, "\(path):\(line): not valid JSON: \(error)")
    }

    static func missingID(_ path: String, line: Int) -> ItemCatalogError {
        .init(.missingID, "\(path):\(line): the item has no 'id' field")
    }
}
