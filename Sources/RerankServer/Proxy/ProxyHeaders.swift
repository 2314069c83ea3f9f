import Foundation
import HTTPTypes
import NIOHTTP1
import RerankCore

/// Header rules for a proxy: hop-by-hop headers stay on their own connection, the sidecar's own headers never
/// reach the cluster, and the cluster cannot set them for the client.
enum ProxyHeaders {
    /// Forces a search into an experiment arm for QA: `experiment/variant`.
    static let variantOverride = "X-Rerank-Variant-Override"

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "trailers", "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// The client's headers as they go to the cluster.
    ///
    /// - Parameter acceptEncoding: false for searches, whose responses the sidecar must read uncompressed.
    static func upstream(_ fields: HTTPFields, acceptEncoding: Bool) -> HTTPHeaders {
        let named = connectionNamed(fields[values: .connection])
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || named.contains(name) || name.hasPrefix("x-rerank-") { continue }
            if !acceptEncoding, name == "accept-encoding" { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    /// The cluster's headers as they go back to the client; `X-Rerank-*` headers are the sidecar's to set, so the
    /// cluster's are dropped.
    static func downstream(_ headers: HTTPHeaders) -> HTTPFields {
        let named = connectionNamed(headers["connection"])
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            if hopByHop.contains(lowered) || named.contains(lowered) || lowered.hasPrefix("x-rerank-") { continue }
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return fields
    }

    /// Most bytes of a per-search list header (`_msearch`): HTTP clients refuse longer header lines (Python's
    /// http.client, under opensearch-py, at 64 KiB), and thousands of searches would pass that.
    static let listLimit = 8192

    /// `values` comma-separated, cut after the last value that fits in ``listLimit`` with `... and N more`.
    static func list(_ values: [String]) -> String {
        var output = ""
        for (index, value) in values.enumerated() {
            let separator = index == 0 ? "" : ", "
            guard output.utf8.count + separator.utf8.count + value.utf8.count <= listLimit else {
                return output + ", ... and \(values.count - index) more"
            }
            output += separator + value
        }
        return output
    }

    /// The `X-Rerank-Exploration` value of an explored search: what moved, by absolute 0-based positions, e.g.
    /// `swap 3-4`, `cold 8-6 swap 1-2` (the cold hit ranked at 8 shown at 6), or `none` when nothing could move.
    static func exploration(_ record: ExplorationRecord) -> String {
        var parts: [String] = []
        if let cold = record.cold { parts.append("cold \(cold.from)-\(cold.to)") }
        if let swap = record.swap { parts.append("swap \(swap)-\(swap + 1)") }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    /// Headers a `Connection` header names are hop-by-hop too.
    private static func connectionNamed(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }
}

extension HTTPField.Name {
    static let rerankStatus = Self("X-Rerank-Status")!
    static let rerankModel = Self("X-Rerank-Model")!
    static let rerankQueryID = Self("X-Rerank-Query-Id")!
    static let rerankUser = Self("X-Rerank-User")!
    static let rerankSession = Self("X-Rerank-Session")!
    static let rerankDevice = Self("X-Rerank-Device")!
    static let rerankTimezone = Self("X-Rerank-Timezone")!
    static let rerankVariant = Self("X-Rerank-Variant")!
    static let rerankExperiment = Self("X-Rerank-Experiment")!
    static let rerankExploration = Self("X-Rerank-Exploration")!
    static let rerankVariantOverride = Self(ProxyHeaders.variantOverride)!
}
