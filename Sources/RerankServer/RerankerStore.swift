import Ranking
import RerankJSON
import Synchronization

/// A reranker with what serving it needs, built once when it is installed.
struct ServingReranker: Sendable {
    let reranker: Reranker
    /// Source fields the ranker and rules read.
    let fields: [String]
    /// Reads those fields from each hit in one pass.
    let selector: FieldSelector

    init(_ reranker: Reranker) {
        self.reranker = reranker
        fields = reranker.requiredFields
        selector = FieldSelector(paths: fields)
    }
}

/// Holds the reranker searches use; a new one is swapped in atomically while in-flight searches finish on theirs.
final class RerankerStore: Sendable {
    private let current: Mutex<ServingReranker>

    init(_ reranker: Reranker) {
        current = Mutex(ServingReranker(reranker))
    }

    /// The reranker for one search; keep it for the whole search.
    var serving: ServingReranker { current.withLock { $0 } }

    func replace(_ reranker: Reranker) {
        let serving = ServingReranker(reranker)
        current.withLock { $0 = serving }
    }
}
