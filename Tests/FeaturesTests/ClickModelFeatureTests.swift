import Foundation
import RerankCore
import Testing

@testable import Features

/// The click-model features: COEC per query × item and cascade attractiveness per item and per query × item.
extension FeatureStoreTests {
    /// The item's cascade counts, rounded to 1/100 (counters fade a little between events).
    func cascade(of item: String, in store: FeatureStore) -> RateCounts? {
        store.items.slot(of: FeatureKey.of(item)).map { store.items.values[$0].cascade }.map {
            RateCounts(shown: ($0.shown * 100).rounded() / 100, clicks: ($0.clicks * 100).rounded() / 100)
        }
    }

    @Test func theCascadeCountsResultsDownToTheLastClickAsExamined() {
        var replay = FeatureReplay()
        for step in 0..<20 {
            replay.apply(impression("q\(step)", ["a", "b", "c", "d"], at: Double(step * 10)))
            replay.apply(event(.click, "c", at: Double(step * 10 + 1), in: "q\(step)", position: 2))
        }
        #expect(cascade(of: "a", in: replay.store) == RateCounts(shown: 20, clicks: 0))
        #expect(cascade(of: "c", in: replay.store) == RateCounts(shown: 20, clicks: 20))
        #expect(cascade(of: "d", in: replay.store) == RateCounts(shown: 0, clicks: 0), "below the last click")
        let candidates = ["a", "c", "d"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        let rows = replay.features(for: candidates, in: context(at: 300))
        let (a, c, d) = (value(.itemCascadeAttractiveness, rows, row: 0), value(.itemCascadeAttractiveness, rows, row: 1),
                         value(.itemCascadeAttractiveness, rows, row: 2))
        #expect(c > d && d > a, "clicked > never examined (the prior) > examined and skipped: \(c), \(d), \(a)")
        #expect(value(.queryItemCascadeAttractiveness, rows, row: 1) > value(.queryItemCascadeAttractiveness, rows, row: 0))
        // Another query's pairs were never examined: they fall back to the item's attractiveness.
        let other = replay.features(for: candidates, in: FeatureContext(
            time: 300, userID: "u", sessionID: "s", device: .desktop, localTime: Self.noon, query: "boot"))
        #expect(value(.queryItemCascadeAttractiveness, other, row: 1) < value(.queryItemCascadeAttractiveness, rows, row: 1))
    }

    @Test func aSecondClickHigherUpIsNotASecondExamination() {
        var replay = FeatureReplay()
        replay.apply(impression("q", ["a", "b", "c", "d"], at: 10))
        replay.apply(event(.click, "c", at: 11, in: "q", position: 2))
        replay.apply(event(.click, "b", at: 12, in: "q", position: 1))
        replay.apply(event(.click, "d", at: 13, in: "q", position: 3))
        #expect(cascade(of: "a", in: replay.store) == RateCounts(shown: 1, clicks: 0))
        #expect(cascade(of: "b", in: replay.store) == RateCounts(shown: 1, clicks: 1))
        #expect(cascade(of: "d", in: replay.store) == RateCounts(shown: 1, clicks: 1))
        #expect(replay.store.totalCascade == RateCounts(shown: 4, clicks: 3))
    }

    @Test func clicksWithoutTheirSearchAndOtherEventsLeaveTheCascadeAlone() {
        var replay = FeatureReplay()
        replay.apply(impression("q", ["a", "b"], at: 10))
        replay.apply(event(.click, "b", at: 11, in: nil))
        replay.apply(event(.click, "b", at: 11, in: "never-logged"))
        replay.apply(event(.purchase, "b", at: 12, in: "q"))
        replay.apply(event(.click, "z", at: 13, in: "q"))
        #expect(replay.store.totalCascade == RateCounts())
        #expect(cascade(of: "b", in: replay.store) == RateCounts())
    }

    @Test func clicksLowDownCountForMoreInTheQueryItemCOEC() {
        var replay = FeatureReplay()
        let items = (0..<6).map { "filler\($0)" }
        // Many searches teach the store that position 5 is rarely looked at: 40% of clicks at the top, 4% at 5.
        for step in 0..<400 {
            let time = Double(step)
            replay.apply(impression("o\(step)", items, at: time, query: "other"))
            if step % 5 < 2 { replay.apply(event(.click, items[0], at: time + 0.5, in: "o\(step)", position: 0)) }
            if step % 25 == 0 { replay.apply(event(.click, items[5], at: time + 0.5, in: "o\(step)", position: 5)) }
        }
        // For "shoe", "top" is always first and "low" always sixth, and both are clicked equally often.
        for step in 0..<40 {
            let time = Double(500 + step)
            replay.apply(impression("s\(step)", ["top"] + items[1...4] + ["low"], at: time))
            guard step.isMultiple(of: 4) else { continue }
            replay.apply(event(.click, "top", at: time + 0.5, in: "s\(step)", position: 0))
            replay.apply(event(.click, "low", at: time + 0.5, in: "s\(step)", position: 5))
        }
        let candidates = ["top", "low"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        let rows = replay.features(for: candidates, in: context(at: 600))
        #expect(abs(value(.queryItemCTR, rows, row: 0) - value(.queryItemCTR, rows, row: 1)) < 1e-6)
        #expect(value(.queryItemDebiasedCTR, rows, row: 1) > 2 * value(.queryItemDebiasedCTR, rows, row: 0))
    }

    @Test func aSnapshotKeepsTheClickModelCounts() throws {
        var replay = FeatureReplay()
        replay.apply(impression("q", ["a", "b", "c"], at: 10))
        replay.apply(event(.click, "b", at: 11, in: "q", position: 1))
        let restored = try JSONDecoder().decode(FeatureStore.self, from: JSONEncoder().encode(replay.store))
        #expect(restored.totalCascade == replay.store.totalCascade)
        #expect(cascade(of: "b", in: restored) == RateCounts(shown: 1, clicks: 1))
        let pair = try #require(restored.queryItems.slot(of: FeatureKey.pair(FeatureKey.of("shoe"), FeatureKey.of("b"))))
        #expect(restored.queryItems.values[pair] == replay.store.queryItems.values[pair])
        #expect(restored.queryItems.values[pair].examinations > 0)
    }
}
