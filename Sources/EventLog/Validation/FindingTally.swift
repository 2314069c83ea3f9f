/// Counts one kind of problem while keeping its first few examples.
struct FindingTally {
    let limit: Int
    private(set) var count = 0
    private(set) var examples: [String] = []

    init(limit: Int) {
        self.limit = limit
    }

    mutating func add(_ example: @autoclosure () -> String) {
        count += 1
        if examples.count < limit { examples.append(example()) }
    }

    /// The finding, or nil when nothing was counted.
    func finding(_ kind: ValidationFinding.Kind, _ severity: ValidationFinding.Severity, _ message: String)
        -> ValidationFinding?
    {
        count == 0
            ? nil
            : ValidationFinding(kind: kind, severity: severity, count: count, message: message, examples: examples)
    }
}
