/// Reads a fixed set of fields out of objects in one pass, with keys compared as bytes.
///
/// Built once per ranker; ranking reads a handful of source fields from a hundred hits per search, so the
/// per-hit cost is one scan of the `_source` object with no string allocation except for the values read.
///
/// ```swift
/// let selector = FieldSelector(paths: ["popularity", "price.amount"])
/// let values = selector.values(in: bytes, object: hit.source!)   // ["popularity": .number("12"), ...]
/// ```
public struct FieldSelector: Sendable {
    /// The dotted paths this selector reads.
    public let paths: [String]
    private let root: Level

    /// One object level: the keys to look for there.
    final class Level: Sendable {
        struct Entry: Sendable {
            let key: [UInt8]
            /// The index of the full path among the selector's paths when the key completes one.
            let slot: Int?
            /// Where to look inside the value when the key is a prefix of longer paths.
            let next: Level?
        }

        let entries: [Entry]

        init(paths: [(remaining: Substring, slot: Int)]) {
            var entries: [Entry] = []
            var prefixes: [Substring: [(remaining: Substring, slot: Int)]] = [:]
            var prefixOrder: [Substring] = []
            for path in paths {
                entries.append(Entry(key: Array(path.remaining.utf8), slot: path.slot, next: nil))
                if let dot = path.remaining.firstIndex(of: ".") {
                    let head = path.remaining[..<dot]
                    if prefixes[head] == nil { prefixOrder.append(head) }
                    prefixes[head, default: []].append((path.remaining[path.remaining.index(after: dot)...], path.slot))
                }
            }
            for head in prefixOrder {
                entries.append(Entry(key: Array(head.utf8), slot: nil, next: Level(paths: prefixes[head]!)))
            }
            self.entries = entries
        }
    }

    public init(paths: [String]) {
        self.paths = paths
        root = Level(paths: paths.enumerated().map { ($1[...], $0) })
    }

    /// The values of the selected paths present in the object at `object` of `bytes`.
    public func values(in bytes: [UInt8], object: Range<Int>) -> SourceFields {
        var found = SourceFields(paths: paths)
        guard !paths.isEmpty else { return found }
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer, range: object)
            try? Self.read(&cursor, level: root, into: &found, depth: 1)
        }
        return found
    }

    private static func read(
        _ cursor: inout JSONCursor,
        level: Level,
        into found: inout SourceFields,
        depth: Int
    ) throws(JSONError) {
        try cursor.forEachMember { (cursor, key) throws(JSONError) in
            // A key can complete one path and lead to others (`price` and `price.amount`): one entry of each kind.
            var slot: Int?
            var next: Level?
            for entry in level.entries where cursor.contents(key, equalBytes: entry.key) {
                slot = slot ?? entry.slot
                next = next ?? entry.next
            }
            if let slot {
                let value = try cursor.parseValue(depth: depth)
                found.set(value, slot: slot)
                // Both `price` and `price.amount` selected: the nested paths come from the parsed value.
                if let next { extract(value, level: next, into: &found) }
            } else if let next, try cursor.peek() == UInt8(ascii: "{") {
                try read(&cursor, level: next, into: &found, depth: depth + 1)
            } else {
                try cursor.skipValue(depth: depth)
            }
        }
    }
}

extension FieldSelector {
    fileprivate static func extract(_ value: JSONValue, level: Level, into found: inout SourceFields) {
        guard let object = value.objectValue else { return }
        for member in object.members {
            let key = Array(member.key.utf8)
            for entry in level.entries where entry.key == key {
                if let slot = entry.slot { found.set(member.value, slot: slot) }
                if let next = entry.next { extract(member.value, level: next, into: &found) }
            }
        }
    }
}

extension JSONCursor {
    /// Whether the string contents at `range` are exactly `key`'s bytes.
    func contents(_ range: Range<Int>, equalBytes key: [UInt8]) -> Bool {
        guard key.count == range.count else { return false }
        for offset in 0..<key.count where bytes[range.lowerBound + offset] != key[offset] { return false }
        return true
    }
}
