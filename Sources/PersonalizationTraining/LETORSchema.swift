import Features
import Foundation
import Personalization

/// `schema.json` of a LETOR export (``LETORExport``): what the svmlight columns, labels and splits are.
///
/// ```json
/// {"format": "rerank-letor-export", "version": 1,
///  "features": [{"index": 1, "name": "search_score", "family": "search"}, ...],
///  "label_gains": {"shown": 0, "click": 1, "add_to_cart": 2, "purchase": 3},
///  "splits": {"train": {"searches": 12000, "rows": 240000, "shards": 1, "first_qid": 0, ...}, ...}, ...}
/// ```
public struct LETORSchema: Sendable, Codable, Equatable {
    public static let formatName = "rerank-letor-export"
    public static let formatVersion = 1

    /// One svmlight column.
    public struct Column: Sendable, Codable, Equatable {
        /// The 1-based index in the shards.
        public var index: Int
        public var name: String
        public var family: String
    }

    /// One of the time-split shard sets.
    public struct Split: Sendable, Codable, Equatable {
        public var searches: Int
        public var rows: Int
        public var shards: Int
        /// The `qid` of its first search; the others follow in time order.
        public var firstQID: Int
        /// Time (seconds since 1970) of its first and last search.
        public var from: Double?
        public var until: Double?
        /// Whether its shards have `.weight` files (inverse-propensity weights of the clicks).
        public var weighted: Bool

        private enum CodingKeys: String, CodingKey {
            case searches, rows, shards, from, until, weighted
            case firstQID = "first_qid"
        }
    }

    /// The grade of each logged interaction, the row's label.
    public struct Gains: Sendable, Codable, Equatable {
        public var shown: Double
        public var click: Double
        public var addToCart: Double
        public var purchase: Double

        private enum CodingKeys: String, CodingKey {
            case shown, click, purchase
            case addToCart = "add_to_cart"
        }
    }

    public var format = LETORSchema.formatName
    public var version = LETORSchema.formatVersion
    /// The columns, in order: a model trained on the shards must name its features so (`feature_names`).
    public var features: [Column]
    /// The storefront's declared features (``DeclaredFeatures``), the columns after the built-in ones.
    public var declared: DeclaredFeatures
    public var excludedFamilies: [String]
    public var labelGains: Gains
    /// `train`, `valid` and `test`, the time split of `rerank train` with the same fractions.
    public var splits: [String: Split]
    public var testFraction: Double
    public var validationFraction: Double
    /// The position bias the training weights come from; nil when not debiased.
    public var positionBias: PositionBias?
    /// The statistics file, relative to the export.
    public var statistics = LETORExport.statisticsFile

    private enum CodingKeys: String, CodingKey {
        case format, version, features, declared, splits, statistics
        case excludedFamilies = "excluded_families"
        case labelGains = "label_gains"
        case testFraction = "test_fraction"
        case validationFraction = "validation_fraction"
        case positionBias = "position_bias"
    }

    init(prepared: PreparedLogs, options: LogTrainingOptions, splits: [String: Split]) {
        let families = Dictionary(
            FeatureSchema.definitions.map { ($0.name, $0.family.rawValue) }, uniquingKeysWith: { first, _ in first })
        features = prepared.columnNames.enumerated().map { index, name in
            Column(index: index + 1, name: name, family: families[name] ?? FeatureFamily.declared.rawValue)
        }
        declared = options.builder.declared
        excludedFamilies = options.excludedFamilies.map(\.rawValue).sorted()
        let gains = options.builder.gains
        labelGains = Gains(shown: 0, click: gains.click, addToCart: gains.addToCart, purchase: gains.purchase)
        self.splits = splits
        testFraction = options.testFraction
        validationFraction = options.validationFraction
        positionBias = prepared.positionBias
    }

    /// Writes the schema as indented JSON.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
