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
/// Rows are written as the replay makes them (``LogTrainer/prepare(_:items:profiles:options:export:learns:)``), a
/// megabyte buffered at a time; the weights, the schema and the statistics when the replay is done (``finish``).
///
/// ```swift
/// let export = try LETORExport(directory: "export", shardRows: 500_000)
/// let prepared = try LogTrainer.prepare(log.replayLog(), items: items, options: options, export: export)
/// let schema = try export.finish(prepared, options: options)
/// ```
public final class LETORExport {
    /// The split directories, in time order.
    public static let splits = ["train", "valid", "test"]
    /// The statistics file's name.
    public static let statisticsFile = "statistics.json"
    /// The schema file's name.
    public static let schemaFile = "schema.json"

    /// Rows after which a shard is closed (at the end of the search that reaches it).
    public let shardRows: Int
    private let root: URL
    /// The split being written (an index into ``splits``) and what it holds so far.
    private var current = 0
    private var written: [LETORSchema.Split]
    /// The open shard, nil between shards.
    private var shard: ShardWriter?
    /// The row count of each training shard, for its `.weight` file.
    private var trainingShardRows: [Int] = []

    /// Creates the directory and its split folders.
    ///
    /// - Throws: a file system error naming the path that could not be created.
    public init(directory: String, shardRows: Int = 500_000) throws {
        self.shardRows = shardRows
        root = URL(fileURLWithPath: directory)
        for name in Self.splits {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        written = Self.splits.map { _ in
            LETORSchema.Split(searches: 0, rows: 0, shards: 0, firstQID: 0, from: nil, until: nil, weighted: false)
        }
    }

    /// The name of shard `index`.
    public static func shardName(_ index: Int) -> String {
        "part-" + String(repeating: "0", count: max(0, 5 - String(index).count)) + String(index) + ".svm"
    }

    /// Writes one search's rows (full width `width`, of which `columns` are written) to `part`'s shards; searches
    /// come in time order, so the parts in the order of ``splits``.
    func append(_ search: ReplayedSearch, to part: TimeSplit.Part, columns: [Int], width: Int) throws {
        while current < part.rawValue { try closeSplit() }
        let qid = written[current].firstQID + written[current].searches
        var text = ""
        for row in 0..<search.labels.count {
            text += Self.number(search.labels[row]) + " qid:\(qid)"
            for (column, source) in columns.enumerated() {
                let value = search.rows[row * width + source]
                if value != 0 { text += " \(column + 1):" + Self.number(value) }
            }
            text += " # \(search.impression.queryID)\n"
        }
        if shard == nil { shard = try ShardWriter(path: shardPath(split: current, shard: written[current].shards)) }
        try shard?.append(text, rows: search.labels.count)
        written[current].searches += 1
        written[current].rows += search.labels.count
        written[current].from = written[current].from ?? search.impression.time
        written[current].until = search.impression.time
        if let rows = shard?.rows, rows >= shardRows { try flush() }
    }

    /// Closes the last shards, writes the training weights, `schema.json` and `statistics.json`, and returns the
    /// schema written.
    ///
    /// - Throws: a file system error naming the path that could not be written.
    @discardableResult
    public func finish(_ prepared: PreparedLogs, options: LogTrainingOptions) throws -> LETORSchema {
        while current < Self.splits.count { try closeSplit() }
        if let bias = prepared.positionBias {
            var start = 0
            for (index, rows) in trainingShardRows.enumerated() {
                let text = prepared.trainingClicks.weights(bias, rows: start..<(start + rows)).map { Self.number($0) + "\n" }.joined()
                try write(text, to: shardPath(split: 0, shard: index) + ".weight")
                start += rows
            }
            written[0].weighted = true
        }
        let schema = LETORSchema(
            prepared: prepared, options: options, splits: Dictionary(uniqueKeysWithValues: zip(Self.splits, written)))
        try schema.write(to: root.appendingPathComponent(Self.schemaFile).path)
        let statistics = PersonalizationModel(
            ranking: RankingModel(
                featureNames: prepared.columnNames, trees: [], parameters: options.parameters,
                summary: TrainingSummary(rows: 0, queries: 0, iterations: 0, bestIteration: 0, metric: "ndcg@10")),
            extras: prepared.extras(options: options))
        try statistics.write(to: root.appendingPathComponent(Self.statisticsFile).path)
        return schema
    }

    /// Closes the open split's last shard (every split has at least one, perhaps empty) and opens the next split.
    private func closeSplit() throws {
        if shard != nil || written[current].shards == 0 { try flush() }
        current += 1
        if current < Self.splits.count {
            written[current].firstQID = written[current - 1].firstQID + written[current - 1].searches
        }
    }

    /// Closes the open shard (an empty one when none is open) and writes its `.query` file.
    private func flush() throws {
        let path = shardPath(split: current, shard: written[current].shards)
        var closing = try shard ?? ShardWriter(path: path)
        try closing.close()
        try write(closing.sizes, to: path + ".query")
        if current == 0 { trainingShardRows.append(closing.rows) }
        written[current].shards += 1
        shard = nil
    }

    private func shardPath(split: Int, shard: Int) -> String {
        root.appendingPathComponent(Self.splits[split]).appendingPathComponent(Self.shardName(shard)).path
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A value as the shortest text that reads back as the same `Float`.
    static func number(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : "\(value)"
    }
}

/// A shard being written: its lines go to the file a buffer at a time; its group sizes are kept for `.query`.
private struct ShardWriter {
    /// Bytes buffered before they are written.
    static let bufferSize = 1 << 20

    let path: String
    private let file: FileHandle
    private var buffer: [UInt8] = []
    private(set) var sizes = ""
    private(set) var rows = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.path = path
        file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// Adds one search's lines.
    mutating func append(_ lines: String, rows: Int) throws {
        buffer += lines.utf8
        sizes += "\(rows)\n"
        self.rows += rows
        if buffer.count >= Self.bufferSize { try write() }
    }

    mutating func close() throws {
        try write()
        try file.close()
    }

    private mutating func write() throws {
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
