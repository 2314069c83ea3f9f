import Foundation
import RerankJSON
import Testing

@testable import EventLog

@Suite struct LogValidatorTests {
    private let now = UBITimestamp.parse("2025-01-02T00:00:00Z")!

    /// The log of a directory with one of each problem planted, and the directory to remove afterwards.
    private func plantedLog() throws -> (log: InteractionLog, directory: String) {
        let directory = try TestSupport.makeTemporaryDirectory()
        try TestSupport.write(
            """
            {"query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:00:10Z","query_response_hit_ids":["A","B","C"]}
            {"query_id":"q2","client_id":"u2","timestamp":"2025-01-01T00:00:05Z","query_response_hit_ids":["D"]}
            {"query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:00:20Z","query_response_hit_ids":["A"]}
            {"query_id":"q4","client_id":"u3","timestamp":"2025-01-01T00:00:30Z"}
            {"query_id":"q3","client_id":"u3","timestamp":"2030-01-01T00:00:00Z"}
            {"query_id":
            """ + "\n", to: directory + "/ubi_queries.ndjson")
        try TestSupport.write(
            """
            {"action_name":"click","query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:01:00Z","event_attributes":{"object":{"object_id":"A"}}}
            {"action_name":"click","query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:01:01Z","event_attributes":{"object":{"object_id":"Z"}}}
            {"action_name":"purchase","query_id":"q9","client_id":"u1","timestamp":"2025-01-01T00:01:02Z","event_attributes":{"object":{"object_id":"A"}}}
            {"action_name":"wishlist","query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:01:03Z","event_attributes":{"object":{"object_id":"A"}}}
            {"action_name":"impression","query_id":"q2","client_id":"u2","timestamp":"2025-01-01T00:01:04Z","event_attributes":{"object":{"object_id":"D"},"position":{"ordinal":0}}}
            {"action_name":"add_to_cart","query_id":"q2","client_id":"u2","timestamp":"2025-01-01T00:01:05Z","event_attributes":{"object":{"object_id":"E"}}}
            {"action_name":"click","query_id":"q2","client_id":"u2","timestamp":"2025-01-01T00:01:06Z","event_attributes":{"object":{"object_id":"D"}}}
            {"action_name":"click","query_id":"q4","client_id":"u3","timestamp":"2025-01-01T00:01:07Z","event_attributes":{"object":{"object_id":"anything"}}}
            """ + "\n", to: directory + "/ubi_events.ndjson")
        return (try InteractionLogReader().read(directory), directory)
    }

