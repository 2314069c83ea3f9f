import Foundation
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct EventsControllerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func line(at offset: Double) -> String {
        let stamp = ISO8601DateFormatter().string(from: Self.now.addingTimeInterval(offset))
        return #"{"action_name":"click","client_id":"u","timestamp":"\#(stamp)","event_attributes":{"object":{"object_id":"a"}}}"#
    }

    @Test func eventsFromTheFutureAreRefusedPerLineWithTheReason() throws {
        let body = [line(at: -3600), line(at: 299), line(at: 301), line(at: 86_400 * 365 * 70)].joined(separator: "\n")
        let (events, results) = EventsController.parse(Array(body.utf8), now: Self.now, maxClockSkew: 300)
        #expect(events.count == 2, "an hour ago and within the skew are accepted")
        #expect(results.map { $0["status"]?.intValue } == [201, 201, 400, 400])
        let reason = try #require(results[2]["error"]?.objectValue?["reason"]?.stringValue)
        #expect(reason.contains("[timestamp]"))
        #expect(reason.contains("limits.max_clock_skew_s"))
    }

    @Test func anEventWithoutATimestampIsDatedNow() {
        let body = #"{"action_name":"click","client_id":"u","event_attributes":{"object":{"object_id":"a"}}}"#
        let (events, _) = EventsController.parse(Array(body.utf8), now: Self.now, maxClockSkew: 0)
        #expect(events.first?.timestamp == Self.now)
    }

    @Test func identicalEventsGetDistinctIdsAndAClientIdIsKept() throws {
        let same = #"{"action_name":"add_to_cart","client_id":"u","event_attributes":{"object":{"object_id":"a"}}}"#
        let own = #"{"action_name":"click","client_id":"u","event_id":"shop-42","event_attributes":{"object":{"object_id":"a"}}}"#
        let (events, results) = EventsController.parse(Array([same, same, own].joined(separator: "\n").utf8), now: Self.now, maxClockSkew: 0)
        let ids = events.compactMap { $0.json["event_id"]?.stringValue }
        #expect(ids.count == 3)
        #expect(ids[0] != ids[1], "two identical add-to-carts are two events")
        #expect(ids[0].count == 32 && ids[0].allSatisfy(\.isHexDigit))
        #expect(ids[2] == "shop-42")
        #expect(results.map { $0["_id"]?.stringValue } == ids)
        #expect(events.map { UBIIndex.events.documentID(of: $0.json, bytes: []) } == ids)
    }

    @Test(arguments: [#""event_id":"""#, #""event_id":7"#, #""event_id":"\#(String(repeating: "x", count: 513))""#])
    func anUnusableEventIdIsRefused(field: String) throws {
        let body = #"{"action_name":"click","client_id":"u",\#(field),"event_attributes":{"object":{"object_id":"a"}}}"#
        let (events, results) = EventsController.parse(Array(body.utf8), now: Self.now, maxClockSkew: 0)
        #expect(events.isEmpty)
        #expect(try #require(results.first?["error"]?.objectValue?["reason"]?.stringValue).contains("[event_id]"))
    }
}
