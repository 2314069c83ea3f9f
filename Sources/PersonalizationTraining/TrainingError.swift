/// A log that cannot be trained on, with what to do about it.
public struct TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case noShownSearches
        case noInteractions
        case tooFewSearches
        case tooFewAfterHoldOut
        case nothingToEvaluate
        case otherDeclaredFeatures
        case otherModelFeatures
        case preparedForExportAlone
    }

    private let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Errors of the same kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's
    /// `HTTPClientError`).
    public static func == (lhs: TrainingError, rhs: TrainingError) -> Bool { lhs.code == rhs.code }

    static func noShownSearches() -> TrainingError {
        .init(
            .noShownSearches,
            "the logs hold no searches with shown results: ubi_queries need query_response_hit_ids (or impression events with positions); log searches through `rerank serve --log-dir`"
        )
    }

    static func noInteractions() -> TrainingError {
        .init(
            .noInteractions,
            "the logs hold no clicks, add-to-carts or purchases to learn from; send them to POST /_rerank/events")
    }

    static func tooFewSearches(_ count: Int, unjoinable: Int, minimum: Int) -> TrainingError {
        .init(
            .tooFewSearches,
            "only \(count) searches have clicks, add-to-carts or purchases joined to them (\(unjoinable) events matched no search); at least \(minimum) are needed"
        )
    }

    static func tooFewAfterHoldOut(_ usable: Int, heldOut: Int, minimum: Int) -> TrainingError {
        .init(
            .tooFewAfterHoldOut,
            "only \(usable) searches with interactions are left after holding out the latest \(heldOut) for evaluation; at least \(minimum) are needed (lower the test fraction or collect more logs)"
        )
    }

    static func preparedForExportAlone() -> TrainingError {
        .init(
            .preparedForExportAlone,
            "the logs were prepared for an export alone, without the rows a learner reads; prepare them with learns: true to train")
    }

    static func otherDeclaredFeatures(_ missing: [String]) -> TrainingError {
        .init(
            .otherDeclaredFeatures,
            "the compared model reads declared features the evaluated model does not declare (\(missing.joined(separator: ", "))); evaluate each model on its own")
    }

    static func nothingToEvaluate() -> TrainingError {
        .init(
            .nothingToEvaluate,
            "the logs hold no searches with clicks, add-to-carts or purchases joined to them; nothing to evaluate")
    }

    static func otherModelFeatures(_ model: String, unknown: [String], duplicated: [String], schema: [String]) -> TrainingError {
        var problems: [String] = []
        if !unknown.isEmpty { problems.append("not in the schema: \(unknown.joined(separator: ", "))") }
        if !duplicated.isEmpty { problems.append("named twice: \(duplicated.joined(separator: ", "))") }
        return .init(
            .otherModelFeatures,
            "\(model) names features the export's schema does not hold (\(problems.joined(separator: "; "))); the schema's columns are \(schema.joined(separator: ", ")): train on the exported shards with schema.json's names as feature_name")
    }
}
