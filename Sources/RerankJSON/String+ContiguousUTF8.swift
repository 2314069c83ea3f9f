extension String {
    /// Calls `body` with the string's UTF-8 bytes: where they lie for a native string (no copy, no retain), else
    /// from a contiguous copy (a bridged string).
    @inlinable
    public func withContiguousUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
