import RerankCore

/// Where a user falls in an experiment: a number in [0, 1) from a fixed hash of the salt and the user id.
///
/// The hash is FNV-1a 64 of `salt`, a unit separator and the id, finished with SplitMix64's mixer so every bit
/// is uniform. It has no per-process seed (unlike Swift's `Hasher`), so every sidecar instance, restart and the
/// report agree on who is where.
///
/// ```swift
/// StableBucket.unit(salt: "model-ab-1", id: "alice")  // the same value on every machine, e.g. 0.7318...
/// ```
public enum StableBucket {
    /// The 64 mixed hash bits of `salt` and `id`.
    public static func hash(salt: String, id: String) -> UInt64 {
        var bytes = Array(salt.utf8)
        bytes.append(0x1F)
        bytes.append(contentsOf: id.utf8)
        var mixer = SplitMix64(seed: FNV1a64.hash(bytes))
        return mixer.next()
    }

    /// A uniform value in [0, 1) for `salt` and `id`.
    public static func unit(salt: String, id: String) -> Double {
        Double(hash(salt: salt, id: id) >> 11) * 0x1.0p-53
    }
}
