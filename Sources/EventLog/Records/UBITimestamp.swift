import Foundation
import RerankJSON

/// Reads and writes UBI timestamps.
///
/// OpenSearch maps UBI timestamps as `strict_date_optional_time||epoch_millis`, so records arrive as ISO-8601
/// text (with or without fractional seconds, with `Z`, an offset such as `+01:00` or `+0000`, or no zone, which
/// means UTC) or as epoch milliseconds (a number, or a string of digits). They are always written back as
/// ISO-8601 in UTC with milliseconds.
///
/// ```swift
/// let date = UBITimestamp.parse("2024-12-10T00:01:29.378Z")!
/// UBITimestamp.string(from: date)  // "2024-12-10T00:01:29.378Z"
/// ```
///
/// Parsing is hand-written rather than `ISO8601DateFormatter` because readers parse every line of large logs.
public enum UBITimestamp {
    /// The date a JSON value names, or nil when it is neither ISO-8601 text nor epoch milliseconds.
    public static func parse(_ value: JSONValue) -> Date? {
        switch value {
        case .string(let text): parse(text)
        case .number(let text): Double(text).map { Date(timeIntervalSince1970: $0 / 1000) }
        default: nil
        }
    }

    /// The date ISO-8601 `text` (or a string of epoch-millisecond digits) names, or nil when it names none.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// `date` as ISO-8601 in UTC with milliseconds, e.g. `2024-12-10T00:01:29.378Z`.
    public static func string(from date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, dayMillis) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = dayMillis / 1000
        guard (0...9999).contains(year) else {
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
                + ":\(pad(seconds % 60, 2)).\(pad(dayMillis % 1000, 3))Z"
        }
        // The common case digit by digit into 24 bytes: this runs for every event and record written.
        var bytes = Array("0000-00-00T00:00:00.000Z".utf8)
        func put(_ value: Int64, at end: Int, digits: Int) {
            var value = value
            for offset in 0..<digits {
                bytes[end - offset] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int64(year), at: 3, digits: 4)
        put(Int64(month), at: 6, digits: 2)
        put(Int64(day), at: 9, digits: 2)
        put(seconds / 3600, at: 12, digits: 2)
        put(seconds / 60 % 60, at: 15, digits: 2)
        put(seconds % 60, at: 18, digits: 2)
        put(dayMillis % 1000, at: 22, digits: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `date` in UTC as `yyyyMMddTHHmmssZ`, the form used in log file names (sorts in time order).
    public static func compactString(from date: Date) -> String {
        let (days, daySeconds) = floorDivide(Int64(date.timeIntervalSince1970.rounded(.down)), 86_400)
        let (year, month, day) = civil(fromDays: days)
        return "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))T\(pad(daySeconds / 3600, 2))"
            + "\(pad(daySeconds / 60 % 60, 2))\(pad(daySeconds % 60, 2))Z"
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard !bytes.isEmpty else { return nil }
        if bytes.allSatisfy({ isDigit($0) }) {
            guard bytes.count <= 15, let millis = number(bytes, 0, bytes.count) else { return nil }
            return Date(timeIntervalSince1970: Double(millis) / 1000)
        }
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count, let value = number(bytes, index, count) else { return nil }
            index += count
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), take(UInt8(ascii: "-")), let month = digits(2), take(UInt8(ascii: "-")),
            let day = digits(2), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = days(fromCivil: year, month, day) * 86_400
        var fraction = 0.0
        if take(UInt8(ascii: "T")) || take(UInt8(ascii: " ")) || take(UInt8(ascii: "t")) {
            guard let hour = digits(2), take(UInt8(ascii: ":")), let minute = digits(2), hour < 24, minute < 60
            else { return nil }
            seconds += hour * 3600 + minute * 60
            if take(UInt8(ascii: ":")) {
                guard let second = digits(2), second < 61 else { return nil }
                seconds += second
                if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
                    var scale = 0.1
                    let start = index
                    while index < bytes.count, isDigit(bytes[index]) {
                        fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
            if index < bytes.count {
                guard let offset = zoneOffset(bytes, from: index) else { return nil }
                seconds -= offset
                index = bytes.count
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Seconds east of UTC for `Z`, `±HH`, `±HHMM` or `±HH:MM` filling the rest of `bytes`.
    private static func zoneOffset(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int64? {
        let rest = bytes.count - start
        if rest == 1, bytes[start] == UInt8(ascii: "Z") || bytes[start] == UInt8(ascii: "z") { return 0 }
        let sign: Int64
        switch bytes[start] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        guard let hours = number(bytes, start + 1, 2), hours < 24 else { return nil }
        let minutes: Int64?
        switch rest {
        case 3: minutes = 0
        case 5: minutes = number(bytes, start + 3, 2)
        case 6 where bytes[start + 3] == UInt8(ascii: ":"): minutes = number(bytes, start + 4, 2)
        default: minutes = nil
        }
        guard let minutes, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[start..<(start + count)] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
        return (quotient, value - quotient * divisor)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
