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
            throw ItemCatalogError("cannot read items file '\(path)'")
        }
        var attributes: [String: ItemAttributes] = [:]
        for (number, line) in Array(data).split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            let object: JSONObject
            do {
                guard let parsed = try JSONParser.parse(Array(line)).objectValue else {
                    throw ItemCatalogError("\(path):\(number + 1): an item must be a JSON object")
                }
                object = parsed
            } catch let error as JSONError {
                throw ItemCatalogError("\(path):\(number + 1): not valid JSON: \(error)")
            }
            guard let id = object["id"]?.stringValue ?? object["_id"]?.stringValue ?? object["id"]?.intValue.map(String.init) else {
                throw ItemCatalogError("\(path):\(number + 1): the item has no 'id' field")
            }
            var values: [String: JSONValue] = [:]
            for field in fields.all { values[field] = object[field] }
            attributes[id] = fields.attributes(from: values)
        }
        return attributes
    }
}

/// An items file that could not be read.
public struct ItemCatalogError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
