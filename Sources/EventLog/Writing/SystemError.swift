#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call and its `errno`, described as `fsync: No space left on device`.
///
/// The code is the call that failed; errors of the same call are equal, whatever `errno` said (as `LTRError`
/// and AsyncHTTPClient's `HTTPClientError`).
struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case open
        case write
        case fsync
        case close
        case rename
    }

    private let code: Code
    /// The call and what its `errno` means.
    let message: String

    private init(_ code: Code, errno: Int32) {
        self.code = code
        self.message = "\(code.rawValue): \(String(cString: strerror(errno)))"
    }

    var description: String { message }

    static func == (lhs: SystemError, rhs: SystemError) -> Bool { lhs.code == rhs.code }

    /// `open(2)` of a file or directory failed.
    static func open(errno: Int32) -> SystemError { .init(.open, errno: errno) }

    /// `write(2)` failed.
    static func write(errno: Int32) -> SystemError { .init(.write, errno: errno) }

    /// `fsync(2)` failed: the data may not be on disk.
    static func fsync(errno: Int32) -> SystemError { .init(.fsync, errno: errno) }

    /// `close(2)` failed: the last writes may not have reached the file.
    static func close(errno: Int32) -> SystemError { .init(.close, errno: errno) }

    /// `rename(2)` failed: the file is not in place.
    static func rename(errno: Int32) -> SystemError { .init(.rename, errno: errno) }
}
