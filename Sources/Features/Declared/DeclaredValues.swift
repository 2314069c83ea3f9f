import RerankJSON

/// Declared values as the store keeps them, one 64-bit lane per declaration: a categorical value's key, or a
/// number's bits (a date as seconds since 1970); 0 when missing. Zero itself is kept as -0, so it stays a value.
enum DeclaredValue {
    static let missing: UInt64 = 0

    static func number(_ value: Double) -> UInt64 { value == 0 ? (-0.0 as Double).bitPattern : value.bitPattern }

    /// The number in `lane`; nil when missing.
    static func number(in lane: UInt64) -> Double? { lane == missing ? nil : Double(bitPattern: lane) }
}

extension DeclaredFeatures {
    /// The lanes of `source`'s declarations (``declarations(of:)`` order) from a record's values by field path.
    public func values(of source: FeatureDeclaration.Source, in fields: SourceFields) -> [UInt64] {
        declarations(of: source).map { $0.lane(for: fields[$0.field]) }
    }

    /// Whether any lane holds a value.
    static func anyKnown(_ lanes: [UInt64]) -> Bool { lanes.contains { $0 != DeclaredValue.missing } }
}

extension FeatureDeclaration {
    /// The lane a JSON value is kept in.
    func lane(for value: JSONValue?) -> UInt64 {
        guard let value else { return DeclaredValue.missing }
        switch kind {
        case .numeric:
            switch value {
            case .bool(let flag): return DeclaredValue.number(flag ? 1 : 0)
            case .array(let elements): return lane(for: elements.first)
            default: return value.doubleValue.flatMap { $0.isFinite ? DeclaredValue.number($0) : nil } ?? DeclaredValue.missing
            }
        case .ageDays:
            return Self.seconds(of: value).map(DeclaredValue.number) ?? DeclaredValue.missing
        case .categorical:
            return Self.text(of: value).map(key(of:)) ?? DeclaredValue.missing
        }
    }

    /// The lane of a context value sent as text (a number's text for numeric declarations).
    func lane(forText text: String?) -> UInt64 {
        guard let text else { return DeclaredValue.missing }
        return lane(for: kind == .categorical ? .string(text) : Double(text).map(JSONValue.double) ?? .string(text))
    }

    /// A categorical value's text: a string, a number or flag as written, or an array's first element.
    public static func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let string): string.isEmpty ? nil : string
        case .number(let number): number
        case .bool(let flag): flag ? "true" : "false"
        case .array(let elements): elements.first.flatMap(text(of:))
        default: nil
        }
    }

    /// Seconds since 1970 of a date: a number of seconds (or milliseconds, when above 10^11), or ISO 8601 text
    /// (`2024-05-01`, `2024-05-01T10:30:00Z`; the zone is ignored, a day is the unit that matters).
    static func seconds(of value: JSONValue) -> Double? {
        if let number = value.doubleValue, number.isFinite { return number > 1e11 ? number / 1000 : number }
        guard let text = value.stringValue else { return nil }
        let digits = text.utf8.map { Int($0) - 48 }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            var value = 0
            for digit in digits[range] {
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        let seconds = (number(11..<13) ?? 0) * 3600 + (number(14..<16) ?? 0) * 60 + (number(17..<19) ?? 0)
        return Double(daysFromCivil(year: year, month: month, day: day) * 86_400 + seconds)
    }

    /// Days from 1970-01-01 to a Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
