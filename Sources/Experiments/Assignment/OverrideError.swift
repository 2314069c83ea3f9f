/// An override header that names no configured experiment or variant.
public struct OverrideError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unknownExperiment
        case unknownVariant
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
    public static func == (lhs: OverrideError, rhs: OverrideError) -> Bool { lhs.code == rhs.code }

    /// The override is not `EXPERIMENT/VARIANT` or names no configured experiment.
    static func unknownExperiment(_ value: String, configured names: String) -> OverrideError {
        .init(
            .unknownExperiment,
            "'\(value)' names no configured experiment; use EXPERIMENT/VARIANT with one of: \(names.isEmpty ? "(none configured)" : names)"
        )
    }

    /// The experiment has no such variant.
    static func unknownVariant(_ variant: String, experiment: String, choices: [String]) -> OverrideError {
        .init(
            .unknownVariant,
            "experiment '\(experiment)' has no variant '\(variant)'; use one of: \(choices.joined(separator: ", "))")
    }
}
