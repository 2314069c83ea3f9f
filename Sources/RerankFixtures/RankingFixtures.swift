import Foundation
import LTRTraining
import RerankCore

/// Small synthetic ranking data for the learning-to-rank tests: relevance depends on a few features plus noise.
///
/// ```swift
/// let data = try RankingFixtures.synthetic(queries: 40, documents: 20, features: 8)
/// ```
public enum RankingFixtures {
    /// `queries` queries of `documents` rows with `features` features, labels 0...3.
    public static func synthetic(queries: Int, documents: Int, features: Int, seed: UInt64 = 7) throws -> Dataset {
        var random = SplitMix64(seed: seed)
        var values: [Float] = []
        var labels: [Float] = []
        for _ in 0..<(queries * documents) {
            var row: [Float] = []
            for feature in 0..<features {
                let value = Float(random.nextUnitDouble())
                // Every third feature is sparse: mostly zero, as in LETOR data.
                row.append(feature % 3 == 2 && value < 0.6 ? 0 : value)
            }
            let signal = 2 * Double(row[0]) + Double(row[1]) - Double(row[2]) + 0.5 * random.nextUnitDouble()
            labels.append(Float(min(3, max(0, Int(signal * 1.5)))))
            values += row
        }
        return try Dataset(
            features: values, featureCount: features, labels: labels,
            groupSizes: Array(repeating: documents, count: queries))
    }

    /// A temporary directory removed by the caller.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ltr-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
