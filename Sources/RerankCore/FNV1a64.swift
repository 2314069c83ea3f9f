/// The 64-bit FNV-1a hash, used as the model file checksum.
///
/// ```swift
/// FNV1a64.hash(Array("a".utf8))  // 0xaf63dc4c8601ec8c
/// ```
public enum FNV1a64 {
    /// The hash of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The hash as `fnv1a64:` and 16 lowercase hex digits.
    public static func label(_ bytes: some Sequence<UInt8>) -> String {
        let hex = String(hash(bytes), radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
