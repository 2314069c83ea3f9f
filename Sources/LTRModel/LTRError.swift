
/// An error raised by the learning-to-rank engine: bad input data, bad parameters or a bad model file.
///
/// Each error says what went wrong and how to fix it. Two errors compare equal when they are of the same
/// kind, whatever their message, so callers and tests can match a kind with the static members:
///
/// ```swift
/// do {
///     _ = try RankingModel(jsonData: bytes)
/// } catch let error as LTRError where error == .checksumMismatch {
///     print(error)  // "model file checksum mismatch: ..."
/// }
/// ```
public struct LTRError: Error, Equatable, CustomStringConvertible, Sendable {
    private enum Code: Equatable, Sendable {
        case unreadableFile
        case unwritableFile
        case malformedInput
        case groupMismatch
        case missingGroups
        case featureOutOfSchema
        case invalidLabel
        case invalidParameter
        case emptyDataset
        case checksumMismatch
        case unsupportedModel
        case malformedModel
        case featureCountMismatch
    }

    private let code: Code
    /// A human-readable explanation: what went wrong, where, and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: LTRError, rhs: LTRError) -> Bool { lhs.code == rhs.code }

    /// A file could not be opened or read.
    public static let unreadableFile = LTRError(.unreadableFile, "file could not be read")
    /// A file could not be written.
    public static let unwritableFile = LTRError(.unwritableFile, "file could not be written")
    /// A line of a data file is not in the expected format.
    public static let malformedInput = LTRError(.malformedInput, "malformed input")
    /// Query group sizes do not add up to the number of rows, or a group is empty.
    public static let groupMismatch = LTRError(.groupMismatch, "query groups do not match the rows")
    /// A ranking data set has no query groups at all.
    public static let missingGroups = LTRError(.missingGroups, "no query groups")
    /// A feature index lies outside the feature schema.
    public static let featureOutOfSchema = LTRError(.featureOutOfSchema, "feature outside the schema")
    /// A relevance label cannot be used by the objective.
    public static let invalidLabel = LTRError(.invalidLabel, "invalid relevance label")
    /// A training parameter is out of range.
    public static let invalidParameter = LTRError(.invalidParameter, "invalid parameter")
    /// A data set has no rows.
    public static let emptyDataset = LTRError(.emptyDataset, "empty data set")
    /// A model file's checksum does not match its content.
    public static let checksumMismatch = LTRError(.checksumMismatch, "model file checksum mismatch")
    /// A model file has an unknown format name or version.
    public static let unsupportedModel = LTRError(.unsupportedModel, "unsupported model format")
    /// A model file is not valid JSON or its trees are inconsistent.
    public static let malformedModel = LTRError(.malformedModel, "malformed model")
    /// Rows given to the scorer do not have the model's number of features.
    public static let featureCountMismatch = LTRError(.featureCountMismatch, "feature count mismatch")

    package static func unreadableFile(_ path: String, reason: String) -> LTRError {
        LTRError(.unreadableFile, "cannot read \(path): \(reason). Check that the path exists and is readable.")
    }

    package static func unwritableFile(_ path: String, reason: String) -> LTRError {
        LTRError(.unwritableFile, "cannot write \(path): \(reason). Check that its directory exists and is writable.")
    }

    package static func malformedInput(file: String, line: Int, _ reason: String) -> LTRError {
        LTRError(.malformedInput, "\(file):\(line): \(reason)")
    }

    package static func groupMismatch(_ message: String) -> LTRError {
        LTRError(.groupMismatch, message)
    }

    package static func missingGroups(_ message: String) -> LTRError {
        LTRError(.missingGroups, message)
    }

    package static func featureOutOfSchema(_ message: String) -> LTRError {
        LTRError(.featureOutOfSchema, message)
    }

    package static func invalidLabel(_ message: String) -> LTRError {
        LTRError(.invalidLabel, message)
    }

    package static func invalidParameter(_ name: String, _ problem: String) -> LTRError {
        LTRError(.invalidParameter, "parameter \(name) \(problem)")
    }

    package static func emptyDataset(_ message: String) -> LTRError {
        LTRError(.emptyDataset, message)
    }

    package static func checksumMismatch(expected: String, actual: String) -> LTRError {
        LTRError(
            .checksumMismatch,
            "model file checksum mismatch: the file says \(expected) but its content hashes to \(actual). "
                + "The file was modified or truncated after it was written; train or copy it again."
        )
    }

    package static func unsupportedModel(_ message: String) -> LTRError {
        LTRError(.unsupportedModel, message)
    }

    package static func malformedModel(_ message: String) -> LTRError {
        LTRError(.malformedModel, "malformed model: \(message)")
    }

    package static func featureCountMismatch(expected: Int, actual: Int) -> LTRError {
        LTRError(
            .featureCountMismatch,
            "the model expects \(expected) features per row but was given \(actual); "
                + "build rows in the order of the model's feature schema."
        )
    }
}
