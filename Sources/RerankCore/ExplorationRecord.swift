/// What exploration did to one search's ranking: the randomly swapped adjacent pair and the cold hit moved up.
///
/// Positions are absolute and 0-based in the reranked list, as the ranking (with its business rules) ordered it:
/// the `n`th shown hit of a page starting at `from` is at `from + n`. The sidecar writes the record into the
/// impression's `query_attributes.exploration`; training reads the swaps back to estimate position bias.
///
/// ```swift
/// let record = ExplorationRecord(share: 0.05, depth: 10, swap: 3)
/// record.moves.map { ($0.from, $0.to) }  // [(3, 4), (4, 3)]
/// ```
public struct ExplorationRecord: Sendable, Equatable {
    /// One hit shown away from where the ranking put it.
    public struct Move: Sendable, Equatable {
        /// Where the ranking put the hit.
        public var from: Int
        /// Where it was shown.
        public var to: Int

        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
    }

    /// The configured share of searches explored (the probability this search was).
    public var share: Double
    /// Positions `0..<depth` took part: the swap was drawn among their adjacent pairs.
    public var depth: Int
    /// The first position `k` of the randomly swapped pair (the hits at `k` and `k + 1` exchanged); nil when no
    /// pair could be swapped.
    public var swap: Int?
    /// First positions of the pairs in `0..<depth − 1` that could not be swapped (a pinned hit, a buried hit next
    /// to an unburied one, a hit moved for cold exposure); the swap was drawn uniformly from the others.
    public var blocked: [Int]
    /// The cold hit moved up for exposure, when one was.
    public var cold: Move?

    public init(share: Double, depth: Int, swap: Int? = nil, blocked: [Int] = [], cold: Move? = nil) {
        self.share = share
        self.depth = depth
        self.swap = swap
        self.blocked = blocked
        self.cold = cold
    }

    /// First positions of the pairs the swap was drawn from.
    public var swappablePairs: [Int] {
        let blockedSet = Set(blocked)
        return (0..<max(0, depth - 1)).filter { !blockedSet.contains($0) }
    }

    /// Every hit away from where the ranking put it: the swapped pair, the cold hit, and the hits it passed, each
    /// one position lower.
    public var moves: [Move] {
        var moves: [Move] = []
        if let cold {
            moves.append(cold)
            moves += (cold.to..<cold.from).map { Move(from: $0, to: $0 + 1) }
        }
        if let swap { moves += [Move(from: swap, to: swap + 1), Move(from: swap + 1, to: swap)] }
        return moves.sorted { $0.from < $1.from }
    }
}
