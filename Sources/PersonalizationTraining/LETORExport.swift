import Features
import Foundation
import LTRModel
import Personalization

/// Writes the point-in-time rows of replayed logs as svmlight shards, for an external trainer (LightGBM or
/// XGBoost, on one machine or a Dask/Spark cluster), with the schema and the statistics serving needs.
///
/// The directory holds `train/`, `valid/` and `test/`, the time split `rerank train` uses, each as
/// `part-00000.svm`, `part-00001.svm`, ...: one line per shown item, `label qid:N i:v ...` with the columns the
/// model reads numbered from 1 in schema order (zeros left out) and the search's `query_id` as a comment. Query
/// ids number the searches in time order across the three sets; a search is never split between shards. Next to
/// each shard, `.query` holds its group sizes (LightGBM's layout) and, for training shards of debiased logs,
/// `.weight` each row's inverse-propensity weight. `schema.json` names the columns (``LETORSchema``), and
/// `statistics.json` is a model file without trees holding the statistics snapshot, for `rerank import-model`.
///
/// ```swift
/// let prepared = try LogTrainer.prepare(log: log, items: items, options: options)
/// let schema = try LETORExport(shardRows: 500_000).write(prepared, options: options, to: "export")
/// ```
public struct LETORExport: Sendable {
    /// The split directories, in time order.
    public static let splits = ["train", "valid", "test"]
    /// The statistics file's name.
    public static let statisticsFile = "statistics.json"
    /// The schema file's name.
    public static let schemaFile = "schema.json"

    /// Rows after which a shard is closed (at the end of the search that reaches it).
    public var shardRows: Int

    public init(shardRows: Int = 500_000) {
        self.shardRows = shardRows
    }

    /// The name of shard `index`.
    public static func shardName(_ index: Int) -> String {
        "part-" + String(repeating: "0", count: max(0, 5 - String(index).count)) + String(index) + ".svm"
    }

    /// Writes `prepared` under `directory` (created if needed) and returns the schema written.
    ///
    /// - Throws: a file system error naming the path that could not be written.
    @discardableResult
    public func write(_ prepared: PreparedLogs, options: LogTrainingOptions, to directory: String) throws -> LETORSchema {
        let root = URL(fileURLWithPath: directory)
        let sets = [prepared.training, prepared.validation, prepared.test]
        var splits: [String: LETORSchema.Split] = [:]
        var nextQuery = 0
        for (name, set) in zip(Self.splits, sets) {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let weights = name == "train" ? prepared.positionBias.map { set.clickWeights($0) } : nil
            let shards = try writeShards(set, columns: prepared.columns, weights: weights, firstQuery: nextQuery, to: folder)
            splits[name] = LETORSchema.Split(
                searches: set.groupCount, rows: set.labels.count, shards: shards, firstQID: nextQuery,
                from: set.groups.first?.time, until: set.groups.last?.time, weighted: weights != nil)
            nextQuery += set.groupCount
        }
        let schema = LETORSchema(prepared: prepared, options: options, splits: splits)
        try schema.write(to: root.appendingPathComponent(Self.schemaFile).path)
        let statistics = PersonalizationModel(
            ranking: RankingModel(
                featureNames: prepared.columnNames, trees: [], parameters: options.parameters,
                summary: TrainingSummary(rows: 0, queries: 0, iterations: 0, bestIteration: 0, metric: "ndcg@10")),
            extras: prepared.extras(options: options))
        try statistics.write(to: root.appendingPathComponent(Self.statisticsFile).path)
        return schema
    }

    /// Writes `set` as shards in `folder`, one buffered shard at a time; returns how many.
    private func writeShards(
        _ set: TrainingSet, columns: [Int], weights: [Float]?, firstQuery: Int, to folder: URL
    ) throws -> Int {
        let width = set.featureNames.count
        var shard = 0
        var text = "", sizes = "", rowWeights = ""
        var rowsInShard = 0
        func flush() throws {
            let path = folder.appendingPathComponent(Self.shardName(shard)).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try Data(sizes.utf8).write(to: URL(fileURLWithPath: path + ".query"))
            if weights != nil { try Data(rowWeights.utf8).write(to: URL(fileURLWithPath: path + ".weight")) }
            shard += 1
            text = ""
            sizes = ""
            rowWeights = ""
            rowsInShard = 0
        }
        for group in 0..<set.groupCount {
            let rows = set.groupBoundaries[group]..<set.groupBoundaries[group + 1]
            for row in rows {
                text += Self.number(set.labels[row]) + " qid:\(firstQuery + group)"
                for (index, column) in columns.enumerated() {
                    let value = set.rows[row * width + column]
                    if value != 0 { text += " \(index + 1):" + Self.number(value) }
                }
                text += " # \(set.groups[group].queryID)\n"
                if let weights { rowWeights += Self.number(weights[row]) + "\n" }
            }
            sizes += "\(rows.count)\n"
            rowsInShard += rows.count
            if rowsInShard >= shardRows { try flush() }
        }
        if rowsInShard > 0 || shard == 0 { try flush() }
        return shard
    }

    /// A value as the shortest text that reads back as the same `Float`.
    static func number(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : "\(value)"
    }
}
