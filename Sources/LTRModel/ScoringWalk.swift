import CScoring

/// How `ModelScorer` walks a model's trees. The scores are the same, to the last bit, whichever walks.
public enum ScoringWalk: String, Sendable, CaseIterable {
    /// Depth first per block of rows, following only the branches some row takes; on every processor.
    case portable
    /// Every node of every tree for the block, with no branch on the rows (`VectorWalk`), each row's leaf value
    /// looked up on its own, and feature values ranked by comparing a few thresholds at once with SSE; on x86-64
    /// processors with AVX2.
    case avx2
    /// As `avx2`, leaf values picked 8 rows at a time, and feature values ranked 8 at a time; on x86-64
    /// processors with AVX-512 F and BW.
    case avx512

    /// The fastest walk this processor runs.
    public static let best: ScoringWalk =
        switch rerank_best_scoring_kernel() {
        case RERANK_KERNEL_AVX512: .avx512
        case RERANK_KERNEL_AVX2: .avx2
        default: .portable
        }

    /// The walks this processor runs, slowest first.
    public static var available: [ScoringWalk] { allCases.filter(\.isAvailable) }

    /// Whether this processor runs the walk.
    public var isAvailable: Bool {
        switch self {
        case .portable: true
        case .avx2: Self.best != .portable
        case .avx512: Self.best == .avx512
        }
    }
}
