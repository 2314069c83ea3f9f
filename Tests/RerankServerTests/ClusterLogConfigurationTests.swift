import Foundation
import RerankConfiguration
import RerankJSON
import RerankTesting
import Testing

@testable import RerankServer

/// `log.cluster` and `log.spool_dir`, and the index bodies the cluster sink creates.
@Suite struct ClusterLogConfigurationTests {
    @Test func readsTheClusterKeysFromFileAndEnvironment() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-config-\(UUID()).json").path
        try Data(#"{"log":{"cluster":true,"spool_dir":"/var/spool/rerank"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ServerConfiguration()
        try configuration.apply(configFile: path)
        #expect(configuration.log.cluster)
        #expect(try configuration.log.clusterSpoolDirectory() == "/var/spool/rerank")

        var fromEnvironment = ServerConfiguration()
        try fromEnvironment.apply(environment: ["RERANK_LOG_CLUSTER": "true", "RERANK_LOG_DIR": "/var/log/rerank"])
        #expect(fromEnvironment.log.cluster)
        #expect(try fromEnvironment.log.clusterSpoolDirectory() == "/var/log/rerank/spool")
        try fromEnvironment.apply(environment: ["RERANK_LOG_SPOOL_DIR": "/data/spool", "RERANK_LOG_CLUSTER": "0"])
        #expect(fromEnvironment.log.spoolDirectory == "/data/spool")
        #expect(try fromEnvironment.log.clusterSpoolDirectory() == nil)
    }

    @Test func clusterLoggingWithoutASpoolIsRefusedAtStart() {
        var configuration = ServerConfiguration()
        configuration.log.cluster = true
        let error = #expect(throws: ConfigurationError.self) { _ = try buildApplication(configuration) }
        #expect(error?.description.contains("set log.spool_dir") == true)
    }

    @Test func theSpoolMustNotBeTheLogDirectory() {
        var log = ServerConfiguration.Log()
        log.cluster = true
        log.directory = "/var/log/rerank"
        log.spoolDirectory = "/var/log/rerank/"
        let error = #expect(throws: ConfigurationError.self) { _ = try log.clusterSpoolDirectory() }
        #expect(error?.description.contains("log.spool_dir must not be log.dir") == true)
    }

    @Test(arguments: ["ubi_queries", "ubi_events"])
    func theIndexBodiesAreTheMappingFiles(name: String) throws {
        let index = try #require([UBIIndex.queries, .events].first { $0.name == name })
        let file = RepositoryFiles.root.appendingPathComponent("mappings/\(name).json")
        let shipped = try JSONParser.parse(Array(try Data(contentsOf: file)))
        #expect(try JSONParser.parse(Array(index.body.utf8)) == shipped)
    }

    /// Records without their id field (events logged before events had ids) fall back to a hash of their bytes.
    @Test func documentIDsAreStable() throws {
        let line = Array(#"{"action_name":"click","timestamp":"2026-01-01T00:00:00.000Z"}"#.utf8)
        let record = try #require(try JSONParser.parse(line).objectValue)
        let id = UBIIndex.events.documentID(of: record, bytes: line)
        #expect(id.count == 16)
        #expect(UBIIndex.events.documentID(of: record, bytes: line) == id)
        let later = Array(#"{"action_name":"click","timestamp":"2026-01-01T00:00:01.000Z"}"#.utf8)
        #expect(UBIIndex.events.documentID(of: record, bytes: later) != id)
        #expect(UBIIndex.queries.documentID(of: JSONObject(["query_id": .string("q-1")]), bytes: line) == "q-1")
        #expect(UBIIndex.events.documentID(of: JSONObject(["event_id": .string("e-1")]), bytes: line) == "e-1")
    }
}
