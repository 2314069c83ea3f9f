import RerankJSON

/// What ``LogValidator`` found: totals, and findings with counts and examples, errors first.
///
/// ```swift
/// print(report.text)
/// let json = JSONWriter.bytes(.object(report.json))
/// ```
public struct ValidationReport: Sendable, Equatable {
    /// The files read.
    public var files: [String]
    /// `ubi_queries` records read.
    public var queries: Int
    /// `ubi_events` records read.
    public var events: Int
    /// Events whose action is an interaction (click, add_to_cart, purchase, configured actions).
    public var interactions: Int
    /// Distinct `client_id`s with at least one interaction.
    public var users: Int
    /// Users with at least the configured number of interactions (Personalize: 2).
    public var usersWithEnoughInteractions: Int
    /// The problems found, errors first, each kind once.
    public var findings: [ValidationFinding]

    public init(
        files: [String], queries: Int, events: Int, interactions: Int, users: Int, usersWithEnoughInteractions: Int,
        findings: [ValidationFinding]
    ) {
        self.files = files
        self.queries = queries
        self.events = events
        self.interactions = interactions
        self.users = users
        self.usersWithEnoughInteractions = usersWithEnoughInteractions
        self.findings = findings.filter { $0.severity == .error } + findings.filter { $0.severity == .warning }
    }

    /// Whether any finding is an error: a trainer would learn something wrong from these logs.
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }

    /// The finding of `kind`, if there is one.
    public func finding(_ kind: ValidationFinding.Kind) -> ValidationFinding? {
        findings.first { $0.kind == kind }
    }

    /// A readable report: totals, a table of findings, then each finding's explanation and examples.
    public var text: String {
        var lines = [
            "Checked \(files.count) file(s): \(queries) queries, \(events) events, \(interactions) interactions from \(users) users (\(usersWithEnoughInteractions) with enough for Personalize)."
        ]
        guard !findings.isEmpty else { return (lines + ["No problems found."]).joined(separator: "\n") + "\n" }
        let kindWidth = max("PROBLEM".count, findings.map(\.kind.rawValue.count).max() ?? 0)
        let countWidth = max("COUNT".count, findings.map { String($0.count).count }.max() ?? 0)
        lines.append("")
        lines.append("SEVERITY  \(Self.padded("PROBLEM", kindWidth))  \(Self.padded("COUNT", countWidth, right: true))")
        for finding in findings {
            lines.append(
                "\(Self.padded(finding.severity.rawValue, 8))  \(Self.padded(finding.kind.rawValue, kindWidth))  \(Self.padded(String(finding.count), countWidth, right: true))"
            )
        }
        for finding in findings {
            lines.append("")
            lines.append("\(finding.severity.rawValue) \(finding.kind.rawValue) (\(finding.count)): \(finding.message)")
            lines.append(contentsOf: finding.examples.map { "  - \($0)" })
        }
        let errors = findings.filter { $0.severity == .error }.count
        lines.append("")
        lines.append(
            "Result: \(errors) error(s), \(findings.count - errors) warning(s)"
                + (errors > 0
                    ? "; a trainer would learn something wrong from these logs until the errors are fixed." : "."))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as JSON: `ok`, `errors`, `warnings`, totals, and `findings` with `kind`, `severity`, `count`,
    /// `message` and `examples`.
    public var json: JSONObject {
        let errors = findings.filter { $0.severity == .error }.count
        return JSONObject([
            "ok": .bool(!hasErrors),
            "errors": .int(errors),
            "warnings": .int(findings.count - errors),
            "files": .array(files.map(JSONValue.string)),
            "queries": .int(queries),
            "events": .int(events),
            "interactions": .int(interactions),
            "users": .int(users),
            "users_with_enough_interactions": .int(usersWithEnoughInteractions),
            "findings": .array(
                findings.map { finding in
                    .object(
                        JSONObject([
                            "kind": .string(finding.kind.rawValue),
                            "severity": .string(finding.severity.rawValue),
                            "count": .int(finding.count),
                            "message": .string(finding.message),
                            "examples": .array(finding.examples.map(JSONValue.string)),
                        ]))
                }),
        ])
    }

    /// ``json`` as compact JSON text ending in a newline, for `rerank validate --json FILE`.
    public var jsonText: String {
        String(decoding: JSONWriter.bytes(.object(json)), as: UTF8.self) + "\n"
    }

    private static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
