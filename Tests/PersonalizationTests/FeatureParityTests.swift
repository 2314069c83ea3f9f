import Features
import RerankFixtures
import Testing

@testable import Personalization

@Suite struct FeatureParityTests {
    /// Replays one log through the trainer and through the live state as serving updates it (searches queued
    /// and applied off the request path, events in batches): every trained search gets the same row.
    @Test(arguments: [false, true])
    func servingComputesTheRowsTrainingComputed(hitsCarryAttributes: Bool) {
        let log = SyntheticLog.make(searches: 600)
        let items = SyntheticLog.items()
        let impressions = log.loggedImpressions().sorted { $0.time < $1.time }
        let events = log.loggedEvents().sorted { $0.time < $1.time }
        let (set, labelled, _, _) = TrainingSetBuilder().build(impressions: impressions, events: events, attributes: items)
        #expect(set.groupCount > 50)

        var start = FeatureReplay()
        start.learn(attributes: items)
        let live = LiveFeatureState(start.store)
        var served: [String: [Float]] = [:]
        var next = 0
        for impression in impressions {
            let first = next
            while next < events.count, events[next].time < impression.time { next += 1 }
            live.apply(Array(events[first..<next]))
            var candidates = impression.candidates
            if hitsCarryAttributes {
                for index in candidates.indices { candidates[index] = Candidate(
                    id: candidates[index].id, searchScore: candidates[index].searchScore,
                    originalRank: candidates[index].originalRank, attributes: items[candidates[index].id]) }
            }
            served[impression.queryID] = live.features(for: candidates, in: impression.context)
            live.enqueue(impression)
        }
        let width = FeatureSchema.width
        var compared = 0
        for (group, impression) in labelled.enumerated() {
            let rows = Array(set.rows[(set.groupBoundaries[group] * width)..<(set.groupBoundaries[group + 1] * width)])
            #expect(served[impression.queryID] == rows, "search \(impression.queryID)")
            compared += 1
        }
        #expect(compared == set.groupCount)
    }
}
