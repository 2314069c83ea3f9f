/// A statistics snapshot (the online state stored in a model file) that cannot be read.
///
/// The code says what kind of problem it is; the message says what happened and what to do. Errors of the same
/// kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's `HTTPClientError`).
public struct SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case otherFormat
        case notBase64
        case endsEarly
        case tooManyEntries
        case impossibleValue
        case trailingBytes
    }

    private let code: Code
    /// What is wrong with the snapshot.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: SnapshotError, rhs: SnapshotError) -> Bool { lhs.code == rhs.code }

    /// Written by a rerank with another snapshot format.
    static func otherFormat(_ format: Int, readable: ClosedRange<Int>) -> SnapshotError {
        .init(
            .otherFormat,
            "the statistics snapshot has format \(format); this rerank reads formats \(readable.lowerBound) to \(readable.upperBound): retrain the model")
    }

    static func notBase64() -> SnapshotError { .init(.notBase64, "the statistics snapshot's tables are not base64") }

    static func endsEarly() -> SnapshotError { .init(.endsEarly, "the statistics snapshot ends early") }

    static func tooManyEntries(_ count: UInt64) -> SnapshotError {
        .init(.tooManyEntries, "the statistics snapshot claims \(count) entries, more than it holds")
    }

    /// A value no store writes (a damaged or forged snapshot).
    static func impossibleValue(_ message: String) -> SnapshotError { .init(.impossibleValue, message) }

    static func trailingBytes() -> SnapshotError { .init(.trailingBytes, "the statistics snapshot has bytes after its last table") }
}
