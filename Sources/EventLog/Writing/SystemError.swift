#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call and its `errno`, described as `fsync: No space left on device`.
struct SystemError: Error, CustomStringConvertible {
    let errno: Int32
    let call: String

    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
