import Foundation
import LTRModel

/// The parsed rows of one piece of a LETOR / svmlight file, in sparse form.
struct LETORChunk {
    /// A run of consecutive rows with the same `qid:`, with the qid's bytes.
    struct QidRun {
        var qid: [UInt8]
        var rows: Int
    }

    /// The first problem met, by line number within the piece (0-based).
    struct Failure {
        var line: Int
        var message: String
    }

    private(set) var labels: [Float] = []
    private(set) var rows = SparseRows()
    private(set) var qidRuns: [QidRun] = []
    private(set) var rowsWithQid = 0
    private(set) var maxColumn = -1
    private(set) var lineCount = 0
    private(set) var failure: Failure?

    /// Parses the lines of `bytes[range]`; `columnLimit` is the schema's feature count.
    init(bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, columnLimit: Int) {
        var position = range.lowerBound
        let end = range.upperBound
        while position < end {
            var lineEnd = position
            while lineEnd < end && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            if let message = parseLine(bytes, position..<lineEnd, columnLimit: columnLimit) {
                failure = Failure(line: lineCount, message: message)
                return
            }
            lineCount += 1
            position = lineEnd + 1
        }
    }

    /// Writes the rows into a dense row-major matrix starting at `firstRow`.
    func scatter(into matrix: UnsafeMutableBufferPointer<Float>, firstRow: Int, featureCount: Int) {
        for row in 0..<rows.rowCount {
            let base = (firstRow + row) * featureCount
            for entry in rows.entries(of: row) {
                matrix[base + Int(rows.columns[entry])] = rows.values[entry]
            }
        }
    }

    /// Parses one line; returns a message for malformed input.
    private mutating func parseLine(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>,
        columnLimit: Int
    ) -> String? {
        var end = line.upperBound
        for index in line where bytes[index] == UInt8(ascii: "#") {
            end = index
            break
        }
        var position = line.lowerBound
        func nextToken() -> Range<Int>? {
            while position < end && Self.isSpace(bytes[position]) { position += 1 }
            if position == end { return nil }
            let start = position
            while position < end && !Self.isSpace(bytes[position]) { position += 1 }
            return start..<position
        }
        guard let labelToken = nextToken() else { return nil }
        guard let label = Self.parseNumber(bytes, labelToken), label.isFinite else {
            return "label '\(Self.text(bytes, labelToken))' is not a number; each line must start with a numeric label."
        }
        var sawQid = false
        while let token = nextToken() {
            guard let colon = token.first(where: { bytes[$0] == UInt8(ascii: ":") }) else {
                return "'\(Self.text(bytes, token))' is not an index:value pair; features are written index:value."
            }
            let key = token.lowerBound..<colon
            let value = (colon + 1)..<token.upperBound
            if Self.text(bytes, key) == "qid" {
                guard !sawQid, !value.isEmpty else {
                    return "a line may hold one non-empty qid: field; found '\(Self.text(bytes, token))'."
                }
                sawQid = true
                addQid(bytes, value)
                continue
            }
            guard let index = Self.parseIndex(bytes, key), index >= 1 else {
                return "'\(Self.text(bytes, key))' is not a feature index; indices are integers starting at 1."
            }
            guard index <= columnLimit else {
                return "feature index \(index) is beyond the schema's \(columnLimit) features; use the same "
                    + "features as the training data (or the model's feature schema)."
            }
            guard let number = Self.parseNumber(bytes, value) else {
                return "value '\(Self.text(bytes, value))' of feature \(index) is not a number."
            }
            rows.columns.append(Int32(index - 1))
            rows.values.append(Float(number))
            maxColumn = max(maxColumn, index - 1)
        }
        if sawQid { rowsWithQid += 1 }
        labels.append(Float(label))
        rows.rowEnds.append(rows.columns.count)
        return nil
    }

    private mutating func addQid(_ bytes: UnsafeBufferPointer<UInt8>, _ qid: Range<Int>) {
        if let last = qidRuns.last, last.qid.elementsEqual(bytes[qid]) {
            qidRuns[qidRuns.count - 1].rows += 1
        } else {
            qidRuns.append(QidRun(qid: Array(bytes[qid]), rows: 1))
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private static func parseIndex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 9 else { return nil }
        var result = 0
        for index in range {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            result = result * 10 + digit
        }
        return result
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { power in
        (0..<power).reduce(1.0) { value, _ in value * 10 }
    }

    /// Parses a decimal number. Plain decimals with at most 15 significant digits take an exact fast path
    /// (one correctly rounded multiplication or division); anything else goes through `strtod`.
    static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        guard !range.isEmpty else { return nil }
        var position = range.lowerBound
        var negative = false
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while position < range.upperBound, case let digit = bytes[position] &- 48, digit <= 9 {
            if mantissa != 0 || digit != 0 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            sawDigit = true
            position += 1
        }
        if position < range.upperBound && bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < range.upperBound, case let digit = bytes[position] &- 48, digit <= 9 {
                if mantissa != 0 || digit != 0 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                exponent -= 1
                sawDigit = true
                position += 1
            }
        }
        if position < range.upperBound && (bytes[position] | 0x20) == UInt8(ascii: "e") && sawDigit {
            position += 1
            var exponentNegative = false
            if position < range.upperBound && (bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")) {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            var written = 0
            var exponentDigits = 0
            while position < range.upperBound, case let digit = bytes[position] &- 48, digit <= 9, exponentDigits < 6 {
                written = written * 10 + Int(digit)
                exponentDigits += 1
                position += 1
            }
            if exponentDigits == 0 { return slowParse(bytes, range) }
            exponent += exponentNegative ? -written : written
        }
        guard sawDigit, position == range.upperBound, digits <= 15, abs(exponent) <= 22 else {
            return slowParse(bytes, range)
        }
        var value = Double(mantissa)
        if exponent < 0 {
            value /= exactPowersOfTen[-exponent]
        } else if exponent > 0 {
            value *= exactPowersOfTen[exponent]
        }
        return negative ? -value : value
    }

    private static func slowParse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var text = Array(bytes[range])
        text.append(0)
        return text.withUnsafeBufferPointer { buffer -> Double? in
            buffer.withMemoryRebound(to: CChar.self) { chars -> Double? in
                var end: UnsafeMutablePointer<CChar>? = nil
                let value = strtod(chars.baseAddress!, &end)
                guard let end, end == UnsafeMutablePointer(mutating: chars.baseAddress! + range.count) else {
                    return nil
                }
                return value
            }
        }
    }
}
