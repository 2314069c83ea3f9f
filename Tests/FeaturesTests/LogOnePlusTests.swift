import Foundation
import Testing

@testable import Features

/// The table that stands in for `log1p` on whole numbers gives the call's values, and the call's for the rest.
@Suite struct LogOnePlusTests {
    @Test func wholeNumbersReadTheCallsValues() {
        for whole in 0..<4096 {
            let value = Double(whole)
            #expect(LogOnePlus.of(value).bitPattern == log1p(value).bitPattern, "log1p(\(whole))")
        }
    }

    @Test(arguments: [4096, 4097, 1e9, 0.5, 2.75, 4095.5, 1e-300, -0.25, -1, .infinity])
    func otherValuesGetTheCall(value: Double) {
        #expect(LogOnePlus.of(value).bitPattern == log1p(value).bitPattern)
    }

    @Test func minusZeroAndNaNStayWhatTheyMean() {
        #expect(LogOnePlus.of(-0.0) == 0)
        #expect(LogOnePlus.of(.nan).isNaN)
    }
}
