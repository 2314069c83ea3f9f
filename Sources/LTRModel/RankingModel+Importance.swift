extension RankingModel {
    /// Each feature's share of the total split gain over all trees (what carried the model), largest first;
    /// features never split on are left out.
    public var gainShares: [(feature: String, share: Double)] {
        var gains = [Double](repeating: 0, count: featureNames.count)
        for tree in trees {
            for (feature, gain) in zip(tree.splitFeature, tree.splitGain) where featureNames.indices.contains(Int(feature)) {
                gains[Int(feature)] += gain
            }
        }
        let total = gains.reduce(0, +)
        guard total > 0 else { return [] }
        return zip(featureNames, gains).filter { $0.1 > 0 }.map { ($0.0, $0.1 / total) }.sorted { $0.share > $1.share }
    }
}
