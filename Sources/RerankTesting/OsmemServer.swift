import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A throwaway OpenSearch-compatible server (`osmem-server` from PyPI) on 127.0.0.1, for live tests.
///
/// Started with the same steps and flags as `scripts/stack.py`, the start-up helper of the Python tests, the demo
/// and the benches: `--addr 127.0.0.1:PORT --no-stdin-watch --parent-pid <this process>` (it exits when the test
/// process does), stdout to a file (never a pipe nobody drains) whose first line announces the URL.
///
/// ```swift
/// let cluster = try await OsmemServer.start(loadingCatalog: true)
/// defer { cluster.stop() }
/// ```
public final class OsmemServer: @unchecked Sendable {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    public let url: String
    private let process: Process

    private init(url: String, process: Process) {
        self.url = url
        self.process = process
    }

    /// Starts a server; with `loadingCatalog`, creates `products` from mappings/products.json and loads the
    /// sample catalog.
    ///
    /// The binary comes from `OSMEM_SERVER_BIN`, else from the installed `osmem-server` Python package.
    /// - Parameter port: the port to listen on; 0 picks a free one. A stopped server's ``port`` brings up a new,
    ///   empty server at the same URL, as a cluster coming back after an outage.
    public static func start(loadingCatalog: Bool = true, port: Int = 0) async throws -> OsmemServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = [
            "--addr", "127.0.0.1:\(port)", "--no-stdin-watch", "--parent-pid", String(ProcessInfo.processInfo.processIdentifier),
        ]
        let stdoutFile = FileManager.default.temporaryDirectory.appendingPathComponent("osmem-\(UUID()).out")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutFile)
        defer {
            try? stdout.close()
            try? FileManager.default.removeItem(at: stdoutFile)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = try await firstLine(in: stdoutFile.path, of: process)
        guard let data = line.data(using: .utf8),
            let announced = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let url = announced["url"] as? String
        else {
            process.terminate()
            throw HarnessError.serverDidNotStart(printed: line)
        }
        let server = OsmemServer(url: url, process: process)
        if loadingCatalog { try await server.loadCatalog() }
        return server
    }

    /// The port the server listens on.
    public var port: Int { URLComponents(string: url)?.port ?? 0 }

    /// Stops the server process.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Creates the `products` index and bulk-loads the sample catalog, refreshed.
    public func loadCatalog() async throws {
        let mapping = try Data(contentsOf: RepositoryFiles.productsMapping)
        _ = try await request(.PUT, "/products", body: Array(mapping), contentType: "application/json")
        var bulk: [UInt8] = []
        let catalog = try String(contentsOf: RepositoryFiles.sampleCatalog, encoding: .utf8)
        for line in catalog.split(separator: "\n") where !line.isEmpty {
            let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let id = document?["id"] as? String ?? ""
            bulk += Array(#"{"index":{"_index":"products","_id":"\#(id)"}}"#.utf8) + [0x0A] + Array(line.utf8) + [0x0A]
        }
        let response = try await request(.POST, "/_bulk?refresh=true", body: bulk, contentType: "application/x-ndjson")
        guard response.status == 200, !String(decoding: response.body.prefix(200), as: UTF8.self).contains(#""errors":true"#)
        else { throw HarnessError.catalogNotLoaded(status: response.status) }
    }

    /// Sends one request straight to the server.
    public func request(
        _ method: HTTPMethod,
        _ target: String,
        body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url + target)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "content-type", value: contentType)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Array(buffer: bytes))
    }

    private static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["OSMEM_SERVER_BIN"] { return path }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import osmem_server; print(osmem_server.resolve_binary())"]
        let output = Pipe()
        python.standardOutput = output
        python.standardError = FileHandle.nullDevice
        try python.run()
        python.waitUntilExit()
        let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard python.terminationStatus == 0, !path.isEmpty else {
            throw HarnessError.serverNotFound()
        }
        return path
    }

    /// The first line the server wrote to `path`, once it is complete; what it wrote so far when it exits first or
    /// does not finish the line within 20 s.
    private static func firstLine(in path: String, of process: Process) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let written = FileManager.default.contents(atPath: path) ?? Data()
            if let end = written.firstIndex(of: 0x0A) { return String(decoding: written[..<end], as: UTF8.self) }
            guard process.isRunning, ContinuousClock.now < deadline else { return String(decoding: written, as: UTF8.self) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
