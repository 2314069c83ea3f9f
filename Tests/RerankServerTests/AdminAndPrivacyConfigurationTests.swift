import Foundation
import RerankConfiguration
import Testing

@testable import RerankServer

/// The hardening keys: admin token, user id hashing, connection and timeout limits.
@Suite struct AdminAndPrivacyConfigurationTests {
    @Test func readsTheKeys() throws {
        let configuration = try ServerConfiguration.loaded(#"""
            {"admin":{"token":"0123456789abcdef0123"},
             "log":{"hash_user_ids":true,"hash_key":"000102030405060708090a0b0c0d0e0f"},
             "limits":{"max_connections":100,"idle_timeout_s":5,"request_body_timeout_ms":1500}}
            """#)
        #expect(configuration.admin.token == "0123456789abcdef0123")
        #expect(configuration.log.hashUserIDs)
        #expect(UserIDHasher(configuration.log) != nil)
        #expect(configuration.limits.maxConnections == 100)
        #expect(configuration.limits.idleTimeoutSeconds == 5)
        #expect(configuration.limits.requestBodyTimeoutMilliseconds == 1500)
    }

    @Test(arguments: [
        (#"{"admin":{"tokn":"0123456789abcdef"}}"#, "admin.tokn"),
        (#"{"admin":{"token":"short"}}"#, "at least 16 characters"),
        (#"{"log":{"hash_user_ids":true}}"#, "log.hash_key"),
        (#"{"log":{"hash_user_ids":true,"hash_key":"not hex"}}"#, "32 hexadecimal digits"),
        (#"{"limits":{"max_connections":0}}"#, "limits.max_connections"),
        (#"{"limits":{"idle_timeout":5}}"#, "limits.idle_timeout"),
    ])
    func refusesBadValuesNamingTheKey(text: String, expected: String) {
        #expect {
            _ = try ServerConfiguration.loaded(text)
        } throws: { error in
            String(describing: error).contains(expected)
        }
    }

    @Test func environmentSetsTheTokenAndTheKey() throws {
        var configuration = ServerConfiguration()
        configuration.log.hashUserIDs = true
        try configuration.apply(environment: [
            "RERANK_ADMIN_TOKEN": "from-the-environment-1", "RERANK_LOG_HASH_KEY": "ffeeddccbbaa99887766554433221100",
        ])
        #expect(configuration.admin.token == "from-the-environment-1")
        #expect(configuration.log.hashKey == "ffeeddccbbaa99887766554433221100")
    }

    @Test func pseudonymsAreStableKeyedAndNotTheId() throws {
        var log = ServerConfiguration.Log()
        log.hashUserIDs = true
        log.hashKey = "000102030405060708090a0b0c0d0e0f"
        let hasher = try #require(UserIDHasher(log))
        log.hashKey = "0f0e0d0c0b0a09080706050403020100"
        let other = try #require(UserIDHasher(log))
        let pseudonym = hasher.pseudonym("alice")
        #expect(pseudonym == hasher.pseudonym("alice"))
        #expect(pseudonym.count == 18 && pseudonym.hasPrefix("u-") && !pseudonym.contains("alice"))
        #expect(pseudonym != hasher.pseudonym("bob"))
        #expect(pseudonym != other.pseudonym("alice"))
        log.hashUserIDs = false
        #expect(UserIDHasher(log) == nil)
    }
}
