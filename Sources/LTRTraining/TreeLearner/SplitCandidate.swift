import LTRModel

/// The best way found to split one leaf: a feature, a bin threshold, and the sums on each side.
struct SplitCandidate {
    /// The split feature.
    var feature: Int
    /// Rows whose bin is `<= thresholdBin` go left.
    var thresholdBin: Int
    /// Improvement of the loss: `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) − minGainToSplit`, always > 0.
    var gain: Double
    var left: LeafSums
    var right: LeafSums

    /// Whether `self` beats `other`: a higher gain, or an equal gain on a lower feature index.
    func isBetter(than other: SplitCandidate?) -> Bool {
        guard let other else { return true }
        return gain > other.gain || (gain == other.gain && feature < other.feature)
    }
}

/// Gradient and hessian sums and the row count of a set of rows.
struct LeafSums {
    var gradient: Double
    var hessian: Double
    var count: Int
}

/// The split rules shared by the learner: constraints, gains and leaf outputs.
struct SplitRules {
    var minDataInLeaf: Int
    var minSumHessianInLeaf: Double
    var minGainToSplit: Double
    var lambdaL2: Double

    init(_ parameters: TrainingParameters) {
        minDataInLeaf = parameters.minDataInLeaf
        minSumHessianInLeaf = parameters.minSumHessianInLeaf
        minGainToSplit = parameters.minGainToSplit
        lambdaL2 = parameters.lambdaL2
    }

    @inline(__always)
    func leafGain(_ gradient: Double, _ hessian: Double) -> Double {
        gradient * gradient / (hessian + lambdaL2)
    }

    /// The Newton step of a leaf, before shrinkage: `−G / (H + λ)`.
    func leafOutput(_ sums: LeafSums) -> Double {
        let denominator = sums.hessian + lambdaL2
        return denominator > 0 ? -sums.gradient / denominator : 0
    }

    /// The best threshold of one feature from its bins in `histogram`, or nil when no threshold satisfies the
    /// constraints and improves the loss.
    ///
    /// As LightGBM does, bins are scanned from the top, so on equal gains the highest threshold wins, and the
    /// row counts of each side are estimated from hessians (`count ≈ hessian × rows / hessian sum` of the
    /// leaf, rounded per bin) since histograms hold no counts. `minDataInLeaf` therefore bounds these
    /// estimates, exactly as in LightGBM.
    func bestThreshold(
        feature: Int,
        bins: Range<Int>,
        histogram: Histogram,
        parent: LeafSums
    ) -> SplitCandidate? {
        guard bins.count >= 2, parent.hessian > 0 else { return nil }
        let minGainShift = leafGain(parent.gradient, parent.hessian) + minGainToSplit
        let countFactor = Double(parent.count) / parent.hessian
        var best: SplitCandidate? = nil
        var bestGain = -Double.infinity
        var rightGradient = 0.0
        var rightHessian = 0.0
        var rightCount = 0
        var bin = bins.upperBound - 1
        while bin > bins.lowerBound {
            let sums = histogram.sums[bin]
            rightGradient += sums.x
            rightHessian += sums.y
            rightCount += Int(sums.y * countFactor + 0.5)
            bin -= 1
            if rightCount < minDataInLeaf || rightHessian < minSumHessianInLeaf { continue }
            let leftCount = parent.count - rightCount
            let leftHessian = parent.hessian - rightHessian
            if leftCount < minDataInLeaf || leftHessian < minSumHessianInLeaf { break }
            let leftGradient = parent.gradient - rightGradient
            let gain = leafGain(leftGradient, leftHessian) + leafGain(rightGradient, rightHessian)
            guard gain > minGainShift, gain > bestGain else { continue }
            bestGain = gain
            best = SplitCandidate(
                feature: feature,
                thresholdBin: bin - bins.lowerBound,
                gain: gain - minGainShift,
                left: LeafSums(gradient: leftGradient, hessian: leftHessian, count: leftCount),
                right: LeafSums(gradient: rightGradient, hessian: rightHessian, count: rightCount)
            )
        }
        return best
    }
}
