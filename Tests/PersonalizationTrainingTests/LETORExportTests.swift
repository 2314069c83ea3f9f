import Features
import Foundation
import LTRModel
import LTRTraining
import RerankFixtures
import Testing

@testable import Personalization
@testable import PersonalizationTraining

/// `rerank train --export-letor`: shards that read back as the rows training uses, split as training splits them,
/// and statistics that make an external model servable.
@Suite struct LETORExportTests {
    static func options() -> LogTrainingOptions {
        var options = LogTrainingOptions()
        options.testFraction = 0.2
        options.excludedFamilies = [.context]
        return options
    }

    static func exported(learns: Bool = true) throws -> (PreparedLogs, LETORSchema, URL) {
        let options = Self.options()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("letor-\(UUID().uuidString)")
        let export = try LETORExport(directory: directory.path, shardRows: 1000)
        let prepared = try LogTrainer.prepare(
            SyntheticLog.make(searches: 600).replayLog(), items: SyntheticLog.items(), options: options, export: export,
            learns: learns)
        let schema = try export.finish(prepared, options: options)
        return (prepared, schema, directory)
    }

    /// The whole replay in memory, split as `prepare` splits it: what the shards must hold.
    static func splitSets() -> [TrainingSet] {
        let options = Self.options()
        let log = SyntheticLog.make(searches: 600)
        let set = options.builder.build(
            impressions: log.loggedImpressions(), events: log.loggedEvents(), attributes: SyntheticLog.items()).set
        let test = max(1, Int((Double(set.groupCount) * options.testFraction).rounded()))
        let validation = max(1, Int((Double(set.groupCount - test) * options.validationFraction).rounded()))
        let training = set.groupCount - test - validation
        return [set.subset(0..<training), set.subset(training..<(training + validation)), set.subset((training + validation)..<set.groupCount)]
    }

