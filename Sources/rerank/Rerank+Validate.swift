import ArgumentParser
import EventLog
import Foundation

extension Rerank {
    /// `rerank validate`: checks UBI interaction logs for what a trainer would trip on.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check UBI interaction logs for problems a trainer would trip on.",
            discussion: """
                Reads a log directory (ubi_queries*.ndjson, ubi_events*.ndjson and _bulk *.ndjson files) or one \
                file, and reports unreadable lines, events whose query_id is unknown, interactions on objects the \
                query did not show, duplicate query_ids, timestamps in the future or out of order, unknown action \
                names, and fewer interactions or users than Amazon Personalize asks for. Exits with status 1 when \
                any error (not warning) is found.
                """
        )

        @Option(help: "Log directory or NDJSON / _bulk file to check, or the cluster log.cluster fills (http(s)://[user:password@]host:port).")
        var logs: String

        @Option(
            help:
                "Also write the report as JSON to this file ('-' for standard output, the text then goes to standard error)."
        )
        var json: String?

        @Option(help: "The time future timestamps are judged against, ISO-8601 (default: the current time).")
        var now: String?

        @Option(
            name: .customLong("known-action"),
            help:
                "An action name you use on purpose beyond impression, click, add_to_cart and purchase; repeat for several."
        )
        var knownActions: [String] = []

        func validate() throws {
            try LogArguments.check(logs)
            if let now, UBITimestamp.parse(now) == nil {
                throw ValidationError("--now '\(now)' is not an ISO-8601 time; write it like 2025-01-24T07:31:30Z")
            }
            if let json, json != "-" {
                let directory = (json as NSString).deletingLastPathComponent
                var isDirectory: ObjCBool = false
                if !directory.isEmpty,
                    !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
                        || !isDirectory.boolValue
                {
                    throw ValidationError(
                        "--json '\(json)': the directory '\(directory)' does not exist; create it or write the report elsewhere"
                    )
                }
            }
        }

        func run() async throws {
            let log = try await LogArguments.isCluster(logs) ? LogArguments.read(logs) : InteractionLogReader().read(logs)
            var configuration = LogValidator.Configuration()
            configuration.extraActions = Set(knownActions)
            let report = LogValidator(configuration: configuration)
                .validate(log, now: now.flatMap(UBITimestamp.parse) ?? Date())
            if json == "-" {
                FileHandle.standardError.write(Data(report.text.utf8))
                print(report.jsonText, terminator: "")
            } else {
                print(report.text, terminator: "")
            }
            if let json, json != "-" {
                do {
                    try Data(report.jsonText.utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
                } catch {
                    throw EventLogError.cannotWrite(json, error.localizedDescription)
                }
            }
            if report.hasErrors { throw ExitCode.failure }
        }
    }
}
