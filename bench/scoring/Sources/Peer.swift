// The peer comparison (bench/scoring/peer.sh): the bench's searches write their feature rows out, LightGBM learns
// a model of the same size from them (peer.py), its own C predictor times it (lightgbm_predict.c), and
// `--lightgbm DIR` times rerank's scorer on that same model and the same rows, checking both give the same scores.
import Foundation
import LTRModel
import LTRTraining

/// The files of one peer comparison, in its directory.
struct PeerRows {
    /// Rows per result list, as the bench's searches return.
    static let listLength = 100

    let directory: String

    private var rows: String { directory + "/rows.f32" }
    /// rerank's scores of the rows with the bench's model: what LightGBM learns to predict.
    private var targets: String { directory + "/targets.f64" }
    private var meta: String { directory + "/meta.json" }
    private var lightGBMModel: String { directory + "/lightgbm.txt" }
    private var lightGBMScores: String { directory + "/lightgbm_scores.f64" }

    private struct Meta: Codable {
        var width: Int
        var lists: Int
        var rowsPerList: Int
    }

    /// Writes the lists' rows (each `listLength` rows of `width` values) and the bench model's scores of them.
    func write(lists: [[Float]], width: Int, scorer: ModelScorer) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let all = lists.flatMap { $0 }
        try Self.write(all, to: rows)
        try Self.write(scorer.score(rows: all), to: targets)
        let meta = Meta(width: width, lists: lists.count, rowsPerList: Self.listLength)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(meta).write(to: URL(fileURLWithPath: self.meta))
        print("wrote \(lists.count) lists of \(Self.listLength) rows, \(width) features each, to \(directory)")
    }

    /// Times rerank's scorer on LightGBM's model, one list at a time, `runs` lists in turn; prints the latency
    /// and the largest difference from LightGBM's own scores of the same rows.
    func timeScorer(runs: Int) throws {
        let model = try LightGBMModel.read(path: lightGBMModel)
        let scorer = model.scorer()
        let rows = try Self.read(Float.self, from: rows)
        let expected = try Self.read(Double.self, from: lightGBMScores)
        let width = scorer.featureCount
        let listValues = width * Self.listLength
        guard !rows.isEmpty, rows.count % listValues == 0, expected.count == rows.count / width else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: directory])
        }
        let lists = rows.count / listValues
        var scores = [Double](repeating: 0, count: expected.count)
        var samples: [Double] = []
        let clock = ContinuousClock()
        rows.withUnsafeBufferPointer { rows in
            scores.withUnsafeMutableBufferPointer { scores in
                for run in 0..<max(runs, lists) {
                    let list = run % lists
                    let input = UnsafeBufferPointer(rebasing: rows[(list * listValues)..<((list + 1) * listValues)])
                    let output = UnsafeMutableBufferPointer(
                        rebasing: scores[(list * Self.listLength)..<((list + 1) * Self.listLength)])
                    let begin = clock.now
                    scorer.score(rows: input, into: output)
                    samples.append(microseconds(clock.now - begin))
                }
            }
        }
        let difference = zip(scores, expected).map { abs($0 - $1) }.max() ?? 0
        let leaves = model.trees.map(\.leafValue.count).reduce(0, +)
        print("rerank's scorer on LightGBM's model (\(model.trees.count) trees, \(leaves / max(1, model.trees.count)) leaves per tree on average, \(width) features, walked \(scorer.walk)), \(Self.listLength) rows at a time, \(samples.count) lists: \(summary(samples))")
        print(String(format: "largest difference from LightGBM's scores of the same rows: %.3g", difference))
    }

    private static func write<Value>(_ values: [Value], to path: String) throws {
        try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
    }

    private static func read<Value>(_ type: Value.Type, from path: String) throws -> [Value] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return [Value](unsafeUninitializedCapacity: data.count / MemoryLayout<Value>.stride) { buffer, count in
            count = data.copyBytes(to: buffer) / MemoryLayout<Value>.stride
        }
    }
}

func microseconds(_ duration: Duration) -> Double {
    Double(duration.components.attoseconds) / 1e12 + Double(duration.components.seconds) * 1e6
}

func summary(_ samples: [Double]) -> String {
    let sorted = samples.sorted()
    let percentile = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    return String(format: "p10 %.1f µs, p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, mean %.1f µs",
        percentile(0.1), percentile(0.5), percentile(0.9), percentile(0.99), sorted.reduce(0, +) / Double(sorted.count))
}
