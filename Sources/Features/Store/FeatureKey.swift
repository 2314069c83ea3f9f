import RerankJSON

/// 64-bit keys for the feature store: a string's key is the same in every process and on every machine, so
/// training and serving, and every sidecar, address the same entries.
///
/// Keys are FNV-1a over the UTF-8 bytes, then mixed (the finalizer of MurmurHash3) so that their low bits are
/// uniform, as ``BoundedTable``'s index needs. Two distinct ids share a key with probability about 2^-64.
enum FeatureKey {
    /// The key of `text`.
    static func of(_ text: String) -> UInt64 {
        text.withContiguousUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            return mix(hash)
        }
    }

    /// The key of an ordered pair of keys (a query and an item, a user and an item).
    static func pair(_ first: UInt64, _ second: UInt64) -> UInt64 {
        mix(first &* 0x9E37_79B9_7F4A_7C15 ^ (second << 31 | second >> 33) ^ 0x632B_E59B_D9B4_E019)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value
        value ^= value >> 33
        value = value &* 0xff51_afd7_ed55_8ccd
        value ^= value >> 33
        value = value &* 0xc4ce_b9fe_1a85_ec53
        value ^= value >> 33
        return value
    }
}

/// Which kind of group a group key names (its statistics share one table).
enum GroupKind: UInt64 {
    case category = 1
    case brand = 2
    case priceBand = 3

    /// The key of the group `value` of this kind; nil for no value.
    func key(_ value: UInt64) -> UInt64? { value == 0 ? nil : FeatureKey.pair(rawValue, value) }
}
