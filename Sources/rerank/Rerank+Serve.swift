import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RerankConfiguration
import RerankServer

extension Rerank {
    /// `rerank serve`: the reranking proxy in front of an OpenSearch cluster.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve searches through the reranking proxy.",
            discussion: """
                Point OpenSearch clients at the sidecar instead of the cluster. Settings come from defaults, then \
                --config FILE (JSON), then RERANK_* environment variables, then these flags.
                """
        )

        @Option(help: "Cluster URL(s), comma-separated, e.g. http://127.0.0.1:9200.")
        var upstream: String?

        @Option(help: "Address to listen on (default 127.0.0.1).")
        var host: String?

        @Option(help: "Port to listen on (default 9250; 0 picks a free one).")
        var port: Int?

        @Option(help: "JSON configuration file; see README for every key.")
        var config: String?

        @Option(help: "Model file from `rerank train`; reloaded when the file changes.")
        var model: String?

        @Option(help: "Directory for the UBI interaction logs (impressions and events, NDJSON); enables /_rerank/events.")
        var logDir: String?

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .info

        func validate() throws {
            if let port, !(0...65535).contains(port) {
                throw ValidationError("--port must be between 0 and 65535, not \(port)")
            }
            if let config, !FileManager.default.isReadableFile(atPath: config) {
                throw ValidationError("--config '\(config)' is not a readable file")
            }
        }

        func run() async throws {
            try await serve(configuration())
        }

        /// The configuration these flags select: defaults, the config file, the environment, then the flags.
        func configuration() throws -> ServerConfiguration {
            var configuration = ServerConfiguration()
            do {
                if let config { try configuration.apply(configFile: config) }
                try configuration.apply(environment: ProcessInfo.processInfo.environment)
                if let upstream {
                    configuration.upstream.urls = upstream.split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                }
                configuration.host = host ?? configuration.host
                configuration.port = port ?? configuration.port
                configuration.log.directory = logDir ?? configuration.log.directory
                configuration.rerank.model = model ?? configuration.rerank.model
                try configuration.validate()
            } catch {
                throw ValidationError(error.description)
            }
            return configuration
        }

        /// Serves until stopped.
        func serve(_ configuration: ServerConfiguration) async throws {
            var logger = Logger(label: "rerank")
            logger.logLevel = logLevel
            let app = try buildApplication(configuration, logger: logger)
            try await app.runService()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
