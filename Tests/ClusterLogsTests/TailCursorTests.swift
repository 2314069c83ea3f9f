import Foundation
import RerankJSON
import Testing

@testable import ClusterLogs

@Suite struct TailCursorTests {
    private let since = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func admitsEachNumberOnceAndNeverItsOwn() {
        var cursor = TailCursor(own: "me", since: since)
        let admitted1 = cursor.admit(instance: "a", sequence: 5)
        #expect(admitted1)
        let admitted2 = cursor.admit(instance: "a", sequence: 5)
        #expect(!admitted2)
        let admitted3 = cursor.admit(instance: "a", sequence: 6)
        #expect(admitted3)
        let admitted4 = cursor.admit(instance: "a", sequence: 4)
        #expect(!admitted4, "a number below the first one seen was written before the tail began")
        let admitted5 = cursor.admit(instance: "me", sequence: 1)
        #expect(!admitted5)
        #expect(cursor.writers["a"] == TailCursor.Progress(applied: 6))
    }

    @Test func aNumberArrivingLateFillsItsGap() {
        var cursor = TailCursor(own: "me", since: since)
        let admitted6 = cursor.admit(instance: "a", sequence: 1)
        #expect(admitted6)
        let admitted7 = cursor.admit(instance: "a", sequence: 3)
        #expect(admitted7)
        let admitted8 = cursor.admit(instance: "a", sequence: 4)
        #expect(admitted8)
        #expect(cursor.writers["a"]?.applied == 1)
        #expect(cursor.writers["a"]?.runs == [3...4])
        let admitted9 = cursor.admit(instance: "a", sequence: 3)
        #expect(!admitted9)
        let admitted10 = cursor.admit(instance: "a", sequence: 2)
        #expect(admitted10)
        #expect(cursor.writers["a"] == TailCursor.Progress(applied: 4))
    }

    @Test func aGapOpenPastTheTimeoutIsGivenUp() {
        var cursor = TailCursor(own: "me", since: since)
        _ = cursor.admit(instance: "a", sequence: 1)
        _ = cursor.admit(instance: "a", sequence: 4)
        let settled11 = cursor.settle(now: 100)
        #expect(settled11 == 0)
        let settled12 = cursor.settle(now: 100 + TailCursor.gapTimeout / 2)
        #expect(settled12 == 0)
        let settled13 = cursor.settle(now: 100 + TailCursor.gapTimeout)
        #expect(settled13 == 2)
        #expect(cursor.writers["a"] == TailCursor.Progress(applied: 4))
        let admitted14 = cursor.admit(instance: "a", sequence: 3)
        #expect(!admitted14, "a number given up is not applied when it shows up later")
    }

    @Test func tooManyRunsGiveUpTheLowestGap() {
        var cursor = TailCursor(own: "me", since: since)
        _ = cursor.admit(instance: "a", sequence: 1)
        for number in stride(from: 3, through: 3 + 2 * TailCursor.maxRuns, by: 2) { _ = cursor.admit(instance: "a", sequence: number) }
        #expect(cursor.writers["a"]!.runs.count == TailCursor.maxRuns + 1)
        let settled15 = cursor.settle(now: 0)
        #expect(settled15 == 1)
        #expect(cursor.writers["a"]!.applied == 3)
        #expect(cursor.writers["a"]!.runs.count == TailCursor.maxRuns)
    }

    @Test func startTakesTheCatchUpsRecordsAsApplied() {
        var cursor = TailCursor(own: "me", since: since)
        cursor.start(with: [("a", 12), ("a", 10), ("b", 3), ("me", 7), ("a", 14)])
        #expect(cursor.writers["a"] == TailCursor.Progress(applied: 10, runs: [12...12, 14...14]))
        #expect(cursor.writers["b"] == TailCursor.Progress(applied: 3))
        #expect(cursor.writers["me"] == nil)
        let admitted16 = cursor.admit(instance: "a", sequence: 11)
        #expect(admitted16)
        #expect(cursor.writers["a"] == TailCursor.Progress(applied: 12, runs: [14...14]))
    }

    @Test func theQueryAsksKnownWritersPastTheirProgressAndOthersPastSince() throws {
        var cursor = TailCursor(own: "me", since: since)
        _ = cursor.admit(instance: "a", sequence: 1)
        _ = cursor.admit(instance: "a", sequence: 3)
        let text = String(decoding: JSONWriter.bytes(.object(cursor.query)), as: UTF8.self)
        #expect(text.contains(#"{"term":{"rerank_instance":"me"}}"#))
        #expect(text.contains(#"{"term":{"rerank_instance":"a"}},{"range":{"rerank_seq":{"gt":1}}}"#))
        #expect(text.contains(#"{"range":{"rerank_seq":{"gte":3,"lte":3}}}"#))
        #expect(text.contains(#"{"terms":{"rerank_instance":["a"]}}"#))
        #expect(text.contains(#""timestamp":{"gt":"2023-11-14T22:13:20.000Z"}"#))
    }

    @Test func aNewWriterOnAnUnsortedPageStartsBelowItsLowestNumber() {
        var cursor = TailCursor(own: "me", since: since)
        let admitted = cursor.admit([("a", 7), ("a", 5), ("b", 2), ("a", 6), ("a", 5), ("me", 1)])
        #expect(admitted == [true, true, true, true, false, false])
        #expect(cursor.writers["a"] == TailCursor.Progress(applied: 7))
        #expect(cursor.writers["b"] == TailCursor.Progress(applied: 2))
    }

    @Test func noGapIsGivenUpOnAPartialView() {
        var cursor = TailCursor(own: "me", since: since)
        _ = cursor.admit([("a", 1), ("a", 3)])
        let partial = cursor.settle(now: 0, viewComplete: false)
        let stillPartial = cursor.settle(now: TailCursor.gapTimeout * 3, viewComplete: false)
        #expect(partial == 0 && stillPartial == 0)
        #expect(cursor.writers["a"]?.runs == [3...3])
        let complete = cursor.settle(now: TailCursor.gapTimeout * 4)
        #expect(complete == 0, "the gap's clock starts with the first complete view")
        let later = cursor.settle(now: TailCursor.gapTimeout * 5)
        #expect(later == 1)
    }
}
