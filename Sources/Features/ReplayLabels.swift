import RerankCore

/// What ``TrainingSetBuilder/label(_:)`` found: which searches become query groups, and with which labels.
///
/// Stored flat: each search's shown-item count, and the credited events' positions and grades grouped by search
/// (a few bytes per search and per credit), since a replay keeps them for every search it reads.
public struct ReplayLabels: Sendable {
    public var summary: ReplaySummary
    /// Per search, its shown items.
    private let itemCounts: [Int32]
    /// Per search, where its credits start in ``credits``, and the end at the last index.
    private let starts: [Int32]
    private let credits: [Credit]

    /// A credited event: the position it names among the search's shown items, and its grade.
    struct Credit {
        var position: Int32
        var grade: Float
    }

    /// The searches with interactions: the query groups a replay emits.
    public var groupCount: Int { summary.groupsWithInteractions }

    /// Each emitted group's row count (its shown items), in time order.
    public var rowCounts: some Collection<Int> {
        itemCounts.indices.lazy.filter { starts[$0] < starts[$0 + 1] }.map { Int(itemCounts[$0]) }
    }

    /// The grade of each shown item of the `search`th search, or nil when no event was credited to it.
    public func grades(ofSearch search: Int) -> [Float]? {
        let range = Int(starts[search])..<Int(starts[search + 1])
        guard !range.isEmpty else { return nil }
        var grades = [Float](repeating: 0, count: Int(itemCounts[search]))
        for credit in credits[range] {
            grades[Int(credit.position)] = max(grades[Int(credit.position)], credit.grade)
        }
        return grades
    }

    /// Groups `credited`, in the order the events were credited, by search.
    init(itemCounts: [Int32], credited: [(search: Int32, credit: Credit)], summary: ReplaySummary) {
        var starts = [Int32](repeating: 0, count: itemCounts.count + 1)
        for (search, _) in credited { starts[Int(search) + 1] += 1 }
        for index in starts.indices.dropFirst() { starts[index] += starts[index - 1] }
        var next = starts
        var credits = [Credit](repeating: Credit(position: 0, grade: 0), count: credited.count)
        for (search, credit) in credited {
            credits[Int(next[Int(search)])] = credit
            next[Int(search)] += 1
        }
        var summary = summary
        summary.groupsWithInteractions = itemCounts.indices.count { starts[$0] < starts[$0 + 1] }
        self.summary = summary
        self.itemCounts = itemCounts
        self.starts = starts
        self.credits = credits
    }
}
