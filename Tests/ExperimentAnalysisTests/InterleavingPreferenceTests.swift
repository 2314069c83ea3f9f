import ExperimentAnalysis
import Experiments
import RerankCore
import Testing

/// Team-draft interleaving judged with the report's preference test: no winner between identical rankings beyond
/// the false-positive rate, and the better ranking wins.
struct InterleavingPreferenceTests {
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
