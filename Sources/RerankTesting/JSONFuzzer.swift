import RerankCore
import RerankJSON

/// Seeded generator of JSON documents and byte-level mutations of them, for property-based tests of the
/// parsers and scanners. The same seed always gives the same inputs, so a failure reproduces from its seed and
/// input number.
///
/// ```swift
/// var fuzzer = JSONFuzzer(seed: 42)
/// let valid = JSONWriter.bytes(fuzzer.searchResponse())
/// let broken = fuzzer.mutate(valid)
/// ```
public struct JSONFuzzer {
    private var random: SplitMix64

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// A uniform draw from `0..<count`.
    public mutating func below(_ count: Int) -> Int { Int(random.next() % UInt64(max(count, 1))) }

    public mutating func chance(_ probability: Double) -> Bool { random.nextUnitDouble() < probability }

    private mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// Numbers as JSON text, from plain to hostile (beyond Double's range, beyond Int64, negative zero).
    public mutating func number() -> JSONValue {
        let texts = [
            "0", "-0", "1", "-1", "42", "3.14", "1e3", "2.5E-3", "1e308", "1e999", "-1e999", "1e-400",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "0.1", "1.0", "100", "99999999999999999999.5",
        ]
        return chance(0.5) ? .number(String(below(1000))) : .number(pick(texts))
    }

    /// Strings with escapes, control characters, non-ASCII and astral-plane characters.
    public mutating func string() -> JSONValue {
        let pieces = ["a", "hits", "_id", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "e\u{301}", "日本", "🧥", "\u{FFFD}", " ", "<em>", "null"]
        var text = ""
        for _ in 0..<below(6) { text += pick(pieces) }
        return .string(text)
    }

