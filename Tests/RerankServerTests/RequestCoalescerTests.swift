import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import RerankServer

/// The coalescer holds the flush after a head whose body is still to come, so that head and body reach the socket
/// in one flush; every other flush goes through.
@Suite struct RequestCoalescerTests {
    /// A channel that encodes request parts, with a coalescer between the encoder and the writer, as on
    /// AsyncHTTPClient's connections.
    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let encoder = HTTPRequestEncoder()
        try channel.pipeline.syncOperations.addHandler(encoder)
        try channel.pipeline.syncOperations.addHandler(RequestCoalescer(), position: .after(encoder))
        return channel
    }

    func head(_ headers: HTTPHeaders) -> HTTPClientRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/products/_search", headers: headers))
    }

    /// Writes a part and flushes, as AsyncHTTPClient does; the write completes only once something lets it out.
    func send(_ part: HTTPClientRequestPart, to channel: EmbeddedChannel) {
        channel.write(part, promise: nil)
        channel.flush()
    }

    /// What has reached the socket: every buffer flushed so far, as one string.
    func flushed(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    @Test func aHeadWhoseBodyFollowsIsFlushedWithTheBody() throws {
        let channel = try channel()
        send(head(["content-length": "2"]), to: channel)
        #expect(try flushed(channel) == "")
        send(.body(.byteBuffer(ByteBuffer(string: "{}"))), to: channel)
        send(.end(nil), to: channel)
        let sent = try flushed(channel)
        #expect(sent.hasPrefix("POST /products/_search HTTP/1.1\r\n"))
        #expect(sent.hasSuffix("\r\n\r\n{}"))
        _ = try channel.finish()
    }

    @Test(arguments: [["content-length": "0"], [:]] as [HTTPHeaders])
    func aHeadWithoutABodyIsFlushedAtOnce(headers: HTTPHeaders) throws {
        let channel = try channel()
        send(head(headers), to: channel)
        #expect(try flushed(channel).hasSuffix("\r\n\r\n"))
        send(.end(nil), to: channel)
        _ = try flushed(channel)  // a chunked body's last chunk, when the head named no length
        // The next request's head, with a body, is held again, and goes with its body.
        send(head(["content-length": "1"]), to: channel)
        #expect(try flushed(channel) == "")
        send(.body(.byteBuffer(ByteBuffer(string: "x"))), to: channel)
        #expect(try flushed(channel).hasSuffix("\r\n\r\nx"))
        _ = try channel.finish()
    }
}
