import Foundation

/// Paths and scratch directories shared by the EventLog tests.
enum TestSupport {
    /// `../shared/data` beside the repository root, found by walking up from this file; nil when absent.
    static let sharedData: String? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.deletingLastPathComponent().appendingPathComponent("shared/data")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// The real UBI sample (ESCI queries with simulated clicks, plus Chorus and ubi-demo records).
    static let esciSample: String? = sharedData.map { $0 + "/ubi-esci-sample/ubi_queries_events.ndjson" }
        .flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }

    /// Whether this is a CI run (`CI` set, as CI sets it): there, a test whose data is missing fails instead of
    /// being skipped, since every test the README says CI runs must run there.
    static let inCI = !["", "0", "false"].contains((ProcessInfo.processInfo.environment["CI"] ?? "").lowercased())

    /// A fresh empty directory under the system temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("eventlog-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The message of the error `body` throws, or `"no error"`, so tests can check what an error says.
func errorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch {
        return String(describing: error)
    }
}

/// The message of the error an async `body` throws, or `"no error"`.
func asyncErrorMessage(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "no error"
    } catch {
        return String(describing: error)
    }
}
