import ArgumentParser
import Foundation
import LTRModel
import LTRTraining
import Personalization
import PersonalizationTraining

extension Rerank {
    /// `rerank import-model`: makes a model trained elsewhere on an export servable.
    struct ImportModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-model",
            abstract: "Turn a LightGBM or XGBoost model trained on `rerank train --export-letor` rows into a model file to serve.",
            discussion: """
                rerank import-model --lightgbm model.txt --statistics EXPORT/statistics.json --output model.json
                rerank import-model --xgboost model.json --statistics EXPORT/statistics.json --output model.json
                The LightGBM text model (Booster.save_model) or XGBoost JSON model (Booster.save_model("x.json")) must \
                name its features as the export's schema.json does (any order, any subset); its trees are served with the export's statistics snapshot by \
                `rerank serve --model` and scored by `rerank evaluate --model`. Categorical splits are refused.
                """
        )

        @Option(help: "A LightGBM text model (Booster.save_model or the CLI's output_model).")
        var lightgbm: String?

        @Option(help: "An XGBoost JSON model (Booster.save_model with a .json name).")
        var xgboost: String?

        @Option(help: "The statistics.json of the export the model was trained on.")
        var statistics: String

        @Option(help: "Where to write the model file.")
        var output: String

        func validate() throws {
            guard (lightgbm == nil) != (xgboost == nil) else {
                throw ValidationError("give one model: --lightgbm model.txt or --xgboost model.json.")
            }
            for (flag, path) in [("--lightgbm", lightgbm), ("--xgboost", xgboost), ("--statistics", statistics)]
            where path.map({ !FileManager.default.isReadableFile(atPath: $0) }) ?? false {
                throw ValidationError("\(flag) '\(path ?? "")' is not a readable file.")
            }
        }

        func run() throws {
            let statisticsModel: PersonalizationModel
            do {
                statisticsModel = try PersonalizationModel(contentsOf: statistics)
            } catch {
                throw ValidationError("--statistics: \(error); give the statistics.json of `rerank train --export-letor`.")
            }
            let ranking: RankingModel, name: String, kind: String
            if let lightgbm {
                (ranking, name, kind) = (try LightGBMModel.read(path: lightgbm), lightgbm, "LightGBM")
            } else if let xgboost {
                (ranking, name, kind) = (try XGBoostModel.read(path: xgboost), xgboost, "XGBoost")
            } else {
                throw ValidationError("give one model: --lightgbm model.txt or --xgboost model.json.")
            }
            let model = try ExternalModel.combine(ranking, statistics: statisticsModel, name: name)
            try model.write(to: output)
            print("\(ranking.trees.count) \(kind) trees over \(ranking.featureNames.count) features, with the statistics of \(statistics), written to \(output)")
        }
    }
}
