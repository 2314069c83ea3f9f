import ArgumentParser

/// The `rerank` command: a personalized search re-ranking sidecar for OpenSearch.
@main
struct Rerank: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "A personalized re-ranking sidecar for OpenSearch.",
        subcommands: [Serve.self, Train.self, Evaluate.self, Report.self, Validate.self, Import.self]
    )
}
