import RerankCore
import RerankJSON

/// Reading the JSON object a request body must be.
enum RequestBody {
    /// The body's JSON object.
    ///
    /// - Parameter expected: what the body must be, for the error (`the search body must be a JSON object`).
    /// - Throws: ``RerankError`` (400) when the body is not JSON, or not an object.
    static func object(_ bytes: [UInt8], expected: String) throws(RerankError) -> JSONObject {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw .invalidBody(error.description)
        }
        guard let object = parsed.objectValue else { throw .invalidBody("\(expected), not \(parsed.kindName)") }
        return object
    }
}
