import RerankJSON

/// The catalog facts features read about an item.
public struct ItemAttributes: Sendable, Codable, Equatable {
    public var category: String?
    public var brand: String?
    public var price: Double?
    public var priceBand: String?
    /// Declared item values (``DeclaredFeatures/values(of:in:)``), when the store declares any.
    public var declared: [UInt64]

    public init(
        category: String? = nil, brand: String? = nil, price: Double? = nil, priceBand: String? = nil, declared: [UInt64] = []
    ) {
        self.category = category
        self.brand = brand
        self.price = price
        self.priceBand = priceBand ?? price.map(Self.band)
        self.declared = declared
    }

    /// A price band from a price when the catalog has none: powers of 2.5 from 10.
    static func band(_ price: Double) -> String { "p\(bandNumber(price))" }

    /// The number of ``band(_:)``: 0 up to 10, then one more for every factor of 2.5 (prices that are not
    /// finite are in band 0). That is `Int(log(price / 10) / log(2.5)) + 1`, which a search computes for every
    /// hit without a band: found by comparing with the powers of 2.5 instead (a logarithm takes longer), and
    /// computed so only where rounding could decide it.
    static func bandNumber(_ price: Double) -> Int {
        guard price > 10, price.isFinite else { return 0 }
        let ratio = price / 10
        return BandEdges.number(of: ratio) ?? Int(log(ratio) / log(2.5)) + 1
    }
}

/// The powers of 2.5 where price bands change (``ItemAttributes/bandNumber(_:)``).
private enum BandEdges {
    /// 2.5^0 up to the first power past the largest `Double` (infinity).
    private static let powers: [Double] = {
        var powers: [Double] = [1]
        while powers.last!.isFinite { powers.append(pow(2.5, Double(powers.count))) }
        return powers
    }()
    /// How close to a power a ratio may be and still have its band found by comparison. `log` and the division
    /// err by a few units in the last place, far less than this.
    private static let margin = 1e-9

    /// The band of `ratio` (a finite price over 10, so at least 1): `k` for a ratio between 2.5^(k-1) and 2.5^k;
    /// nil within ``margin`` of a power above 1, where only the logarithm itself says which side it lies on.
    static func number(of ratio: Double) -> Int? {
        var band = 1
        while ratio >= powers[band] { band += 1 }
        let above = band == 1 || ratio >= powers[band - 1] * (1 + margin)
        return above && ratio < powers[band] * (1 - margin) ? band : nil
    }
}

/// Which source fields hold the attributes (configurable, as catalogs differ).
public struct AttributeFields: Sendable, Codable, Equatable {
    public var category = "category"
    public var brand = "brand"
    public var price = "price"
    public var priceBand = "price_band"

    public init() {}

    /// Every field name, for asking the search engine to return them.
    public var all: [String] { [category, brand, price, priceBand] }

    /// Reads attributes from source field values (by the names above).
    public func attributes(from fields: SourceFields) -> ItemAttributes {
        func text(_ name: String) -> String? { Self.text(fields[name]) }
        return ItemAttributes(
            category: text(category),
            brand: text(brand),
            price: fields[price]?.doubleValue,
            priceBand: text(priceBand)
        )
    }

    /// Where each attribute's field is among the paths of fields (``SourceFields/slot(of:)``).
    public struct Slots: Sendable {
        var category: Int?
        var brand: Int?
        var price: Int?
        var priceBand: Int?

        /// None known: every field is searched for.
        public static let unknown = Slots()
    }

    /// Where the attributes' fields are in `fields`; the same for every hit of a search, whose fields are read
    /// with the same paths.
    public func slots(in fields: SourceFields) -> Slots {
        Slots(
            category: fields.slot(of: category), brand: fields.slot(of: brand), price: fields.slot(of: price),
            priceBand: fields.slot(of: priceBand))
    }

    /// The keys of the attributes in source field values: the same as `ItemKeys(attributes(from: fields))`,
    /// without building their strings (a search reads them for every hit). `slots` says where the fields
    /// probably are (``slots(in:)`` of another hit of the search).
    public func keys(from fields: SourceFields, slots: Slots = .unknown) -> ItemKeys {
        func key(_ name: String, _ slot: Int?) -> UInt64 {
            fields.withValue(of: name, at: slot) { Self.withText($0, FeatureKey.of) } ?? 0
        }
        var keys = ItemKeys()
        keys.category = key(category, slots.category)
        keys.brand = key(brand, slots.brand)
        let price = fields.withValue(of: price, at: slots.price) { $0?.doubleValue }
        keys.price = price.map(Float.init) ?? -1
        let band = key(priceBand, slots.priceBand)
        keys.priceBand = band != 0 ? band : price.map(ItemKeys.priceBandKey) ?? 0
        return keys
    }

    /// A field's value as text: a string, the first of an array, or a number as written; nil otherwise.
    private static func text(_ value: JSONValue?) -> String? { withText(value) { $0 } }

    /// `body` of the field's ``text(_:)``, read where it lies; nil when there is none.
    private static func withText<Result>(_ value: JSONValue?, _ body: (String) -> Result) -> Result? {
        switch value {
        case .string(let string): body(string)
        case .array(let array): array.first?.stringValue.map(body)
        case .number(let number): body(number)
        default: nil
        }
    }
}

import Foundation