    @Test func shardsReadBackAsTheSplitRows() throws {
        let (prepared, schema, directory) = try Self.exported()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(schema.features.map(\.name) == prepared.columnNames)
        #expect(!schema.features.contains { $0.family == FeatureFamily.context.rawValue })
        var firstQID = 0
        let sets = Self.splitSets()
        #expect(sets[0].labels == prepared.trainingData?.labels && sets[1].labels == prepared.validation.labels)
        #expect(prepared.validation.rows.isEmpty && prepared.validationData?.rowCount == sets[1].labels.count)
        #expect(prepared.trainingSearches == sets[0].groupCount && prepared.trainingClicks.count == sets[0].labels.count)
        let trainingRows = try Dataset(
            features: FeatureSchema.select(prepared.columns, from: sets[0].rows, width: sets[0].featureNames.count),
            featureCount: prepared.columns.count, labels: sets[0].labels, queryBoundaries: sets[0].groupBoundaries)
        let binned = try #require(prepared.trainingData)
        #expect(binned.labels == sets[0].labels && binned.queryBoundaries == sets[0].groupBoundaries)
        #expect(binned.bins.bins == TrainingData(trainingRows, mappers: binned.bins.mappers, layout: .columnMajor).bins.bins)
        let validationRows = try Dataset(
            features: FeatureSchema.select(prepared.columns, from: sets[1].rows, width: sets[1].featureNames.count),
            featureCount: prepared.columns.count, labels: sets[1].labels, queryBoundaries: sets[1].groupBoundaries)
        #expect(try #require(prepared.validationData).bins.bins == TrainingData(validationRows, mappers: binned.bins.mappers).bins.bins)
        #expect(sets[2].groupCount == prepared.testGroups)
        for (name, set) in zip(LETORExport.splits, sets) {
            let split = try #require(schema.splits[name])
            #expect(split.searches == set.groupCount && split.rows == set.labels.count && split.firstQID == firstQID)
            var features: [Float] = [], labels: [Float] = [], sizes: [Int] = [], weights: [Float] = []
            for shard in 0..<split.shards {
                let path = directory.appendingPathComponent(name).appendingPathComponent(LETORExport.shardName(shard)).path
                let data = try LETORReader.read(path: path, featureCount: schema.features.count, threads: 1)
                features += data.features
                labels += data.labels
                sizes += (0..<data.queryCount).map { data.queryRange($0).count }
                let weightLines = try? String(contentsOfFile: path + ".weight", encoding: .utf8).split(separator: "\n")
                #expect((weightLines != nil) == (name == "train"))
                if let weightLines { #expect(weightLines.count == data.rowCount) }
                weights += (weightLines ?? []).compactMap { Float($0) }
                let firstLine = try String(contentsOfFile: path, encoding: .utf8).prefix { $0 != "\n" }
                #expect(firstLine.contains(" qid:\(firstQID + sizes.count - data.queryCount) "))
            }
            #expect(split.shards > 1 || set.labels.count <= 1000)
            #expect(labels == set.labels)
            #expect(sizes == (0..<set.groupCount).map { set.groupBoundaries[$0 + 1] - set.groupBoundaries[$0] })
            #expect(features == FeatureSchema.select(prepared.columns, from: set.rows, width: set.featureNames.count))
            if name == "train" { #expect(weights == set.clickWeights(try #require(prepared.positionBias))) }
            firstQID += set.groupCount
        }
        let last = try #require(sets[2].groups.last)
        #expect(schema.splits["test"]?.until == last.time)
    }

    /// `rerank train --export-letor` without `--output`: the same files, and no rows kept for a learner.
    @Test func anExportAloneWritesTheSameFilesAndKeepsNoRows() throws {
        let (learned, _, learnedDirectory) = try Self.exported()
        let (alone, _, directory) = try Self.exported(learns: false)
        defer {
            try? FileManager.default.removeItem(at: learnedDirectory)
            try? FileManager.default.removeItem(at: directory)
        }
        #expect(alone.trainingData == nil && alone.validationData == nil && alone.validation.groupCount == 0)
        #expect(alone.trainingClicks.count == learned.trainingClicks.count && alone.trainedUntil == learned.trainedUntil)
        #expect(alone.columnNames == learned.columnNames && alone.positionBias == learned.positionBias)
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path).sorted()
        #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: learnedDirectory.path).sorted()))
        #expect(files.contains { $0.hasSuffix(".weight") })
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            let written = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path)
            #expect(written == FileManager.default.contents(atPath: learnedDirectory.appendingPathComponent(file).path), "\(file)")
        }
        #expect(throws: TrainingError.self) { try LogTrainer.train(prepared: alone, options: Self.options()) }
    }

    @Test func externalModelServesWithTheExportedStatistics() throws {
        let (prepared, _, directory) = try Self.exported()
        defer { try? FileManager.default.removeItem(at: directory) }
        let statistics = try PersonalizationModel(contentsOf: directory.appendingPathComponent(LETORExport.statisticsFile).path)
        #expect(statistics.ranking.trees.isEmpty)
        #expect(statistics.ranking.featureNames == prepared.columnNames)
        let names = ["item_ctr", "search_score"]
        let ranking = RankingModel(
            featureNames: names,
            trees: [RegressionTree(splitFeature: [0], threshold: [0.1], leftChild: [~0], rightChild: [~1], leafValue: [-1, 1])],
            parameters: TrainingParameters(), summary: TrainingSummary(rows: 0, queries: 0, iterations: 1, bestIteration: 1, metric: "lightgbm"))
        let model = try ExternalModel.combine(ranking, statistics: statistics, name: "model.txt")
        #expect(model.extras.columns.map { model.extras.featureSchema[$0] } == names)
        #expect(model.extras.blend == nil)
        let path = directory.appendingPathComponent("model.json").path
        try model.write(to: path)
        #expect(try PersonalizationModel(contentsOf: path).ranking.trees.count == 1)

        var other = ranking
        other.featureNames = ["item_ctr", "Column_1"]
        #expect {
            try ExternalModel.combine(other, statistics: statistics, name: "model.txt")
        } throws: { error in
            (error as? TrainingError).map { $0.message.contains("not in the schema: Column_1") } ?? false
        }
    }
}
