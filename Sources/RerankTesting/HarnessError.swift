/// The test harness could not set something up, or a condition a test waits for did not come.
///
/// The code says what kind of problem it is; the message says what happened and how to fix it. Errors of the
/// same kind are equal, whatever their message (as `LTRError` and AsyncHTTPClient's `HTTPClientError`).
public struct HarnessError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case serverNotFound
        case serverDidNotStart
        case catalogNotLoaded
        case gaveUp
    }

    private let code: Code
    /// What went wrong and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: HarnessError, rhs: HarnessError) -> Bool { lhs.code == rhs.code }

    /// No osmem-server binary: neither `OSMEM_SERVER_BIN` nor the Python package.
    static func serverNotFound() -> HarnessError {
        .init(.serverNotFound, "osmem-server not found: run `pip install osmem-server` or set OSMEM_SERVER_BIN")
    }

    /// osmem-server exited or printed something else before announcing its URL.
    static func serverDidNotStart(printed: String) -> HarnessError {
        .init(.serverDidNotStart, "osmem-server did not announce its URL; it printed: \(printed)")
    }

    /// Creating `products` or bulk-loading the sample catalog failed.
    static func catalogNotLoaded(status: Int) -> HarnessError {
        .init(.catalogNotLoaded, "loading the catalog failed with status \(status)")
    }

    /// A condition a test polls for did not hold within its time limit.
    public static func gaveUp(waitingFor what: String, after limit: Duration) -> HarnessError {
        .init(.gaveUp, "gave up waiting for \(what) after \(limit)")
    }
}
