import Foundation
import Testing

@testable import Features

/// Price bands found by comparison are the logarithm's: `Int(log(price / 10) / log(2.5)) + 1` above 10, which
/// models were trained with.
@Suite struct PriceBandTests {
    private func byLogarithm(_ price: Double) -> Int {
        guard price > 10, price.isFinite else { return 0 }
        return Int(log(price / 10) / log(2.5)) + 1
    }

    /// Around every power of 2.5 up to the largest `Double`: the prices a few units in the last place either side
    /// of the edge, and those just past the margin where comparison takes over.
    @Test func edgesGetTheLogarithmsBands() {
        var differing: [Double] = []
        var power = 1.0
        while (power * 10).isFinite {
            let edge = power * 10
            var below = edge, above = edge
            var prices = [edge, edge * (1 + 1.1e-9), edge * (1 - 1.1e-9), edge * (1 + 0.9e-9), edge * (1 - 0.9e-9)]
            for _ in 0..<8 {
                below = below.nextDown
                above = above.nextUp
                prices += [below, above]
            }
            differing += prices.filter { ItemAttributes.bandNumber($0) != byLogarithm($0) }
            power *= 2.5
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
    }

    /// A million prices over fifteen orders of magnitude, and cents as catalogs write them.
    @Test func pricesGetTheLogarithmsBands() {
        var differing: [Double] = []
        for step in 0..<1_000_000 {
            let spread = pow(10, -1 + 15 * Double(step) / 1_000_000) * (1 + Double(step % 7) / 13)
            let cents = Double(step) / 100
            for price in [spread, cents] where ItemAttributes.bandNumber(price) != byLogarithm(price) {
                differing.append(price)
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
    }

    @Test(arguments: [10, 9.99, 0, -5, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, 10.000_000_000_000_002])
    func edgeCasesGetTheLogarithmsBands(price: Double) {
        #expect(ItemAttributes.bandNumber(price) == byLogarithm(price))
    }

    @Test func bandsAreNumberedFromTen() {
        #expect(ItemAttributes.band(9) == "p0")
        #expect(ItemAttributes.band(11) == "p1")
        #expect(ItemAttributes.band(26) == "p2")
        #expect(ItemAttributes.band(100) == "p3")
    }
}
