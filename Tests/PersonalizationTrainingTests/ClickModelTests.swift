import EventLog
import Features
import RerankFixtures
import Testing

@testable import PersonalizationTraining

/// The click models on a log with planted attractiveness and position-biased clicks, and on hand-made logs whose
/// scores can be worked out by hand.
@Suite struct ClickModelTests {
    static let planted = SyntheticClickLog.make()

    /// Options that judge every pair shown at least 20 times, clicks only.
    static func options(_ model: JudgmentOptions.Model, expected: JudgmentOptions.ExpectedClicks = .positionCTR) -> JudgmentOptions {
        var options = JudgmentOptions()
        options.model = model
        options.expectedClicks = expected
        options.minImpressions = 20
        options.gains = LabelGains()
        options.gains.addToCart = 1
        return options
    }

    /// Mean over queries of Kendall's tau between `scores` and the planted attractiveness of the same items.
    static func agreement(_ scores: [QueryItem: Double]) -> Double {
        var taus: [Double] = []
        for (query, truth) in planted.attractiveness {
            let items = truth.keys.filter { scores[QueryItem(query: query, item: $0)] != nil }
            var concordant = 0.0
            var pairs = 0.0
            for (a, b) in items.indices.flatMap({ i in (items.indices).filter { $0 > i }.map { (i, $0) } }) {
                let estimated = scores[QueryItem(query: query, item: items[a])]! - scores[QueryItem(query: query, item: items[b])]!
                let planted = truth[items[a]]! - truth[items[b]]!
                concordant += estimated * planted > 0 ? 1 : -1
                pairs += 1
            }
            if pairs > 0 { taus.append(concordant / pairs) }
        }
        return taus.reduce(0, +) / Double(taus.count)
    }

    static func scores(_ judgments: JudgmentList) -> [QueryItem: Double] {
        Dictionary(uniqueKeysWithValues: judgments.judgments.map { (QueryItem(query: $0.query, item: $0.item), $0.score) })
    }

    /// Clicks ÷ impressions, what a model that ignores position bias would use.
    static func rawCTR() -> [QueryItem: Double] {
        var counts: [QueryItem: (clicks: Double, shown: Double)] = [:]
        for search in ClickLog(log: planted.log).searches {
            for (index, item) in search.items.enumerated() {
                counts[QueryItem(query: search.query, item: item), default: (0, 0)].clicks += search.credits[index] > 0 ? 1 : 0
                counts[QueryItem(query: search.query, item: item), default: (0, 0)].shown += 1
            }
        }
        return counts.mapValues { $0.clicks / $0.shown }
    }

    @Test func clickModelsRecoverPlantedAttractivenessThatRawClickRatesMiss() throws {
        let raw = Self.agreement(Self.rawCTR())
        let sdbn = Self.agreement(Self.scores(try JudgmentList.make(from: Self.planted.log, options: Self.options(.sdbn))))
        let coec = Self.agreement(Self.scores(try JudgmentList.make(from: Self.planted.log, options: Self.options(.coec))))
        let estimated = Self.agreement(Self.scores(
            try JudgmentList.make(from: Self.planted.log, options: Self.options(.coec, expected: .estimated))))
        #expect(raw < 0.4, "raw click rates mostly follow the engine's order: tau \(raw)")
        #expect(sdbn > 0.8, "sdbn orders each query's items as planted: tau \(sdbn)")
        for (name, tau) in [("coec", coec), ("coec estimated", estimated)] {
            #expect(tau > raw + 0.3, "\(name) \(tau) vs raw click rate \(raw)")
        }
        #expect(sdbn > coec, "people here scan from the top as SDBN assumes; COEC's position average ignores what sits above")
    }

    @Test func sdbnScoresAreClickProbabilitiesOfExaminedItems() throws {
        let judgments = try JudgmentList.make(from: Self.planted.log, options: Self.options(.sdbn))
        var errors: [Double] = []
        for judgment in judgments.judgments {
            errors.append(abs(judgment.score - Self.planted.attractiveness[judgment.query]![judgment.item]!))
        }
        let mean = errors.reduce(0, +) / Double(errors.count)
        #expect(judgments.judgments.count > 120, "most of the 200 pairs are examined 20 times")
        #expect(mean < 0.1, "mean absolute error \(mean) of the estimated click probability")
    }

