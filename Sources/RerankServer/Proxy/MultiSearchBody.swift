import RerankCore
import RerankJSON

/// The NDJSON body of `_msearch`: a header line and a body line per search.
enum MultiSearchBody {
    struct Search: Sendable {
        var header: [UInt8]
        var body: [UInt8]
    }

    /// Splits an `_msearch` body into its searches.
    static func parse(_ bytes: [UInt8]) throws(RerankError) -> [Search] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : Array(line)
        }
        while let last = lines.last, last.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.removeLast() }
        guard !lines.isEmpty else { throw .invalidBody("_msearch needs at least one header line and one body line") }
        guard lines.count.isMultiple(of: 2) else {
            throw .invalidBody("_msearch body must hold a header line and a body line per search, each ending with a newline; found \(lines.count) lines")
        }
        return stride(from: 0, to: lines.count, by: 2).map { Search(header: lines[$0], body: lines[$0 + 1]) }
    }

    /// The index a header line names (`{"index": "products"}`), if one.
    static func index(header: [UInt8]) -> String? {
        guard let object = try? JSONParser.parse(header).objectValue else { return nil }
        return object["index"]?.stringValue ?? object["index"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",")
    }

    /// The NDJSON body for the cluster, ending with the newline it requires.
    static func encode(_ searches: [(header: [UInt8], body: [UInt8])]) -> [UInt8] {
        var output: [UInt8] = []
        for search in searches {
            output.append(contentsOf: search.header)
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: search.body)
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }
}
