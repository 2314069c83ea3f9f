/// Tables grown ahead of the insertions that would grow them, built under a shared lock and installed under
/// the exclusive one (see ``BoundedTable/grown(toFit:)``).
///
/// Installing swaps each grown part in and keeps what it replaced, so the old arrays are freed when this is,
/// after the lock is released, and the grown ones are held by the statistics alone: the writes that follow do
/// not copy them.
///
/// ```swift
/// let growth = lock.read { $0.growth(toFit: 1_024) }      // searches go on reading
/// lock.write { growth?.install(into: &$0); apply(&$0) }   // a swap per grown table
/// ```
public final class PreparedGrowth<Root> {
    private var installs: [(inout Root) -> Void] = []

    init() {}

    /// Puts `part` at `path` when installed.
    func add<Part>(_ path: WritableKeyPath<Root, Part>, _ part: Part) {
        var part = part
        installs.append { root in swap(&root[keyPath: path], &part) }
    }

    /// Installs `inner` at `path` when installed.
    func add<Inner>(_ path: WritableKeyPath<Root, Inner>, _ inner: PreparedGrowth<Inner>) {
        installs.append { root in inner.install(into: &root[keyPath: path]) }
    }

    /// Swaps every grown part into `root`; once only (a second call swaps the old parts back).
    public func install(into root: inout Root) {
        for install in installs { install(&root) }
        installs = []
    }
}

extension FeatureStore {
    /// The tables and lanes that `additional` more entries each would grow, grown ahead; nil when none would.
    func growth(toFit additional: Int) -> PreparedGrowth<FeatureStore>? {
        // Each part is read as a stored property: nothing here copies the store (a closure capturing `self` would).
        var growth: PreparedGrowth<FeatureStore>?
        func add<Part>(_ path: WritableKeyPath<FeatureStore, Part>, _ part: Part?) {
            guard let part else { return }
            if growth == nil { growth = PreparedGrowth() }
            growth?.add(path, part)
        }
        add(\.items, items.grown(toFit: additional))
        add(\.itemValues, itemValues.grown(toFit: items.count + additional))
        add(\.itemContext, itemContext.grown(toFit: items.count + additional))
        add(\.neighbours, neighbours.grown(toFit: items.count + additional))
        add(\.groups, groups.grown(toFit: additional))
        add(\.groupContext, groupContext.grown(toFit: groups.count + additional))
        add(\.queryItems, queryItems.grown(toFit: additional))
        add(\.users, users.grown(toFit: additional))
        add(\.recent, recent.grown(toFit: users.count + additional))
        add(\.userItems, userItems.grown(toFit: additional))
        add(\.tastes, tastes.grown(toFit: additional))
        add(\.sessions, sessions.grown(toFit: additional))
        add(\.sessionClicks, sessionClicks.grown(toFit: sessions.count + additional))
        add(\.profiles, profiles.grown(toFit: additional))
        add(\.profileValues, profileValues.grown(toFit: profiles.count + additional))
        return growth
    }
}
