import LTRModel
import Personalization

/// A model trained elsewhere (LightGBM on the shards of `rerank train --export-letor`) made servable.
public enum ExternalModel {
    /// The personalization model serving `ranking` with the statistics an export wrote (`statistics.json`).
    ///
    /// `ranking`'s features are matched to the export's by name, in any order and any subset: the served rows
    /// hold those columns in the model's order. The file keeps the export's statistics snapshot, label gains and
    /// position bias; it has no blend choice, so the sidecar serves it at `rerank.weight`.
    ///
    /// ```swift
    /// let statistics = try PersonalizationModel(contentsOf: "export/statistics.json")
    /// let model = try ExternalModel.combine(LightGBMModel.read(path: "lightgbm.txt"), statistics: statistics, name: "lightgbm.txt")
    /// try model.write(to: "model.json")
    /// ```
    ///
    /// - Throws: ``TrainingError`` listing the model's feature names the schema does not hold.
    public static func combine(_ ranking: RankingModel, statistics: PersonalizationModel, name: String) throws -> PersonalizationModel {
        var extras = statistics.extras
        let schema = extras.featureSchema
        let index = Dictionary(schema.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let unknown = ranking.featureNames.filter { index[$0] == nil }
        var seen = Set<String>()
        let duplicated = ranking.featureNames.filter { !seen.insert($0).inserted }
        guard unknown.isEmpty, duplicated.isEmpty else {
            throw TrainingError.otherModelFeatures(
                name, unknown: unknown, duplicated: duplicated, schema: statistics.ranking.featureNames)
        }
        extras.columns = ranking.featureNames.compactMap { index[$0] }
        extras.blend = nil
        return PersonalizationModel(ranking: ranking, extras: extras)
    }
}
