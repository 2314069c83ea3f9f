import CPrefetch

/// A map from 64-bit keys to values that never holds more than `capacity` entries: inserting into a full table
/// evicts the least recently updated entry. Lookups, updates and evictions are O(1) amortized, with no sort and
/// no scan.
///
/// Entries live in slots `0..<count` of flat arrays (no per-entry allocation, no reference counting); a slot
/// keeps its index until its entry is evicted, so callers may keep per-slot data of their own in parallel
/// arrays. Keys must already be well mixed (``FeatureKey``): their low bits choose the bucket.
///
/// ```swift
/// var table = BoundedTable<Float>(capacity: 2, empty: 0)
/// table.values[table.update(FeatureKey("a")).slot] += 1
/// table.slot(of: FeatureKey("a"))  // 0
/// ```
struct BoundedTable<Value: Sendable>: Sendable {
    /// One bucket of the open-addressing index: a key and its slot, or `slot < 0` when empty.
    private struct Bucket: Sendable {
        var key: UInt64
        var slot: Int32
    }

    let capacity: Int
    /// The value a newly inserted entry starts from.
    let empty: Value
    /// Each slot's key.
    private(set) var keys: [UInt64] = []
    /// Each slot's value.
    var values: [Value] = []
    /// Recency list through the slots: `newer[s]` is the slot updated next after `s`, -1 at the newest end.
    private var newer: [Int32] = []
    private var older: [Int32] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    private var buckets: [Bucket] = []
    /// Entries evicted since the table was made.
    private(set) var evictions = 0

    init(capacity: Int, empty: Value) {
        precondition(capacity > 0 && capacity < Int(Int32.max), "a table holds 1 to 2^31 - 2 entries")
        self.capacity = capacity
        self.empty = empty
    }

    var count: Int { keys.count }

    /// Bytes held by the table's arrays (allocated capacity, not only what is used).
    var bytes: Int {
        keys.capacity * 8 + values.capacity * MemoryLayout<Value>.stride + (newer.capacity + older.capacity) * 4
            + buckets.capacity * MemoryLayout<Bucket>.stride
    }

    /// The slot holding `key`, or nil. Reads only: the entry's recency is not changed.
    func slot(of key: UInt64) -> Int? {
        guard !buckets.isEmpty else { return nil }
        let mask = buckets.count - 1
        var index = Int(truncatingIfNeeded: key) & mask
        while true {
            let bucket = buckets[index]
            if bucket.slot < 0 { return nil }
            if bucket.key == key { return Int(bucket.slot) }
            index = (index + 1) & mask
        }
    }

