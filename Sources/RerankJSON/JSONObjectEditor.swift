/// Edits objects at the byte level, copying everything it does not remove.
public enum JSONObjectEditor {
    /// The text of the object at `object` in `bytes` without the members whose key satisfies `remove`.
    ///
    /// Returns the object's bytes unchanged when nothing matches or the object cannot be read.
    public static func removingMembers(
        _ bytes: [UInt8],
        object: Range<Int>,
        where remove: (String) -> Bool
    ) -> [UInt8] {
        let kept: [Range<Int>]?? = bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer, range: object)
            var kept: [Range<Int>] = []
            var removedAny = false
            do {
                try cursor.forEachMember { (cursor, key) throws(JSONError) in
                    let start = key.lowerBound - 1
                    let name = try cursor.decodeString(key, escaped: false)
                    let value = try cursor.skipValue(depth: 1)
                    if remove(name) {
                        removedAny = true
                    } else {
                        kept.append(start..<value.upperBound)
                    }
                }
            } catch {
                return nil
            }
            return removedAny ? kept : .some(nil)
        }
        guard case .some(.some(let members)) = kept else { return Array(bytes[object]) }
        var output: [UInt8] = [UInt8(ascii: "{")]
        for (index, member) in members.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: bytes[member])
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}
