import LTRModel
import LTRTraining
import Testing

/// LightGBM text models read into trees that score as LightGBM does.
@Suite struct LightGBMModelTests {
    /// Three trees by hand: a threshold that is not a `Float` (0.30000000000000004), a split treating 0 as missing
    /// (decision_type 6: default left, zero missing) and a one-leaf tree. LightGBM 4.7's `Booster.predict` gives
    /// -0.15, -0.65, -0.35 and 0.85 for the rows of `scoresAsLightGBMDoes`.
    static let text = """
        tree
        version=v4
        num_class=1
        num_tree_per_iteration=1
        label_index=0
        max_feature_idx=1
        objective=lambdarank
        feature_names=price_log item_ctr
        feature_infos=[0:10] [0:1]

        Tree=0
        num_leaves=3
        num_cat=0
        split_feature=0 1
        split_gain=5 2
        threshold=2.5 0.30000000000000004
        decision_type=2 2
        left_child=1 -1
        right_child=-2 -3
        leaf_value=0.10000000000000001 -0.20000000000000001 0.29999999999999999
        leaf_count=10 20 30
        is_linear=0
        shrinkage=0.1


        Tree=1
        num_leaves=2
        num_cat=0
        split_feature=1
        split_gain=1
        threshold=0.5
        decision_type=DECISION
        left_child=-1
        right_child=-2
        leaf_value=-0.5 0.5
        leaf_count=30 30
        is_linear=0
        shrinkage=0.1


        Tree=2
        num_leaves=1
        num_cat=0
        split_feature=
        split_gain=
        threshold=
        decision_type=
        left_child=
        right_child=
        leaf_value=0.050000000000000003
        leaf_count=60
        is_linear=0
        shrinkage=1


        end of trees

        feature_importances:
        price_log=1
        """

    static func model(decision: String = "6", _ edit: (String) -> String = { $0 }) throws -> RankingModel {
        try LightGBMModel.parse(edit(text.replacingOccurrences(of: "DECISION", with: decision)), name: "model.txt")
    }

    @Test func scoresAsLightGBMDoes() throws {
        let model = try Self.model()
        #expect(model.featureNames == ["price_log", "item_ctr"])
        #expect(model.trees.count == 3)
        let rows: [[Float]] = [[1, 0.3], [3, 0], [1, 0.1], [1, 0.9]]
        let expected = [-0.15, -0.65, -0.35, 0.85]
        let scores = try model.scorer().score(rows: rows.flatMap { $0 })
        for (index, row) in rows.enumerated() {
            #expect(abs(model.predict(row) - expected[index]) < 1e-12, "row \(row)")
            #expect(abs(scores[index] - expected[index]) < 1e-12, "row \(row)")
        }
        #expect(model.trees[0].leafCount == [10, 20, 30])
    }

    @Test func survivesTheModelFile() throws {
        let model = try Self.model()
        let again = try RankingModel(jsonData: model.jsonData())
        #expect(again == model)
    }

    @Test func refusesACategoricalSplit() throws {
        #expect {
            try Self.model(decision: "1")
        } throws: { error in
            (error as? LTRError).map { $0.message.contains("categorical") && $0.message.contains("Tree=1") } ?? false
        }
        #expect(throws: LTRError.self) {
            try Self.model { $0.replacingOccurrences(of: "num_leaves=2\nnum_cat=0", with: "num_leaves=2\nnum_cat=1") }
        }
    }

    @Test func refusesZeroAsMissingAgainstItsThreshold() throws {
        // decision_type 4: zero is missing and goes right, where 0 <= 0.5 would send it left.
        #expect {
            try Self.model(decision: "4")
        } throws: { error in
            (error as? LTRError).map { $0.message.contains("zero_as_missing") } ?? false
        }
        // Missing type NaN, default right: finite values compare with the threshold.
        #expect(try Self.model(decision: "8").predict([1, 0.9] as [Float]) == 0.3 + 0.5 + 0.05)
    }

    @Test func refusesModelsThatAreNotOneSumOfTrees() throws {
        #expect(throws: LTRError.self) { try Self.model { $0.replacingOccurrences(of: "num_class=1", with: "num_class=3") } }
        #expect(throws: LTRError.self) { try Self.model { $0.replacingOccurrences(of: "feature_names=price_log item_ctr\n", with: "") } }
        #expect(throws: LTRError.self) { try LightGBMModel.parse("{\"learner\": {}}", name: "xgboost.json") }
    }
}
