import EventLog
import Foundation
import RerankJSON
import RerankTesting

/// Spool directories, test events, and reading what reached the cluster's indices.
extension ClusterLogSinkTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rerank-cluster-log-\(UUID())").path
    }

    /// Click events numbered by `numbers`, each with its number in `message`.
    static func events(_ numbers: Range<Int>) -> [JSONObject] {
        numbers.map { number in
            UBIEvent(
                actionName: "click", timestamp: Date(timeIntervalSince1970: 1_767_225_600 + Double(number)), queryID: "q\(number / 10)",
                clientID: "u\(number % 3)", objectID: "p\(number)", position: number % 10, message: "event \(number)"
            ).json
        }
    }

    static func term(_ field: String, _ value: String) -> String {
        #"{"term":{"\#(field)":"\#(value)"}}"#
    }

    /// The documents of `index` matching `query` (all by default), after a refresh.
    static func documents(_ cluster: OsmemServer, _ index: String, query: String = #"{"match_all":{}}"#) async throws -> [(id: String, source: JSONObject)] {
        let refresh = try await cluster.request(.POST, "/\(index)/_refresh")
        guard refresh.status == 200 else { return [] }
        let answer = try await cluster.request(.POST, "/\(index)/_search", body: Array(#"{"size":1000,"query":\#(query)}"#.utf8))
        let hits = try JSONParser.parse(answer.body).objectValue?["hits"]?.objectValue?["hits"]?.arrayValue ?? []
        return hits.compactMap { hit in
            guard let hit = hit.objectValue, let id = hit["_id"]?.stringValue, let source = hit["_source"]?.objectValue else { return nil }
            return (id, source)
        }
    }

    /// Polls until `index` holds `count` documents matching `query`, then returns them.
    static func waitForDocuments(
        _ cluster: OsmemServer, _ index: String, count: Int, query: String = #"{"match_all":{}}"#
    ) async throws -> [(id: String, source: JSONObject)] {
        var found: [(id: String, source: JSONObject)] = []
        try await waitUntil("\(count) documents in \(index)") {
            found = try await documents(cluster, index, query: query)
            return found.count >= count
        }
        return found
    }
}
