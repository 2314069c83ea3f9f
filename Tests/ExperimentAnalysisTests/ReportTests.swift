import EventLog
import ExperimentAnalysis
import Experiments
import Foundation
import RerankCore
import RerankJSON
import Testing

/// The report on logs: hand-computed figures, a planted effect found with an interval that covers it, and A/A
/// experiments significant at the false-positive rate.
struct ReportTests {
    static let time = Date(timeIntervalSince1970: 1_790_000_000)

    static func query(_ id: String, user: String, variant: String, forced: Bool = false, experiment: String? = "ab") -> UBIQuery {
        var attributes = JSONObject()
        ExperimentTag(
            experiment: experiment, variant: variant, type: experiment == nil ? nil : "ab", traffic: 1,
            split: experiment == nil ? [] : [.init(variant: "control", share: 0.5), .init(variant: "treatment", share: 0.5)],
            forced: forced
        ).write(into: &attributes)
        return UBIQuery(queryID: id, timestamp: time, clientID: user, userQuery: "q", responseHitIDs: ["x", "y", "z"], attributes: attributes)
    }

    static func event(_ action: String, _ queryID: String, object: String, position: Int? = nil, after seconds: Double = 1) -> UBIEvent {
        UBIEvent(actionName: action, timestamp: time.addingTimeInterval(seconds), queryID: queryID, objectID: object, position: position)
    }

    @Test func figuresMatchAHandComputation() throws {
        var log = InteractionLog()
        log.queries = [
            Self.query("q1", user: "a", variant: "control"), Self.query("q2", user: "a", variant: "control"),
            Self.query("q3", user: "b", variant: "control"), Self.query("q4", user: "c", variant: "treatment"),
            Self.query("q5", user: "d", variant: "treatment", forced: true), Self.query("q6", user: "e", variant: "default", experiment: nil),
        ]
        log.events = [
            Self.event("click", "q1", object: "x", position: 0), Self.event("add_to_cart", "q1", object: "x"),
            // Position from where the object was shown when the event has none; the earliest click counts for MRR.
            Self.event("click", "q3", object: "z", after: 9), Self.event("click", "q3", object: "y", after: 2),
            Self.event("purchase", "q3", object: "y"),
            Self.event("click", "q4", object: "z", position: 2), Self.event("click", "q5", object: "x", position: 0),
        ]
        let report = ExperimentReport(ExperimentLog(log))
        #expect(report.forcedSearches == 1)
        #expect(report.outsideSearches == 1)
        let experiment = try #require(report.experiments.first)
        #expect(experiment.variants.map(\.name) == ["control", "treatment"])
        let control = experiment.variants[0]
        #expect(control.searches == 3)
        #expect(control.users == 2)
        #expect(control.metrics[.ctr]?.value == 2.0 / 3)
        #expect(control.metrics[.clicksPerSearch]?.value == 1)
        #expect(control.metrics[.addToCartRate]?.value == 1.0 / 3)
        #expect(control.metrics[.purchaseRate]?.value == 1.0 / 3)
        let mrr: Double = (1 + 0 + 0.5) / 3
        #expect(control.metrics[.mrr]?.value == mrr)
        let treatment = experiment.variants[1]
        #expect(treatment.searches == 1)
        #expect(treatment.users == 1)
        #expect(treatment.metrics[.mrr]?.value == 1.0 / 3)
        let lift: Double = 1 - 2.0 / 3
        #expect(treatment.differences[.ctr]?.value == lift)
        #expect(experiment.winner == nil)
    }

    @Test func aPlantedLiftIsFoundAndItsIntervalCoversIt() throws {
        let experiment = Simulation.abExperiment()
        let log = try Simulation.abLog(experiment: experiment, users: 2_000, searches: 5, lift: 0.06, seed: 1)
        let report = ExperimentReport(ExperimentLog(log))
        let result = try #require(report.experiments.first)
        #expect(result.winner == "treatment", "\(result.verdict)")
        let difference = try #require(result.variants[1].differences[.ctr])
        #expect((difference.low...difference.high).contains(0.06), "interval [\(difference.low), \(difference.high)] misses the planted +0.06")
        #expect(result.sampleRatio?.mismatch == false)
        // Add-to-cart follows clicks at a fixed 30%, so its lift is planted too: 0.3 × 0.06.
        let cart = try #require(result.variants[1].differences[.addToCartRate])
        #expect((cart.low...cart.high).contains(0.018))
    }

    @Test func aaExperimentsAreSignificantAtTheFalsePositiveRate() {
        var random = SplitMix64(seed: 5)
        var significant = 0
        for _ in 0..<200 {
            var log = ExperimentLog(InteractionLog())
            // Ten searches per user with propensities spread over 0.05...0.65: a per-search binomial test would
            // call about one run in five significant here; only a per-user variance keeps to 5%.
            log.searches = Simulation.aaSearches(users: 100, searches: 10, random: &random)
            log.experiments = [ExperimentTag(experiment: "aa", variant: "control", type: "ab", split: [.init(variant: "control", share: 0.5), .init(variant: "treatment", share: 0.5)])]
            let result = ExperimentReport(log).experiments[0]
            if result.variants[1].differences[.ctr]?.significant == true { significant += 1 }
        }
        // Binomial(200, 0.05): mean 10, in 2...20 with probability > 0.998.
        #expect((2...20).contains(significant), "\(significant) of 200 A/A runs were significant at 0.05")
    }

    @Test func aSkewedSplitIsReportedAsASampleRatioMismatch() throws {
        var configured = Simulation.abExperiment()
        configured.variants[0].share = 0.7
        configured.variants[1].share = 0.3
        let log = try Simulation.abLog(experiment: Simulation.abExperiment(), users: 2_000, searches: 1, lift: 0, seed: 2)
        let report = ExperimentReport(ExperimentLog(log), configured: [configured])
        let result = try #require(report.experiments.first)
        #expect(result.sampleRatio?.mismatch == true)
        #expect(report.table().contains("WARNING: sample ratio mismatch"))
    }

    @Test func theReportRendersAsTableJSONAndHTML() throws {
        var random = SplitMix64(seed: 8)
        var log = ExperimentLog(InteractionLog())
        log.searches = Simulation.interleavingSearches(users: 100, searches: 3, treatmentIsBetter: true, random: &random)
        log.experiments = [ExperimentTag(experiment: "interleaving", variant: "interleaved", type: "interleaving")]
        let report = ExperimentReport(log)
        let json = report.json()
        let experiment = try #require(json["experiments"]?.arrayValue?.first?.objectValue)
        #expect(experiment["type"] == .string("interleaving"))
        let preference = try #require(experiment["preference"]?.objectValue)
        for key in ["share", "low", "high", "p_value", "wins", "losses", "ties"] { #expect(preference[key] != nil, "\(key)") }
        let variant = try #require(experiment["variants"]?.arrayValue?.first?.objectValue)
        #expect(variant["metrics"]?.objectValue?["mrr"]?.objectValue?["low"]?.doubleValue != nil)
        #expect(report.table().contains("preference for the treatment ranking"))
        let html = report.html(title: "report")
        #expect(html.contains("<svg"))
        #expect(html.contains("preference share"))
    }
}
