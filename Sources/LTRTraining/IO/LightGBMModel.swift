import Foundation
import LTRModel

/// Reads a LightGBM text model (`Booster.save_model`, the CLI's `output_model`) into a ``RankingModel``.
///
/// Each `Tree=N` block's arrays (`split_feature`, `threshold`, `decision_type`, `left_child`, `right_child`,
/// `leaf_value`) become a ``RegressionTree`` with the same child encoding; `leaf_value` already holds the
/// shrinkage, as in LightGBM. Numerical splits are read as LightGBM decides them (`decision_type` bit 1 is
/// default-left, bits 2–3 the missing type):
///
/// - missing type None: a missing value is 0, then `value <= threshold`, exactly as ``RegressionTree`` does;
/// - missing type NaN: finite values compare with the threshold as above; only a NaN would take the default
///   direction, and the rows rerank computes hold none;
/// - missing type Zero (`zero_as_missing=true`): 0 takes the default direction; the split is kept when that is
///   where `0 <= threshold` sends it, and refused otherwise.
///
/// Thresholds are rounded down to `Float`, so that `value <= threshold` holds for the same `Float` values as
/// LightGBM's comparison in `Double`. Categorical splits, linear trees, random-forest averaging and multiclass
/// models are refused with an `LTRError` that says so.
///
/// ```swift
/// let model = try LightGBMModel.read(path: "lightgbm.txt")
/// model.featureNames  // the model's feature_names
/// ```
public enum LightGBMModel {
    /// Reads the model file at `path`.
    ///
    /// - Throws: `LTRError` naming the file and what it holds that cannot be served.
    public static func read(path: String) throws -> RankingModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LTRError.unreadableFile(path, reason: "no such file or not readable")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    /// Parses a LightGBM text model; `name` is used in error messages.
    ///
    /// - Throws: `LTRError` as ``read(path:)``.
    public static func parse(_ text: String, name: String) throws -> RankingModel {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == "tree" else {
            throw LTRError.unsupportedModel(
                "\(name) is not a LightGBM text model (its first line is not `tree`); save it with Booster.save_model.")
        }
        var header: [String: String] = [:]
        var blocks: [[String: String]] = []
        for line in lines.dropFirst() where !line.isEmpty {
            if line == "end of trees" { break }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]), value = String(line[line.index(after: equals)...])
            if key == "Tree" {
                blocks.append([:])
            } else if blocks.isEmpty {
                header[key] = value
            } else {
                blocks[blocks.count - 1][key] = value
            }
        }
        try checkHeader(header, name: name)
        guard let names = header["feature_names"]?.split(separator: " ").map(String.init), !names.isEmpty else {
            throw LTRError.unsupportedModel(
                "\(name) has no feature_names; train it with the feature names of the export's schema.json.")
        }
        let trees = try blocks.enumerated().map { index, block in
            do {
                let tree = try Self.tree(block)
                try tree.validate(featureCount: names.count)
                return tree
            } catch let error as LTRError {
                throw LTRError.unsupportedModel("\(name), Tree=\(index): \(error.message)")
            }
        }
        var parameters = TrainingParameters()
        parameters.iterations = trees.count
        let summary = TrainingSummary(
            rows: 0, queries: 0, iterations: trees.count, bestIteration: trees.count, metric: "lightgbm")
        return RankingModel(featureNames: names, trees: trees, parameters: parameters, summary: summary)
    }

    /// Refuses models whose output is not one sum of trees.
    private static func checkHeader(_ header: [String: String], name: String) throws {
        for key in ["num_class", "num_tree_per_iteration"] where (header[key] ?? "1") != "1" {
            throw LTRError.unsupportedModel(
                "\(name) has \(key)=\(header[key] ?? ""); only single-output models (lambdarank, regression) can rank.")
        }
        if header["average_output"] != nil {
            throw LTRError.unsupportedModel(
                "\(name) averages its trees (boosting=rf); train with boosting=gbdt.")
        }
    }

    /// One `Tree=N` block as a regression tree.
    private static func tree(_ block: [String: String]) throws -> RegressionTree {
        func values<T>(_ key: String, _ convert: (Substring) -> T?) throws -> [T] {
            try (block[key] ?? "").split(separator: " ").map { text in
                guard let value = convert(text) else {
                    throw LTRError.malformedModel("\(key) holds '\(text)', not a number")
                }
                return value
            }
        }
        if let linear = block["is_linear"], linear != "0" {
            throw LTRError.malformedModel("it is a linear tree (linear_tree=true), which rerank cannot serve")
        }
        if let categorical = block["num_cat"], categorical != "0" {
            throw LTRError.malformedModel(
                "it has categorical splits (num_cat=\(categorical)), which rerank cannot serve; the export's columns are numeric: train without categorical_feature")
        }
        let leaves = try values("leaf_value") { Double($0) }
        let features = try values("split_feature") { Int32($0) }
        let thresholds = try values("threshold") { Double($0) }
        let decisions = try values("decision_type") { Int($0) }
        let left = try values("left_child") { Int32($0) }
        let right = try values("right_child") { Int32($0) }
        let gains = try values("split_gain") { Double($0) }
        let counts = try values("leaf_count") { Int($0) }
        guard thresholds.count == features.count, decisions.count == features.count else {
            throw LTRError.malformedModel("split_feature, threshold and decision_type have different lengths")
        }
        var converted: [Float] = []
        for node in features.indices {
            converted.append(try threshold(thresholds[node], decision: decisions[node], node: node))
        }
        return RegressionTree(
            splitFeature: features, threshold: converted, leftChild: left, rightChild: right, leafValue: leaves,
            splitGain: gains.count == features.count ? gains : nil, leafCount: counts.count == leaves.count ? counts : nil)
    }

    /// The `Float` threshold that decides every finite `Float` as LightGBM's split does, or an error.
    private static func threshold(_ value: Double, decision: Int, node: Int) throws -> Float {
        if decision & 1 != 0 {
            throw LTRError.malformedModel(
                "node \(node) is a categorical split, which rerank cannot serve; train without categorical_feature")
        }
        var rounded = Float(value)
        if Double(rounded) > value { rounded = rounded.nextDown }
        rounded = min(max(rounded, -.greatestFiniteMagnitude), .greatestFiniteMagnitude)
        let defaultLeft = decision & 2 != 0
        let zeroIsMissing = (decision >> 2) & 3 == 1
        if zeroIsMissing && (0 <= rounded) != defaultLeft {
            throw LTRError.malformedModel(
                "node \(node) treats 0 as missing and sends it \(defaultLeft ? "left" : "right"), against its threshold "
                    + "\(value); train with zero_as_missing=false")
        }
        return rounded
    }
}
