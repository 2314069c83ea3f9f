import EventLog
import ExperimentAnalysis
import Experiments
import Foundation
import RerankCore
import RerankJSON

/// Simulated shoppers for the report's tests: each user has a click propensity of their own (so searches by
/// one user are correlated, as in real logs), and a planted effect shifts it in one arm.
enum Simulation {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// A 50/50 A/B experiment: `control` without reranking, `treatment` with.
    static func abExperiment() -> Experiment {
        Experiment(
            name: "model-ab", salt: "model-ab-salt", kind: .abTest,
            variants: [.init(name: "control", share: 0.5, treatment: .off), .init(name: "treatment", share: 0.5, treatment: .on(.init()))])
    }

    /// A/B logs: `users` users, assigned by the real assigner, `searches` searches each; a search is clicked
    /// with the user's propensity (uniform in 0.1…0.5) plus `lift` in the treatment arm.
    static func abLog(experiment: Experiment, users: Int, searches: Int, lift: Double, seed: UInt64) throws -> InteractionLog {
        var random = SplitMix64(seed: seed)
        let assigner = ExperimentAssigner([experiment])
        var log = InteractionLog()
        for user in 0..<users {
            let id = "user-\(seed)-\(user)"
            guard let assignment = try assigner.assign(clientID: id, at: start) else { continue }
            let propensity = 0.1 + 0.4 * random.nextUnitDouble() + (assignment.variantIndex == 0 ? 0 : lift)
            for search in 0..<searches {
                let queryID = "\(id)-q\(search)"
                let time = start.addingTimeInterval(Double(user * searches + search))
                var attributes = JSONObject()
                ExperimentTag(
                    experiment: experiment.name, variant: assignment.variantName, type: "ab", traffic: experiment.traffic,
                    split: experiment.variants.map { .init(variant: $0.name, share: $0.share) }
                ).write(into: &attributes)
                log.queries.append(UBIQuery(
                    queryID: queryID, timestamp: time, clientID: id, userQuery: "shoes",
                    responseHitIDs: (0..<10).map { "item-\($0)" }, attributes: attributes))
                guard random.nextUnitDouble() < propensity else { continue }
                let position = Int(random.next() % 10)
                log.events.append(UBIEvent(actionName: "click", timestamp: time.addingTimeInterval(1), queryID: queryID, clientID: id, objectID: "item-\(position)", position: position))
                if random.nextUnitDouble() < 0.3 {
                    log.events.append(UBIEvent(actionName: "add_to_cart", timestamp: time.addingTimeInterval(2), queryID: queryID, clientID: id, objectID: "item-\(position)"))
                }
            }
        }
        return log
    }

    /// A/A searches straight as report input: both arms click with the same per-user propensities.
    static func aaSearches(users: Int, searches: Int, random: inout SplitMix64) -> [ExperimentSearch] {
        var result: [ExperimentSearch] = []
        for user in 0..<users {
            let variant = random.next() & 1 == 0 ? "control" : "treatment"
            let propensity = 0.05 + 0.6 * random.nextUnitDouble()
            for _ in 0..<searches {
                let clicked = random.nextUnitDouble() < propensity
                result.append(ExperimentSearch(
                    experiment: "aa", variant: variant, user: "u\(user)", clicks: clicked ? 1 : 0,
                    firstClickPosition: clicked ? Int(random.next() % 10) : nil))
            }
        }
        return result
    }

    /// Interleaving searches through the real team draft: 10 hits, each user finds some of them attractive,
    /// clicks follow a position-biased cascade over the interleaved list. The control ranks hits in the
    /// engine's (random) order; the treatment puts the user's attractive hits first when `treatmentIsBetter`,
    /// else ranks exactly like the control.
    static func interleavingSearches(users: Int, searches: Int, treatmentIsBetter: Bool, random: inout SplitMix64) -> [ExperimentSearch] {
        var result: [ExperimentSearch] = []
        for user in 0..<users {
            let taste = 0.2 + 0.6 * random.nextUnitDouble()
            for _ in 0..<searches {
                let attractive = (0..<10).map { _ in random.nextUnitDouble() < 0.3 }
                let control = Array(0..<10)
                let treatment = treatmentIsBetter ? control.sorted { attractive[$0] && !attractive[$1] } : control
                let shown = TeamDraft.interleave(control: control, treatment: treatment, using: &random)
                var clicked: [Int] = []
                for (position, hit) in shown.enumerated() {
                    let examined = random.nextUnitDouble() < 1 / Double(position + 1).squareRoot()
                    if examined, attractive[hit.item], random.nextUnitDouble() < taste {
                        clicked.append(position)
                        if random.nextUnitDouble() < 0.5 { break }
                    }
                }
                let credit = TeamDraft.credit(teams: shown.map(\.team), clickedPositions: clicked)
                result.append(ExperimentSearch(
                    experiment: "interleaving", variant: "interleaved", user: "u\(user)", clicks: clicked.count,
                    firstClickPosition: clicked.first, controlCredit: credit.control, treatmentCredit: credit.treatment))
            }
        }
        return result
    }
}
