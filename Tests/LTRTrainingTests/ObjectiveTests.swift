import Foundation
import LTRModel
import LTRTraining
import RerankCore
import Testing

/// LambdaRank gradients pinned on tiny queries, each value worked out by hand from the formulas.
@Suite struct ObjectiveTests {
    /// `1 / log2(2 + rank)` for ranks 0, 1, 2.
    let d0 = 1.0
    let d1 = 1 / log2(3.0)
    let d2 = 0.5

    @Test func twoDocumentsWithEqualScores() throws {
        // Scores tie, so doc 0 ranks first; max DCG = gain(1) · d0 = 1. No score-distance normalization
        // (all scores equal); p = 1/(1+e^0) = 0.5.
        let deltaNDCG = 1 * (d0 - d1) * 1
        let lambda = -deltaNDCG * 0.5
        let hessian = deltaNDCG * 0.25
        let pairSum = -2 * lambda
        let factor = log2(1 + pairSum) / pairSum
        let (gradients, hessians) = try LambdaRankObjective().gradients(labels: [1, 0], scores: [0, 0])
        #expect(abs(gradients[0] - lambda * factor) < 1e-12)
        #expect(abs(gradients[1] + lambda * factor) < 1e-12)
        #expect(abs(hessians[0] - hessian * factor) < 1e-12)
        #expect(abs(hessians[1] - hessian * factor) < 1e-12)
        #expect(abs(gradients[0] - -0.2265982363) < 1e-9)
    }

    @Test func threeDocumentsWithScoreNormalization() throws {
        // labels [2, 0, 1], scores [0.5, 1.0, 0.0] → ranking doc1, doc0, doc2; gains 3, 0, 1.
        let inverseMaxDCG = 1 / (3 * d0 + 1 * d1)
        func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(x)) }
        // Pair (rank 0 = doc1, rank 1 = doc0): doc0 is more relevant; Δs = 0.5 - 1.0.
        let n01 = 3 * abs(d1 - d0) * inverseMaxDCG / (0.01 + 0.5)
        let p01 = sigmoid(-0.5)
        // Pair (rank 0 = doc1, rank 2 = doc2): doc2 is more relevant; Δs = 0.0 - 1.0.
        let n02 = 1 * abs(d2 - d0) * inverseMaxDCG / (0.01 + 1.0)
        let p02 = sigmoid(-1.0)
        // Pair (rank 1 = doc0, rank 2 = doc2): doc0 is more relevant; Δs = 0.5 - 0.0.
        let n12 = 2 * abs(d1 - d2) * inverseMaxDCG / (0.01 + 0.5)
        let p12 = sigmoid(0.5)
        let l01 = -n01 * p01, l02 = -n02 * p02, l12 = -n12 * p12
        let h01 = n01 * p01 * (1 - p01), h02 = n02 * p02 * (1 - p02), h12 = n12 * p12 * (1 - p12)
        let pairSum = -2 * (l01 + l02 + l12)
        let factor = log2(1 + pairSum) / pairSum
        let expectedGradients = [(l01 + l12) * factor, (-l01 - l02) * factor, (l02 - l12) * factor]
        let expectedHessians = [(h01 + h12) * factor, (h01 + h02) * factor, (h02 + h12) * factor]

        let (gradients, hessians) = try LambdaRankObjective()
            .gradients(labels: [2, 0, 1], scores: [0.5, 1.0, 0.0])
        for document in 0..<3 {
            #expect(abs(gradients[document] - expectedGradients[document]) < 1e-12)
            #expect(abs(hessians[document] - expectedHessians[document]) < 1e-12)
        }
        #expect(abs(gradients.reduce(0, +)) < 1e-12, "pair gradients cancel")
        #expect(gradients[0] < 0 && gradients[1] > 0, "the most relevant document is pushed up")
    }

    @Test func truncationAndNoNormalization() throws {
        // truncationLevel 1: only pairs with the top-ranked document count, and max DCG is cut at 1.
        // labels [0, 2, 1], scores [3, 2, 1]: ranks doc0, doc1, doc2; pairs (0,1) and (0,2) only.
        let objective = LambdaRankObjective(truncationLevel: 1, normalize: false)
        let inverseMaxDCG = 1 / (3 * d0)
        let n01 = 3 * (d0 - d1) * inverseMaxDCG
        let n02 = 1 * (d0 - d2) * inverseMaxDCG
        let p01 = 1 / (1 + exp(-1.0))  // Δs = 2 - 3
        let p02 = 1 / (1 + exp(-2.0))  // Δs = 1 - 3
        let (gradients, hessians) = try objective.gradients(labels: [0, 2, 1], scores: [3, 2, 1])
        #expect(abs(gradients[1] - -n01 * p01) < 1e-12)
        #expect(abs(gradients[2] - -n02 * p02) < 1e-12)
        #expect(abs(gradients[0] - (n01 * p01 + n02 * p02)) < 1e-12)
        #expect(abs(hessians[1] - n01 * p01 * (1 - p01)) < 1e-12)
        #expect(abs(hessians[0] - (n01 * p01 * (1 - p01) + n02 * p02 * (1 - p02))) < 1e-12)
    }

    @Test func sigmoidScalesGradients() throws {
        // sigmoid s = 2, labels [1, 0], scores [0, 1] (doc1 first), no normalization.
        let objective = LambdaRankObjective(sigmoid: 2, normalize: false)
        let deltaNDCG = 1 * (d0 - d1) / (1 * d0)
        let p = 1 / (1 + exp(2 * -1.0))
        let (gradients, hessians) = try objective.gradients(labels: [1, 0], scores: [0, 1])
        #expect(abs(gradients[0] - -2 * deltaNDCG * p) < 1e-12)
        #expect(abs(hessians[0] - 4 * deltaNDCG * p * (1 - p)) < 1e-12)
    }

    @Test func queriesWithoutContrastHaveNoGradient() throws {
        let objective = LambdaRankObjective()
        let (gradients, hessians) = try objective.gradients(labels: [0, 0, 0], scores: [1, 2, 3])
        #expect(gradients == [0, 0, 0] && hessians == [0, 0, 0])
        let single = try objective.gradients(labels: [3], scores: [0])
        #expect(single.gradients == [0])
    }

    @Test func rejectsBadLabels() {
        #expect(throws: LTRError.invalidLabel) { try LambdaRankObjective().gradients(labels: [0.5], scores: [0]) }
        #expect(throws: LTRError.invalidLabel) { try LambdaRankObjective().gradients(labels: [-1], scores: [0]) }
        #expect(throws: LTRError.invalidLabel) { try LambdaRankObjective().gradients(labels: [31], scores: [0]) }
    }
}

