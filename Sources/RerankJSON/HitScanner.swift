/// One hit of a search response, located by byte range; nothing of it is decoded beyond what ranking needs.
public struct ScannedHit: Sendable {
    /// The whole hit object, braces included.
    public let range: Range<Int>
    public let id: String?
    public let index: String?
    /// `_score`, or nil when the cluster sent `null` (e.g. a sorted search).
    public let score: Double?
    /// The `_source` object, braces included, when the hit has one.
    public let source: Range<Int>?
}

/// Where the hits of one search response are.
public struct SearchResponseLayout: Sendable {
    /// The `hits.hits` array, brackets included.
    public let hitsArray: Range<Int>
    public let hits: [ScannedHit]
}

/// Finds hit boundaries in OpenSearch search responses without decoding the response.
///
/// A full decode and re-encode of a 100-hit response costs several milliseconds; the scanner reads only the
/// structure and the few fields ranking needs, so hits can be re-emitted as their original bytes in a new order.
public enum HitScanner {
    /// Locates `hits.hits` in the search response at `range` of `bytes`.
    ///
    /// - Returns: nil when the document is valid JSON but has no `hits.hits` array (an error body, say).
    /// - Throws: ``JSONError`` when the document is not valid JSON.
    public static func scan(_ bytes: [UInt8], range: Range<Int>? = nil) throws(JSONError) -> SearchResponseLayout? {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> SearchResponseLayout? in
            var cursor = JSONCursor(buffer, range: range ?? 0..<buffer.count)
            var layout: SearchResponseLayout?
            try cursor.forEachMember { (cursor, key) throws(JSONError) in
                guard cursor.contents(key, equal: "hits"), try cursor.peek() == UInt8(ascii: "{") else {
                    try cursor.skipValue(depth: 1)
                    return
                }
                try cursor.forEachMember { (cursor, key) throws(JSONError) in
                    guard cursor.contents(key, equal: "hits"), try cursor.peek() == UInt8(ascii: "[") else {
                        try cursor.skipValue(depth: 2)
                        return
                    }
                    layout = try cursor.scanHits()
                }
            }
            cursor.skipWhitespace()
            guard cursor.atEnd else { throw .trailingData(at: cursor.position) }
            return layout
        }
    }

    /// Locates the elements of the `responses` array of a `_msearch` response.
    ///
    /// - Returns: each response object's range, or nil when the document has no `responses` array.
    public static func multiSearchResponses(_ bytes: [UInt8]) throws(JSONError) -> [Range<Int>]? {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> [Range<Int>]? in
            var cursor = JSONCursor(buffer, range: 0..<buffer.count)
            var responses: [Range<Int>]?
            try cursor.forEachMember { (cursor, key) throws(JSONError) in
                guard cursor.contents(key, equal: "responses"), try cursor.peek() == UInt8(ascii: "[") else {
                    try cursor.skipValue(depth: 1)
                    return
                }
                var ranges: [Range<Int>] = []
                try cursor.forEachElement { (cursor) throws(JSONError) in ranges.append(try cursor.skipValue(depth: 2)) }
                responses = ranges
            }
            cursor.skipWhitespace()
            guard cursor.atEnd else { throw .trailingData(at: cursor.position) }
            return responses
        }
    }
}

extension JSONCursor {
    /// Calls `body` with each member's key range, positioned at the member's value; `body` must consume the value.
    mutating func forEachMember(_ body: (inout JSONCursor, Range<Int>) throws(JSONError) -> Void) throws(JSONError) {
        try expect(UInt8(ascii: "{"))
        if try consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try skipString().contents
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Calls `body` positioned at each element of an array; `body` must consume the element.
    mutating func forEachElement(_ body: (inout JSONCursor) throws(JSONError) -> Void) throws(JSONError) {
        try expect(UInt8(ascii: "["))
        if try consume(UInt8(ascii: "]")) { return }
        repeat {
            try body(&self)
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    mutating func scanHits() throws(JSONError) -> SearchResponseLayout {
        _ = try peek()
        let arrayStart = position
        var hits: [ScannedHit] = []
        hits.reserveCapacity(128)
        try forEachElement { (cursor) throws(JSONError) in
            hits.append(try cursor.scanHit())
        }
        return SearchResponseLayout(hitsArray: arrayStart..<position, hits: hits)
    }

    mutating func scanHit() throws(JSONError) -> ScannedHit {
        guard try peek() == UInt8(ascii: "{") else { throw .wrongShape("a hit must be an object", at: position) }
        let start = position
        var id: String?
        var index: String?
        var score: Double?
        var source: Range<Int>?
        try forEachMember { (cursor, key) throws(JSONError) in
            if cursor.contents(key, equal: "_id") {
                id = try cursor.readOptionalString()
            } else if cursor.contents(key, equal: "_index") {
                index = try cursor.readOptionalString()
            } else if cursor.contents(key, equal: "_score") {
                let range = try cursor.skipValue(depth: 4)
                score = cursor.double(range)
            } else if cursor.contents(key, equal: "_source") {
                let isObject = try cursor.peek() == UInt8(ascii: "{")
                let range = try cursor.skipValue(depth: 4)
                source = isObject ? range : nil
            } else {
                try cursor.skipValue(depth: 4)
            }
        }
        return ScannedHit(range: start..<position, id: id, index: index, score: score, source: source)
    }

    /// Reads a string value, or nil when the value is of another kind (which is skipped).
    mutating func readOptionalString() throws(JSONError) -> String? {
        guard try peek() == UInt8(ascii: "\"") else {
            try skipValue(depth: 4)
            return nil
        }
        let string = try skipString()
        return try decodeString(string.contents, escaped: string.escaped)
    }
}
