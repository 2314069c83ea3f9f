import EventLog
import RerankConfiguration
import RerankCore

/// Replaces user and session ids by keyed hashes (`log.hash_user_ids`), so logs never hold them in clear.
///
/// Applied where ids enter the sidecar (the search context, posted events): the impression log, the events log
/// and the online statistics then all key on the same pseudonym, so personalization keeps working. Without the
/// key a pseudonym cannot be computed from a guessed id.
///
/// ```swift
/// let hasher = UserIDHasher(key: SipHash24.Key(hex: "000102030405060708090a0b0c0d0e0f")!)
/// hasher.pseudonym("alice")   // "u-" + 16 hex digits, the same for every "alice"
/// ```
struct UserIDHasher: Sendable {
    let key: SipHash24.Key

    /// The hasher `log` asks for, nil when ids are written as they come.
    init?(_ log: ServerConfiguration.Log) {
        guard log.hashUserIDs, let hex = log.hashKey, let key = SipHash24.Key(hex: hex) else { return nil }
        self.key = key
    }

    init(key: SipHash24.Key) {
        self.key = key
    }

    /// The id's pseudonym: `u-` and the 64-bit SipHash-2-4 tag in hex.
    func pseudonym(_ id: String) -> String {
        let tag = String(SipHash24.hash(Array(id.utf8), key: key), radix: 16)
        return "u-" + String(repeating: "0", count: 16 - tag.count) + tag
    }

    func pseudonymize(_ context: inout SearchContext) {
        context.userID = context.userID.map(pseudonym)
        context.sessionID = context.sessionID.map(pseudonym)
    }

    func pseudonymize(_ event: inout UBIEvent) {
        event.clientID = event.clientID.map(pseudonym)
        event.sessionID = event.sessionID.map(pseudonym)
    }
}