    /// Starts loading the bucket where a lookup of `key` begins, for a ``slot(of:)`` soon after: issued for
    /// many keys before any lookup, their cache misses overlap instead of following one another.
    func prefetch(_ key: UInt64) {
        guard !buckets.isEmpty else { return }
        buckets.withUnsafeBufferPointer {
            rerank_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: key) & ($0.count - 1)), MemoryLayout<Bucket>.size)
        }
    }

    /// Starts loading `slot`'s value.
    func prefetchValue(_ slot: Int) {
        values.withUnsafeBufferPointer { rerank_prefetch($0.baseAddress! + slot, MemoryLayout<Value>.size) }
    }

    /// The slot of `key`, marked as the most recently updated. An absent key is inserted with ``empty``,
    /// evicting the least recently updated entry when the table is full; `isNew` is then true, and the caller
    /// resets any per-slot data of its own.
    mutating func update(_ key: UInt64) -> (slot: Int, isNew: Bool) {
        if let slot = slot(of: key) {
            moveToNewest(Int32(slot))
            return (slot, false)
        }
        let slot: Int32
        if keys.count < capacity {
            slot = Int32(keys.count)
            if keys.count == keys.capacity { reserveGrowth() }
            keys.append(key)
            values.append(empty)
            newer.append(-1)
            older.append(-1)
            growIfNeeded()
        } else {
            slot = oldest
            removeBucket(of: keys[Int(slot)])
            unlink(slot)
            keys[Int(slot)] = key
            values[Int(slot)] = empty
            evictions += 1
        }
        insertBucket(key: key, slot: slot)
        linkAsNewest(slot)
        return (Int(slot), true)
    }

    /// A copy of the table with room for `additional` more entries without growing (its slot arrays and index
    /// already grown), or nil when the table has that room.
    ///
    /// Growing a large table copies its arrays and rebuilds its index: milliseconds. This only reads the table,
    /// so its single writer can build the copy while searches go on reading, and install it under the exclusive
    /// lock in place of the table (``PreparedGrowth``) before the insertions that would have grown it there.
    func grown(toFit additional: Int) -> BoundedTable? {
        let entries = min(capacity, count + additional)
        let slotsShort = keys.capacity < entries
        guard slotsShort || 2 * entries > buckets.count else { return nil }
        let limit = maximumBuckets
        var index = max(16, buckets.count)
        while index < 2 * entries && index < limit { index *= 2 }
        index = min(index, limit)
        guard slotsShort || index > buckets.count else { return nil }
        var grown = self
        if slotsShort { grown.reserveSlots(max(entries, min(capacity, count * 2))) }
        if index > buckets.count { grown.rebuildIndex(size: index, keys: count) }
        return grown
    }

    /// Slots from the least to the most recently updated (for snapshots, which keep that order).
    var slotsByRecency: [Int] {
        var slots: [Int] = []
        slots.reserveCapacity(count)
        var slot = oldest
        while slot >= 0 {
            slots.append(Int(slot))
            slot = newer[Int(slot)]
        }
        return slots
    }

    // MARK: Recency list

    private mutating func moveToNewest(_ slot: Int32) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let before = older[Int(slot)]
        let after = newer[Int(slot)]
        if before >= 0 { newer[Int(before)] = after } else { oldest = after }
        if after >= 0 { older[Int(after)] = before } else { newest = before }
        older[Int(slot)] = -1
        newer[Int(slot)] = -1
    }

    private mutating func linkAsNewest(_ slot: Int32) {
        older[Int(slot)] = newest
        newer[Int(slot)] = -1
        if newest >= 0 { newer[Int(newest)] = slot } else { oldest = slot }
        newest = slot
    }

    // MARK: Index (open addressing, linear probing; half full while growing, at most two-thirds at capacity)

    /// Grows the slot arrays geometrically but never past the capacity, so a full table holds no slack.
    private mutating func reserveGrowth() {
        reserveSlots(min(capacity, max(16, keys.count * 2)))
    }

    private mutating func reserveSlots(_ size: Int) {
        keys.reserveCapacity(preferringHugePages: size)
        values.reserveCapacity(preferringHugePages: size)
        newer.reserveCapacity(preferringHugePages: size)
        older.reserveCapacity(preferringHugePages: size)
    }

    /// Buckets for the table at capacity: a power of two at least 1.5 times it, so a full index is at most
    /// two-thirds full.
    private var maximumBuckets: Int {
        var size = 16
        while size < capacity + capacity / 2 { size *= 2 }
        return size
    }

    private mutating func growIfNeeded() {
        guard keys.count * 2 > buckets.count, buckets.count < maximumBuckets else { return }
        // The newest key's bucket is inserted by the caller.
        rebuildIndex(size: min(maximumBuckets, max(16, buckets.count * 2)), keys: keys.count - 1)
    }

    /// A new index of `size` buckets holding the first `count` slots' keys.
    private mutating func rebuildIndex(size: Int, keys count: Int) {
        buckets = []
        buckets.reserveCapacity(preferringHugePages: size)
        buckets.append(contentsOf: repeatElement(Bucket(key: 0, slot: -1), count: size))
        for slot in 0..<count { insertBucket(key: keys[slot], slot: Int32(slot)) }
    }

    private mutating func insertBucket(key: UInt64, slot: Int32) {
        let mask = buckets.count - 1
        var index = Int(truncatingIfNeeded: key) & mask
        while buckets[index].slot >= 0 { index = (index + 1) & mask }
        buckets[index] = Bucket(key: key, slot: slot)
    }

    /// Removes `key`'s bucket, shifting later buckets of the same run back so lookups still find them.
    private mutating func removeBucket(of key: UInt64) {
        let mask = buckets.count - 1
        var hole = Int(truncatingIfNeeded: key) & mask
        while buckets[hole].key != key || buckets[hole].slot < 0 { hole = (hole + 1) & mask }
        var next = hole
        while true {
            next = (next + 1) & mask
            guard buckets[next].slot >= 0 else { break }
            let home = Int(truncatingIfNeeded: buckets[next].key) & mask
            // The entry at `next` may move to the hole unless its home lies cyclically in (hole, next].
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !staysPut {
                buckets[hole] = buckets[next]
                hole = next
            }
        }
        buckets[hole].slot = -1
    }
}
