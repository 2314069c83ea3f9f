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

    /// Whether nothing needs to grow.
    var isEmpty: Bool { installs.isEmpty }

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
        let growth = PreparedGrowth<FeatureStore>()
        func grow<Value>(_ table: WritableKeyPath<FeatureStore, BoundedTable<Value>>) {
            if let grown = self[keyPath: table].grown(toFit: additional) { growth.add(table, grown) }
        }
        func grow<Element>(_ lanes: WritableKeyPath<FeatureStore, SlotLanes<Element>>, slots: Int) {
            if let grown = self[keyPath: lanes].grown(toFit: slots + additional) { growth.add(lanes, grown) }
        }
        grow(\.items)
        grow(\.itemValues, slots: items.count)
        grow(\.itemContext, slots: items.count)
        grow(\.neighbours, slots: items.count)
        grow(\.groups)
        grow(\.groupContext, slots: groups.count)
        grow(\.queryItems)
        grow(\.users)
        grow(\.recent, slots: users.count)
        grow(\.userItems)
        grow(\.tastes)
        grow(\.sessions)
        grow(\.sessionClicks, slots: sessions.count)
        grow(\.profiles)
        grow(\.profileValues, slots: profiles.count)
        return growth.isEmpty ? nil : growth
    }
}
