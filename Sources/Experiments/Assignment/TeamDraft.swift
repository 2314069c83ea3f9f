import RerankCore

/// Which ranking contributed a hit to an interleaved list.
public enum Team: String, Sendable, Equatable, CaseIterable {
    case control
    case treatment
}

/// Team-draft interleaving (Radlinski, Kurup and Joachims, 2008): two rankings take turns picking their best
/// hit not yet shown, like captains picking teams, and a click credits the team that picked the hit.
///
/// Each round a coin decides which ranking picks first, so neither gets the top position more often: with
/// identical rankings every click is a fair coin between the teams, and a preference in the clicks can only
/// come from a difference between the rankings.
///
/// ```swift
/// let shown = TeamDraft.interleave(control: [0, 1, 2], treatment: [2, 0, 1], seed: 42)
/// // e.g. [(2, .treatment), (0, .control), (1, .control)]
/// ```
public enum TeamDraft {
    /// Interleaves two rankings of the same hits (indices, best first) with coins from `seed`.
    ///
    /// Every hit of either ranking appears exactly once. When one ranking runs out, the other picks the rest.
    public static func interleave(control: [Int], treatment: [Int], seed: UInt64) -> [(item: Int, team: Team)] {
        var random = SplitMix64(seed: seed)
        return interleave(control: control, treatment: treatment, using: &random)
    }

    /// Interleaves two rankings with coins from `random`.
    public static func interleave(
        control: [Int], treatment: [Int], using random: inout some RandomNumberGenerator
    ) -> [(item: Int, team: Team)] {
        var shown: [(item: Int, team: Team)] = []
        shown.reserveCapacity(max(control.count, treatment.count))
        var taken = Set<Int>()
        var cursors = (control: 0, treatment: 0)
        func pick(_ team: Team) -> Bool {
            let ranking = team == .control ? control : treatment
            var cursor = team == .control ? cursors.control : cursors.treatment
            while cursor < ranking.count, taken.contains(ranking[cursor]) { cursor += 1 }
            defer { if team == .control { cursors.control = cursor } else { cursors.treatment = cursor } }
            guard cursor < ranking.count else { return false }
            taken.insert(ranking[cursor])
            shown.append((ranking[cursor], team))
            return true
        }
        while true {
            let order: [Team] = random.next() & 1 == 0 ? [.control, .treatment] : [.treatment, .control]
            let first = pick(order[0])
            let second = pick(order[1])
            if !first && !second { return shown }
        }
    }

    /// The clicks each team earned: a click credits the team that contributed the clicked hit; a hit clicked
    /// twice counts once.
    ///
    /// - Parameters:
    ///   - teams: per shown position, the team that contributed it.
    ///   - clickedPositions: 0-based positions clicked in the shown list.
    public static func credit(teams: [Team], clickedPositions: some Sequence<Int>) -> (control: Int, treatment: Int) {
        var credit = (control: 0, treatment: 0)
        for position in Set(clickedPositions) where teams.indices.contains(position) {
            if teams[position] == .control { credit.control += 1 } else { credit.treatment += 1 }
        }
        return credit
    }
}
