import Foundation
import RerankJSON

/// One `ubi_queries` record: a search and the hits it showed, in the order shown.
///
/// The typed properties cover the fields the trainer and the sidecar use; ``fields`` keeps the whole record as
/// read, so members this type does not know (`query`, producer-specific extras) are written back by ``json``.
///
/// ```swift
/// var query = UBIQuery(queryID: "q1", timestamp: .now, clientID: "u1", userQuery: "usb cable",
///                      responseHitIDs: ["B01", "B02"])
/// query.attributes["device"] = .string("mobile")
/// try await logs.queries.append([query.json])
/// ```
public struct UBIQuery: Sendable, Equatable {
    /// `query_id`: joins events to this search.
    public var queryID: String
    /// `timestamp`, when the search ran.
    public var timestamp: Date
    /// `client_id`: the user (or device) that searched.
    public var clientID: String?
    /// `user_query`: the text the user typed.
    public var userQuery: String?
    /// `query_response_hit_ids`: the ids shown, in the order shown; nil when the record has none.
    public var responseHitIDs: [String]?
    /// `query_attributes`: free-form context (device, local hour, variant, model version, ...).
    public var attributes: JSONObject
    /// `application`: which storefront or tool logged the search.
    public var application: String?
    /// `query_response_id`: the id of the response that carried the hits.
    public var queryResponseID: String?
    /// `object_id_field`: the document field the hit ids come from, e.g. `asin`.
    public var objectIDField: String?
    /// The whole record as read; ``json`` writes the typed properties over it.
    public var fields: JSONObject
    /// Where the record was read from; nil for records built in memory. Not part of equality.
    public var location: LogLocation?

    /// Makes a query record.
    public init(
        queryID: String, timestamp: Date, clientID: String? = nil, userQuery: String? = nil,
        responseHitIDs: [String]? = nil, attributes: JSONObject = JSONObject(), application: String? = nil,
        queryResponseID: String? = nil, objectIDField: String? = nil
    ) {
        self.queryID = queryID
        self.timestamp = timestamp
        self.clientID = clientID
        self.userQuery = userQuery
        self.responseHitIDs = responseHitIDs
        self.attributes = attributes
        self.application = application
        self.queryResponseID = queryResponseID
        self.objectIDField = objectIDField
        self.fields = JSONObject()
        self.location = nil
    }

    /// Reads a `ubi_queries` document.
    ///
    /// - Throws: ``EventLogError`` naming the field when `query_id` or `timestamp` is missing or a known field has
    ///   the wrong type.
    public init(json: JSONObject) throws(EventLogError) {
        let reader = UBIFieldReader(object: json, record: "ubi_queries")
        queryID = try reader.requiredString("query_id", "every search needs the id its events refer to")
        timestamp = try reader.timestamp()
        clientID = try reader.string("client_id")
        userQuery = try reader.string("user_query")
        responseHitIDs = try reader.strings("query_response_hit_ids")
        attributes = try reader.object("query_attributes")
        application = try reader.string("application")
        queryResponseID = try reader.string("query_response_id")
        objectIDField = try reader.string("object_id_field")
        fields = json
        location = nil
    }

    /// The record as a `ubi_queries` document: ``fields`` with the typed properties written over it, the
    /// timestamp as ISO-8601 UTC with milliseconds.
    public var json: JSONObject {
        var object = fields
        object.put("query_id", .string(queryID))
        object.put("client_id", clientID.map(JSONValue.string))
        object.put("user_query", userQuery.map(JSONValue.string))
        object.put("query_response_hit_ids", responseHitIDs.map { .array($0.map(JSONValue.string)) })
        object.put("timestamp", .string(UBITimestamp.string(from: timestamp)))
        object.put("query_attributes", object: attributes)
        object.put("application", application.map(JSONValue.string))
        object.put("query_response_id", queryResponseID.map(JSONValue.string))
        object.put("object_id_field", objectIDField.map(JSONValue.string))
        return object
    }

    /// Two records are equal when they write the same document.
    public static func == (lhs: UBIQuery, rhs: UBIQuery) -> Bool { lhs.json == rhs.json }
}
