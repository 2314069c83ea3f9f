import Foundation
import LTRModel
import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// Joining TREC runs with qrels.
@Suite struct TRECRunTests {
    func files(run: String, qrels: String) throws -> (run: String, qrels: String, directory: URL) {
        let directory = try RankingFixtures.temporaryDirectory()
        let runURL = directory.appendingPathComponent("test.run")
        let qrelsURL = directory.appendingPathComponent("test.qrels")
        try run.write(to: runURL, atomically: true, encoding: .utf8)
        try qrels.write(to: qrelsURL, atomically: true, encoding: .utf8)
        return (runURL.path, qrelsURL.path, directory)
    }

    @Test func joinsJudgmentsKeepingRunOrderAndCountingWhatIsLeftOut() throws {
        let (run, qrels, directory) = try files(
            run: "q2 Q0 b 1 2.0 t\nq2 Q0 a 2 1.5 t\nq1 Q0 x 1 9 t\nq3\tQ0\tz\t1\t1\tt\n",
            qrels: "q1 0 x 0\nq1 0 y 2\nq2 0 a 3\nq2 0 c 1\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let joined = try TRECRun.read(run: run, qrels: qrels)
        #expect(joined.queries == ["q2", "q1"])
        #expect(joined.labels == [0, 3, 0])
        #expect(joined.scores == [2.0, 1.5, 9])
        #expect(joined.queryBoundaries == [0, 2, 3])
        #expect(joined.unjudgedQueries == 1)
        #expect(joined.unretrievedRelevant == 2)
    }

    @Test func refusesDuplicatesBadScoresAndRunsWithoutJudgments() throws {
        let duplicate = try files(run: "q1 Q0 a 1 1 t\nq1 Q0 a 2 0.5 t\n", qrels: "q1 0 a 1\n")
        defer { try? FileManager.default.removeItem(at: duplicate.directory) }
        #expect(throws: LTRError.malformedInput) { try TRECRun.read(run: duplicate.run, qrels: duplicate.qrels) }
        let badScore = try files(run: "q1 Q0 a 1 nan t\n", qrels: "q1 0 a 1\n")
        defer { try? FileManager.default.removeItem(at: badScore.directory) }
        #expect(throws: LTRError.malformedInput) { try TRECRun.read(run: badScore.run, qrels: badScore.qrels) }
        let shortLine = try files(run: "q1 Q0 a 1 1\n", qrels: "q1 0 a 1\n")
        defer { try? FileManager.default.removeItem(at: shortLine.directory) }
        #expect(throws: LTRError.malformedInput) { try TRECRun.read(run: shortLine.run, qrels: shortLine.qrels) }
        let unjudged = try files(run: "q1 Q0 a 1 1 t\n", qrels: "q9 0 a 1\n")
        defer { try? FileManager.default.removeItem(at: unjudged.directory) }
        #expect(throws: LTRError.missingGroups) { try TRECRun.read(run: unjudged.run, qrels: unjudged.qrels) }
    }
}
