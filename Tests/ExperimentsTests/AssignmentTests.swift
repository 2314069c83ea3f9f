import Experiments
import Foundation
import RerankCore
import Testing

/// Assignment is a fixed hash: stable, uniform, independent across salts, and honours traffic, schedule and
/// the override header.
struct AssignmentTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let ids = (0..<20_000).map { "user-\($0)" }

    /// Pearson's chi-square of `counts` against equal expected counts.
    static func chiSquare(_ counts: [Int], expected: [Double]) -> Double {
        zip(counts, expected).reduce(0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) / $1.1 }
    }

    @Test func theHashIsFixedAcrossProcessesAndMachines() {
        // FNV-1a 64 of "model-ab-1\u{1F}alice", mixed by SplitMix64: computed independently in Python.
        #expect(StableBucket.hash(salt: "model-ab-1", id: "alice") == 0xe997_e247_4f76_5e0d)
        #expect(StableBucket.unit(salt: "model-ab-1", id: "alice") == Double(UInt64(0xe997_e247_4f76_5e0d) >> 11) * 0x1.0p-53)
        #expect(StableBucket.unit(salt: "model-ab-2", id: "alice") != StableBucket.unit(salt: "model-ab-1", id: "alice"))
    }

    @Test func bucketsAreUniform() {
        var counts = Array(repeating: 0, count: 10)
        for id in Self.ids { counts[Int(StableBucket.unit(salt: "s", id: id) * 10)] += 1 }
        // chi-square with 9 degrees of freedom exceeds 27.88 with probability 0.001.
        #expect(Self.chiSquare(counts, expected: Array(repeating: 2_000, count: 10)) < 27.88, "\(counts)")
    }

    @Test func experimentsWithDifferentSaltsSplitUsersIndependently() {
        var table = [0, 0, 0, 0]
        for id in Self.ids {
            let first = StableBucket.unit(salt: "checkout", id: id) < 0.5 ? 0 : 1
            let second = StableBucket.unit(salt: "search", id: id) < 0.5 ? 0 : 1
            table[first * 2 + second] += 1
        }
        // Independence: each cell holds a quarter; chi-square (1 degree of freedom for a 2x2 table) under 10.83, p 0.001.
        #expect(Self.chiSquare(table, expected: Array(repeating: 5_000, count: 4)) < 10.83, "\(table)")
    }

    @Test func variantsFollowTheConfiguredSplitAndStick() throws {
        let experiment = Experiment(name: "ab", variants: [
            .init(name: "control", share: 0.8, treatment: .off), .init(name: "model", share: 0.2, treatment: .on(.init())),
        ])
        let assigner = ExperimentAssigner([experiment])
        var counts = [0, 0]
        for id in Self.ids {
            let assignment = try #require(try assigner.assign(clientID: id, at: Self.now))
            counts[assignment.variantIndex ?? 0] += 1
            #expect(try assigner.assign(clientID: id, at: Self.now.addingTimeInterval(3600)) == assignment)
        }
        #expect(Self.chiSquare(counts, expected: [16_000, 4_000]) < 10.83, "\(counts)")
    }

    @Test func usersOutsideTheTrafficShareGetTheDefaultAndRampingUpMovesNobody() throws {
        let small = Experiment(name: "ab", traffic: 0.3, variants: [
            .init(name: "control", share: 0.5, treatment: .off), .init(name: "model", share: 0.5, treatment: .on(.init())),
        ])
        var large = small
        large.traffic = 0.6
        var inSmall = 0
        for id in Self.ids {
            let before = try ExperimentAssigner([small]).assign(clientID: id, at: Self.now)
            let after = try ExperimentAssigner([large]).assign(clientID: id, at: Self.now)
            if let before {
                inSmall += 1
                #expect(after?.variantIndex == before.variantIndex, "ramping up traffic must not move \(id)")
            }
        }
        // Binomial(20000, 0.3): mean 6000, standard deviation 65; four deviations either side.
        #expect(abs(inSmall - 6_000) < 260, "\(inSmall) users in a 30% experiment")
        #expect(try ExperimentAssigner([small]).assign(clientID: nil, at: Self.now) == nil)
    }

    @Test func theScheduleBoundsTheExperiment() throws {
        let experiment = Experiment(
            name: "ab", variants: [.init(name: "control", treatment: .off)],
            start: Self.now, stop: Self.now.addingTimeInterval(60))
        let assigner = ExperimentAssigner([experiment])
        #expect(try assigner.assign(clientID: "alice", at: Self.now.addingTimeInterval(-1)) == nil)
        #expect(try assigner.assign(clientID: "alice", at: Self.now) != nil)
        #expect(try assigner.assign(clientID: "alice", at: Self.now.addingTimeInterval(60)) == nil)
    }

    @Test func aSearchTakesPartInTheFirstExperimentThatHoldsItsUser() throws {
        let first = Experiment(name: "first", traffic: 0.5, variants: [.init(name: "a", treatment: .off)])
        let second = Experiment(name: "second", kind: .interleaving, variants: [
            .init(name: "engine", treatment: .off), .init(name: "model", treatment: .on(.init())),
        ])
        let assigner = ExperimentAssigner([first, second])
        var counts: [String: Int] = [:]
        for id in Self.ids.prefix(4_000) {
            let assignment = try #require(try assigner.assign(clientID: id, at: Self.now))
            counts[assignment.experiment.name, default: 0] += 1
            if assignment.experiment.name == "second" { #expect(assignment.variantName == "interleaved") }
        }
        #expect(abs((counts["first"] ?? 0) - 2_000) < 130, "\(counts)")
    }

    @Test func theOverrideHeaderForcesAVariantAndRefusesUnknownNames() throws {
        let assigner = ExperimentAssigner([
            Experiment(name: "ab", traffic: 0, variants: [.init(name: "control", share: 0.5, treatment: .off), .init(name: "model", share: 0.5, treatment: .on(.init()))]),
            Experiment(name: "il", kind: .interleaving, variants: [.init(name: "engine", treatment: .off), .init(name: "model", treatment: .on(.init()))]),
        ])
        let forced = try #require(try assigner.assign(clientID: "alice", at: Self.now, override: "ab/model"))
        #expect(forced.variantName == "model")
        #expect(forced.forced)
        #expect(try assigner.assign(clientID: nil, at: Self.now, override: "il/interleaved")?.variantIndex == nil)
        #expect(try assigner.assign(clientID: nil, at: Self.now, override: "il/engine")?.variantName == "engine")
        #expect(throws: OverrideError.self) { try assigner.assign(clientID: "alice", at: Self.now, override: "nope/model") }
        #expect { try assigner.assign(clientID: "alice", at: Self.now, override: "ab/nope") } throws: { error in
            String(describing: error).contains("has no variant 'nope'; use one of: control, model")
        }
    }
}
