import ArgumentParser
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

    /// Runs the command. `serve` first makes SwiftNIO's event loops Swift concurrency's global executor, before
    /// any task is enqueued: a search's handler, upstream call and response then run on the threads that own its
    /// sockets instead of hopping to the concurrency pool and back at every await.
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "serve" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(nil)
    }
}
