import ArgumentParser
import Features
import Foundation
import LTRModel
import LTRTraining
import Personalization
import PersonalizationTraining
import RerankJSON

extension Rerank {
    /// `rerank train`: learns a LambdaMART ranking model and writes the model file.
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: "Train a LambdaMART ranking model.",
            discussion: """
                Parameters are layered: defaults (LightGBM's lambdarank defaults), then --config (a LightGBM-style \
                conf file such as LightGBM's train.conf), then the flags given here.
                From logs (the default): rerank train --logs DIR --items catalog.ndjson --output model.json
                From LETOR files: rerank train --format letor --data rank.train --valid rank.test --output model.json
                For an external trainer: rerank train --logs DIR --export-letor EXPORT (add --output to train too)
                """
        )

        @Option(help: "Input: ubi (interaction logs, --logs) or letor (--data/--valid files).")
        var format: InputFormat = .ubi

        @OptionGroup var logArguments: LogArguments

        @Option(help: "Feature families to leave out, comma-separated (search, item, user, context, declared), for ablations.")
        var without: String?

        @Option(
            help: ArgumentHelp(
                "ubi: a JSON file declaring the storefront's own features: the sidecar's config (its `features` array) "
                    + "or the array alone. Item fields are read from --items and hits, user fields from --users, context "
                    + "keys from the logged searches."))
        var features: String?

        @Flag(help: "ubi: learn from raw clicks, without estimating position bias and weighting clicks by it.")
        var noDebias = false

        @Option(
            help: """
                ubi: the latest share of searches kept out of training and validation, for `rerank evaluate` (whose \
                --fraction defaults to the same 0.2); 0 trains on everything, e.g. for the model you serve.
                """)
        var testFraction: Double = 0.2

        @Option(help: "Training data (letor: svmlight lines; groups from qid: or FILE.query).")
        var data: String?

        @Option(help: "Validation data, evaluated every iteration (NDCG@k) and used for early stopping.")
        var valid: String?

        @Option(help: "Where to write the model file (optional with --export-letor, which then only exports).")
        var output: String?

        @Option(
            help: ArgumentHelp(
                "ubi: write the point-in-time rows as svmlight shards (train/, valid/, test/: the time split), schema.json "
                    + "and statistics.json to this directory, for LightGBM or XGBoost; `rerank import-model` serves the result."))
        var exportLetor: String?

        @Option(help: "ubi: rows per exported shard; a shard ends with the search that reaches it.")
        var shardRows = 500_000

        @Option(help: "A LightGBM-style conf file (key = value); data/valid_data paths in it are relative to it.")
        var config: String?

        @Option(help: "Boosting iterations (trees).") var trees: Int?
        @Option(help: "Shrinkage of each tree's output.") var learningRate: Double?
        @Option(help: "Most leaves per tree.") var numLeaves: Int?
        @Option(help: "Deepest tree level (0: no limit).") var maxDepth: Int?
        @Option(help: "Fewest rows per leaf.") var minDataInLeaf: Int?
        @Option(help: "Smallest hessian sum per leaf.") var minSumHessianInLeaf: Double?
        @Option(help: "L2 regularization of leaf outputs.") var lambdaL2: Double?
        @Option(help: "Most histogram bins per feature (2-256).") var maxBin: Int?
        @Option(help: "Share of features each tree may use, in (0, 1].") var featureFraction: Double?
        @Option(help: "Share of rows each bag keeps, in (0, 1].") var baggingFraction: Double?
        @Option(help: "Draw a new bag every N iterations (0: no bagging).") var baggingFreq: Int?
        @Option(help: "NDCG cutoffs to report, comma-separated, e.g. 1,3,5,10.") var evalAt: String?
        @Option(help: "Stop when validation NDCG has not improved for N iterations (0: off).") var earlyStopping: Int?
        @Option(help: "Worker threads (0: one per processor).") var threads: Int?
        @Option(help: "Seed of every random choice; the same seed gives the same model.") var seed: UInt64?
        @Flag(help: "Only print the final summary.") var quiet = false

        func validate() throws {
            if let config, !FileManager.default.fileExists(atPath: config) {
                throw ValidationError("--config \(config) does not exist; give the path of a LightGBM-style conf file.")
            }
            guard output != nil || exportLetor != nil else {
                throw ValidationError("rerank train needs --output MODEL (where to write the model), or --export-letor DIR to export rows.")
            }
            guard shardRows >= 1 else { throw ValidationError("--shard-rows must be at least 1, e.g. 500000.") }
            switch format {
            case .ubi:
                guard logArguments.logs != nil else {
                    throw ValidationError("rerank train needs --logs DIR (UBI logs from `rerank serve --log-dir`), or --format letor --data FILE.")
                }
                guard testFraction >= 0, testFraction < 1 else {
                    throw ValidationError("--test-fraction must be at least 0 and below 1, e.g. 0.2 (0 trains on everything).")
                }
                if let without, excludedFamilies(without) == nil {
                    throw ValidationError("--without takes families from: \(FeatureFamily.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
            case .letor:
                guard data != nil || config != nil else {
                    throw ValidationError(
                        "--format letor needs --data FILE: svmlight/LETOR lines, with query groups from qid: fields "
                            + "or a FILE.query file (or a --config whose data = names it).")
                }
                guard exportLetor == nil, let output, !output.isEmpty else {
                    throw ValidationError("--export-letor exports UBI logs (--logs DIR); --format letor needs --output MODEL.")
                }
                for path in [data, valid].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
                    throw ValidationError("\(path) does not exist; check the --data/--valid path.")
                }
            }
            if let trees, trees < 1 { throw ValidationError("--trees must be at least 1.") }
            if let learningRate, learningRate <= 0 { throw ValidationError("--learning-rate must be positive.") }
            if let numLeaves, numLeaves < 2 { throw ValidationError("--num-leaves must be at least 2.") }
            if let maxBin, !(2...256).contains(maxBin) { throw ValidationError("--max-bin must be 2 to 256.") }
            if let evalAt, parseCutoffs(evalAt) == nil {
                throw ValidationError("--eval-at must be positive integers separated by commas, e.g. 1,3,5,10.")
            }
        }

        func run() async throws {
            var parameters = format == .ubi ? LogTrainingOptions().parameters : TrainingParameters()
            var dataPath = data
            var validPath = valid
            if let config {
                let file = try LightGBMConfig(text: String(contentsOfFile: config, encoding: .utf8), name: config)
                try file.apply(to: &parameters)
                let directory = URL(fileURLWithPath: config).deletingLastPathComponent()
                func resolve(_ path: String) -> String {
                    path.hasPrefix("/") ? path : directory.appendingPathComponent(path).path
                }
                dataPath = dataPath ?? file.dataPath.map(resolve)
                validPath = validPath ?? file.validPath.map(resolve)
            }
            applyFlags(to: &parameters)
            try parameters.validate()
            let model: RankingModel
            switch format {
            case .ubi:
                try await trainLogs(parameters: parameters)
                return
            case .letor:
                guard let dataPath else {
                    throw ValidationError("--format letor needs --data FILE (the conf file names no data file).")
                }
                model = try trainLETOR(data: dataPath, valid: validPath, parameters: parameters)
            }
            guard let output else { return }
            try model.write(to: output)
            printSummary(model, validated: validPath != nil, output: output)
        }

        /// Layers the explicit flags over the defaults and the conf file.
        private func applyFlags(to parameters: inout TrainingParameters) {
            if let trees { parameters.iterations = trees }
            if let learningRate { parameters.learningRate = learningRate }
            if let numLeaves { parameters.numLeaves = numLeaves }
            if let maxDepth { parameters.maxDepth = maxDepth }
            if let minDataInLeaf { parameters.minDataInLeaf = minDataInLeaf }
            if let minSumHessianInLeaf { parameters.minSumHessianInLeaf = minSumHessianInLeaf }
            if let lambdaL2 { parameters.lambdaL2 = lambdaL2 }
            if let maxBin { parameters.maxBin = maxBin }
            if let featureFraction { parameters.featureFraction = featureFraction }
            if let baggingFraction { parameters.baggingFraction = baggingFraction }
            if let baggingFreq { parameters.baggingFrequency = baggingFreq }
            if let evalAt, let cutoffs = parseCutoffs(evalAt) { parameters.evalAt = cutoffs }
            if let earlyStopping { parameters.earlyStoppingRounds = earlyStopping }
            if let threads { parameters.numThreads = threads }
            if let seed { parameters.seed = seed }
        }

        /// The UBI input path: replay the logs, train with a time split, compare with the engine's order.
        private func trainLogs(parameters: TrainingParameters) async throws {
            let declared = try features.map(Self.declaredFeatures) ?? .none
            var options = LogTrainingOptions()
            options.builder.declared = declared
            options.parameters = parameters
            options.excludedFamilies = Set(without.flatMap(excludedFamilies) ?? [])
            options.testFraction = testFraction
            options.debias = !noDebias
            let export = try exportLetor.map { try LETORExport(directory: $0, shardRows: shardRows) }
            // An export alone keeps no rows for a learner.
            let prepared = try await prepare(options: options, export: export, learns: output != nil)
            if let export, let exportLetor {
                print(Self.exportLine(try export.finish(prepared, options: options), directory: exportLetor))
            }
            guard let output else { return }
            let progress = ProgressLine(enabled: !quiet)
            let (model, report) = try LogTrainer.train(prepared: prepared, options: options) { progress.show($0) }
            progress.finish()
            try model.write(to: output)
            let replay = report.replay
            print("replayed \(replay.impressions) searches and \(replay.events) events: \(replay.groupsWithInteractions) searches with interactions (\(replay.joinedByQueryID) events joined by query_id, \(replay.attributed) attributed by client, \(replay.unjoinable) unjoinable)")
            let leftOut = report.testGroups > 0
                ? ", left out the latest \(report.testGroups) for `rerank evaluate` (--test-fraction 0 trains on everything)" : ""
            print("trained on \(report.trainingGroups) searches, validated on the next \(report.validationGroups)\(leftOut):")
            for name in ["original", "model", "served"] {
                let metrics = report.validation[name]?.metrics ?? [:]
                print("  " + name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + ["ndcg@1", "ndcg@5", "ndcg@10", "mrr"].map { "\($0) " + String(format: "%.4f", metrics[$0] ?? .nan) }.joined(separator: "  "))
            }
            print(Self.positionBiasLine(report.positionBias, requested: options.debias))
            let blend = report.blend
            let tried = zip(blend.candidates, blend.validationScores).map { String(format: "%.1f: %.4f", $0, $1) }.joined(separator: ", ")
            print("served blend weight \(String(format: "%.1f", blend.weight)): \(blend.reason) (validation \(blend.criterion.rawValue) by weight: \(tried))")
            print(Self.gainLine(model.ranking, declared: declared))
            print("\(model.ranking.trees.count) trees over \(model.ranking.featureNames.count) features written to \(output)")
        }

        /// The logs replayed and split (``LogArguments/replayTwice(declared:summary:_:)``).
        private func prepare(options: LogTrainingOptions, export: LETORExport?, learns: Bool) async throws -> PreparedLogs {
            try await logArguments.replayTwice(declared: options.builder.declared, summary: \.summary) { first, second, items, users in
                try LogTrainer.prepare(
                    reading: &first, again: &second, items: items, profiles: users, options: options, export: export, learns: learns)
            }
        }

        /// What `--export-letor` wrote, in one line.
        static func exportLine(_ schema: LETORSchema, directory: String) -> String {
            let sets = LETORExport.splits.compactMap { name in
                schema.splits[name].map { "\(name) \($0.searches) searches, \($0.rows) rows in \($0.shards) shard\($0.shards == 1 ? "" : "s")" + ($0.weighted ? " (weighted)" : "") }
            }
            return "exported \(schema.features.count) features to \(directory): " + sets.joined(separator: "; ")
                + "; schema.json and statistics.json for `rerank import-model`"
        }

        /// The features that carried the model (shares of split gain): the ten largest, then every declared one.
        static func gainLine(_ model: RankingModel, declared: DeclaredFeatures) -> String {
            let shares = model.gainShares
            func listed(_ shares: some Sequence<(feature: String, share: Double)>) -> String {
                shares.map { "\($0.feature) \(String(format: "%.1f%%", $0.share * 100))" }.joined(separator: ", ")
            }
            var line = "split gain: \(listed(shares.prefix(10)))"
            if !declared.isEmpty {
                let found = Dictionary(shares.map { ($0.feature, $0.share) }, uniquingKeysWith: +)
                line += "\ndeclared features' split gain: \(listed(declared.columns.map { ($0, found[$0] ?? 0) }))"
            }
            return line
        }

        /// The `features` array of a JSON file (an object holding one, such as the sidecar's config, or the array).
        static func declaredFeatures(_ path: String) throws -> DeclaredFeatures {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--features \(path) is not a readable file; give the sidecar's JSON config or a JSON array of feature declarations.")
            }
            let value: JSONValue
            do {
                value = try JSONParser.parse(Array(data))
            } catch {
                throw ValidationError("--features \(path) is not valid JSON: \(error)")
            }
            guard let declarations = value.objectValue.map({ $0["features"] }) ?? value else {
                throw ValidationError("--features \(path) has no `features` array; declare features as in the README (Declared features).")
            }
            do {
                return try DeclaredFeatures(json: declarations)
            } catch {
                throw ValidationError("--features \(path): \(error)")
            }
        }

        /// What training did about position bias, in one line.
        static func positionBiasLine(_ bias: PositionBias?, requested: Bool) -> String {
            guard let bias else {
                return requested
                    ? "position bias: not estimated (no clicks past the first position); trained on raw clicks"
                    : "position bias: not corrected (--no-debias); trained on raw clicks"
            }
            let shown = [0, 1, 2, 4, 9, 19].filter { $0 < bias.propensities.count }
            func listed(_ values: [Double], at positions: [Int]) -> String {
                positions.map { "\($0 + 1): " + String(format: "%.2f", values[$0]) }.joined(separator: ", ")
            }
            var line = "position bias (\(bias.method); relative to position 1): \(listed(bias.propensities, at: shown))"
            if let randomized = bias.randomized, let regression = randomized.regressionEM {
                line += "; regression EM alone: \(listed(regression, at: shown.filter(regression.indices.contains)))"
            }
            return line + "; clicks weighted by 1/propensity, at most \(String(format: "%g", bias.maxWeight))"
        }

        private func excludedFamilies(_ text: String) -> [FeatureFamily]? {
            let families = text.split(separator: ",").map { FeatureFamily(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
            return families.contains(nil) ? nil : families.compactMap { $0 }
        }

        /// The letor input path: read svmlight files straight into bins, then train.
        private func trainLETOR(data: String, valid: String?, parameters: TrainingParameters) throws -> RankingModel {
            let start = Date()
            let (train, validation) = try LETORReader.readBinned(train: data, valid: valid, parameters: parameters)
            if !quiet {
                let loaded = String(format: "%.2f", Date().timeIntervalSince(start))
                var line = "read \(train.rowCount) rows, \(train.queryCount) queries, \(train.featureCount) features"
                if let validation { line += "; validation \(validation.rowCount) rows, \(validation.queryCount) queries" }
                printError(line + " (\(loaded) s)")
            }
            let booster = try Booster(train: train, valid: validation, parameters: parameters)
            let progress = ProgressLine(enabled: !quiet)
            let model = booster.train { progress.show($0) }
            progress.finish()
            return model
        }

        private func printSummary(_ model: RankingModel, validated: Bool, output: String) {
            let summary = model.summary
            var line = "trained \(summary.iterations) iterations on \(summary.rows) rows / \(summary.queries) queries"
            if validated, let best = summary.bestValidationMetric {
                line += "; best iteration \(summary.bestIteration), validation \(summary.metric) "
                    + String(format: "%.4f", best)
            }
            print(line + "; \(model.trees.count) trees written to \(output)")
        }
    }
}

/// Parses `1,3,5,10` into cutoffs, or nil.
func parseCutoffs(_ text: String) -> [Int]? {
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
    return values.compactMap { $0 }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
