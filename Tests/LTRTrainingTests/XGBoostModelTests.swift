import Foundation
import LTRModel
import LTRTraining
import Testing

/// XGBoost JSON models read into trees that score as XGBoost does.
@Suite struct XGBoostModelTests {
    /// Two depth-2 trees and base_score 0.25 trained by XGBoost 3.2 (`rank:ndcg`, exact), trimmed to the fields
    /// read; `Booster.predict(output_margin=True)` gives the scores of `scoresAsXGBoostDoes`' rows.
    static let json = """
        {"learner": {"feature_names": ["price_log", "item_ctr"], "learner_model_param": {"base_score": "[2.5E-1]", \
        "num_class": "0", "num_target": "1"}, "objective": {"name": "rank:ndcg"}, "gradient_booster": {"name": "gbtree", \
        "model": {"trees": [{"categories_nodes": [], "default_left": [1, 1, 1, 0, 0, 0, 0], "left_children": [1, 3, 5, -1, -1, -1, -1], \
        "right_children": [2, 4, 6, -1, -1, -1, -1], "split_conditions": [0.54244804, 0.76195866, 0.39470267, -0.35471833, \
        -0.08875051, -0.018166125, 0.38482952], "split_indices": [0, 1, 1, 0, 0, 0, 0], "split_type": [0, 0, 0, 0, 0, 0, 0]}, \
        {"categories_nodes": [], "default_left": [1, 1, 1, 0, 0, 0, 0], "left_children": [1, 3, 5, -1, -1, -1, -1], \
        "right_children": [2, 4, 6, -1, -1, -1, -1], "split_conditions": [0.7869472, 0.70549726, 0.3717155, -0.33940488, \
        0.17745091, 0.08305509, 0.41523936], "split_indices": [0, 1, 1, 0, 0, 0, 0], "split_type": [0, 0, 0, 0, 0, 0, 0]}]}}}, \
        "version": [3, 2, 0]}
        """

    static func model(_ edit: (String) -> String = { $0 }) throws -> RankingModel {
        try XGBoostModel.parse(Data(edit(json).utf8), name: "model.json")
    }

    @Test func scoresAsXGBoostDoes() throws {
        let model = try Self.model()
        #expect(model.featureNames == ["price_log", "item_ctr"])
        // The third row sits exactly on the first split's condition, which XGBoost sends right (`value < condition`).
        let rows: [[Float]] = [[0.2, 0.9], [0.8, 0.1], [0.54244804, 0.5], [0, 0]]
        let expected = [0.33870041370391846, 0.31488895416259766, 0.2954246401786804, -0.44412320852279663]
        let scores = try model.scorer().score(rows: rows.flatMap { $0 })
        for (index, row) in rows.enumerated() {
            #expect(abs(model.predict(row) - expected[index]) < 1e-6, "row \(row)")
            #expect(abs(scores[index] - expected[index]) < 1e-6, "row \(row)")
        }
        #expect(try RankingModel(jsonData: model.jsonData()) == model)
    }

    @Test func refusesWhatItCannotServe() throws {
        #expect {
            try Self.model { $0.replacingOccurrences(of: "\"categories_nodes\": []", with: "\"categories_nodes\": [0]") }
        } throws: { error in
            (error as? LTRError).map { $0.message.contains("categorical") && $0.message.contains("tree 0") } ?? false
        }
        #expect(throws: LTRError.self) { try Self.model { $0.replacingOccurrences(of: "\"gbtree\"", with: "\"dart\"") } }
        #expect(throws: LTRError.self) { try Self.model { $0.replacingOccurrences(of: "\"num_target\": \"1\"", with: "\"num_target\": \"3\"") } }
        #expect(throws: LTRError.self) { try Self.model { $0.replacingOccurrences(of: "\"feature_names\": [\"price_log\", \"item_ctr\"], ", with: "") } }
        #expect(throws: LTRError.self) { try XGBoostModel.parse(Data(LightGBMModelTests.text.utf8), name: "lightgbm.txt") }
    }
}
