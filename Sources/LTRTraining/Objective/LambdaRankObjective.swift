import Foundation
import LTRModel

/// LambdaRank gradients for NDCG, following LightGBM's `lambdarank` objective.
///
/// For one query, documents are ranked by their current scores (ties: original order). Every pair with
/// different labels where at least one document ranks within `truncationLevel` contributes, with `s` the
/// sigmoid parameter, `Δs = score(high) − score(low)` and `p = 1 / (1 + e^(s·Δs))`:
///
/// - `ΔNDCG = (gain(high) − gain(low)) · |discount(rank high) − discount(rank low)| / maxDCG@truncationLevel`,
///   with `discount(r) = 1 / log2(2 + r)` for 0-based rank `r`;
/// - when `normalize` is on and the query's scores are not all equal, `ΔNDCG /= 0.01 + |Δs|`;
/// - gradient `−s·ΔNDCG·p` to the more relevant document and `+s·ΔNDCG·p` to the other;
/// - hessian `s²·ΔNDCG·p·(1 − p)` to both.
///
/// When `normalize` is on, a query's gradients and hessians are finally scaled by `log2(1 + Σ) / Σ` where `Σ`
/// is the sum of `2·s·ΔNDCG·p` over its pairs, so queries with many pairs do not dominate (`lambdarank_norm`).
///
/// With row weights, each pair's `ΔNDCG` is multiplied by the weight of its more relevant document: with the
/// inverse of the probability that a clicked document was seen at its position, this is the inverse-propensity
/// weighted LambdaMART of unbiased learning to rank (Wang et al., WSDM 2018; Hu et al., WWW 2019).
///
/// ```swift
/// let objective = LambdaRankObjective()
/// let (gradients, hessians) = try objective.gradients(labels: [2, 0, 1], scores: [0.1, 0.4, 0])
/// ```
public struct LambdaRankObjective: Sendable {
    /// Gain of each integer label: `labelGain[label]`. Defaults to `2^label − 1` for labels 0...30.
    public let labelGain: [Double]
    /// Pairs need one document ranked above this position; it is also the cutoff of the max DCG.
    public let truncationLevel: Int
    /// The sigmoid's steepness `s`.
    public let sigmoid: Double
    /// Whether to apply LightGBM's `lambdarank_norm` (score-distance and per-query normalization).
    public let normalize: Bool

    private let discounts: [Double]

    /// LightGBM's default label gains: `2^i − 1` for `i` in `0...30`.
    public static let exponentialLabelGain: [Double] = (0..<31).map { Double((1 << $0) - 1) }

    /// Creates the objective.
    ///
    /// - Parameters:
    ///   - labelGain: gain per integer label (`label_gain`); `nil` for `2^label − 1`.
    ///   - truncationLevel: `lambdarank_truncation_level`, default 30.
    ///   - sigmoid: `sigmoid`, default 1.
    ///   - normalize: `lambdarank_norm`, default true.
    public init(labelGain: [Double]? = nil, truncationLevel: Int = 30, sigmoid: Double = 1, normalize: Bool = true) {
        self.labelGain = labelGain ?? Self.exponentialLabelGain
        self.truncationLevel = truncationLevel
        self.sigmoid = sigmoid
        self.normalize = normalize
        discounts = (0..<1024).map { 1 / log2(2 + Double($0)) }
    }

    /// The NDCG position discount `1 / log2(2 + rank)` of a 0-based rank.
    @inline(__always)
    func discount(_ rank: Int) -> Double {
        rank < discounts.count ? discounts[rank] : 1 / log2(2 + Double(rank))
    }

    /// Checks that every label is a non-negative integer with a gain.
    ///
    /// - Throws: `LTRError.invalidLabel` naming the first bad row.
    public func validate(labels: [Float]) throws {
        for (row, label) in labels.enumerated() {
            guard label >= 0, label == label.rounded(), Int(label) < labelGain.count else {
                throw LTRError.invalidLabel(
                    "row \(row + 1) has label \(label); LambdaRank needs integer labels from 0 to "
                        + "\(labelGain.count - 1) (higher is more relevant). Map graded relevance to 0, 1, 2, ..."
                )
            }
        }
    }

    /// `1 / maxDCG` at the truncation level for one query's labels, or 0 when no document has a gain.
    public func inverseMaxDCG<Labels: Collection<Float>>(labels: Labels) -> Double {
        let best = labels.map { labelGain[Int($0)] }.sorted(by: >)
        var dcg = 0.0
        for rank in 0..<min(truncationLevel, best.count) { dcg += best[rank] * discount(rank) }
        return dcg > 0 ? 1 / dcg : 0
    }

