import ArgumentParser
import Foundation
import LTRTraining
import Personalization
import PersonalizationTraining

extension Rerank {
    /// `rerank import-model`: makes a model trained elsewhere on an export servable.
    struct ImportModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-model",
            abstract: "Turn a LightGBM model trained on `rerank train --export-letor` rows into a model file to serve.",
            discussion: """
                rerank import-model --lightgbm model.txt --statistics EXPORT/statistics.json --output model.json
                The LightGBM text model (Booster.save_model) must name its features as the export's schema.json does \
                (any order, any subset); its trees are served with the export's statistics snapshot by \
                `rerank serve --model` and scored by `rerank evaluate --model`. Categorical splits are refused.
                """
        )

        @Option(help: "A LightGBM text model (Booster.save_model or the CLI's output_model).")
        var lightgbm: String

        @Option(help: "The statistics.json of the export the model was trained on.")
        var statistics: String

        @Option(help: "Where to write the model file.")
        var output: String

        func validate() throws {
            for (flag, path) in [("--lightgbm", lightgbm), ("--statistics", statistics)]
            where !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(flag) '\(path)' is not a readable file.")
            }
        }

        func run() throws {
            let statisticsModel: PersonalizationModel
            do {
                statisticsModel = try PersonalizationModel(contentsOf: statistics)
            } catch {
                throw ValidationError("--statistics: \(error); give the statistics.json of `rerank train --export-letor`.")
            }
            let ranking = try LightGBMModel.read(path: lightgbm)
            let model = try ExternalModel.combine(ranking, statistics: statisticsModel, name: lightgbm)
            try model.write(to: output)
            print("\(ranking.trees.count) LightGBM trees over \(ranking.featureNames.count) features, with the statistics of \(statistics), written to \(output)")
        }
    }
}
