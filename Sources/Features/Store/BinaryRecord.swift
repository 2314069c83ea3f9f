import Foundation

/// Little-endian bytes for the store's snapshot in model files.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []
    /// The snapshot format written: records write the fields of that format.
    let format: Int

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) { write(value.bitPattern) }
    mutating func write(_ value: Float) { write(value.bitPattern) }
    mutating func write(_ value: Int32) { write(UInt32(bitPattern: value)) }
    mutating func write(_ value: Int) { write(UInt64(value)) }
}

/// Reads what ``ByteWriter`` wrote.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// The snapshot format the bytes were written in (``FeatureStore/snapshotFormat`` or an earlier one it reads).
    let format: Int

    init(_ bytes: [UInt8], format: Int) {
        self.bytes = bytes
        self.format = format
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func read() throws(SnapshotError) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw .endsEarly() }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return value
    }

    mutating func read() throws(SnapshotError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw .endsEarly() }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * UInt32(index)) }
        offset += 4
        return value
    }

    mutating func read() throws(SnapshotError) -> Double { Double(bitPattern: try read()) }
    mutating func read() throws(SnapshotError) -> Float { Float(bitPattern: try read()) }
    mutating func read() throws(SnapshotError) -> Int32 { Int32(bitPattern: try read()) }

    /// A count of entries, refused when it is more than the bytes left could hold.
    mutating func readCount(entryBytes: Int) throws(SnapshotError) -> Int {
        let count: UInt64 = try read()
        guard count <= UInt64((bytes.count - offset) / max(1, entryBytes)) else {
            throw .tooManyEntries(count)
        }
        return Int(count)
    }
}

/// A value stored in the snapshot, field by field.
protocol BinaryRecord {
    /// Bytes one record takes.
    static var byteCount: Int { get }
    /// Bytes one record took in snapshots of `format`; ``byteCount`` unless the record changed since.
    static func byteCount(format: Int) -> Int
    func write(to writer: inout ByteWriter)
    init(from reader: inout ByteReader) throws(SnapshotError)
}

extension BinaryRecord {
    static func byteCount(format: Int) -> Int { byteCount }
}

/// A statistics snapshot that cannot be read.

extension UInt64: BinaryRecord {
    static var byteCount: Int { 8 }
    func write(to writer: inout ByteWriter) { writer.write(self) }
    init(from reader: inout ByteReader) throws(SnapshotError) { self = try reader.read() }
}

extension Float: BinaryRecord {
    static var byteCount: Int { 4 }
    func write(to writer: inout ByteWriter) { writer.write(self) }
    init(from reader: inout ByteReader) throws(SnapshotError) { self = try reader.read() }
}

extension Double: BinaryRecord {
    static var byteCount: Int { 8 }
    func write(to writer: inout ByteWriter) { writer.write(self) }
    init(from reader: inout ByteReader) throws(SnapshotError) { self = try reader.read() }
}

extension Int32: BinaryRecord {
    static var byteCount: Int { 4 }
    func write(to writer: inout ByteWriter) { writer.write(self) }
    init(from reader: inout ByteReader) throws(SnapshotError) { self = try reader.read() }
}

extension RateCounts: BinaryRecord {
    static var byteCount: Int { 8 }
    func write(to writer: inout ByteWriter) {
        writer.write(shown)
        writer.write(clicks)
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        shown = try reader.read()
        clicks = try reader.read()
    }
}

extension ItemRow: BinaryRecord {
    static var byteCount: Int { 8 + 7 * 4 + 3 * 8 + 4 }
    func write(to writer: inout ByteWriter) {
        writer.write(updated)
        for value in [shown, clicks, carts, purchases, examinations] { writer.write(value) }
        cascade.write(to: &writer)
        for key in [attributes.category, attributes.brand, attributes.priceBand] { writer.write(key) }
        writer.write(attributes.price)
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        updated = try reader.read()
        shown = try reader.read()
        clicks = try reader.read()
        carts = try reader.read()
        purchases = try reader.read()
        examinations = try reader.read()
        cascade = try RateCounts(from: &reader)
        attributes = ItemKeys()
        attributes.category = try reader.read()
        attributes.brand = try reader.read()
        attributes.priceBand = try reader.read()
        attributes.price = try reader.read()
    }
}

extension Neighbour: BinaryRecord {
    static var byteCount: Int { 12 }
    func write(to writer: inout ByteWriter) {
        writer.write(item)
        writer.write(weight)
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        item = try reader.read()
        weight = try reader.read()
    }
}

extension QueryItemRow: BinaryRecord {
    static var byteCount: Int { 8 + 5 * 4 }
    func write(to writer: inout ByteWriter) {
        writer.write(updated)
        writer.write(shown)
        writer.write(clicks)
        writer.write(examinations)
        cascade.write(to: &writer)
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        updated = try reader.read()
        shown = try reader.read()
        clicks = try reader.read()
        examinations = try reader.read()
        cascade = try RateCounts(from: &reader)
    }
}


extension UserRow: BinaryRecord {
    /// The snapshot format that added the taste groups; earlier ones kept none.
    static let tasteGroupsFormat = 4
    /// The snapshot format that added the items acted on; earlier ones kept none.
    static let touchedItemsFormat = 5
    static var byteCount: Int { 32 }
    static func byteCount(format: Int) -> Int { format < tasteGroupsFormat ? 16 : format < touchedItemsFormat ? 24 : byteCount }
    func write(to writer: inout ByteWriter) {
        writer.write(interactions)
        writer.write(lastSeen)
        writer.write(recentCount)
        if writer.format >= Self.tasteGroupsFormat { writer.write(tasteGroups.bits) }
        if writer.format >= Self.touchedItemsFormat { writer.write(touchedItems.bits) }
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        interactions = try reader.read()
        lastSeen = try reader.read()
        recentCount = try reader.read()
        guard (0...Int32(FeatureStore.Limits.recentItemsPerUser)).contains(recentCount) else {
            throw .impossibleValue("a user in the statistics snapshot has \(recentCount) recent items")
        }
        // An earlier snapshot did not keep them: any group may hold the user's tastes, any item their touches.
        tasteGroups = reader.format < Self.tasteGroupsFormat ? .unknown : KeyBits(bits: try reader.read())
        touchedItems = reader.format < Self.touchedItemsFormat ? .unknown : KeyBits(bits: try reader.read())
    }
}

extension Touch: BinaryRecord {
    static var byteCount: Int { 12 }
    func write(to writer: inout ByteWriter) {
        writer.write(count)
        writer.write(last)
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        count = try reader.read()
        last = try reader.read()
    }
}

extension SessionClick: BinaryRecord {
    static var byteCount: Int { 20 }
    func write(to writer: inout ByteWriter) {
        writer.write(item)
        writer.write(category)
        writer.write(time)
    }
    init(from reader: inout ByteReader) throws(SnapshotError) {
        item = try reader.read()
        category = try reader.read()
        time = try reader.read()
    }
}
