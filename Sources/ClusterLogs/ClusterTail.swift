import Foundation
import RerankJSON

/// Reads what other sidecars wrote to one UBI index since the last poll (see ``TailCursor``).
///
/// ```swift
/// var tail = ClusterTail(cluster: cluster, index: ClusterLogReader.eventsIndex, cursor: cursor)
/// for record in try await tail.poll(now: Date()) { apply(record) }
/// ```
public struct ClusterTail: Sendable {
    /// Documents per page; a poll reads at most `maxPages` pages and leaves the rest to the next.
    public static let pageSize = 1_000
    static let maxPages = 20

    public let index: String
    public private(set) var cursor: TailCursor
    private let cluster: any ClusterTransport

    public init(cluster: any ClusterTransport, index: String, cursor: TailCursor) {
        self.cluster = cluster
        self.index = index
        self.cursor = cursor
    }

    /// The records not applied yet, oldest written first, each marked applied; an index the cluster lacks has none.
    ///
    /// - Throws: ``ClusterReadError`` when the cluster cannot be searched; the cursor then stands where it was.
    public mutating func poll(now: Date) async throws(ClusterReadError) -> [JSONObject] {
        var cursor = self.cursor
        var records: [JSONObject] = []
        var after: JSONValue?
        for _ in 0..<Self.maxPages {
            var body = JSONObject([
                "size": .int(Self.pageSize),
                "query": .object(cursor.query),
                "sort": .array([SidecarStamp.loggedAtField, SidecarStamp.instanceField, SidecarStamp.sequenceField].map {
                    .object(JSONObject([$0: .string("asc")]))
                }),
            ])
            if let after { body["search_after"] = after }
            let answer: JSONObject
            do {
                answer = try await cluster.json(.POST, "/\(index)/_search", body)
            } catch .refused(_, 404, _) {
                break
            }
            let page = try ClusterDocument.hits(of: answer, index: index, request: "POST /\(index)/_search")
            for document in page {
                guard let stamp = SidecarStamp.read(document.source),
                    cursor.admit(instance: stamp.instance, sequence: stamp.sequence)
                else { continue }
                records.append(document.source)
            }
            guard page.count == Self.pageSize, let last = page.last?.sort else { break }
            after = last
        }
        cursor.settle(now: now.timeIntervalSince1970)
        self.cursor = cursor
        return records
    }
}
