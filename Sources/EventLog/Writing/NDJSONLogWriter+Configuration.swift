import Foundation

extension NDJSONLogWriter {
    /// Settings of one log writer.
    ///
    /// - `directory` (String): where log files go; created if missing.
    /// - `prefix` (String): file name prefix, `ubi_queries` or `ubi_events`; files are named
    ///   `<prefix>-<yyyyMMddTHHmmssZ>-<seq>.ndjson`.
    /// - `maxFileBytes` (Int, default 64 MiB): a batch that would take the current file past this size goes to a
    ///   new file (a single batch larger than this still goes to one file).
    /// - `maxFileAge` (TimeInterval, default 3600 s): a file this old is closed at the next append.
    /// - `clock` (closure, default `Date()`): the time used for file names and ages; tests inject their own.
    public struct Configuration: Sendable {
        public var directory: String
        public var prefix: String
        public var maxFileBytes: Int
        public var maxFileAge: TimeInterval
        public var clock: @Sendable () -> Date

        /// The default size limit of one log file: 64 MiB.
        public static let defaultMaxFileBytes = 64 << 20
        /// The default age limit of one log file: one hour.
        public static let defaultMaxFileAge: TimeInterval = 3600

        public init(
            directory: String, prefix: String, maxFileBytes: Int = Configuration.defaultMaxFileBytes,
            maxFileAge: TimeInterval = Configuration.defaultMaxFileAge,
            clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.directory = directory
            self.prefix = prefix
            self.maxFileBytes = maxFileBytes
            self.maxFileAge = maxFileAge
            self.clock = clock
        }
    }

    /// Counters of what a writer did, for tests and metrics.
    public struct Statistics: Sendable, Equatable {
        /// Records appended and synced.
        public var records = 0
        /// fsync calls on log files: one per write batch, however many appends the batch carried.
        public var fileSyncs = 0
        /// fsync calls on the directory, one per file created.
        public var directorySyncs = 0
        /// Log files created.
        public var filesCreated = 0
        /// Records whose append failed with an error (they were not stored).
        public var failedRecords = 0

        public init() {}
    }
}
