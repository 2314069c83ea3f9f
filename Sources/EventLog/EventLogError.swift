/// An error reading, writing, validating or importing interaction logs, in words that say what went wrong and
/// how to fix it. Errors of the same kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's
/// `HTTPClientError`).
public struct EventLogError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case missingField
        case invalidField
        case cannotRead
        case noLogFiles
        case cannotCreate
        case writeFailed
        case writerClosed
        case missingColumn
        case cannotWrite
        case outOfTimeOrder
    }

    private let code: Code
    /// What went wrong and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: EventLogError, rhs: EventLogError) -> Bool { lhs.code == rhs.code }

    /// A required field of a UBI record is absent or null.
    public static func missingField(_ field: String, in record: String, _ hint: String) -> EventLogError {
        .init(.missingField, "\(record) record has no `\(field)`: \(hint)")
    }

    /// A field of a UBI record has the wrong type or an unreadable value.
    public static func invalidField(_ field: String, in record: String, _ problem: String) -> EventLogError {
        .init(.invalidField, "\(record) record has a bad `\(field)`: \(problem)")
    }

    /// A log file or directory could not be read.
    public static func cannotRead(_ path: String, _ detail: String) -> EventLogError {
        .init(.cannotRead, "cannot read \(path): \(detail); check that the path exists and is readable")
    }

    /// A log directory holds no file the reader recognises.
    public static func noLogFiles(_ directory: String) -> EventLogError {
        .init(
            .noLogFiles,
            "\(directory) holds no ubi_queries*.ndjson, ubi_events*.ndjson or *.ndjson files; point --logs at the directory the sidecar writes (--log-dir) or at a _bulk NDJSON export"
        )
    }

    /// A log record is dated further before one already handed out than a streamed read reorders.
    public static func outOfTimeOrder(_ location: String, behind seconds: Double) -> EventLogError {
        .init(
            .outOfTimeOrder,
            "\(location) is dated \(Int(seconds)) s before a record read earlier, more than a streamed read reorders; read the logs into memory, or sort the files by timestamp"
        )
    }

    /// A log directory or file could not be created.
    public static func cannotCreate(_ path: String, _ detail: String) -> EventLogError {
        .init(
            .cannotCreate,
            "cannot create \(path): \(detail); make the log directory writable by the sidecar or choose another one"
        )
    }

    /// Bytes could not be written to or synced on a log file; the records of that append were not stored.
    public static func writeFailed(_ path: String, _ detail: String) -> EventLogError {
        .init(
            .writeFailed,
            "writing \(path) failed: \(detail); the records were not stored, free disk space or fix the log directory and retry"
        )
    }

    /// `append` was called after `close()`.
    public static func writerClosed(_ directory: String, prefix: String) -> EventLogError {
        .init(.writerClosed, "the \(prefix) log writer for \(directory) is closed; open a new writer to append")
    }

    /// A CSV file lacks a column the importer needs.
    public static func missingColumn(_ column: String, in path: String, header: [String]) -> EventLogError {
        .init(
            .missingColumn,
            "\(path) has no \(column) column (header: \(header.joined(separator: ","))); the first line must name the columns, e.g. USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"
        )
    }

    /// An output file could not be written.
    public static func cannotWrite(_ path: String, _ detail: String) -> EventLogError {
        .init(
            .cannotWrite,
            "cannot write \(path): \(detail); check free disk space and that the output directory is writable")
    }
}
