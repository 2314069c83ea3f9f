import ArgumentParser
import Logging
import NIOCore
import NIOPosix

/// The `rerank` command: a personalized search re-ranking sidecar for OpenSearch.
@main
struct Rerank: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "A personalized re-ranking sidecar for OpenSearch.",
        subcommands: [Serve.self, Train.self, Evaluate.self, Judgments.self, Report.self, Validate.self, Import.self, ImportModel.self, Batch.self]
    )

    /// Runs the command. `serve` first reads its configuration, sizes SwiftNIO's event loops by it
    /// (`limits.event_loops`) and makes them Swift concurrency's global executor, before any task is enqueued: a
    /// search's handler, upstream call and response then run on the threads that own its sockets instead of
    /// hopping to the concurrency pool and back at every await.
    static func main() async {
        LoggingSystem.bootstrap(StandardErrorLogHandler.init)
        do {
            var command = try parseAsRoot()
            if let serve = command as? Serve {
                let configuration = try serve.configuration()
                NIOSingletons.groupLoopCountSuggestion = configuration.limits.eventLoopCount(cores: System.coreCount)
                _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
                try await serve.serve(configuration)
            } else if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
