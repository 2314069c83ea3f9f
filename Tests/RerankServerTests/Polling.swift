import RerankTesting

/// Polls `condition` every 20 ms until it holds; throws, naming `what`, when `limit` passes first. Tests wait for
/// the condition they need (a reload counted, a document stored), never for a fixed time.
func waitUntil(_ what: String, within limit: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw HarnessError.gaveUp(waitingFor: what, after: limit) }
        try await Task.sleep(for: .milliseconds(20))
    }
}
