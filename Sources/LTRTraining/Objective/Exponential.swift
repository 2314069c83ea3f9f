import Foundation
import LTRModel

/// A branch-free `e^x` for the LambdaRank pair loop, accurate to a few units in the last place for
/// |x| ≤ 700 (relative error below 1e-15).
///
/// It writes `x = (32·m + k)·ln2/32 + r` with |r| ≤ ln2/64 (ln2/32 split in two parts so `r` is exact),
/// takes `2^(k/32)` from a 32-entry table, evaluates `e^r` by a degree-5 polynomial in Estrin's form (short
/// dependency chains) and scales by `2^m` through the exponent bits. Unlike a call to the C library it
/// inlines into the loop and leaves no branch to mispredict.
enum Exponential {
    private static let scaledLog2e = 32 * 1.4426950408889634
    private static let stepHigh = 6.93147180369123816490e-01 / 32
    private static let stepLow = 1.90821492927058770002e-10 / 32
    /// 1.5·2^52: adding it rounds a double of magnitude < 2^51 to an integer held in the low mantissa bits.
    private static let roundingShift = 6_755_399_441_055_744.0
    /// `2^(k/32)` for `k` in `0..<32`: pass it to `exp(_:powers:)` (hoisted out of loops by the caller).
    static let powers: [Double] = (0..<32).map { exp2(Double($0) / 32) }

    /// `e^x`; `powers` points at `Exponential.powers`.
    @inline(__always)
    static func exp(_ x: Double, powers: UnsafePointer<Double>) -> Double {
        let clamped = min(700, max(-700, x))
        let shifted = clamped * scaledLog2e + roundingShift
        let n = shifted - roundingShift
        let r = (clamped - n * stepHigh) - n * stepLow
        let r2 = r * r
        let series = (1 + r) + r2 * ((0.5 + r * (1.0 / 6)) + r2 * (1.0 / 24 + r * (1.0 / 120)))
        let steps = Int64(bitPattern: shifted.bitPattern &- roundingShift.bitPattern)
        let scale = Double(bitPattern: UInt64(bitPattern: ((steps >> 5) &+ 1023) << 52))
        return powers[Int(steps & 31)] * scale * series
    }
}
