import Ranking
import Synchronization

/// Holds the reranker searches use; a new one is swapped in atomically while in-flight searches finish on theirs.
final class RerankerStore: Sendable {
    private let current: Mutex<Reranker>

    init(_ reranker: Reranker) {
        current = Mutex(reranker)
    }

    /// The reranker for one search; keep it for the whole search.
    var reranker: Reranker { current.withLock { $0 } }

    func replace(_ reranker: Reranker) {
        current.withLock { $0 = reranker }
    }
}
