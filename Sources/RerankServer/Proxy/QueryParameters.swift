import Foundation

/// A URL query string as raw `key=value` pieces, so forwarding keeps the client's encoding.
struct QueryParameters: Sendable {
    private var items: [(key: String, raw: Substring)]

    init(_ query: String?) {
        items = (query ?? "").split(separator: "&").map { piece in
            let key = piece.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return (key.removingPercentEncoding ?? key, piece)
        }
    }

    func has(_ key: String) -> Bool { items.contains { $0.key == key } }

    /// The decoded value of the last `key` parameter; an empty string for a bare `key`.
    func value(_ key: String) -> String? {
        guard let item = items.last(where: { $0.key == key }) else { return nil }
        let value = item.raw.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let plusDecoded = value.replacingOccurrences(of: "+", with: " ")
        return plusDecoded.removingPercentEncoding ?? plusDecoded
    }

    mutating func remove(_ key: String) {
        items.removeAll { $0.key == key }
    }

    /// The query string to forward, or nil when no parameter is left.
    var encoded: String? {
        items.isEmpty ? nil : items.map(\.raw).joined(separator: "&")
    }
}