/// Row weights in the pair loop: each pair counts with its more relevant document's weight.
@Suite struct WeightedObjectiveTests {
    @Test func unitWeightsChangeNothing() throws {
        let labels: [Float] = [2, 0, 1, 0, 1]
        let scores = [0.5, 1.0, 0.0, 0.2, 0.7]
        let plain = try LambdaRankObjective().gradients(labels: labels, scores: scores)
        let weighted = try LambdaRankObjective().gradients(labels: labels, scores: scores, weights: [1, 1, 1, 1, 1])
        #expect(plain.gradients == weighted.gradients)
        #expect(plain.hessians == weighted.hessians)
    }

    @Test func aPairCountsWithTheRelevantDocumentsWeight() throws {
        // One pair: without normalization its gradient is linear in ΔNDCG, so weight 4 on the clicked document
        // multiplies both documents' gradients and hessians by 4; weight on the unclicked one changes nothing.
        let objective = LambdaRankObjective(normalize: false)
        let plain = try objective.gradients(labels: [0, 1], scores: [0.3, 0.1])
        let clicked = try objective.gradients(labels: [0, 1], scores: [0.3, 0.1], weights: [1, 4])
        let unclicked = try objective.gradients(labels: [0, 1], scores: [0.3, 0.1], weights: [4, 1])
        for document in 0..<2 {
            #expect(abs(clicked.gradients[document] - 4 * plain.gradients[document]) < 1e-12)
            #expect(abs(clicked.hessians[document] - 4 * plain.hessians[document]) < 1e-12)
            #expect(unclicked.gradients[document] == plain.gradients[document])
        }
    }

    @Test func datasetRefusesBadWeights() {
        #expect(throws: LTRError.self) {
            try Dataset(features: [0, 1], featureCount: 1, labels: [1, 0], groupSizes: [2], weights: [1])
        }
        #expect(throws: LTRError.self) {
            try Dataset(features: [0, 1], featureCount: 1, labels: [1, 0], groupSizes: [2], weights: [1, 0])
        }
    }
}
