import Foundation
import RerankJSON

/// Reads what other sidecars wrote to one UBI index since the last poll (see ``TailCursor``).
///
/// A poll is one unsorted search for the records the cursor has not applied, up to `pageSize` of them: sorting
/// is what costs a cluster most, and the cursor needs no order. When the page comes back full, more records are
/// waiting (``isBehind``): the caller polls again at once, and no gap is given up on a partial view.
///
/// ```swift
/// var tail = ClusterTail(cluster: cluster, index: ClusterLogReader.eventsIndex, cursor: cursor)
/// for record in try await tail.poll(now: Date()).records { apply(record) }
/// ```
public struct ClusterTail: Sendable {
    /// Records per poll.
    public static let pageSize = 10_000

    public let index: String
    public private(set) var cursor: TailCursor
    /// Whether the last poll came back full, with more records waiting: poll again without pausing.
    public private(set) var isBehind = false
    private let cluster: any ClusterTransport

    public init(cluster: any ClusterTransport, index: String, cursor: TailCursor) {
        self.cluster = cluster
        self.index = index
        self.cursor = cursor
    }

    /// What one poll found.
    public struct Poll: Sendable {
        /// The records not applied before, in the order their sidecars wrote them, now marked applied.
        public var records: [JSONObject] = []
        /// Record numbers the cursor stopped waiting for (``TailCursor/settle(now:viewComplete:)``).
        public var givenUp = 0
    }

    /// The records not applied yet, each marked applied; an index the cluster lacks has none.
    ///
    /// - Throws: ``ClusterReadError`` when the cluster cannot be searched; the cursor then stands where it was.
    public mutating func poll(now: Date) async throws(ClusterReadError) -> Poll {
        let body = JSONObject(["size": .int(Self.pageSize), "query": .object(cursor.query)])
        let answer: JSONObject
        do {
            answer = try await cluster.json(.POST, "/\(index)/_search", body)
        } catch .refused(_, 404, _) {
            isBehind = false
            return Poll()
        }
        let hits = try ClusterDocument.hits(of: answer, index: index, request: "POST /\(index)/_search")
        let stamped = hits.compactMap { document in SidecarStamp.read(document.source).map { (stamp: $0, source: document.source) } }
        let admitted = cursor.admit(stamped.map(\.stamp))
        isBehind = hits.count == Self.pageSize
        let givenUp = cursor.settle(now: now.timeIntervalSince1970, viewComplete: !isBehind)
        let records = zip(stamped, admitted).filter(\.1).map(\.0)
            .sorted { ($0.stamp.instance, $0.stamp.sequence) < ($1.stamp.instance, $1.stamp.sequence) }
            .map(\.source)
        return Poll(records: records, givenUp: givenUp)
    }
}