    @Test func findsEachPlantedProblem() throws {
        let (log, directory) = try plantedLog()
        defer { TestSupport.remove(directory) }
        let report = LogValidator().validate(log, now: now)
        let queries = directory + "/ubi_queries.ndjson"
        let events = directory + "/ubi_events.ndjson"

        #expect(report.hasErrors)
        #expect(
            report.findings.map(\.kind) == [
                .unreadableLine, .unknownQueryID, .interactionOnUnshownObject, .duplicateQueryID, .futureTimestamp,
                .timestampOutOfOrder, .unknownAction, .tooFewInteractions, .tooFewUsers,
            ])
        #expect(report.finding(.unreadableLine)?.examples.first?.hasPrefix("\(queries):6: torn last line") == false)
        #expect(report.finding(.unreadableLine)?.examples.first?.hasPrefix("\(queries):6: not valid JSON") == true)
        #expect(report.finding(.unknownQueryID)?.count == 1)
        #expect(report.finding(.unknownQueryID)?.examples == ["\(events):3 purchase query_id=q9"])
        #expect(
            report.finding(.interactionOnUnshownObject)?.examples == [
                "\(events):2 click object_id=Z query_id=q1", "\(events):6 add_to_cart object_id=E query_id=q2",
            ])
        #expect(report.finding(.duplicateQueryID)?.examples == ["query_id=q1: 2 records (\(queries):1, \(queries):3)"])
        #expect(report.finding(.futureTimestamp)?.examples == ["\(queries):5 query_id=q3 at 2030-01-01T00:00:00.000Z"])
        #expect(report.finding(.timestampOutOfOrder)?.severity == .warning)
        #expect(
            report.finding(.timestampOutOfOrder)?.examples == [
                "\(queries):2 2025-01-01T00:00:05.000Z comes after 2025-01-01T00:00:10.000Z"
            ])
        #expect(report.finding(.unknownAction)?.examples == ["wishlist: 1 event(s), first at \(events):4"])
        #expect(report.finding(.tooFewInteractions)?.count == 6)
        #expect(report.finding(.tooFewUsers)?.count == 2)
        #expect(report.finding(.tooFewUsers)?.examples == ["client_id=u3: 1 interaction(s)"])
        #expect(report.interactions == 6 && report.users == 3 && report.usersWithEnoughInteractions == 2)
    }

    @Test func configuredActionsAndThresholdsSilenceWarnings() throws {
        let (log, directory) = try plantedLog()
        defer { TestSupport.remove(directory) }
        var configuration = LogValidator.Configuration()
        configuration.extraActions = ["wishlist"]
        configuration.minimumInteractions = 5
        configuration.minimumUsers = 2
        configuration.orderTolerance = 10
        let report = LogValidator(configuration: configuration).validate(log, now: now)
        #expect(report.findings.allSatisfy { $0.severity == .error })
        #expect(report.finding(.unknownAction) == nil)
        #expect(report.interactions == 7)
    }

    @Test func aCleanLogHasNoFindings() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(
            #"{"query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:00:00Z","query_response_hit_ids":["A"]}"#
                + "\n",
            to: directory + "/ubi_queries.ndjson")
        try TestSupport.write(
            #"{"action_name":"click","query_id":"q1","client_id":"u1","timestamp":"2025-01-01T00:00:01Z","event_attributes":{"object":{"object_id":"A"}}}"#
                + "\n", to: directory + "/ubi_events.ndjson")
        var configuration = LogValidator.Configuration()
        configuration.minimumInteractions = 1
        configuration.minimumUsers = 1
        configuration.minimumInteractionsPerUser = 1
        let report = LogValidator(configuration: configuration).validate(
            try InteractionLogReader().read(directory), now: now)
        #expect(report.findings.isEmpty)
        #expect(!report.hasErrors)
        #expect(report.text.hasSuffix("No problems found.\n"))
        #expect(report.json["ok"] == .bool(true))
    }

    @Test func aTornLastLineIsAWarningNotAnError() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(
            #"{"query_id":"q1","timestamp":"2025-01-01T00:00:00Z"}"# + "\n" + #"{"query_id":"q2","time"#,
            to: directory + "/ubi_queries.ndjson")
        let report = LogValidator().validate(try InteractionLogReader().read(directory), now: now)
        #expect(!report.hasErrors)
        #expect(report.finding(.unreadableLine) == nil)
        #expect(report.finding(.tornLastLine)?.severity == .warning)
        #expect(
            report.finding(.tornLastLine)?.examples.first?.hasPrefix(
                "\(directory)/ubi_queries.ndjson:2: torn last line") == true)
    }

    @Test func examplesAreCappedButCountsAreNot() {
        let events = (0..<12).map {
            UBIEvent(actionName: "click", timestamp: now, queryID: "missing-\($0)", clientID: "u")
        }
        let report = LogValidator().validate(InteractionLog(events: events), now: now)
        #expect(report.finding(.unknownQueryID)?.count == 12)
        #expect(report.finding(.unknownQueryID)?.examples.count == 5)
        #expect(report.finding(.unknownQueryID)?.message.contains("12 query_id(s)") == true)
    }

    @Test func rendersTextAndJSON() throws {
        let (log, directory) = try plantedLog()
        defer { TestSupport.remove(directory) }
        let report = LogValidator().validate(log, now: now)
        let text = report.text
        #expect(text.hasPrefix("Checked 2 file(s): 5 queries, 8 events, 6 interactions from 3 users"))
        #expect(
            text.contains(
                "SEVERITY  PROBLEM                        COUNT\nerror     unreadable_line                    1\n"))
        #expect(text.contains("\nwarning   too_few_users                      2\n"))
        #expect(
            text.hasSuffix(
                "Result: 5 error(s), 4 warning(s); a trainer would learn something wrong from these logs until the errors are fixed.\n"
            ))

        let json = try #require(try JSONParser.parse(JSONWriter.bytes(.object(report.json))).objectValue)
        #expect(json["ok"] == .bool(false))
        #expect(json["errors"] == .int(5))
        #expect(json["warnings"] == .int(4))
        let findings = try #require(json["findings"]?.arrayValue)
        #expect(findings.count == 9)
        let first = try #require(findings.first?.objectValue)
        #expect(first.members.map(\.key) == ["kind", "severity", "count", "message", "examples"])
        #expect(first["kind"] == .string("unreadable_line"))
    }
}
