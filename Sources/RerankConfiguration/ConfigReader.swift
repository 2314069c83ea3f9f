import RerankJSON

/// Reads typed values out of a JSON object, naming the full key path in every error and refusing unknown keys.
struct ConfigReader {
    let object: JSONObject
    let path: String

    init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// Fails when the object has keys outside `known`, so a typo is not silently ignored.
    func requireKnownKeys(_ known: Set<String>) throws(ConfigurationError) {
        for member in object.members where !known.contains(member.key) {
            let expected = known.sorted().joined(separator: ", ")
            throw ConfigurationError.unknownKey("unknown configuration key '\(key(member.key))'; expected one of: \(expected)")
        }
    }

    func value(_ name: String) -> JSONValue? {
        guard let value = object[name], value != .null else { return nil }
        return value
    }

    func string(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = value(name) else { return nil }
        guard let string = value.stringValue else { throw mismatch(name, "a string", value) }
        return string
    }

    func bool(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let value = value(name) else { return nil }
        guard let bool = value.boolValue else { throw mismatch(name, "true or false", value) }
        return bool
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = value(name) else { return nil }
        guard let int = value.intValue, range.contains(int) else {
            throw mismatch(name, "an integer in \(range.lowerBound)...\(range.upperBound)", value)
        }
        return int
    }

    func double(_ name: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let value = value(name) else { return nil }
        guard let double = value.doubleValue, range.contains(double) else {
            throw mismatch(name, "a number in \(range.lowerBound)...\(range.upperBound)", value)
        }
        return double
    }

    func strings(_ name: String) throws(ConfigurationError) -> [String]? {
        guard let value = value(name) else { return nil }
        if let string = value.stringValue { return [string] }
        let strings = value.arrayValue?.compactMap(\.stringValue)
        guard let strings, strings.count == value.arrayValue?.count else {
            throw mismatch(name, "a string or an array of strings", value)
        }
        return strings
    }

    func object(_ name: String) throws(ConfigurationError) -> ConfigReader? {
        guard let value = value(name) else { return nil }
        guard let object = value.objectValue else { throw mismatch(name, "an object", value) }
        return ConfigReader(object, path: key(name))
    }

    func objects(_ name: String) throws(ConfigurationError) -> [ConfigReader]? {
        guard let value = value(name) else { return nil }
        guard let array = value.arrayValue else { throw mismatch(name, "an array of objects", value) }
        var readers: [ConfigReader] = []
        for (index, element) in array.enumerated() {
            guard let object = element.objectValue else {
                throw mismatch("\(name)[\(index)]", "an object", element)
            }
            readers.append(ConfigReader(object, path: key("\(name)[\(index)]")))
        }
        return readers
    }

    func mismatch(_ name: String, _ expected: String, _ value: JSONValue) -> ConfigurationError {
        ConfigurationError.invalidValue("configuration key '\(key(name))' must be \(expected), not \(value.kindName)")
    }
}
