import Foundation
import RerankCore
import RerankJSON
import Testing

@testable import RerankServer

@Suite struct ContextBuilderTests {
    // 2026-11-23 15:30 UTC, a Monday.
    let builder = ContextBuilder(defaultTimeZone: "UTC", now: { Date(timeIntervalSince1970: 1_795_447_800) })

    func ext(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func headersGiveUserDeviceAndLocalTime() throws {
        let headers = ContextBuilder.Headers(user: "u1", session: "s1", device: nil, timeZone: "Europe/Berlin",
            userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148")
        let context = try builder.context(headers: headers, extension: nil)
        #expect(context.userID == "u1")
        #expect(context.sessionID == "s1")
        #expect(context.device == .mobile)
        #expect(context.localTime == LocalTime(hour: 16, weekday: 1))
        #expect(context.clientID == "u1")
    }

    @Test func extensionWinsOverHeaders() throws {
        let headers = ContextBuilder.Headers(user: "header-user", device: "desktop")
        let context = try builder.context(headers: headers, extension: try ext(#"""
            {"user_id":"u2","context":{"device":"tablet","timezone":"Asia/Tokyo","hour":20,"weekday":"sat"},
             "weight":0.7,"explain":true,"exclude_ids":["a","b"]}
            """#))
        #expect(context.userID == "u2")
        #expect(context.device == .tablet)
        #expect(context.timeZone == "Asia/Tokyo")
        #expect(context.localTime == LocalTime(hour: 20, weekday: 6))
        #expect(context.weight == 0.7)
        #expect(context.explain)
        #expect(context.excludedIDs == ["a", "b"])
    }

    @Test(arguments: [
        (#"{"weight":2}"#, "[ext.rerank.weight]"),
        (#"{"wieght":0.5}"#, "[ext.rerank.wieght] unknown field"),
        (#"{"context":{"device":"phone"}}"#, "[ext.rerank.context.device] unknown device 'phone'"),
        (#"{"context":{"timezone":"Mars/Base"}}"#, "[ext.rerank.context.timezone] unknown time zone"),
        (#"{"context":{"hour":24}}"#, "[ext.rerank.context.hour]"),
        (#"{"user_id":42}"#, "[ext.rerank.user_id] must be a string"),
        (#"{"exclude_ids":"a"}"#, "[ext.rerank.exclude_ids]"),
        (#"[]"#, "[ext.rerank] must be an object"),
    ])
    func malformedExtensionsNameTheField(text: String, prefix: String) throws {
        let value = try ext(text)
        do {
            _ = try builder.context(headers: .init(), extension: value)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.status == 400)
            #expect(error.reason.hasPrefix(prefix), "\(error.reason)")
        }
    }

    @Test func badHeadersAreRejected() {
        #expect(throws: RerankError.self) { try builder.context(headers: .init(device: "fridge"), extension: nil) }
        #expect(throws: RerankError.self) { try builder.context(headers: .init(timeZone: "Nope/Nope"), extension: nil) }
    }
}
