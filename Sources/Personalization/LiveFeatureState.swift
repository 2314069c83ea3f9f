import Features
import RerankCore
import Synchronization

/// The feature statistics while serving: read by every search, updated by served searches and by events.
///
/// Searches compute their rows under a shared lock, so they run side by side and never wait for each other.
/// Served searches are not applied on the request path: ``enqueue(_:)`` hands them to a queue that
/// ``applyPending()`` folds in (the server's ingestion service calls it), and events are applied in short
/// exclusive sections of ``chunk`` at a time, so a search waits at most one such section, never a whole batch.
public final class LiveFeatureState: Sendable {
    /// Work applied per exclusive section: an event or a learned attribute counts 1, a search its hits.
    public static let chunk = 256

    private let replay: ReadWriteLock<FeatureReplay>
    private let pending: Mutex<PendingWork>
    /// Times the statistics were replaced (``replace(with:)``), which a growth built before cannot follow.
    private let replacements = Atomic<Int>(0)
    private let candidatesScored = Atomic<Int>(0)
    private let candidatesWithoutAttributes = Atomic<Int>(0)
    public let limits: FeatureReplay.Limits

    /// - Parameters:
    ///   - store: the statistics to start from (a model's snapshot), resized to `limits`.
    ///   - pendingCapacity: served searches that may wait to be applied; beyond it new ones are dropped (and counted).
    public init(_ store: FeatureStore, limits: FeatureReplay.Limits = FeatureReplay.Limits(), pendingCapacity: Int = 10_000) {
        self.limits = limits
        replay = ReadWriteLock(FeatureReplay(store: store.resized(to: limits.store), maxSearches: limits.maxSearches))
        pending = Mutex(PendingWork(capacity: pendingCapacity))
    }

    /// Feature rows (all ``FeatureSchema`` columns) for `candidates` as the statistics stand now. Catalog
    /// attributes the candidates carry that the statistics lack are queued to be learned.
    public func features(for candidates: [Candidate], in context: FeatureContext) -> [Float] {
        var learned: [CatalogUpdate] = []
        let rows = replay.read { $0.features(for: candidates, in: context, newAttributes: &learned) }
        // By index: iterating would copy each candidate out, retaining and releasing its id and values.
        let undescribed = candidates.indices.reduce(0) { $0 + (candidates[$1].attributes?.isKnown == true ? 0 : 1) }
        candidatesScored.add(candidates.count, ordering: .relaxed)
        candidatesWithoutAttributes.add(undescribed, ordering: .relaxed)
        if !learned.isEmpty { pending.withLock { _ = $0.append(.attributes(learned)) } }
        return rows
    }

    /// Queues a served search to be applied off the request path.
    ///
    /// - Returns: whether the queue was empty before, i.e. whether the applier needs waking.
    @discardableResult
    public func enqueue(_ impression: LoggedImpression) -> Bool {
        pending.withLock { $0.append(.search(impression)) }
    }

    /// Applies every queued search and attribute, about a ``chunk`` of work at a time.
    public func applyPending() {
        let work = pending.withLock { $0.take() }
        var next = 0
        while next < work.count {
            var end = next
            var units = 0
            while end < work.count, units < Self.chunk {
                units += work[end].units
                end += 1
            }
            exclusive(units: units) { replay in
                for item in work[next..<end] {
                    switch item {
                    case .search(let impression): replay.apply(impression)
                    case .attributes(let updates): for update in updates { replay.learn(update) }
                    }
                }
            }
            next = end
        }
    }

    /// Applies clicks, add-to-carts and purchases, after the searches queued before them (so an event finds its
    /// search), a ``chunk`` at a time.
    public func apply(_ events: [LoggedEvent]) {
        applyPending()
        for start in stride(from: 0, to: events.count, by: Self.chunk) {
            let chunk = events[start..<min(events.count, start + Self.chunk)]
            exclusive(units: chunk.count) { replay in
                for event in chunk { replay.apply(event) }
            }
        }
    }

