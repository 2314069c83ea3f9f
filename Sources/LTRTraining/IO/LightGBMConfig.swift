import Foundation
import LTRModel

/// A LightGBM-style configuration file (`key = value` lines, `#` comments), such as LightGBM's `train.conf`.
///
/// Training keys (and their LightGBM aliases) map onto `TrainingParameters`; `data` and `valid_data` name the
/// input files. Keys that only concern LightGBM's own program (task, output_model, metric, ...) are accepted
/// and listed in `ignoredKeys`.
///
/// ```swift
/// let config = try LightGBMConfig(text: String(contentsOfFile: "train.conf", encoding: .utf8), name: "train.conf")
/// var parameters = TrainingParameters()
/// try config.apply(to: &parameters)
/// ```
public struct LightGBMConfig: Sendable {
    /// The entries in file order, keys lowercased.
    public let entries: [(key: String, value: String)]
    private let name: String

    private static let aliases: [String: String] = [
        "num_iterations": "iterations", "num_iteration": "iterations", "num_trees": "iterations",
        "num_tree": "iterations", "num_round": "iterations", "num_rounds": "iterations",
        "num_boost_round": "iterations", "n_estimators": "iterations", "max_iter": "iterations",
        "learning_rate": "learning_rate", "shrinkage_rate": "learning_rate", "eta": "learning_rate",
        "num_leaves": "num_leaves", "num_leaf": "num_leaves", "max_leaves": "num_leaves",
        "max_depth": "max_depth",
        "min_data_in_leaf": "min_data_in_leaf", "min_data_per_leaf": "min_data_in_leaf", "min_data": "min_data_in_leaf",
        "min_child_samples": "min_data_in_leaf",
        "min_sum_hessian_in_leaf": "min_sum_hessian_in_leaf", "min_sum_hessian_per_leaf": "min_sum_hessian_in_leaf",
        "min_sum_hessian": "min_sum_hessian_in_leaf", "min_hessian": "min_sum_hessian_in_leaf",
        "min_child_weight": "min_sum_hessian_in_leaf",
        "min_gain_to_split": "min_gain_to_split", "min_split_gain": "min_gain_to_split",
        "lambda_l2": "lambda_l2", "reg_lambda": "lambda_l2", "lambda": "lambda_l2",
        "max_bin": "max_bin", "max_bins": "max_bin", "min_data_in_bin": "min_data_in_bin",
        "bin_construct_sample_cnt": "bin_construct_sample_cnt", "subsample_for_bin": "bin_construct_sample_cnt",
        "feature_fraction": "feature_fraction", "sub_feature": "feature_fraction",
        "colsample_bytree": "feature_fraction",
        "bagging_fraction": "bagging_fraction", "sub_row": "bagging_fraction", "subsample": "bagging_fraction",
        "bagging": "bagging_fraction",
        "bagging_freq": "bagging_freq", "subsample_freq": "bagging_freq",
        "bagging_by_query": "bagging_by_query",
        "label_gain": "label_gain", "lambdarank_truncation_level": "lambdarank_truncation_level",
        "sigmoid": "sigmoid", "lambdarank_norm": "lambdarank_norm",
        "eval_at": "eval_at", "ndcg_eval_at": "eval_at", "ndcg_at": "eval_at", "map_eval_at": "eval_at",
        "early_stopping_round": "early_stopping", "early_stopping_rounds": "early_stopping",
        "early_stopping": "early_stopping", "n_iter_no_change": "early_stopping",
        "num_threads": "num_threads", "num_thread": "num_threads", "nthread": "num_threads",
        "n_jobs": "num_threads",
        "seed": "seed", "random_seed": "seed", "random_state": "seed",
        "objective": "objective", "application": "objective", "app": "objective", "objective_type": "objective",
        "data": "data", "train": "data", "train_data": "data", "train_data_file": "data", "data_filename": "data",
        "valid_data": "valid", "valid": "valid", "test": "valid", "test_data": "valid", "valid_data_file": "valid",
    ]

