import Features
import Foundation
import LTR

/// What a personalized ranking model needs besides its trees: which features it reads, where item attributes
/// come from, and the interaction statistics as they stood when it was trained.
public struct PersonalizationExtras: Sendable, Codable {
    public static let formatName = "rerank-personalization"
    public static let formatVersion = 1

    public var format = PersonalizationExtras.formatName
    public var version = PersonalizationExtras.formatVersion
    /// Columns of ``FeatureSchema`` the model reads, in order.
    public var columns: [Int]
    /// Feature families left out (an ablation), by name.
    public var excludedFamilies: [String]
    public var attributeFields: AttributeFields
    public var gains: LabelGains
    /// The statistics snapshot serving starts from.
    public var state: FeatureState
    /// Time (seconds since 1970) of the latest search training or validation used; later searches are unseen.
    /// Absent in files from before it was recorded.
    public var trainedUntil: Double?

    public init(
        columns: [Int], excludedFamilies: [String], attributeFields: AttributeFields, gains: LabelGains, state: FeatureState,
        trainedUntil: Double? = nil
    ) {
        self.columns = columns
        self.excludedFamilies = excludedFamilies
        self.attributeFields = attributeFields
        self.gains = gains
        self.state = state
        self.trainedUntil = trainedUntil
    }
}

/// A trained personalized ranking model: the LambdaMART trees plus ``PersonalizationExtras``, in one file.
public struct PersonalizationModel: Sendable {
    public var ranking: RankingModel
    public var extras: PersonalizationExtras

    public init(ranking: RankingModel, extras: PersonalizationExtras) {
        self.ranking = ranking
        self.extras = extras
    }

    /// Reads and validates a model file: checksum and trees (by the LTR loader), then that it is a
    /// personalization model whose features this build knows.
    ///
    /// - Throws: ``ModelFileError`` saying what is wrong with the file.
    public init(contentsOf path: String) throws {
        let ranking: RankingModel
        do {
            ranking = try RankingModel(contentsOf: path)
        } catch {
            throw ModelFileError("model file '\(path)' is not usable: \(error)")
        }
        guard let payload = ranking.extras, let extras = try? payload.decode(PersonalizationExtras.self),
            extras.format == PersonalizationExtras.formatName
        else {
            throw ModelFileError("model file '\(path)' is a plain ranking model without personalization data; train it with `rerank train --logs DIR`")
        }
        guard extras.version <= PersonalizationExtras.formatVersion else {
            throw ModelFileError("model file '\(path)' has personalization format \(extras.version); this rerank reads up to \(PersonalizationExtras.formatVersion)")
        }
        let names = FeatureSchema.names
        guard extras.columns.allSatisfy(names.indices.contains),
            extras.columns.map({ names[$0] }) == ranking.featureNames
        else {
            throw ModelFileError("model file '\(path)' reads features \(ranking.featureNames) that this rerank does not compute the same way; retrain it")
        }
        self.init(ranking: ranking, extras: extras)
    }

    /// Writes the model file.
    public func write(to path: String) throws {
        var ranking = ranking
        ranking.extras = try ModelExtras(encoding: extras)
        try ranking.write(to: path)
    }

    /// A short name for headers and logs: `model-<checksum prefix>` style, from the trees and training summary.
    public var version: String {
        "ltr-\(ranking.trees.count)t-\(ranking.summary.bestIteration)"
    }
}

/// A model file that cannot be served.
public struct ModelFileError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
