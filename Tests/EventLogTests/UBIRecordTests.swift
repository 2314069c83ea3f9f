import Foundation
import RerankJSON
import Testing

@testable import EventLog

@Suite struct UBIRecordTests {
    private func object(_ text: String) throws -> JSONObject {
        try #require(try JSONParser.parse(Array(text.utf8)).objectValue)
    }

    private func text(_ object: JSONObject) -> String {
        String(decoding: JSONWriter.bytes(.object(object)), as: UTF8.self)
    }

    @Test(arguments: [
        ("2024-12-10T00:01:29.378Z", 1_733_788_889.378),
        ("2024-12-10T00:01:29Z", 1_733_788_889.0),
        ("2025-01-24T07:31:30.699+0000", 1_737_703_890.699),
        ("2025-01-24T08:31:30.699+01:00", 1_737_703_890.699),
        ("2025-01-24T02:31:30.699-05", 1_737_703_890.699),
        ("2025-01-24T07:31:30.699", 1_737_703_890.699),
        ("2024-02-29", 1_709_164_800.0),
        ("1717527762025", 1_717_527_762.025),
    ])
    func parsesTimestampForms(text: String, seconds: Double) throws {
        let date = try #require(UBITimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(arguments: [
        "", "yesterday", "2024-13-01T00:00:00Z", "2023-02-29", "2024-12-10T25:00:00Z", "2024-12-10T00:00:00Q",
    ])
    func rejectsMalformedTimestamps(text: String) {
        #expect(UBITimestamp.parse(text) == nil)
    }

    @Test func writesMillisecondsInUTC() throws {
        #expect(UBITimestamp.string(from: Date(timeIntervalSince1970: 1_717_527_762.025)) == "2024-06-04T19:02:42.025Z")
        #expect(UBITimestamp.string(from: Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
        #expect(UBITimestamp.compactString(from: Date(timeIntervalSince1970: 1_717_527_762.9)) == "20240604T190242Z")
        let epochMillis = try #require(UBITimestamp.parse(.number("1717527762025")))
        #expect(UBITimestamp.string(from: epochMillis) == "2024-06-04T19:02:42.025Z")
    }

    @Test func queryRoundTripKeepsUnknownFieldsAndOrder() throws {
        let line =
            #"{"query_response_id":"r1","user_query":"printer","query_id":"q1","application":"Chorus","query":"{\"size\":0}","query_response_hit_ids":["B01","B02"],"query_attributes":{"device":"mobile"},"client_id":"c1","timestamp":"2025-01-24T07:31:52.102+0000"}"#
        let query = try UBIQuery(json: object(line))
        #expect(query.queryID == "q1")
        #expect(query.clientID == "c1")
        #expect(query.userQuery == "printer")
        #expect(query.responseHitIDs == ["B01", "B02"])
        #expect(query.attributes["device"] == .string("mobile"))
        #expect(query.queryResponseID == "r1")
        #expect(query.application == "Chorus")
        let expected = line.replacingOccurrences(of: "07:31:52.102+0000", with: "07:31:52.102Z")
        #expect(text(query.json) == expected)
        #expect(try UBIQuery(json: query.json) == query)
    }

    @Test func queryBuiltInMemoryWritesTypedFields() throws {
        var query = UBIQuery(
            queryID: "q9", timestamp: Date(timeIntervalSince1970: 0), clientID: "u1", userQuery: "usb",
            responseHitIDs: ["a", "b"])
        query.attributes["local_hour"] = .int(9)
        #expect(
            text(query.json)
                == #"{"query_id":"q9","client_id":"u1","user_query":"usb","query_response_hit_ids":["a","b"],"timestamp":"1970-01-01T00:00:00.000Z","query_attributes":{"local_hour":9}}"#
        )
        #expect(try UBIQuery(json: query.json) == query)
    }

    @Test func eventRoundTripKeepsNullsAndExtras() throws {
        let line =
            #"{"application":"esci_ubi_sample","action_name":"click","query_id":"q1","session_id":"s1","client_id":"c1","timestamp":1717527762025,"user_query":"futon","message_type":null,"message":null,"event_attributes":{"object":{"object_id":"B07CVR21VN","object_id_field":"asin"},"position":{"ordinal":3},"price":19.99},"user_id":""}"#
        let event = try UBIEvent(json: object(line))
        #expect(event.actionName == "click")
        #expect(event.objectID == "B07CVR21VN")
        #expect(event.objectIDField == "asin")
        #expect(event.position == 3)
        #expect(event.attributes["price"] == .number("19.99"))
        #expect(event.message == nil)
        let expected = line.replacingOccurrences(of: "1717527762025", with: #""2024-06-04T19:02:42.025Z""#)
        #expect(text(event.json) == expected)
        #expect(try UBIEvent(json: event.json) == event)
    }

    @Test func eventBuiltInMemoryNestsObjectAndPosition() {
        let event = UBIEvent(
            actionName: "add_to_cart", timestamp: Date(timeIntervalSince1970: 1), queryID: "q1", clientID: "u1",
            objectID: "B02", objectIDField: "asin", position: 1)
        #expect(
            text(event.json)
                == #"{"action_name":"add_to_cart","query_id":"q1","client_id":"u1","timestamp":"1970-01-01T00:00:01.000Z","event_attributes":{"object":{"object_id":"B02","object_id_field":"asin"},"position":{"ordinal":1}}}"#
        )
    }

    @Test func missingAndBadFieldsAreNamed() throws {
        let noID = try object(#"{"timestamp":"2024-12-10T00:01:29Z"}"#)
        #expect(throws: EventLogError.self) { try UBIQuery(json: noID) }
        #expect(errorMessage { _ = try UBIQuery(json: noID) }.contains("`query_id`"))

        let badTime = try object(#"{"action_name":"click","timestamp":"last tuesday"}"#)
        let badTimeMessage = errorMessage { _ = try UBIEvent(json: badTime) }
        #expect(badTimeMessage.contains("`timestamp`") && badTimeMessage.contains("last tuesday"))

        let arrayAttributes = try object(#"{"action_name":"click","timestamp":0,"event_attributes":[1]}"#)
        let arrayMessage = errorMessage { _ = try UBIEvent(json: arrayAttributes) }
        #expect(arrayMessage.contains("`event_attributes`") && arrayMessage.contains("found array"))

        let numericHit = try object(#"{"query_id":"q","timestamp":0,"query_response_hit_ids":["a",2]}"#)
        #expect(errorMessage { _ = try UBIQuery(json: numericHit) }.contains("`query_response_hit_ids`"))
    }
}
