/// A small, fast, seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Training never uses the system generator: every random choice (bagging, feature sampling, bin sampling)
/// draws from a `SplitMix64` derived from the training seed, so a seed always gives the same model.
///
/// ```swift
/// var random = SplitMix64(seed: 42)
/// let coin = random.nextUnitDouble() < 0.5
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Creates a generator for one independent stream of a seed, e.g. one iteration's bagging.
    ///
    /// - Parameters:
    ///   - seed: the training seed.
    ///   - stream: a label for the purpose (bagging, features, ...).
    ///   - index: the iteration, block or feature the stream belongs to.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        let base = mixer.next()
        self.init(seed: base ^ (index &* 0xD1B5_4A32_D192_ED03))
        _ = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly distributed value in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
