/// JSON numbers read to a `Double` straight from their bytes.
///
/// Engines write scores and prices with a few digits (`0.38503549`, `8.254145E-5`, `94.47`): such a number is
/// an integer of at most 2^53 scaled by a power of ten of at most 22, both exact in a `Double`, so one
/// multiplication or division gives the correctly rounded value (Clinger's fast path), the one `Double(String)`
/// gives. Anything else (more digits, larger exponents, text that is not a JSON number) goes through
/// `Double(String)`, so the result is the same for every input.
enum JSONNumber {
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// The value of the number written in `bytes`, as `Double(String)` reads it; nil when that is nil.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        fastPath(bytes) ?? Double(String(decoding: bytes, as: UTF8.self))
    }

    /// The value of text in JSON number grammar when Clinger's fast path applies, else nil.
    private static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = bytes.count
        let negative = count > 0 && bytes[0] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var digits = 0
        while index < count, isDigit(bytes[index]) {
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
            if mantissa != 0 { significant += 1 }
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < count, isDigit(bytes[index]) {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                if mantissa != 0 { significant += 1 }
                exponent -= 1
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        // Nineteen significant digits cannot overflow 64 bits; more go the slow way.
        guard significant <= 19 else { return nil }
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            var written = 0
            while index < count, isDigit(bytes[index]) {
                guard written < 1_000 else { return nil }
                written = written * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
            guard index > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == count, mantissa <= 1 << 53, abs(exponent) <= 22 else { return nil }
        var value = Double(mantissa)
        if exponent < 0 { value /= powersOfTen[-exponent] } else { value *= powersOfTen[exponent] }
        return negative ? -value : value
    }
}
