/// The 64-bit FNV-1a hash, used as the model file checksum.
///
/// ```swift
/// FNV1a64.hash(Array("a".utf8))  // 0xaf63dc4c8601ec8c
/// FNV1a64.hash(Array("b".utf8), from: FNV1a64.hash(Array("a".utf8))) == FNV1a64.hash(Array("ab".utf8))
/// ```
public enum FNV1a64 {
    /// The hash of no bytes (FNV's offset basis).
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of `bytes`, or with `from`, of the bytes that hashed to `from` followed by `bytes`: a file written in
    /// pieces is hashed piece by piece.
    @inlinable
    public static func hash(_ bytes: some Sequence<UInt8>, from start: UInt64 = offsetBasis) -> UInt64 {
        var hash = start
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The hash as `fnv1a64:` and 16 lowercase hex digits.
    public static func label(_ bytes: some Sequence<UInt8>) -> String {
        label(hash: hash(bytes))
    }

    /// A hash (``hash(_:from:)``) as `fnv1a64:` and 16 lowercase hex digits.
    public static func label(hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
