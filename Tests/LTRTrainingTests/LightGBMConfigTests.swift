import Foundation
import LTRModel
import LTRTraining
import RerankCore
import Testing

/// LightGBM-style conf files map onto the training parameters.
@Suite struct LightGBMConfigTests {
    @Test func readsTheExampleTrainConf() throws {
        let directory = try #require(SharedData.lambdarankExample)
        let path = directory + "/train.conf"
        let config = try LightGBMConfig(text: String(contentsOfFile: path, encoding: .utf8), name: path)
        var parameters = TrainingParameters()
        try config.apply(to: &parameters)
        var expected = QualityTests.trainConf
        expected.evalAt = [1, 3, 5]  // ndcg_eval_at in the file
        expected.numThreads = 0  // commented out in the file
        #expect(parameters == expected)
        #expect(config.dataPath == "rank.train" && config.validPath == "rank.test")
        #expect(config.ignoredKeys.contains("output_model") && !config.ignoredKeys.contains("num_trees"))
    }

    @Test func aliasesAndErrors() throws {
        let text = """
            # comment
            num_iterations = 7   # trailing comment
            eta = 0.05
            sub_row = 0.5
            subsample_freq = 2
            label_gain = 0,1,3
            lambdarank_norm = false
            seed = 9
            """
        var parameters = TrainingParameters()
        try LightGBMConfig(text: text, name: "a.conf").apply(to: &parameters)
        #expect(parameters.iterations == 7 && parameters.learningRate == 0.05)
        #expect(parameters.baggingFraction == 0.5 && parameters.baggingFrequency == 2)
        #expect(parameters.labelGain == [0, 1, 3] && !parameters.lambdarankNorm && parameters.seed == 9)

        let badLine = try #require(throws: LTRError.self) { try LightGBMConfig(text: "a = 1\nnonsense\n", name: "b.conf") }
        #expect(badLine == .malformedInput && badLine.message.hasPrefix("b.conf:2:"))
        #expect(throws: LTRError.invalidParameter) {
            var parameters = TrainingParameters()
            try LightGBMConfig(text: "num_leaves = many", name: "c.conf").apply(to: &parameters)
        }
        #expect(throws: LTRError.invalidParameter) {
            var parameters = TrainingParameters()
            try LightGBMConfig(text: "objective = binary", name: "d.conf").apply(to: &parameters)
        }
    }
}
