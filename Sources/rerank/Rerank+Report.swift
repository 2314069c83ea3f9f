import ArgumentParser
import ExperimentAnalysis
import Experiments
import Foundation
import RerankConfiguration
import RerankJSON

extension Rerank {
    /// `rerank report`: who won each experiment, from the logs.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Report experiments: per variant exposures, users, CTR, add-to-cart and purchase rates, clicks per search and MRR with intervals and tests; interleaving preferences; sample-ratio checks.",
            discussion: """
                Reads the UBI logs `rerank serve --log-dir` writes; every search carries its experiment and variant. \
                Users are the unit of randomization: metrics are sums per user, intervals and tests use the delta \
                method. Searches forced with X-Rerank-Variant-Override are left out. The configured split comes from \
                --config when given, else from the logs. Example: \
                rerank report --logs logs --config rerank.json --json report.json --html report.html
                """
        )

        @Option(help: "UBI log directory or file (ubi_queries*.ndjson, ubi_events*.ndjson, or _bulk files), or the cluster log.cluster fills (http(s)://[user:password@]host:port).")
        var logs: String

        @Option(help: "The sidecar's JSON config file: its experiments' splits and controls win over the logged ones.")
        var config: String?

        @Option(help: "Also write the report as JSON to this file.")
        var json: String?

        @Option(help: "Also write an HTML report with charts (inline SVG) to this file.")
        var html: String?

        @Option(help: "Significance level of every test; intervals are at 1 - alpha.")
        var alpha: Double = 0.05

        @Option(help: "The metric an A/B verdict is decided on: \(ExperimentMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
        var metric: ExperimentMetric = .ctr

        func validate() throws {
            try LogArguments.check(logs)
            if let config, !FileManager.default.isReadableFile(atPath: config) {
                throw ValidationError("--config \(config) is not a readable file; give the JSON config the sidecar serves with.")
            }
            guard alpha > 0, alpha < 0.5 else { throw ValidationError("--alpha must be between 0 and 0.5, e.g. 0.05.") }
        }

        func run() async throws {
            var configured: [Experiment] = []
            if let config {
                var configuration = ServerConfiguration()
                do {
                    try configuration.apply(configFile: config)
                } catch {
                    throw ValidationError(error.description)
                }
                configured = configuration.experiments
            }
            let log = try await LogArguments.read(logs)
            let report = ExperimentReport(ExperimentLog(log), configured: configured, alpha: alpha, primaryMetric: metric)
            print(report.table())
            if let json {
                var bytes = JSONWriter.bytes(.object(report.json()))
                bytes.append(UInt8(ascii: "\n"))
                try Data(bytes).write(to: URL(fileURLWithPath: json), options: .atomic)
            }
            if let html {
                try Data(report.html(title: "rerank report: \(logs)").utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            }
        }
    }
}

extension ExperimentMetric: ExpressibleByArgument {}
