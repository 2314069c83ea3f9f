/// A configuration that could not be used, naming the key and how to fix it.
///
/// The code says what kind of problem it is; the message, shown to the operator as is, says which key and what
/// to write instead.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unreadableFile
        case unknownKey
        case missingKey
        case invalidValue
        case unservableModel
    }

    private let code: Code
    /// What went wrong and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Errors of the same kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's
    /// `HTTPClientError`).
    public static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool { lhs.code == rhs.code }

    /// The config file is missing, unreadable, not JSON or not a JSON object.
    static func unreadableFile(_ message: String) -> ConfigurationError { .init(.unreadableFile, message) }

    /// A key the configuration does not know (a typo is not silently ignored).
    static func unknownKey(_ message: String) -> ConfigurationError { .init(.unknownKey, message) }

    /// A required key, or one another key needs, is absent.
    package static func missingKey(_ message: String) -> ConfigurationError { .init(.missingKey, message) }

    /// A key's value has the wrong type, is out of range or contradicts another key.
    static func invalidValue(_ message: String) -> ConfigurationError { .init(.invalidValue, message) }

    /// A model file named by the configuration cannot be served.
    package static func unservableModel(_ message: String) -> ConfigurationError { .init(.unservableModel, message) }
}
