import CPrefetch

/// Fixed-width data per slot of a ``BoundedTable``, kept flat beside it: slot `s` owns
/// `storage[s * width ..< (s + 1) * width]`.
struct SlotLanes<Element: Sendable>: Sendable {
    let width: Int
    let empty: Element
    /// Slots of the table the lanes belong to: storage never grows past it.
    let capacity: Int
    private(set) var storage: [Element] = []

    init(width: Int, empty: Element, capacity: Int) {
        self.width = width
        self.empty = empty
        self.capacity = capacity
    }

    var bytes: Int { storage.capacity * MemoryLayout<Element>.stride }

    /// Clears `slot`'s lanes for a new entry, growing the storage when the slot is beyond it.
    mutating func reset(_ slot: Int) {
        let start = slot * width
        if storage.count < start + width {
            if storage.capacity < start + width {
                storage.reserveCapacity(preferringHugePages: min(capacity * width, max(start + width, storage.count * 2)))
            }
            storage.append(contentsOf: repeatElement(empty, count: start + width - storage.count))
        }
        for index in start..<(start + width) { storage[index] = empty }
    }

    /// A copy with storage for `slots` slots (at most the capacity) without growing, or nil when it has it
    /// (see ``BoundedTable/grown(toFit:)``).
    func grown(toFit slots: Int) -> SlotLanes? {
        let needed = min(capacity, slots) * width
        guard storage.capacity < needed else { return nil }
        var grown = self
        grown.storage.reserveCapacity(preferringHugePages: max(needed, min(capacity * width, storage.count * 2)))
        return grown
    }

    subscript(slot: Int, lane: Int) -> Element {
        get { storage[slot * width + lane] }
        set { storage[slot * width + lane] = newValue }
    }

    /// Starts loading `slot`'s `lanes` (see ``BoundedTable/prefetch(_:)``).
    func prefetch(_ slot: Int, lanes: Range<Int>) {
        storage.withUnsafeBufferPointer {
            rerank_prefetch($0.baseAddress! + slot * width + lanes.lowerBound, lanes.count * MemoryLayout<Element>.stride)
        }
    }

    /// `slot`'s lanes, in order.
    func lanes(of slot: Int) -> ArraySlice<Element> { storage[(slot * width)..<((slot + 1) * width)] }
}

extension SlotLanes where Element == RateCounts {
    /// Multiplies every count of `slot` by `factor` (a fade; 1 leaves them as they are).
    mutating func scale(_ slot: Int, by factor: Float) {
        guard factor < 1 else { return }
        for lane in 0..<width { self[slot, lane].scale(by: factor) }
    }
}
