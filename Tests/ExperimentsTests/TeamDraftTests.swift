import ExperimentAnalysis
import Experiments
import RerankCore
import Testing

/// Team-draft interleaving shows every hit once, keeps the teams balanced, and is unbiased: identical rankings
/// produce no winner beyond the false-positive rate.
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

    @Test func identicalRankingsShowNoWinnerBeyondTheFalsePositiveRate() {
        var random = SplitMix64(seed: 11)
        var significant = 0
        for _ in 0..<200 {
            let searches = Simulation.interleavingSearches(users: 100, searches: 5, treatmentIsBetter: false, random: &random)
            if PreferenceResult(searches, alpha: 0.05).significant { significant += 1 }
        }
        // 200 runs at alpha 0.05: Binomial(200, 0.05) has mean 10 and lies in 2...20 with probability > 0.998.
        #expect((2...20).contains(significant), "\(significant) of 200 identical-ranker runs were significant")
    }

    @Test func aBetterTreatmentRankingWinsTheInterleaving() {
        var random = SplitMix64(seed: 12)
        let searches = Simulation.interleavingSearches(users: 200, searches: 5, treatmentIsBetter: true, random: &random)
        let preference = PreferenceResult(searches, alpha: 0.05)
        #expect(preference.winner == "treatment", "\(preference.verdict)")
        #expect(preference.wins > preference.losses)
    }
}
