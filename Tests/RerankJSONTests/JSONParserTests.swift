import Testing

@testable import RerankJSON

@Suite struct JSONParserTests {
    @Test func roundTripKeepsMemberOrderAndNumberText() throws {
        let text = #"{"z":1.0,"a":[true,false,null],"m":{"k":"v"},"big":12345678901234567890,"e":-1.5e3}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(String(decoding: JSONWriter.bytes(value), as: UTF8.self) == text)
        #expect(value.objectValue?.members.map(\.key) == ["z", "a", "m", "big", "e"])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(Array(#"["a\"b\\c\n\u00e9\ud83d\ude00"]"#.utf8))
        #expect(value.arrayValue?.first?.stringValue == "a\"b\\c\né😀")
        let written = JSONWriter.bytes(.string("tab\there \"q\" \u{01}"))
        #expect(String(decoding: written, as: UTF8.self) == #""tab\there \"q\" \u0001""#)
    }

    @Test(arguments: ["", "plain", "ünïcødé 😀", "a\\b", "end\"", "\u{1F}x", "x\u{7F}"])
    func writtenStringsReadBackTheSame(text: String) throws {
        var bytes: [UInt8] = []
        JSONWriter.writeString(text, into: &bytes)
        #expect(try JSONParser.parse(bytes).stringValue == text)
    }

    @Test(arguments: [
        ("{", "unexpected end of input"),
        (#"{"a":1,}"#, "expected '\"'"),
        ("[1 2]", "expected ']'"),
        (#"{"a":tru}"#, "invalid literal"),
        ("01x", "unexpected data after the JSON value"),
        (#""\x""#, "invalid escape"),
        ("1.", "digit expected after '.'"),
    ])
    func rejectsMalformedInputWithAReason(input: String, reason: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(Array(input.utf8)) }
        do {
            _ = try JSONParser.parse(Array(input.utf8))
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONError.tooDeep(at: 0)) { try JSONParser.parse(Array(deep.utf8)) }
        // Errors of one kind are equal wherever they stop; another kind is not.
        #expect(throws: JSONError.tooDeep(at: 0)) { try JSONParser.parse(Array(("{\"a\":" + deep + "}").utf8)) }
        #expect(JSONError.tooDeep(at: 0) != JSONError.unexpectedEnd(at: 0))
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        #expect(throws: JSONError.self) { try JSONParser.parse(bytes) }
    }

    @Test func objectSubscriptReplacesAndRemoves() {
        var object = JSONObject(["a": .int(1), "b": .int(2), "a": .int(3)])
        #expect(object["a"] == .int(3))
        object["a"] = .int(4)
        #expect(object.members.map(\.key) == ["b", "a"])
        object["b"] = nil
        object["c"] = .bool(true)
        #expect(String(decoding: JSONWriter.bytes(.object(object)), as: UTF8.self) == #"{"a":4,"c":true}"#)
    }

    @Test func numberHelpers() {
        #expect(JSONValue.double(3).intValue == 3)
        #expect(JSONValue.number("2.0").intValue == 2)
        #expect(JSONValue.number("2.5").intValue == nil)
        #expect(JSONValue.double(.nan) == .null)
    }
}
