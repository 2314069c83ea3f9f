import Foundation
import Testing

@testable import RerankCore

@Suite struct ContextTypesTests {
    @Test(arguments: [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", Device.mobile),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36", .mobile),
        ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15", .tablet),
        ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 Chrome/120 Safari/537.36", .tablet),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36", .desktop),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15", .desktop),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", .bot),
        ("opensearch-py/2.8.0 (Python 3.11.7)", .unknown),
        ("", .unknown),
    ])
    func classifiesUserAgents(agent: String, device: Device) {
        #expect(Device(userAgent: agent) == device)
    }

    @Test func localTimeFollowsTheZone() throws {
        // 2026-11-23 15:30 UTC is a Monday.
        let date = Date(timeIntervalSince1970: 1_795_447_800)
        #expect(LocalTime(date: date, timeZone: TimeZone(identifier: "UTC")!) == LocalTime(hour: 15, weekday: 1))
        #expect(LocalTime(date: date, timeZone: TimeZone(identifier: "Europe/Berlin")!) == LocalTime(hour: 16, weekday: 1))
        #expect(LocalTime(date: date, timeZone: TimeZone(identifier: "Asia/Tokyo")!) == LocalTime(hour: 0, weekday: 2))
        #expect(LocalTime(date: date, timeZone: TimeZone(identifier: "America/Los_Angeles")!) == LocalTime(hour: 7, weekday: 1))
        // Before the epoch: 1969-12-31 23:00 UTC was a Wednesday.
        #expect(LocalTime(date: Date(timeIntervalSince1970: -3600), timeZone: TimeZone(identifier: "UTC")!) == LocalTime(hour: 23, weekday: 3))
    }

    @Test func daypartsAndWeekends() {
        #expect(LocalTime(hour: 20, weekday: 6).daypart == .evening)
        #expect(LocalTime(hour: 20, weekday: 6).isWeekend)
        #expect(LocalTime(hour: 3, weekday: 5).daypart == .night)
        #expect(!LocalTime(hour: 9, weekday: 5).isWeekend)
        #expect(TimeZones.named("Nowhere/Atlantis") == nil)
        #expect(TimeZones.named("Europe/Paris") != nil)
    }

    @Test func errorsCarryStatusAndType() {
        #expect(RerankError.invalidRerankExtension(field: "ext.rerank.weight", "must be").status == 400)
        #expect(RerankError.forbiddenWrite(method: "PUT", path: "/x").status == 403)
        #expect(RerankError.upstreamTimeout("http://x", seconds: 1).status == 504)
        #expect(RerankError.upstreamUnreachable("http://x", "refused").status == 502)
        #expect(RerankError.bodyTooLarge(limit: 10).type == "content_too_long_exception")
        // Errors of one kind are equal, whatever their reason.
        #expect(RerankError.bodyTooLarge(limit: 10) == RerankError.bodyTooLarge(limit: 20))
        #expect(RerankError.notFound("a") != RerankError.logUnavailable("a"))
    }
}
