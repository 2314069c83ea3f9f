import Foundation
import Testing

@testable import Features

/// The table that stands in for `log1p` on whole numbers gives the call's values; other values give the call's
/// once rounded to `Float`, as rows hold them.
@Suite struct LogOnePlusTests {
    @Test func wholeNumbersReadTheCallsValues() {
        for whole in 0..<4096 {
            let value = Double(whole)
            #expect(LogOnePlus.shared.of(value).bitPattern == log1p(value).bitPattern, "log1p(\(whole))")
        }
    }

    @Test(arguments: [4096, 4097, 1e9, 0.5, 2.75, 4095.5, 1e-300, 1e-17, 3e-9, 0.999_999_9, .ulpOfOne, 1e300])
    func otherValuesRoundToTheCallsFloat(value: Double) {
        #expect(Float(LogOnePlus.shared.of(value)) == Float(log1p(value)))
        #expect(abs(LogOnePlus.shared.of(value) - log1p(value)) <= 4 * log1p(value).ulp)
    }

    /// Decayed counts, hours and prices: a million values spread over twelve orders of magnitude.
    @Test func fractionsRoundToTheCallsFloat() {
        var differing: [Double] = []
        for step in 0..<1_000_000 {
            let value = pow(10, -6 + 12 * Double(step) / 1_000_000) * (1 + Double(step % 7) / 13)
            if Float(LogOnePlus.shared.of(value)) != Float(log1p(value)) { differing.append(value) }
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
    }

    @Test(arguments: [-0.25, -1, -2, .infinity, -.infinity])
    func negativeAndInfiniteValuesGetTheCall(value: Double) {
        #expect(LogOnePlus.shared.of(value).bitPattern == log1p(value).bitPattern)
    }

    @Test func minusZeroAndNaNStayWhatTheyMean() {
        #expect(LogOnePlus.shared.of(-0.0) == 0)
        #expect(LogOnePlus.shared.of(.nan).isNaN)
    }
}
