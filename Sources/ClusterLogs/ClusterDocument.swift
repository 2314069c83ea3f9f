import EventLog
import Foundation
import RerankJSON

/// A document of a search answer: where it is, its `_source`, and its sort values.
struct ClusterDocument: Sendable, Equatable {
    var index: String
    var id: String
    var source: JSONObject
    var sort: JSONValue?

    /// The hits of a search answer, in order.
    ///
    /// - Throws: ``ClusterReadError`` when the answer has no `hits.hits`.
    static func hits(of answer: JSONObject, index: String, request: String) throws(ClusterReadError) -> [ClusterDocument] {
        guard let hits = answer["hits"]?.objectValue?["hits"]?.arrayValue else {
            throw .unexpectedAnswer(request: request, "no hits.hits")
        }
        return hits.compactMap { hit in
            guard let hit = hit.objectValue, let source = hit["_source"]?.objectValue else { return nil }
            return ClusterDocument(
                index: hit["_index"]?.stringValue ?? index, id: hit["_id"]?.stringValue ?? "", source: source, sort: hit["sort"])
        }
    }

    /// `<index>/_doc/<id>`, where a problem with the document is reported.
    var location: LogLocation { LogLocation(file: "\(index)/_doc/\(id)", line: 0) }
}

/// Cluster documents decoded as UBI records, and the ones that are not.
struct UBIDocuments {
    var queries: [UBIQuery] = []
    var events: [UBIEvent] = []
    var problems: [LogProblem] = []

    mutating func add(query document: ClusterDocument) {
        guard var query = decode(document, UBIQuery.init(json:)) else { return }
        query.location = document.location
        queries.append(query)
    }

    mutating func add(event document: ClusterDocument) {
        guard var event = decode(document, UBIEvent.init(json:)) else { return }
        event.location = document.location
        events.append(event)
    }

    /// The record, or nil with the reason kept as a problem at the document.
    private mutating func decode<Record>(
        _ document: ClusterDocument, _ make: (JSONObject) throws(EventLogError) -> Record
    ) -> Record? {
        do {
            return try make(document.source)
        } catch {
            problems.append(LogProblem(location: document.location, reason: error.message))
            return nil
        }
    }
}

/// Query clauses the readers share.
enum ClusterQueries {
    /// Records dated after `after` and at most `until`; every record when both are nil.
    static func timeWindow(after: Date?, until: Date?) -> JSONObject {
        var range = JSONObject()
        if let after { range["gt"] = .string(UBITimestamp.string(from: after)) }
        if let until { range["lte"] = .string(UBITimestamp.string(from: until)) }
        guard !range.isEmpty else { return JSONObject(["match_all": .object(JSONObject())]) }
        return JSONObject(["range": .object(JSONObject(["timestamp": .object(range)]))])
    }
}
