import RerankTesting

/// Polls `condition` every 20 ms until it holds; throws, naming `what`, when `limit` passes first. Tests wait for
/// the condition they need (a reload counted, a document stored), never for a fixed time. The default limit is
/// long because it costs nothing when the condition comes: CI runs the training suites alongside, and they can
/// hold every thread of the cooperative pool for a minute and more.
func waitUntil(_ what: String, within limit: Duration = .seconds(180), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw HarnessError.gaveUp(waitingFor: what, after: limit) }
        try await Task.sleep(for: .milliseconds(20))
    }
}
