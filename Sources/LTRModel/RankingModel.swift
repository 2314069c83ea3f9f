import Foundation
import RerankCore

/// Facts about the training run, stored in the model file.
public struct TrainingSummary: Sendable, Codable, Equatable {
    /// Training rows.
    public var rows: Int
    /// Training queries.
    public var queries: Int
    /// Validation rows, if there was validation data.
    public var validationRows: Int?
    /// Validation queries, if there was validation data.
    public var validationQueries: Int?
    /// Iterations trained (trees grown).
    public var iterations: Int
    /// The iteration with the best validation metric (the last one without validation data).
    public var bestIteration: Int
    /// The validation metric's name, e.g. `ndcg@10`.
    public var metric: String
    /// The validation metric at the best iteration.
    public var bestValidationMetric: Double?

    /// Creates a summary.
    public init(
        rows: Int, queries: Int, validationRows: Int? = nil, validationQueries: Int? = nil, iterations: Int,
        bestIteration: Int, metric: String, bestValidationMetric: Double? = nil
    ) {
        self.rows = rows
        self.queries = queries
        self.validationRows = validationRows
        self.validationQueries = validationQueries
        self.iterations = iterations
        self.bestIteration = bestIteration
        self.metric = metric
        self.bestValidationMetric = bestValidationMetric
    }
}

/// A trained ranking model and its versioned file format.
///
/// The file is one JSON document: format name and version, the feature schema (names, in column order), the
/// objective, the training parameters, a training summary, the trees, an optional opaque `extras` payload
/// (e.g. the statistics snapshot a server needs to compute features), and a checksum: FNV-1a 64 over the
/// canonical encoding (compact, sorted keys) of everything else. Loading checks the format, version,
/// checksum and tree structure and fails with an `LTRError` that says what is wrong.
///
/// ```swift
/// try model.write(to: "model.json")
/// let loaded = try RankingModel(contentsOf: "model.json")
/// let scorer = loaded.scorer()
/// ```
public struct RankingModel: Sendable, Equatable {
    /// The `format` field of every model file.
    public static let formatName = "rerank-ltr-model"
    /// The file format version this build writes and reads.
    public static let formatVersion = 1

    /// Feature names in column order: rows given to the scorer must follow this order.
    public var featureNames: [String]
    /// The boosted trees; a row's score is the sum of their outputs.
    public var trees: [RegressionTree]
    /// The parameters the model was trained with.
    public var parameters: TrainingParameters
    /// Facts about the training run.
    public var summary: TrainingSummary
    /// An opaque payload stored alongside the model.
    public var extras: ModelExtras?

    /// Creates a model.
    public init(
        featureNames: [String], trees: [RegressionTree], parameters: TrainingParameters,
        summary: TrainingSummary, extras: ModelExtras? = nil
    ) {
        self.featureNames = featureNames
        self.trees = trees
        self.parameters = parameters
        self.summary = summary
        self.extras = extras
    }

    /// The model's score for one row of raw features in schema order (slow path; use `scorer()` to serve).
    public func predict<Row: RandomAccessCollection<Float>>(_ row: Row) -> Double where Row.Index == Int {
        trees.reduce(0) { $0 + $1.predict(row) }
    }

    /// A compact scorer for serving.
    public func scorer() -> ModelScorer {
        ModelScorer(self)
    }

    /// Reads and validates a model file.
    ///
    /// - Throws: `LTRError` when the file cannot be read, is not a model, has another version, fails its
    ///   checksum or holds inconsistent trees.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LTRError.unreadableFile(path, reason: "no such file or not readable")
        }
        try self.init(jsonData: data)
    }

    /// Decodes and validates a model file's bytes.
    ///
    /// - Throws: `LTRError` as `init(contentsOf:)`.
    public init(jsonData data: Data) throws {
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: data)
        } catch {
            throw LTRError.malformedModel("not a JSON model file (\(error)); give the file written by `rerank train`.")
        }
        guard header.format == Self.formatName else {
            throw LTRError.unsupportedModel(
                "the file's format is '\(header.format)', not '\(Self.formatName)'; give a model written by `rerank train`.")
        }
        guard header.version == Self.formatVersion else {
            throw LTRError.unsupportedModel(
                "the model file has format version \(header.version) but this build reads version "
                    + "\(Self.formatVersion); retrain the model or use a matching rerank build.")
        }
        var document: ModelDocument
        do {
            document = try JSONDecoder().decode(ModelDocument.self, from: data)
        } catch {
            throw LTRError.malformedModel("the model file does not decode: \(error)")
        }
        guard let expected = document.checksum else {
            throw LTRError.malformedModel("the model file has no checksum; it was not written by `rerank train`.")
        }
        document.checksum = nil
        let actual = FNV1a64.label(try Self.canonicalEncoder.encode(document))
        guard actual == expected else { throw LTRError.checksumMismatch(expected: expected, actual: actual) }
        guard document.objective == ModelDocument.lambdarank else {
            throw LTRError.unsupportedModel("the model's objective '\(document.objective)' is not supported.")
        }
        for (index, tree) in document.trees.enumerated() {
            do {
                try tree.validate(featureCount: document.features.count)
            } catch let error as LTRError {
                throw LTRError.malformedModel("tree \(index): \(error.message)")
            }
        }
        self.init(
            featureNames: document.features, trees: document.trees, parameters: document.parameters,
            summary: document.summary, extras: document.extras)
    }

    /// The encoding the checksum is computed over: compact, keys sorted, slashes as they are.
    static var canonicalEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// The first fields of a model file, decoded alone so that another format gets a clear error.
private struct ModelHeader: Decodable {
    var format: String
    var version: Int
}

/// The model file's JSON document.
struct ModelDocument: Codable {
    static let lambdarank = "lambdarank"

    var format: String
    var version: Int
    var features: [String]
    var objective: String
    var parameters: TrainingParameters
    var summary: TrainingSummary
    var trees: [RegressionTree]
    var extras: ModelExtras?
    var checksum: String?

    init(_ model: RankingModel, checksum: String?) {
        format = RankingModel.formatName
        version = RankingModel.formatVersion
        features = model.featureNames
        objective = Self.lambdarank
        parameters = model.parameters
        summary = model.summary
        trees = model.trees
        extras = model.extras
        self.checksum = checksum
    }
}
