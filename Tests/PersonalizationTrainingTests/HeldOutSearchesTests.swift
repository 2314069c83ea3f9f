import Features
import Foundation
import Personalization
import RerankFixtures
import Testing

@testable import PersonalizationTraining

/// `rerank evaluate`'s replay: held-out searches from two passes over the logs, streamed or from memory.
@Suite struct HeldOutSearchesTests {
    /// Streamed from rotated files, the held-out searches, their rows and the position bias are the in-memory
    /// replay's.
    @Test(arguments: [HoldOut.time, .lastPerUser])
    func streamedFilesHoldOutWhatMemoryHoldsOut(holdOut: HoldOut) throws {
        let log = SyntheticLog.make(searches: 600)
        let directory = try SyntheticLog.writeFiles(log)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let builder = TrainingSetBuilder()
        let inMemory = try HeldOutSearches(log: log, builder: builder, items: SyntheticLog.items(), holdOut: holdOut)
        var first = try LogFileRecords(directory, blockSize: 4 << 10)
        var second = try LogFileRecords(directory, blockSize: 4 << 10)
        let streamed = try HeldOutSearches(
            reading: &first, again: &second, builder: builder, items: SyntheticLog.items(), holdOut: holdOut)
        #expect(inMemory.set.groupCount > 10)
        #expect(streamed.impressions.map(\.queryID) == inMemory.impressions.map(\.queryID))
        #expect(streamed.set.rows == inMemory.set.rows)
        #expect(streamed.set.labels == inMemory.set.labels)
        #expect(streamed.summary == inMemory.summary)
        #expect(streamed.positionBias != nil && streamed.positionBias == inMemory.positionBias)
    }

    /// The latest share of the searches with interactions, or each user's (else session's) last; the position
    /// bias from all of them.
    @Test func holdsOutTheLatestShareOrEachUsersLast() throws {
        let log = SyntheticLog.make(searches: 600)
        let builder = TrainingSetBuilder()
        let (set, impressions, _, _) = builder.build(
            impressions: log.loggedImpressions(), events: log.loggedEvents(), attributes: SyntheticLog.items())
        let count = Int((Double(set.groupCount) * 0.25).rounded())
        let latest = try HeldOutSearches(log: log, builder: builder, items: SyntheticLog.items(), fraction: 0.25)
        #expect(latest.impressions.map(\.queryID) == impressions.suffix(count).map(\.queryID))
        #expect(latest.set.rows == set.subset((set.groupCount - count)..<set.groupCount).rows)
        #expect(latest.positionBias == PositionBiasEstimator().estimate(set))

        let last = try HeldOutSearches(log: log, builder: builder, items: SyntheticLog.items(), holdOut: .lastPerUser)
        var lastSearch: [String: String] = [:]
        for impression in impressions {
            if let user = impression.userID ?? impression.sessionID { lastSearch[user] = impression.queryID }
        }
        #expect(last.impressions.count == lastSearch.count && lastSearch.count > 10)
        #expect(Set(last.impressions.map(\.queryID)) == Set(lastSearch.values))
        #expect(last.impressions.map(\.time) == last.impressions.map(\.time).sorted())
    }

    @Test func logsWithoutInteractionsHaveNothingToEvaluate() throws {
        var log = SyntheticLog.make(searches: 50)
        log.events = []
        #expect(throws: TrainingError.self) {
            try HeldOutSearches(log: log, builder: TrainingSetBuilder(), items: [:])
        }
    }
}
