import Features
import Foundation
import RerankCore
import RerankJSON

/// Builds a search's ``SearchContext`` from `X-Rerank-*` headers and the body's `ext.rerank` object.
///
/// `ext.rerank` wins over headers. Accepted `ext.rerank` keys: `user_id`, `session_id`, `weight` (0…1),
/// `explain` (bool), `exclude_ids` ([string]), `return_query_id` (bool), `context` {`device`, `timezone`, `hour` (0–23), `weekday`
/// (1–7, Monday = 1, or a day name), and any other key with a string, number or boolean value (channel, locale,
/// ...), which is logged with the search and read by declared context features}; `filters` and `filter_values`
/// are read by ``FilterRequest``.
struct ContextBuilder: Sendable {
    /// The zone used when a request names none.
    var defaultTimeZone: String
    var now: @Sendable () -> Date
    /// Replaces the user and session ids by pseudonyms (`log.hash_user_ids`); nil keeps them as sent.
    var hasher: UserIDHasher? = nil

    struct Headers {
        var user: String?
        var session: String?
        var device: String?
        var timeZone: String?
        var userAgent: String?
    }

    /// What the request says about its device, time zone and local time; the rest comes from the User-Agent, the
    /// default zone and the clock.
    private struct LocalOverrides {
        var device: Device?
        var zoneName: String?
        var hour: Int?
        var weekday: Int?
        var attributes: [String: String] = [:]
    }

    /// The most other context keys a request may send.
    static let maxContextAttributes = 32

    /// - Parameter field: what errors call the extension object (`ext.rerank`, or the body of a rank request).
    func context(headers: Headers, extension rerank: JSONValue?, field: String = "ext.rerank") throws(RerankError) -> SearchContext {
        var context = SearchContext()
        context.userID = headers.user.nonEmpty
        context.sessionID = headers.session.nonEmpty
        var overrides = LocalOverrides()
        overrides.device = try headers.device.nonEmpty.map { (name) throws(RerankError) in
            try Self.device(name, field: "X-Rerank-Device")
        }
        overrides.zoneName = headers.timeZone.nonEmpty
        if let zoneName = overrides.zoneName, TimeZones.named(zoneName) == nil {
            throw .invalidRerankExtension(field: "X-Rerank-Timezone", "unknown time zone '\(zoneName)'; use an IANA name such as Europe/Berlin")
        }
        if let rerank {
            guard let object = rerank.objectValue else {
                throw .invalidRerankExtension(field: field, "must be an object, not \(rerank.kindName)")
            }
            try Self.apply(object, field: field, to: &context, overrides: &overrides)
        }
        context.device = overrides.device ?? Device(userAgent: headers.userAgent)
        context.timeZone = overrides.zoneName ?? defaultTimeZone
        let zone = TimeZones.named(context.timeZone) ?? TimeZone(secondsFromGMT: 0)!
        let date = now()
        context.time = date.timeIntervalSince1970
        var local = LocalTime(date: date, timeZone: zone)
        local.hour = overrides.hour ?? local.hour
        local.weekday = overrides.weekday ?? local.weekday
        context.localTime = local
        context.attributes = overrides.attributes
        hasher?.pseudonymize(&context)
        return context
    }

    /// Reads the `ext.rerank` object's fields in the order sent; the first bad one throws.
    private static func apply(
        _ object: JSONObject, field prefix: String, to context: inout SearchContext, overrides: inout LocalOverrides
    ) throws(RerankError) {
        for member in object.members {
            let field = prefix.isEmpty ? member.key : "\(prefix).\(member.key)"
            switch member.key {
            case "user_id": context.userID = try Self.string(member.value, field: field)
            case "session_id": context.sessionID = try Self.string(member.value, field: field)
            case "weight":
                guard let weight = member.value.doubleValue, (0...1).contains(weight) else {
                    throw .invalidRerankExtension(field: field, "must be a number between 0 and 1")
                }
                context.weight = weight
            case "explain", "return_query_id":
                guard let flag = member.value.boolValue else {
                    throw .invalidRerankExtension(field: field, "must be true or false")
                }
                if member.key == "explain" { context.explain = flag } else { context.returnQueryID = flag }
            case "exclude_ids":
                let ids = member.value.arrayValue?.compactMap(\.stringValue)
                guard let ids, ids.count == member.value.arrayValue?.count else {
                    throw .invalidRerankExtension(field: field, "must be an array of document ids (strings)")
                }
                context.excludedIDs = Set(ids)
            case "filters", "filter_values":
                continue
            case "context":
                guard let nested = member.value.objectValue else {
                    throw .invalidRerankExtension(field: field, "must be an object")
                }
                try Self.apply(context: nested, field: field, to: &overrides)
            default:
                throw .invalidRerankExtension(
                    field: field,
                    "unknown field; expected user_id, session_id, context, weight, explain, exclude_ids, filters, filter_values or return_query_id"
                )
            }
        }
    }

    /// Reads the `ext.rerank.context` object's fields in the order sent; the first bad one throws.
    private static func apply(context nested: JSONObject, field prefix: String, to overrides: inout LocalOverrides) throws(RerankError) {
        for item in nested.members {
            let field = "\(prefix).\(item.key)"
            switch item.key {
            case "device": overrides.device = try Self.device(try Self.string(item.value, field: field), field: field)
            case "timezone":
                let name = try Self.string(item.value, field: field)
                guard TimeZones.named(name) != nil else {
                    throw .invalidRerankExtension(field: field, "unknown time zone '\(name)'; use an IANA name such as Europe/Berlin")
                }
                overrides.zoneName = name
            case "hour":
                guard let value = item.value.intValue, (0...23).contains(value) else {
                    throw .invalidRerankExtension(field: field, "must be an integer hour 0-23")
                }
                overrides.hour = value
            case "weekday": overrides.weekday = try Self.weekday(item.value, field: field)
            default:
                let scalar: String? = switch item.value {
                case .string, .number, .bool: FeatureDeclaration.text(of: item.value)
                default: nil
                }
                guard let text = scalar else {
                    throw .invalidRerankExtension(field: field, "must be a string, a number or true/false")
                }
                guard overrides.attributes.count < Self.maxContextAttributes else {
                    throw .invalidRerankExtension(field: field, "at most \(Self.maxContextAttributes) context keys besides device, timezone, hour and weekday")
                }
                overrides.attributes[item.key] = text
            }
        }
    }

    private static func string(_ value: JSONValue, field: String) throws(RerankError) -> String {
        guard let string = value.stringValue else {
            throw .invalidRerankExtension(field: field, "must be a string, not \(value.kindName)")
        }
        return string
    }

    private static func device(_ name: String, field: String) throws(RerankError) -> Device {
        guard let device = Device(rawValue: name.lowercased()) else {
            let names = Device.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidRerankExtension(field: field, "unknown device '\(name)'; expected one of \(names)")
        }
        return device
    }

    private static let dayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    private static func weekday(_ value: JSONValue, field: String) throws(RerankError) -> Int {
        if let number = value.intValue, (1...7).contains(number) { return number }
        if let name = value.stringValue?.lowercased(),
            let index = dayNames.firstIndex(where: { $0 == name || $0.prefix(3) == name })
        {
            return index + 1
        }
        throw .invalidRerankExtension(field: field, "must be 1-7 (Monday = 1) or a day name")
    }
}

extension Optional where Wrapped == String {
    /// The string, or nil when absent or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