    @Test func sdbnCountsOnlyImpressionsAtOrAboveTheLastClick() throws {
        var hand = HandLog()
        for _ in 0..<4 {
            let search = hand.search("shoes", shows: ["a", "b", "c", "d"])
            hand.act("click", on: "b", in: search)
        }
        hand.search("shoes", shows: ["a", "b", "c", "d"])  // no interaction: examined nothing
        var options = JudgmentOptions()
        options.minImpressions = 1
        options.smoothing = 0
        let judgments = try JudgmentList.make(from: hand.log, options: options)
        let byItem = Dictionary(uniqueKeysWithValues: judgments.judgments.map { ($0.item, $0) })
        #expect(Set(byItem.keys) == ["a", "b"], "c and d sit below every last click")
        #expect(byItem["a"]?.evidence == ClickEvidence(impressions: 4, credit: 0, exposure: 4))
        #expect(byItem["b"]?.score == 1)
        #expect(byItem["a"]?.score == 0)
        #expect(judgments.summary.searches == 5 && judgments.summary.searchesWithInteractions == 4)
    }

    @Test func coecComparesClicksWithThoseExpectedAtTheSamePositions() throws {
        var hand = HandLog()
        // Position 0 is clicked in 2 of 4 searches, position 1 in 1 of 4: expected 0.5 and 0.25 per impression.
        for (first, second, clicked) in [("a", "b", "a"), ("a", "b", "b"), ("c", "a", "c"), ("c", "a", nil)] {
            let search = hand.search("bags", shows: [first, second])
            if let clicked { hand.act("click", on: clicked, in: search) }
        }
        var options = JudgmentOptions()
        options.model = .coec
        options.minImpressions = 1
        options.smoothing = 0
        let judgments = try JudgmentList.make(from: hand.log, options: options)
        let byItem = Dictionary(uniqueKeysWithValues: judgments.judgments.map { ($0.item, $0) })
        // a: 1 click; shown at 0 twice and 1 twice: expected 0.5 + 0.5 + 0.25 + 0.25 = 1.5.
        #expect(byItem["a"]?.evidence.exposure == 1.5)
        #expect(abs((byItem["a"]?.score ?? 0) - 1 / 1.5) < 1e-12)
        #expect(byItem["b"]?.score == 1 / 0.5)
        #expect(byItem["c"]?.score == 1 / 1.0)
        #expect(judgments.summary.searchesWithInteractions == 3)
    }

    @Test func smoothingKeepsOneClickInOneImpressionFromAPerfectScore() throws {
        var hand = HandLog()
        let lucky = hand.search("lamp", shows: ["once"])
        hand.act("click", on: "once", in: lucky)
        for _ in 0..<20 {
            let search = hand.search("lamp", shows: ["dud", "steady"])
            hand.act("click", on: "steady", in: search)
        }
        var options = JudgmentOptions()
        options.minImpressions = 1
        let smoothed = Dictionary(uniqueKeysWithValues: try JudgmentList.make(from: hand.log, options: options).judgments.map { ($0.item, $0.score) })
        #expect(smoothed["once"]! < 0.8, "1 of 1 is shrunk towards the average, 21 clicks in 41 examinations")
        #expect(smoothed["once"]! < smoothed["steady"]!, "20 of 20 says more than 1 of 1")
        options.smoothing = 0
        let raw = Dictionary(uniqueKeysWithValues: try JudgmentList.make(from: hand.log, options: options).judgments.map { ($0.item, $0.score) })
        #expect(raw["once"] == 1 && raw["steady"] == 1 && raw["dud"] == 0)
    }

    @Test func purchasesOutweighAddsToCartWhichOutweighClicks() throws {
        var hand = HandLog()
        for round in 0..<6 {
            let search = hand.search("kettle", shows: ["clicked", "carted", "bought"])
            hand.act("click", on: "clicked", in: search)
            hand.act("click", on: "carted", in: search)
            hand.act("add_to_cart", on: "carted", in: search)
            if round < 3 {
                hand.act("click", on: "bought", in: search)
                hand.act("add_to_cart", on: "bought", in: search)
                hand.act("purchase", on: "bought", in: search)
            }
        }
        let judgments = try JudgmentList.make(from: hand.log)
        #expect(judgments.judgments.map(\.item) == ["bought", "carted", "clicked"])
        let bought = try #require(judgments.judgments.first)
        #expect(bought.evidence == ClickEvidence(impressions: 3, credit: 9, exposure: 3), "each search credits its best interaction; three did not reach it")
        var clicksOnly = JudgmentOptions()
        clicksOnly.gains.addToCart = 1
        clicksOnly.gains.purchase = 1
        let flat = try JudgmentList.make(from: hand.log, options: clicksOnly)
        let flatScores = Dictionary(uniqueKeysWithValues: flat.judgments.map { ($0.item, $0.score) })
        #expect(flatScores["carted"] == flatScores["clicked"], "an add to cart is a click when every gain is 1")
    }
}
