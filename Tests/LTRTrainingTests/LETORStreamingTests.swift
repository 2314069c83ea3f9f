import Foundation
import LTRModel
@testable import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// LETOR files read straight into bins train the same models as the data sets `LETORReader.read` makes, and
/// the booster's validation scores are the model's.
@Suite struct LETORStreamingTests {
    static var parameters: TrainingParameters {
        var parameters = DeterminismTests.parameters
        parameters.numThreads = 2
        parameters.earlyStoppingRounds = 3
        parameters.iterations = 40
        return parameters
    }

    /// `data` as svmlight lines with `qid:` fields, zeros left out; one line names a feature twice (the last wins).
    static func text(_ data: Dataset) -> String {
        var text = ""
        for query in 0..<data.queryCount {
            for row in data.queryRange(query) {
                let pairs = data.row(row).enumerated().filter { $0.element != 0 }.map { "\($0.offset + 1):\($0.element)" }
                text += "\(Int(data.labels[row])) qid:q\(query) " + pairs.joined(separator: " ")
                text += row == 5 ? " 1:0.25\n" : "\n"
            }
        }
        return text
    }

    static func write(_ text: String, to directory: URL, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func sameModelAsTheDataSetPath() throws {
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = try Self.write(Self.text(RankingFixtures.synthetic(queries: 50, documents: 20, features: 9)), to: directory, name: "train")
        let valid = try Self.write(Self.text(RankingFixtures.synthetic(queries: 15, documents: 20, features: 9, seed: 8)), to: directory, name: "valid")
        let trainData = try LETORReader.read(path: train)
        let validData = try LETORReader.read(path: valid, featureCount: trainData.featureCount)
        let expected = try Booster(train: trainData, valid: validData, parameters: Self.parameters).train().jsonData()
        for blockSize in [300, 1 << 20] {
            let binned = try LETORReader.readBinned(train: train, valid: valid, parameters: Self.parameters, blockSize: blockSize)
            #expect(binned.train.rowCount == trainData.rowCount && binned.train.queryBoundaries == trainData.queryBoundaries)
            let model = try Booster(train: binned.train, valid: binned.valid, parameters: Self.parameters).train()
            #expect(try model.jsonData() == expected, "block size \(blockSize)")
        }
    }

    @Test func sameModelOnTheLambdaRankExample() throws {
        let directory = try #require(SharedData.lambdarankExample, "../shared/data/lambdarank-example not found")
        var parameters = QualityTests.trainConf
        parameters.iterations = 10
        let train = try LETORReader.read(path: directory + "/rank.train")
        let test = try LETORReader.read(path: directory + "/rank.test", featureCount: train.featureCount)
        let expected = try Booster(train: train, valid: test, parameters: parameters).train()
        let binned = try LETORReader.readBinned(
            train: directory + "/rank.train", valid: directory + "/rank.test", parameters: parameters)
        let model = try Booster(train: binned.train, valid: binned.valid, parameters: parameters).train()
        #expect(try model.jsonData() == expected.jsonData())
    }

    @Test func reportsFileAndLineOfABadRow() throws {
        let directory = try RankingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = try Self.text(RankingFixtures.synthetic(queries: 20, documents: 10, features: 4)).split(separator: "\n")
        lines[150] += " 2:oops"
        let bad = try Self.write(lines.joined(separator: "\n") + "\n", to: directory, name: "bad")
        let good = try Self.write(Self.text(RankingFixtures.synthetic(queries: 5, documents: 10, features: 4)), to: directory, name: "good")
        for (train, valid) in [(bad, nil), (good, bad)] {
            let error = try #require(throws: LTRError.self) {
                try LETORReader.readBinned(train: train, valid: valid, parameters: Self.parameters, blockSize: 256)
            }
            #expect(error == .malformedInput)
            #expect(error.message.hasPrefix("\(bad):151:"), "\(error.message)")
        }
        let wide = try Self.write("1 qid:1 1:1 9:2\n", to: directory, name: "wide")
        let error = try #require(throws: LTRError.self) {
            try LETORReader.readBinned(train: good, valid: wide, parameters: Self.parameters)
        }
        #expect(error.message.hasPrefix("\(wide):1:"), "a validation row beyond the training features: \(error.message)")
    }

    @Test func validationScoresAreTheModelsScores() throws {
        let train = try RankingFixtures.synthetic(queries: 80, documents: 20, features: 9)
        let valid = try RankingFixtures.synthetic(queries: 30, documents: 20, features: 9, seed: 8)
        for earlyStopping in [0, 3] {
            var parameters = Self.parameters
            parameters.earlyStoppingRounds = earlyStopping
            let outcome = try Booster(train: train, valid: valid, parameters: parameters).fit()
            if earlyStopping > 0 {
                #expect(outcome.model.trees.count < outcome.model.summary.iterations, "the model was truncated")
            }
            let expected = try outcome.model.scorer().score(rows: valid.features)
            #expect(outcome.validationScores.count == expected.count)
            for (score, reference) in zip(outcome.validationScores, expected) {
                #expect(abs(score - reference) <= 1e-9 * max(1, abs(reference)))
            }
        }
        #expect(try Booster(train: train, parameters: Self.parameters).fit().validationScores.isEmpty)
    }
}