    /// Any JSON value, nested at most `depth` deeper; object keys are unique within each object.
    public mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 0 ? 7 : 4) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2: return number()
        case 3: return string()
        case 4, 5:
            var members: [JSONObject.Member] = []
            for index in 0..<below(5) { members.append(.init(key: "k\(index)\(pick(["", "_x", "é", "\"q\""]))", value: value(depth: depth - 1))) }
            return .object(JSONObject(members))
        default:
            return .array((0..<below(5)).map { _ in value(depth: depth - 1) })
        }
    }

    /// An OpenSearch search response with `hits.hits`, with odd but valid values where clusters could send them.
    public mutating func searchResponse() -> JSONValue {
        let hits = (0..<below(30)).map { index in hit(index) }
        var members: [JSONObject.Member] = [
            .init(key: "took", value: number()),
            .init(key: "timed_out", value: .bool(false)),
            .init(key: "hits", value: .object(JSONObject([
                "total": .object(JSONObject(["value": .int(hits.count), "relation": .string("eq")])),
                "max_score": chance(0.8) ? number() : .null,
                "hits": .array(hits),
            ]))),
        ]
        if chance(0.5) { members.append(.init(key: "aggregations", value: value(depth: 3))) }
        if chance(0.3) { members.insert(.init(key: "x_vendor", value: value(depth: 4)), at: below(members.count + 1)) }
        return .object(JSONObject(members))
    }

    private mutating func hit(_ index: Int) -> JSONValue {
        var members: [JSONObject.Member] = [.init(key: "_index", value: .string("products"))]
        if chance(0.95) { members.append(.init(key: "_id", value: chance(0.9) ? .string("doc-\(index)") : number())) }
        members.append(.init(key: "_score", value: chance(0.85) ? number() : .null))
        if chance(0.9) {
            var source: [JSONObject.Member] = [
                .init(key: "popularity", value: chance(0.8) ? number() : value(depth: 1)),
                .init(key: "rating", value: number()),
                .init(key: "in_stock", value: chance(0.9) ? .bool(chance(0.7)) : value(depth: 1)),
                .init(key: "title", value: string()),
                .init(key: "price", value: chance(0.8) ? .object(JSONObject(["amount": number()])) : value(depth: 2)),
                .init(key: "tags", value: .array((0..<below(3)).map { _ in string() })),
            ]
            if chance(0.3) { source.append(.init(key: "extra", value: value(depth: 3))) }
            members.append(.init(key: "_source", value: .object(JSONObject(source))))
        }
        if chance(0.2) { members.append(.init(key: "highlight", value: value(depth: 2))) }
        return .object(JSONObject(members))
    }

    /// A search request body, sometimes with paging, sorting, source filtering and an `ext.rerank` section.
    public mutating func searchBody() -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "query", value: .object(JSONObject(["match": .object(JSONObject(["title": string()]))])))
        ]
        if chance(0.5) { members.append(.init(key: "from", value: chance(0.7) ? .int(below(200)) : value(depth: 1))) }
        if chance(0.5) { members.append(.init(key: "size", value: chance(0.7) ? .int(below(200)) : value(depth: 1))) }
        if chance(0.2) { members.append(.init(key: "sort", value: chance(0.5) ? .string("_score") : value(depth: 2))) }
        if chance(0.3) { members.append(.init(key: "_source", value: chance(0.5) ? .array([.string("title")]) : value(depth: 2))) }
        if chance(0.6) {
            let rerank: JSONValue = chance(0.7)
                ? .object(JSONObject([
                    "user_id": chance(0.8) ? string() : value(depth: 1),
                    "weight": chance(0.7) ? .double(random.nextUnitDouble()) : number(),
                    "explain": .bool(chance(0.5)),
                    "context": chance(0.7) ? .object(JSONObject(["device": .string(pick(["mobile", "desktop", "phone"])), "hour": number()])) : value(depth: 2),
                ]))
                : value(depth: 3)
            var ext: [JSONObject.Member] = [.init(key: "rerank", value: rerank)]
            if chance(0.3) { ext.append(.init(key: "other", value: value(depth: 2))) }
            members.append(.init(key: "ext", value: .object(JSONObject(ext))))
        }
        if chance(0.2) { members.append(.init(key: "aggs", value: value(depth: 3))) }
        return .object(JSONObject(members))
    }

    /// A URL query string for a search: paging, source filters, and percent-escapes that decode to nothing useful.
    public mutating func queryString() -> String? {
        guard chance(0.5) else { return nil }
        let parts = [
            "from=\(below(50))", "size=\(below(50))", "size=-1", "from=9223372036854775807", "size=abc", "q=title:%E9",
            "_source=false", "_source_includes=title", "scroll=1m", "sort=price:asc", "x=%0d%0aInjected:%20yes",
            "%ff=%fe", "a=%", "a=%zz", "&&", "=", "typed_keys=true", "filter_path=hits.hits._id",
        ]
        return (0..<(1 + below(4))).map { _ in pick(parts) }.joined(separator: "&")
    }

    /// `bytes` changed by one to three mutations: truncation, bit flips, inserted tokens (odd escapes, invalid
    /// UTF-8, huge numbers), deletions, duplicated runs, deep nesting.
    public mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var output = bytes
        for _ in 0..<(1 + below(3)) {
            let position = below(output.count + 1)
            switch below(7) {
            case 0:
                output = Array(output.prefix(position))
            case 1 where !output.isEmpty:
                let index = min(position, output.count - 1)
                output[index] ^= UInt8(1) << UInt8(below(8))
            case 2:
                output.insert(contentsOf: pick(Self.tokens), at: position)
            case 3 where position < output.count:
                let end = min(output.count, position + 1 + below(16))
                output.removeSubrange(position..<end)
            case 4 where position < output.count:
                let end = min(output.count, position + 1 + below(64))
                output.insert(contentsOf: output[position..<end], at: below(output.count + 1))
            case 5:
                let depth = pick([64, 127, 128, 129, 1_000, 100_000])
                let opener: [UInt8] = chance(0.5) ? Array("[".utf8) : Array(#"{"a":"#.utf8)
                output.insert(contentsOf: Array((0..<depth).map { _ in opener }.joined()), at: position)
            default:
                output.insert(contentsOf: Array(pick(["1e99999", "-9999999999999999999999", "1.7976931348623157e309", "0e0", "-"]).utf8), at: position)
            }
        }
        return output
    }

    static let tokens: [[UInt8]] = [
        Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("]".utf8), Array(",".utf8), Array(":".utf8),
        Array("\"".utf8), Array("\\".utf8), Array("\\u".utf8), Array("\\ud800".utf8), Array("\\udc00\"".utf8),
        Array("\\ud83e\\udde5".utf8), Array("\\x".utf8), Array("null".utf8), Array("tru".utf8), Array("\"hits\":".utf8),
        Array("\"_source\":{".utf8), Array("\"_id\":".utf8), [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0x00], [0x0A], [0x0D, 0x0A], [0xEF, 0xBB, 0xBF],
    ]
}