    /// Parses the text of a configuration file.
    ///
    /// - Parameters:
    ///   - text: the file's content.
    ///   - name: the file name for error messages.
    /// - Throws: `LTRError.malformedInput` for a line that is not `key = value`.
    public init(text: String, name: String) throws {
        var entries: [(key: String, value: String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw LTRError.malformedInput(
                    file: name, line: index + 1, "'\(trimmed)' is not a `key = value` setting.")
            }
            entries.append((parts[0].lowercased(), parts[1]))
        }
        self.entries = entries
        self.name = name
    }

    /// The training data file (`data` and its aliases), as written in the file.
    public var dataPath: String? { value(for: "data") }

    /// The validation data file (`valid_data` and its aliases; the first of a comma-separated list).
    public var validPath: String? {
        value(for: "valid")?.split(separator: ",").first.map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    /// Keys that do not affect training here (LightGBM program settings), in file order.
    public var ignoredKeys: [String] {
        entries.map(\.key).filter { Self.aliases[$0] == nil }
    }

    /// Sets the parameters named in the file; others keep their values.
    ///
    /// - Throws: `LTRError.invalidParameter` for a value that does not parse or an objective other than
    ///   LambdaRank.
    public func apply(to parameters: inout TrainingParameters) throws {
        for (key, value) in entries {
            guard let canonical = Self.aliases[key] else { continue }
            func number<Value: LosslessStringConvertible>(_: Value.Type) throws -> Value {
                guard let parsed = Value(value) else {
                    throw LTRError.invalidParameter(key, "in \(name) must be a number (got '\(value)')")
                }
                return parsed
            }
            func list<Value: LosslessStringConvertible>(_: Value.Type) throws -> [Value] {
                try value.split(separator: ",").map { item in
                    guard let parsed = Value(item.trimmingCharacters(in: .whitespaces)) else {
                        throw LTRError.invalidParameter(key, "in \(name) must be a comma-separated list (got '\(value)')")
                    }
                    return parsed
                }
            }
            func flag() throws -> Bool {
                switch value.lowercased() {
                case "true", "1", "yes", "+": return true
                case "false", "0", "no", "-": return false
                default: throw LTRError.invalidParameter(key, "in \(name) must be true or false (got '\(value)')")
                }
            }
            switch canonical {
            case "iterations": parameters.iterations = try number(Int.self)
            case "learning_rate": parameters.learningRate = try number(Double.self)
            case "num_leaves": parameters.numLeaves = try number(Int.self)
            case "max_depth": parameters.maxDepth = try number(Int.self)
            case "min_data_in_leaf": parameters.minDataInLeaf = try number(Int.self)
            case "min_sum_hessian_in_leaf": parameters.minSumHessianInLeaf = try number(Double.self)
            case "min_gain_to_split": parameters.minGainToSplit = try number(Double.self)
            case "lambda_l2": parameters.lambdaL2 = try number(Double.self)
            case "max_bin": parameters.maxBin = try number(Int.self)
            case "min_data_in_bin": parameters.minDataInBin = try number(Int.self)
            case "bin_construct_sample_cnt": parameters.binSampleCount = try number(Int.self)
            case "feature_fraction": parameters.featureFraction = try number(Double.self)
            case "bagging_fraction": parameters.baggingFraction = try number(Double.self)
            case "bagging_freq": parameters.baggingFrequency = try number(Int.self)
            case "bagging_by_query": parameters.baggingByQuery = try flag()
            case "label_gain": parameters.labelGain = try list(Double.self)
            case "lambdarank_truncation_level": parameters.truncationLevel = try number(Int.self)
            case "sigmoid": parameters.sigmoid = try number(Double.self)
            case "lambdarank_norm": parameters.lambdarankNorm = try flag()
            case "eval_at": parameters.evalAt = try list(Int.self)
            case "early_stopping": parameters.earlyStoppingRounds = try number(Int.self)
            case "num_threads": parameters.numThreads = max(0, try number(Int.self))
            case "seed": parameters.seed = UInt64(bitPattern: Int64(try number(Int.self)))
            case "objective":
                guard value.lowercased() == "lambdarank" else {
                    throw LTRError.invalidParameter(
                        key, "in \(name) is '\(value)' but only lambdarank is supported; set objective = lambdarank.")
                }
            default: continue
            }
        }
    }

    private func value(for canonical: String) -> String? {
        entries.last { Self.aliases[$0.key] == canonical }?.value
    }
}
