import Foundation
import RerankJSON

/// One `ubi_events` record: something a user did (an impression, click, add to cart, purchase, ...).
///
/// The typed properties cover the fields the trainer and the sidecar use; ``fields`` keeps the whole record as
/// read, so members this type does not know (`user_id`, producer-specific extras) are written back by ``json``.
///
/// ```swift
/// let click = UBIEvent(actionName: "click", timestamp: .now, queryID: "q1", clientID: "u1",
///                      objectID: "B02", objectIDField: "asin", position: 1)
/// try await logs.events.append([click.json])
/// ```
public struct UBIEvent: Sendable, Equatable {
    /// `action_name`: `impression`, `click`, `add_to_cart`, `purchase` or any producer-defined name.
    public var actionName: String
    /// `timestamp`, when the user acted.
    public var timestamp: Date
    /// `query_id`: the search this event follows; nil for events not tied to a search.
    public var queryID: String?
    /// `client_id`: the user (or device).
    public var clientID: String?
    /// `session_id`.
    public var sessionID: String?
    /// `user_query`: the search text, when the producer repeats it on events.
    public var userQuery: String?
    /// `message_type`, e.g. `QUERY`.
    public var messageType: String?
    /// `message`: free text.
    public var message: String?
    /// `application`: which storefront or tool logged the event.
    public var application: String?
    /// `event_attributes`: `object`, `position` and anything else (`value`, `price`, `device`, ...).
    public var attributes: JSONObject
    /// The whole record as read; ``json`` writes the typed properties over it.
    public var fields: JSONObject
    /// Where the record was read from; nil for records built in memory. Not part of equality.
    public var location: LogLocation?

    /// Makes an event record; `objectID`, `objectIDField` and `position` go under `event_attributes`.
    public init(
        actionName: String, timestamp: Date, queryID: String? = nil, clientID: String? = nil,
        sessionID: String? = nil, userQuery: String? = nil, objectID: String? = nil, objectIDField: String? = nil,
        position: Int? = nil, attributes: JSONObject = JSONObject(), application: String? = nil,
        messageType: String? = nil, message: String? = nil
    ) {
        self.actionName = actionName
        self.timestamp = timestamp
        self.queryID = queryID
        self.clientID = clientID
        self.sessionID = sessionID
        self.userQuery = userQuery
        self.messageType = messageType
        self.message = message
        self.application = application
        self.attributes = attributes
        self.fields = JSONObject()
        self.location = nil
        if let objectID { self.objectID = objectID }
        if let objectIDField { self.objectIDField = objectIDField }
        if let position { self.position = position }
    }

    /// Reads a `ubi_events` document.
    ///
    /// - Throws: ``EventLogError`` naming the field when `action_name` or `timestamp` is missing or a known field
    ///   has the wrong type.
    public init(json: JSONObject) throws(EventLogError) {
        let reader = UBIFieldReader(object: json, record: "ubi_events")
        actionName = try reader.requiredString("action_name", "say what the user did, e.g. click or purchase")
        timestamp = try reader.timestamp()
        queryID = try reader.string("query_id")
        clientID = try reader.string("client_id")
        sessionID = try reader.string("session_id")
        userQuery = try reader.string("user_query")
        messageType = try reader.string("message_type")
        message = try reader.string("message")
        application = try reader.string("application")
        attributes = try reader.object("event_attributes")
        fields = json
        location = nil
    }

    /// `event_attributes.object.object_id`: the item acted on (a number is read as its text).
    public var objectID: String? {
        get { attributes["object"]?.objectValue?.identifier("object_id") }
        set { setObjectMember("object_id", newValue) }
    }

    /// `event_attributes.object.object_id_field`: the document field the object id comes from.
    public var objectIDField: String? {
        get { attributes["object"]?.objectValue?["object_id_field"]?.stringValue }
        set { setObjectMember("object_id_field", newValue) }
    }

    /// `event_attributes.position.ordinal`: the 0-based rank the object was shown at.
    public var position: Int? {
        get { attributes["position"]?.objectValue?["ordinal"]?.intValue }
        set {
            var position = attributes["position"]?.objectValue ?? JSONObject()
            position.put("ordinal", newValue.map(JSONValue.int))
            attributes["position"] = .object(position)
        }
    }

    /// The record as a `ubi_events` document: ``fields`` with the typed properties written over it, the
    /// timestamp as ISO-8601 UTC with milliseconds.
    public var json: JSONObject {
        var object = fields
        object.put("action_name", .string(actionName))
        object.put("query_id", queryID.map(JSONValue.string))
        object.put("client_id", clientID.map(JSONValue.string))
        object.put("session_id", sessionID.map(JSONValue.string))
        object.put("timestamp", .string(UBITimestamp.string(from: timestamp)))
        object.put("user_query", userQuery.map(JSONValue.string))
        object.put("message_type", messageType.map(JSONValue.string))
        object.put("message", message.map(JSONValue.string))
        object.put("application", application.map(JSONValue.string))
        object.put("event_attributes", object: attributes)
        return object
    }

    /// Two records are equal when they write the same document.
    public static func == (lhs: UBIEvent, rhs: UBIEvent) -> Bool { lhs.json == rhs.json }

    private mutating func setObjectMember(_ key: String, _ value: String?) {
        var object = attributes["object"]?.objectValue ?? JSONObject()
        object.put(key, value.map(JSONValue.string))
        attributes["object"] = .object(object)
    }
}
