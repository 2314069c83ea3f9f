import RerankCore

/// Feature rows and graded labels for logged searches, one query group per impression.
public struct TrainingSet: Sendable {
    public var featureNames: [String]
    /// Row-major, `featureNames.count` values per row.
    public var rows: [Float]
    public var labels: [Float]
    /// Row index where each query group starts, plus the total row count at the end.
    public var groupBoundaries: [Int]
    /// Per group: what is read of its search besides the rows.
    public var groups: [SearchGroup]

    public var groupCount: Int { groupBoundaries.count - 1 }

    /// An empty set with these columns.
    public init(featureNames: [String]) {
        self.init(featureNames: featureNames, rows: [], labels: [], groupBoundaries: [0], groups: [])
    }

    public init(featureNames: [String], rows: [Float], labels: [Float], groupBoundaries: [Int], groups: [SearchGroup]) {
        self.featureNames = featureNames
        self.rows = rows
        self.labels = labels
        self.groupBoundaries = groupBoundaries
        self.groups = groups
    }

    /// Adds one search's rows and labels as the last group.
    public mutating func append(rows: [Float], labels: [Float], group: SearchGroup) {
        self.rows += rows
        self.labels += labels
        groupBoundaries.append(self.labels.count)
        groups.append(group)
    }

    /// The labels of group `group`'s rows.
    public func labels(ofGroup group: Int) -> ArraySlice<Float> {
        labels[groupBoundaries[group]..<groupBoundaries[group + 1]]
    }

    /// Makes room for `groups` more groups of `rows` labels in all, without their rows (a set whose rows are kept
    /// elsewhere).
    public mutating func reserveCapacity(groups: Int, rows: Int) {
        self.groups.reserveCapacity(self.groups.count + groups)
        groupBoundaries.reserveCapacity(groupBoundaries.count + groups)
        labels.reserveCapacity(labels.count + rows)
    }

    /// The groups at `indices`, as their own set (for time splits); without their rows when `keepingRows` is false
    /// (for metrics that read only labels).
    public func subset(_ indices: some Sequence<Int>, keepingRows: Bool = true) -> TrainingSet {
        let width = featureNames.count
        var subset = TrainingSet(featureNames: featureNames)
        for group in indices {
            let range = groupBoundaries[group]..<groupBoundaries[group + 1]
            subset.append(
                rows: keepingRows ? Array(rows[(range.lowerBound * width)..<(range.upperBound * width)]) : [],
                labels: Array(labels[range]), group: groups[group])
        }
        return subset
    }
}

/// What training and evaluation read of one logged search besides its rows: when it was, where its list began,
/// the engine's ranks and scores, and what exploration moved. The numbers of its ``LoggedImpression`` without the
/// item ids and context strings, so that every search a model learns from costs little memory: 40 bytes inline,
/// and arrays only where the engine's ranks are not the shown order, the scores order the items, or the search
/// was explored.
public struct SearchGroup: Sendable {
    /// Seconds since 1970.
    public var time: Double
    private var first: Int32
    private var count: Int32
    /// The engine's ranks, nil when they are the shown order (0, 1, 2, ...).
    private var ranks: [Int32]?
    /// The logged search scores, nil when they do not order the items (missing, or all equal).
    private var searchScores: [Double]?
    private var explored: Explored?

    public init(_ impression: LoggedImpression) {
        time = impression.time
        first = Int32(clamping: impression.firstPosition)
        count = Int32(clamping: impression.originalRanks.count)
        let ranks = impression.originalRanks
        self.ranks = ranks.indices.elementsEqual(ranks) ? nil : ranks.map { Int32(clamping: $0) }
        let scores = impression.searchScores
        searchScores = scores.contains { $0 != scores.first } ? scores : nil
        explored = impression.exploration.map(Explored.init)
    }

    /// The 0-based position of the first shown item in the whole result list (``LoggedImpression/firstPosition``).
    public var firstPosition: Int {
        get { Int(first) }
        set { first = Int32(clamping: newValue) }
    }

    /// How many items were shown.
    public var itemCount: Int { Int(count) }

    /// What exploration moved, when the search was explored.
    public var exploration: ExplorationRecord? { explored?.record }

    /// The absolute position the `index`th shown item was shown at.
    public func position(ofShown index: Int) -> Int { firstPosition + index }

    /// The `index`th shown item's 0-based rank in the engine's order.
    public func originalRank(ofShown index: Int) -> Int { ranks.map { Int($0[index]) } ?? index }

    /// The engine's score of each shown item as the served blend reads it: the logged search scores, or, for
    /// logs without them (all equal), minus the engine's rank.
    public var engineScores: [Double] { searchScores ?? (0..<itemCount).map { -Double(originalRank(ofShown: $0)) } }

    /// An exploration record kept out of line: most searches are not explored.
    private final class Explored: Sendable {
        let record: ExplorationRecord
        init(_ record: ExplorationRecord) { self.record = record }
    }
}
