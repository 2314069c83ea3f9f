import Foundation

/// The machine's own tail: a loop of arithmetic that touches no memory, sized to take as long as `typical`, timed
/// `runs` times like the ranker. Its p99 over its p50 is what the machine adds to any run of that length (timer
/// interrupts and, on a virtual machine, the exits they cost), so the ranker's p99 is read against it.
enum FixedWork {
    static func timings(lasting typical: Double, runs: Int) -> String {
        let clock = ContinuousClock()
        var state: UInt64 = 1
        func spin(_ steps: Int) {
            for _ in 0..<steps { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
        }
        // The fastest of a few probes: one that an interrupt lengthened would size the loop too short.
        let probe = 1_000_000
        let probeTime = (0..<5).map { _ in microseconds(clock.measure { spin(probe) }) }.min()!
        let steps = max(1, Int(Double(probe) * typical / max(probeTime, 1e-3)))
        let samples = (0..<runs).map { _ in microseconds(clock.measure { spin(steps) }) }
        // Reading the state keeps the loop from being optimized away.
        return state == 0 ? "" : summary(samples)
    }
}
