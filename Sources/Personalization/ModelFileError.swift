/// A model file that cannot be served, naming the file and how to fix it.
///
/// The code says what kind of problem it is; the message, shown to the operator as is, says which file and what
/// to do. Errors of the same kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's
/// `HTTPClientError`).
public struct ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unusable
        case notPersonalized
        case unsupportedFormat
        case unreadableData
        case otherFeatures
        case otherContextDefaults
    }

    private let code: Code
    /// What is wrong with the file and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: ModelFileError, rhs: ModelFileError) -> Bool { lhs.code == rhs.code }

    /// The ranking model loader refused the file (unreadable, bad checksum, bad trees).
    static func unusable(_ message: String) -> ModelFileError { .init(.unusable, message) }

    /// A plain ranking model, without the personalization payload.
    static func notPersonalized(_ message: String) -> ModelFileError { .init(.notPersonalized, message) }

    /// A personalization payload of another format version.
    static func unsupportedFormat(_ message: String) -> ModelFileError { .init(.unsupportedFormat, message) }

    /// A personalization payload that does not decode.
    static func unreadableData(_ message: String) -> ModelFileError { .init(.unreadableData, message) }

    /// Features this build does not compute the way the model was trained with.
    static func otherFeatures(_ message: String) -> ModelFileError { .init(.otherFeatures, message) }

    /// A context assumed for events without a search that differs from this build's.
    static func otherContextDefaults(_ message: String) -> ModelFileError { .init(.otherContextDefaults, message) }
}
