import Experiments
import RerankCore
import Testing

/// Team-draft interleaving shows every hit once, keeps the teams balanced, flips a fair coin for the first pick
/// and credits clicks to the team that contributed the hit (its preference test is in ExperimentAnalysisTests).
struct TeamDraftTests {
    @Test func everyHitAppearsOnceAndTheTeamsStayBalanced() {
        var random = SplitMix64(seed: 3)
        for round in 0..<500 {
            let control = Array(0..<20).shuffled(using: &random)
            let treatment = Array(0..<20).shuffled(using: &random)
            let shown = TeamDraft.interleave(control: control, treatment: treatment, seed: UInt64(round))
            #expect(shown.map(\.item).sorted() == Array(0..<20))
            var counts = (control: 0, treatment: 0)
            for (position, hit) in shown.enumerated() {
                if hit.team == .control { counts.control += 1 } else { counts.treatment += 1 }
                #expect(abs(counts.control - counts.treatment) <= 1)
                if position % 2 == 1 { #expect(counts.control == counts.treatment) }
            }
        }
    }

    @Test func eachTeamPicksItsOwnBestRemainingHit() {
        let shown = TeamDraft.interleave(control: [0, 1, 2, 3], treatment: [3, 2, 1, 0], seed: 1)
        for (position, hit) in shown.enumerated() {
            let ranking = hit.team == .control ? [0, 1, 2, 3] : [3, 2, 1, 0]
            let earlier = Set(shown.prefix(position).map(\.item))
            #expect(hit.item == ranking.first { !earlier.contains($0) })
        }
    }

    @Test func rankingsOfDifferentHitsShowTheirUnion() {
        let shown = TeamDraft.interleave(control: [0, 1], treatment: [2, 0, 3, 4], seed: 9)
        #expect(shown.map(\.item).sorted() == [0, 1, 2, 3, 4])
    }

    @Test func theFirstPickIsACoinFlip() {
        var treatmentFirst = 0
        for seed in 0..<10_000 {
            if TeamDraft.interleave(control: [0, 1, 2], treatment: [0, 1, 2], seed: UInt64(seed))[0].team == .treatment { treatmentFirst += 1 }
        }
        // Binomial(10000, 0.5): standard deviation 50; four deviations.
        #expect(abs(treatmentFirst - 5_000) < 200, "\(treatmentFirst)")
    }

    @Test func clicksCreditTheTeamThatContributedTheHit() {
        let teams: [Team] = [.treatment, .control, .control, .treatment]
        let credit = TeamDraft.credit(teams: teams, clickedPositions: [0, 2, 3, 3])
        #expect(credit.control == 1)
        #expect(credit.treatment == 2)
        let outside = TeamDraft.credit(teams: teams, clickedPositions: [9])
        #expect(outside.control == 0)
        #expect(outside.treatment == 0)
    }
}