    /// Entries one unit of work (an event, a hit of a search, an attribute) may insert into any one table, at most:
    /// an item, its category, brand and price band.
    static let insertionsPerUnit = 4

    /// Runs `body`, which inserts at most ``insertionsPerUnit`` entries per unit into any table, under the
    /// exclusive lock, after growing beforehand every table those insertions would grow.
    ///
    /// A table grows by copying its arrays and rebuilding its index: milliseconds for a large one, which searches
    /// would wait out. The growth is built under the shared lock, searches reading on meanwhile, and only swapped
    /// in under the exclusive one. This is safe because one writer applies (the ingestion queue): the statistics
    /// cannot change between the two locks, except by ``replace(with:)``, which the count of replacements tells.
    private func exclusive(units: Int, _ body: (inout FeatureReplay) -> Void) {
        let insertions = Self.insertionsPerUnit * units + 16
        let (growth, seen) = replay.read { ($0.growth(toFit: insertions), replacements.load(ordering: .acquiring)) }
        // The tables the growth replaced are freed with it, after the lock.
        withExtendedLifetime(growth) {
            replay.write { replay in
                if let growth, replacements.load(ordering: .relaxed) == seen { growth.install(into: &replay) }
                body(&replay)
            }
        }
    }

    /// Splits `events` into those whose search (by query id) these statistics remember, served searches still
    /// queued included, and the rest (events without a query id among them), each in its order.
    public func claim(_ events: [LoggedEvent]) -> (claimed: [LoggedEvent], rest: [LoggedEvent]) {
        guard events.contains(where: { $0.queryID != nil }) else { return ([], events) }
        applyPending()
        return replay.read { replay in
            var claimed: [LoggedEvent] = []
            var rest: [LoggedEvent] = []
            for event in events {
                if let queryID = event.queryID, replay.remembers(queryID: queryID) {
                    claimed.append(event)
                } else {
                    rest.append(event)
                }
            }
            return (claimed, rest)
        }
    }

    /// Replaces the statistics, e.g. with a newer model's snapshot.
    public func replace(with store: FeatureStore) {
        let resized = store.resized(to: limits.store)
        replay.write {
            $0 = FeatureReplay(store: resized, maxSearches: limits.maxSearches)
            replacements.add(1, ordering: .releasing)
        }
    }

    /// Each table's entries, capacity, evictions and bytes, and the served searches dropped unapplied.
    public var statistics: (tables: [TableStatistics], droppedSearches: Int) {
        (replay.read { $0.statistics }, pending.withLock { $0.dropped })
    }

    /// Hits scored so far, and how many of them carried none of the catalog fields the model reads (category,
    /// brand, price, price band): when that is all of them, the hits name those fields otherwise and the
    /// catalog features are computed from what the statistics remember alone.
    public var attributeCoverage: (candidates: Int, withoutAttributes: Int) {
        (candidatesScored.load(ordering: .relaxed), candidatesWithoutAttributes.load(ordering: .relaxed))
    }

    /// The declared features the statistics keep values for (those of the model they came from).
    public var declared: DeclaredFeatures { replay.read { $0.store.declared } }

    /// Time of the latest search or event applied, seconds since 1970.
    public var latest: Double { replay.read { $0.store.latest } }
}

/// Served searches and learned attributes waiting to be applied, oldest first.
struct PendingWork {
    enum Item {
        case search(LoggedImpression)
        case attributes([CatalogUpdate])

        /// Its work in units of ``LiveFeatureState/chunk``: a search's hits, or the attributes.
        var units: Int {
            switch self {
            case .search(let impression): max(1, impression.items.count)
            case .attributes(let updates): updates.count
            }
        }
    }

    let capacity: Int
    private var items: [Item] = []
    private(set) var dropped = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds `item`, dropping it when the queue is full; returns whether the queue was empty.
    mutating func append(_ item: Item) -> Bool {
        guard items.count < capacity else {
            dropped += 1
            return false
        }
        items.append(item)
        return items.count == 1
    }

    mutating func take() -> [Item] {
        defer { items = [] }
        return items
    }
}
