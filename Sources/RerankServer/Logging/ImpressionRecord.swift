import EventLog
import Foundation
import Ranking
import RerankCore
import RerankJSON

/// The `ubi_queries` record of one served search.
///
/// `query_attributes` carries what training needs to replay the search: the context, the page (`from`, the
/// absolute position of the first shown hit, whether reranked or not; `size` when reranked), and for each
/// shown hit its rank in the engine's order and its search score; what the experiment report needs: the
/// experiment and variant (``ExperimentTag``), with each shown hit's team when interleaved; and, for an explored
/// search, what exploration moved (`exploration`, ``ExplorationRecord/json``), which position-bias estimation reads.
enum ImpressionRecord {
    static func make(
        queryID: String,
        timestamp: Date,
        index: String?,
        userQuery: String,
        context: SearchContext,
        from: Int?,
        size: Int?,
        outcome: RerankOutcome,
        shown: [ShownHit],
        model: String,
        experiment: ExperimentTag,
        exploration: ExplorationRecord?,
        indexConfig: String? = nil
    ) -> JSONObject {
        var attributes = JSONObject([
            "device": .string(context.device.rawValue),
            "local_hour": .int(context.localTime.hour),
            "weekday": .int(context.localTime.weekday),
            "timezone": .string(context.timeZone),
        ])
        if let userID = context.userID { attributes["user_id"] = .string(userID) }
        if let sessionID = context.sessionID { attributes["session_id"] = .string(sessionID) }
        if !context.attributes.isEmpty {
            attributes["context"] = .object(JSONObject(context.attributes.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) }))
        }
        if let index { attributes["index"] = .string(index) }
        if let indexConfig { attributes[Self.indexConfigKey] = .string(indexConfig) }
        if let from { attributes["from"] = .int(from) }
        if let size { attributes["size"] = .int(size) }
        attributes["status"] = .string(outcome.header)
        attributes["model"] = .string(model)
        attributes["original_ranks"] = .array(shown.map { .int($0.originalRank) })
        attributes["search_scores"] = .array(shown.map { $0.searchScore.map(JSONValue.double) ?? .null })
        experiment.write(into: &attributes)
        if let exploration { attributes["exploration"] = exploration.json }
        return JSONObject([
            "query_id": .string(queryID),
            "client_id": .string(context.clientID ?? "anonymous"),
            "user_query": .string(userQuery),
            "query_response_hit_ids": .array(shown.map { .string($0.id) }),
            "timestamp": .string(UBITimestamp.string(from: timestamp)),
            "application": .string("rerank"),
            "query_attributes": .object(attributes),
        ])
    }

    /// The `query_attributes` key naming the `indices` entry that served a search (absent for the `rerank`
    /// section): a restart replays the entry's searches, and the events joined to them, into its statistics.
    static let indexConfigKey = InteractionLog.indexConfigKey

    /// A new query id.
    static func newQueryID() -> String { UUID().uuidString.lowercased() }
}
