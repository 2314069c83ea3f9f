/// Reads single fields out of an object without decoding the rest of it.
public enum JSONFieldReader {
    /// The value at the dotted `path` inside the object at `object` of `bytes`, or nil when absent.
    ///
    /// A path such as `price.amount` descends into nested objects; a member whose key itself contains the dot
    /// (`"price.amount": 3`) is found too, as OpenSearch treats both the same way.
    public static func value(at path: String, in bytes: [UInt8], object: Range<Int>) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer in
            try? lookup(path[...], buffer: buffer, object: object)
        }
    }

    private static func lookup(
        _ path: Substring,
        buffer: UnsafeBufferPointer<UInt8>,
        object: Range<Int>
    ) throws(JSONError) -> JSONValue? {
        var cursor = JSONCursor(buffer, range: object)
        var found: JSONValue?
        try cursor.forEachMember { (cursor, key) throws(JSONError) in
            guard found == nil else {
                try cursor.skipValue(depth: 1)
                return
            }
            if cursor.contents(key, equal: String(path)) {
                found = try cursor.parseValue(depth: 1)
            } else if let dot = path.firstIndex(of: "."), cursor.contents(key, equal: String(path[..<dot])),
                try cursor.peek() == UInt8(ascii: "{")
            {
                let range = try cursor.skipValue(depth: 1)
                found = try lookup(path[path.index(after: dot)...], buffer: buffer, object: range)
            } else {
                try cursor.skipValue(depth: 1)
            }
        }
        return found
    }
}
