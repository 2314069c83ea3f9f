import RerankCore

/// A small randomized intervention in a share of reranked searches, off by default: it lets training estimate
/// position bias from clicks on the same hits at neighbouring positions, and gives cold hits some exposure.
///
/// In an explored search, after the ranking and the business rules have ordered the hits:
/// 1. Cold exposure (when ``coldExposure`` is on and the ranker tells which hits are cold, as a trained model does
///    from `item_cold`): the best-ranked cold hit below the top moves up by a random 1…``maxMove`` positions,
///    the hits it passes each one lower.
/// 2. A random adjacent pair swap (RandPair): among the pairs of positions `k`, `k + 1` within the top ``depth``
///    that neither step touched, one drawn uniformly is exchanged.
///
/// Rules still hold: pinned hits keep their positions, excluded hits stay out, and a buried hit never passes an
/// unburied one. No hit moves more than ``maxMove`` positions from where the ranking put it.
///
/// In configuration (`rerank.exploration`, or an experiment variant's `exploration`):
/// ```json
/// {"share": 0.05, "max_move": 2, "depth": 10, "cold_exposure": true}
/// ```
public struct Exploration: Sendable, Equatable {
    /// Share of reranked searches explored, 0…1; 0 (the default) turns exploration off.
    public var share = 0.0
    /// The farthest a hit moves from where the ranking put it, at least 1.
    public var maxMove = 2
    /// Positions from the top that take part, at least 2.
    public var depth = 10
    /// Whether a cold hit moves up in explored searches.
    public var coldExposure = true

    public init(share: Double = 0, maxMove: Int = 2, depth: Int = 10, coldExposure: Bool = true) {
        self.share = share
        self.maxMove = maxMove
        self.depth = depth
        self.coldExposure = coldExposure
    }

    /// Whether the search whose draws come from `random` is explored; the first draw decides.
    public func explores(_ random: inout SplitMix64) -> Bool {
        share > 0 && random.nextUnitDouble() < share
    }

    /// Explores `order` in place and says what moved.
    ///
    /// - Parameters:
    ///   - order: indices of hits, best first, as the ranking and the rules left them.
    ///   - pinned: hits a rule pinned; they keep their positions.
    ///   - buried: per hit (same indexing as `order`'s values), whether a rule buried it.
    ///   - cold: per hit, whether the ranker's statistics have rarely shown it; nil when the ranker cannot tell.
    ///   - random: the search's draws, after ``explores(_:)``.
    public func explore(
        _ order: inout [Int], pinned: Set<Int>, buried: [Bool], cold: [Bool]?, random: inout SplitMix64
    ) -> ExplorationRecord {
        let depth = min(self.depth, order.count)
        var record = ExplorationRecord(share: share, depth: depth)
        guard depth >= 2 else { return record }
        func isPinned(_ position: Int) -> Bool { pinned.contains(order[position]) }
        func sameTier(_ a: Int, _ b: Int) -> Bool { buried[order[a]] == buried[order[b]] }
        var touched = 0..<0
        if coldExposure, let cold, let from = (1..<depth).first(where: { cold[order[$0]] && !isPinned($0) }) {
            let reach = Int.random(in: 1...maxMove, using: &random)
            var to = from
            while to > 0, from - to < reach, !isPinned(to - 1), sameTier(to - 1, from) { to -= 1 }
            if to < from {
                order.insert(order.remove(at: from), at: to)
                record.cold = .init(from: from, to: to)
                touched = to..<(from + 1)
            }
        }
        let pairs = 0..<(depth - 1)
        let swappable = pairs.filter { k in
            !isPinned(k) && !isPinned(k + 1) && sameTier(k, k + 1) && !touched.contains(k) && !touched.contains(k + 1)
        }
        record.blocked = pairs.filter { !swappable.contains($0) }
        if let k = swappable.randomElement(using: &random) {
            order.swapAt(k, k + 1)
            record.swap = k
        }
        return record
    }
}