    /// Gradients and hessians of one query: a pure function of its labels and current scores.
    ///
    /// - Parameters:
    ///   - labels: relevance labels, integers in `0..<labelGain.count`.
    ///   - scores: current model scores, same count.
    ///   - weights: optional positive row weights, same count (see the type's description).
    /// - Returns: one gradient and one hessian per document, in input order.
    /// - Throws: `LTRError.invalidLabel` for a label without a gain.
    public func gradients(labels: [Float], scores: [Double], weights: [Float]? = nil) throws -> (gradients: [Double], hessians: [Double]) {
        precondition(labels.count == scores.count, "one score per label")
        precondition(weights == nil || weights?.count == labels.count, "one weight per label")
        try validate(labels: labels)
        var scratch = LambdaRankScratch()
        let factor = labels.withUnsafeBufferPointer { labelBuffer in
            scores.withUnsafeBufferPointer { scoreBuffer in
                withOptionalBuffer(weights) { weightBuffer in
                    accumulate(
                        labels: labelBuffer,
                        scores: scoreBuffer,
                        weights: weightBuffer,
                        inverseMaxDCG: inverseMaxDCG(labels: labels),
                        scratch: &scratch
                    )
                }
            }
        }
        var gradients = [Double](repeating: 0, count: labels.count)
        var hessians = [Double](repeating: 0, count: labels.count)
        for (rank, document) in scratch.order.enumerated() {
            gradients[document] = scratch.lambdas[rank] * factor
            hessians[document] = scratch.hessians[rank] * factor
        }
        return (gradients, hessians)
    }

    /// The pair loop. Leaves in `scratch` the ranking (`order[rank] = document`) and, by rank, the summed
    /// gradients and hessians; returns the normalization factor to multiply them by.
    ///
    /// Documents are grouped by label, so each document within the truncation level is paired only with
    /// lower-ranked documents of other labels (pairs of equal labels contribute nothing), and within a group
    /// the label gap and the pair's direction are constants; the loop itself has no branch.
    ///
    /// - Parameter previousOrder: the query's ranking from the previous iteration (documents as query-local
    ///   indices), used as the starting point of the sort and replaced by the new ranking; nil to start from
    ///   the input order. The ranking itself never depends on it.
    func accumulate(
        labels: UnsafeBufferPointer<Float>,
        scores: UnsafeBufferPointer<Double>,
        weights: UnsafeBufferPointer<Float>? = nil,
        inverseMaxDCG: Double,
        scratch: inout LambdaRankScratch,
        previousOrder: UnsafeMutableBufferPointer<Int32>? = nil
    ) -> Double {
        let count = labels.count
        scratch.rank(scores: scores, previousOrder: previousOrder)
        scratch.group(labels: labels, weights: weights, discounts: discounts)
        guard count > 1, inverseMaxDCG > 0 else { return 1 }
        let scoreNormalize = normalize && scores[scratch.order[0]] != scores[scratch.order[count - 1]]
        let sigmoid = self.sigmoid
        let sigmoidSquared = sigmoid * sigmoid
        var pairSum = 0.0
        Exponential.powers.withUnsafeBufferPointer { powers in
            let powers = powers.baseAddress!
            scratch.withGroups { groups, sortedScores, sortedDiscounts, sortedWeights, lambdas, hessians in
                for i in 0..<min(count - 1, truncationLevel) {
                    let labelI = groups.label(ofRank: i)
                    groups.pass(rank: i)
                    let scoreI = sortedScores[i]
                    let discountI = sortedDiscounts[i]
                    let weightI = sortedWeights[i]
                    var lambdaI = 0.0
                    var hessianI = 0.0
                    for group in 0..<groups.count where groups.labels[group] != labelI {
                        // `sign` is +1 when document i is the more relevant one; Δs = sign·(s_i − s_j).
                        let iMoreRelevant = labelI > groups.labels[group]
                        let sign: Double = iMoreRelevant ? 1 : -1
                        let gainGap = sign * (labelGain[labelI] - labelGain[groups.labels[group]]) * inverseMaxDCG
                        for member in groups.remaining(group) {
                            let j = Int(groups.ranks[member])
                            let scoreGap = scoreI - sortedScores[j]
                            let pairWeight = iMoreRelevant ? weightI : sortedWeights[j]
                            let weight = gainGap * (discountI - sortedDiscounts[j]) * pairWeight
                            let e = Exponential.exp(min(50, max(-50, sigmoid * sign * scoreGap)), powers: powers)
                            let distance = scoreNormalize ? 0.01 + abs(scoreGap) : 1
                            // One division gives both ΔNDCG·p (p = 1/(1+e)) and 1 − p = e/(1+e).
                            let inverse = 1 / (distance * (1 + e))
                            let weightedP = weight * inverse
                            let lambda = -sigmoid * weightedP
                            let hessian = sigmoidSquared * weightedP * (e * inverse * distance)
                            lambdaI += sign * lambda
                            lambdas[j] -= sign * lambda
                            hessianI += hessian
                            hessians[j] += hessian
                            pairSum -= 2 * lambda
                        }
                    }
                    lambdas[i] += lambdaI
                    hessians[i] += hessianI
                }
            }
        }
        guard normalize && pairSum > 0 else { return 1 }
        return log2(1 + pairSum) / pairSum
    }
}

/// Runs `body` with a buffer of `array`'s elements, or nil without an array.
func withOptionalBuffer<Element, Result>(_ array: [Element]?, _ body: (UnsafeBufferPointer<Element>?) -> Result) -> Result {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}
