/// Rebuilds a search response with its hits in a new order, copying every other byte as it came.
public enum ResponseSplicer {
    /// One hit to emit: which scanned hit, optionally edited bytes to use instead of its own, and optional
    /// member text to append inside it (e.g. `"_rerank":{...}`).
    public struct Emitted: Sendable {
        public var hit: Int
        public var bytes: [UInt8]?
        public var appendedMember: [UInt8]?

        public init(hit: Int, bytes: [UInt8]? = nil, appendedMember: [UInt8]? = nil) {
            self.hit = hit
            self.bytes = bytes
            self.appendedMember = appendedMember
        }
    }

    /// The response at `range` of `bytes` with `hits.hits` replaced by `emitted`, in that order.
    public static func splice(
        _ bytes: [UInt8],
        range: Range<Int>? = nil,
        layout: SearchResponseLayout,
        emitted: [Emitted]
    ) -> [UInt8] {
        let range = range ?? 0..<bytes.count
        var output: [UInt8] = []
        output.reserveCapacity(range.count + emitted.count * 64)
        output.append(contentsOf: bytes[range.lowerBound..<layout.hitsArray.lowerBound])
        output.append(UInt8(ascii: "["))
        for (position, item) in emitted.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            let hit = item.bytes.map { $0[...] } ?? bytes[layout.hits[item.hit].range]
            guard let member = item.appendedMember else {
                output.append(contentsOf: hit)
                continue
            }
            // The hit ends with its closing brace; the member goes just before it.
            output.append(contentsOf: hit.dropLast())
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: member)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        output.append(contentsOf: bytes[layout.hitsArray.upperBound..<range.upperBound])
        return output
    }

    /// The object text `object` with `member` (e.g. `"ext":{...}`) added as its last member.
    public static func appendingMember(_ member: [UInt8], to object: [UInt8]) -> [UInt8] {
        guard let close = object.lastIndex(of: UInt8(ascii: "}")) else { return object }
        let isEmpty = object[..<close].last(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) == UInt8(ascii: "{")
        var output = Array(object[..<close])
        if !isEmpty { output.append(UInt8(ascii: ",")) }
        output += member
        output += object[close...]
        return output
    }

    /// `bytes` with each range replaced by its new bytes; ranges must be sorted and disjoint.
    public static func replace(_ bytes: [UInt8], _ replacements: [(range: Range<Int>, bytes: [UInt8])]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        for replacement in replacements {
            output.append(contentsOf: bytes[position..<replacement.range.lowerBound])
            output.append(contentsOf: replacement.bytes)
            position = replacement.range.upperBound
        }
        output.append(contentsOf: bytes[position...])
        return output
    }
}
