import Foundation
import LTRModel

/// Reads an XGBoost JSON model (`Booster.save_model("model.json")`) into a ``RankingModel``.
///
/// Each tree's nodes (`left_children`, `right_children`, `split_indices`, `split_conditions`; a node whose left
/// child is -1 is a leaf, its `split_conditions` entry the leaf value) become a ``RegressionTree``. XGBoost sends a
/// row left when `value < condition`; the condition becomes the next `Float` below it, where `value <= threshold`
/// decides every `Float` the same way. `default_left` is the direction of a missing (NaN) value, which the rows
/// rerank computes never hold. A non-zero `base_score` becomes a one-leaf tree, so scores equal XGBoost's
/// margins. Categorical splits, `dart` boosters and multi-output models are refused with an `LTRError`.
///
/// ```swift
/// let model = try XGBoostModel.read(path: "xgboost.json")
/// model.featureNames  // the learner's feature_names
/// ```
public enum XGBoostModel {
    /// Reads the model file at `path`.
    ///
    /// - Throws: `LTRError` naming the file and what it holds that cannot be served.
    public static func read(path: String) throws -> RankingModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LTRError.unreadableFile(path, reason: "no such file or not readable")
        }
        return try parse(data, name: path)
    }

    /// Parses an XGBoost JSON model; `name` is used in error messages.
    ///
    /// - Throws: `LTRError` as ``read(path:)``.
    public static func parse(_ data: Data, name: String) throws -> RankingModel {
        let learner: Learner
        do {
            // XGBoost's keys are snake_case (`learner_model_param`, `split_indices`, ...).
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            learner = try decoder.decode(Document.self, from: data).learner
        } catch {
            throw LTRError.unsupportedModel(
                "\(name) is not an XGBoost JSON model (\(error)); save it with Booster.save_model(\"model.json\").")
        }
        let parameters = learner.learnerModelParam
        guard (Int(parameters.numClass ?? "0") ?? 0) <= 1, (Int(parameters.numTarget ?? "1") ?? 1) == 1 else {
            throw LTRError.unsupportedModel("\(name) has several outputs (num_class or num_target above 1); only single-output models can rank.")
        }
        guard learner.gradientBooster.name == "gbtree", let model = learner.gradientBooster.model else {
            throw LTRError.unsupportedModel("\(name) uses the \(learner.gradientBooster.name) booster; train with booster=gbtree.")
        }
        guard let names = learner.featureNames, !names.isEmpty else {
            throw LTRError.unsupportedModel("\(name) has no feature_names; train it with the feature names of the export's schema.json.")
        }
        var trees = try model.trees.enumerated().map { index, tree in
            do {
                let converted = try tree.regressionTree()
                try converted.validate(featureCount: names.count)
                return converted
            } catch let error as LTRError {
                throw LTRError.unsupportedModel("\(name), tree \(index): \(error.message)")
            }
        }
        let baseText = parameters.baseScore.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        guard let base = Double(baseText) else {
            throw LTRError.malformedModel("\(name) has base_score '\(parameters.baseScore)', not a number")
        }
        if base != 0 {
            trees.append(RegressionTree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], leafValue: [base]))
        }
        var training = TrainingParameters()
        training.iterations = model.trees.count
        let summary = TrainingSummary(
            rows: 0, queries: 0, iterations: model.trees.count, bestIteration: model.trees.count, metric: "xgboost")
        return RankingModel(featureNames: names, trees: trees, parameters: training, summary: summary)
    }

    private struct Document: Decodable {
        var learner: Learner
    }

    private struct Learner: Decodable {
        var featureNames: [String]?
        var learnerModelParam: ModelParameters
        var gradientBooster: GradientBooster
    }

    private struct ModelParameters: Decodable {
        var baseScore: String
        var numClass: String?
        var numTarget: String?
    }

    private struct GradientBooster: Decodable {
        var name: String
        var model: TreeModel?
    }

    private struct TreeModel: Decodable {
        var trees: [Tree]
    }

    private struct Tree: Decodable {
        var leftChildren: [Int32]
        var rightChildren: [Int32]
        var splitIndices: [Int32]
        var splitConditions: [Double]
        var splitType: [Int]?
        var categoriesNodes: [Int]?

        /// The tree with internal nodes and leaves numbered apart, in XGBoost's node order.
        func regressionTree() throws -> RegressionTree {
            let count = leftChildren.count
            guard count > 0, rightChildren.count == count, splitIndices.count == count, splitConditions.count == count else {
                throw LTRError.malformedModel("its node arrays are empty or have different lengths")
            }
            if !(categoriesNodes ?? []).isEmpty || (splitType ?? []).contains(where: { $0 != 0 }) {
                throw LTRError.malformedModel("it has categorical splits, which rerank cannot serve; train without enable_categorical")
            }
            var code = [Int32](repeating: 0, count: count)
            var internalCount: Int32 = 0, leafCount: Int32 = 0
            for node in 0..<count {
                if leftChildren[node] == -1 {
                    code[node] = ~leafCount
                    leafCount += 1
                } else {
                    code[node] = internalCount
                    internalCount += 1
                }
            }
            var tree = RegressionTree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], leafValue: [])
            for node in 0..<count {
                if leftChildren[node] == -1 {
                    tree.leafValue.append(splitConditions[node])
                    continue
                }
                for child in [leftChildren[node], rightChildren[node]] where child < 0 || Int(child) >= count {
                    throw LTRError.malformedModel("node \(node) has child \(child) of \(count) nodes")
                }
                tree.splitFeature.append(splitIndices[node])
                tree.threshold.append(Float(splitConditions[node]).nextDown)
                tree.leftChild.append(code[Int(leftChildren[node])])
                tree.rightChild.append(code[Int(rightChildren[node])])
            }
            tree.splitGain = [Double](repeating: 0, count: tree.splitFeature.count)
            tree.leafCount = [Int](repeating: 0, count: tree.leafValue.count)
            return tree
        }
    }
}
