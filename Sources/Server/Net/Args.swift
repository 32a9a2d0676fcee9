import CEventShim

/// The arguments of the command being executed: slices of the client's query buffer.
/// Valid only while the command runs; copy (`bytes(i)`) what must outlive it.
public struct Args {
    let argv: UnsafeMutablePointer<rw_slice>
    public let count: Int

    @inline(__always)
    public subscript(i: Int) -> UnsafeRawBufferPointer {
        let s = argv[i]
        return UnsafeRawBufferPointer(start: s.ptr, count: s.len)
    }

    /// A copy of argument `i`.
    public func bytes(_ i: Int) -> [UInt8] { Array(self[i].bindMemory(to: UInt8.self)) }

    /// Argument `i` as a String (lossy; for names, options and messages only).
    public func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }

    /// Argument `i` lowercased as a String.
    public func lower(_ i: Int) -> String { string(i).lowercased() }

    /// Case-insensitive comparison of argument `i` with an ASCII word.
    @inline(__always)
    public func `is`(_ i: Int, _ word: StaticString) -> Bool {
        let a = self[i]
        let n = word.utf8CodeUnitCount
        guard a.count == n else { return false }
        let w = word.utf8Start
        for k in 0..<n {
            var c = a[k]
            if c >= 65 && c <= 90 { c |= 0x20 }
            var d = w[k]
            if d >= 65 && d <= 90 { d |= 0x20 }
            if c != d { return false }
        }
        return true
    }

    /// Argument `i` as C's "%.*s" prints it in Redis's error messages: up to the first NUL
    /// byte and at most `max` bytes, other bytes passed through unchanged.
    public func echo(_ i: Int, max: Int = 128) -> [UInt8] {
        var out: [UInt8] = []
        for b in self[i] {
            if b == 0 || out.count >= max { break }
            out.append(b)
        }
        return out
    }

    /// Argument `i` as a strict integer (Redis's string2ll), or nil.
    @inline(__always)
    public func int(_ i: Int) -> Int64? { parseStrictInt64(self[i]) }
}
