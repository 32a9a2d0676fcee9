import CRC64
import Glibc

/// Why an RDB stream could not be read, and where: the loader refuses to start with this
/// message, RESTORE answers with its own error.
struct RDBError: Error, CustomStringConvertible {
    let message: String
    let offset: Int
    var description: String { "\(message) (at byte offset \(offset))" }
}

/// Reads the RDB encodings from bytes in memory (a mapped file or a DUMP payload). Every read
/// is bounds-checked and every length is checked against what is left before anything is
/// allocated, so no input can crash the reader or make it allocate more than a small multiple
/// of the input's size.
struct RDBReader {
    let base: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes
    }

    var remaining: Int { base.count - offset }

    func fail(_ message: String) -> RDBError { RDBError(message: message, offset: offset) }

    private func short() -> RDBError {
        RDBError(message: "Short read or unexpected end of data", offset: offset)
    }

    mutating func byte() throws -> UInt8 {
        guard offset < base.count else { throw short() }
        defer { offset += 1 }
        return base[offset]
    }

    /// `n` bytes, borrowed (valid while `base` is).
    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw short() }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: base[offset..<offset + n])
    }

    mutating func littleEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let p = try take(MemoryLayout<T>.size)
        return T(littleEndian: p.loadUnaligned(as: T.self))
    }

    private mutating func bigEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let p = try take(MemoryLayout<T>.size)
        return T(bigEndian: p.loadUnaligned(as: T.self))
    }

    /// A length, or the special string encoding that takes its place (`encoded`).
    mutating func lengthOrEncoding() throws -> (value: Int, encoded: Bool) {
        let b = try byte()
        switch b >> 6 {
        case 0: return (Int(b & 0x3F), false)
        case 1: return (Int(b & 0x3F) << 8 | Int(try byte()), false)
        case 2:
            if b == 0x80 { return (Int(try bigEndian(UInt32.self)), false) }
            if b == 0x81 {
                let v = try bigEndian(UInt64.self)
                guard v <= UInt64(Int.max) else { throw fail("Length \(v) is impossible") }
                return (Int(v), false)
            }
            throw fail("Unknown length encoding \(b) in readLen()")
        default:
            return (Int(b & 0x3F), true)
        }
    }

    mutating func length() throws -> Int {
        let (v, encoded) = try lengthOrEncoding()
        if encoded { throw fail("Unexpected string encoding where a length was expected") }
        return v
    }

    /// A length that counts items of at least `minBytes` bytes each still to be read: larger
    /// than what is left means the data is corrupt (and must not size any allocation).
    mutating func count(minBytes: Int = 1) throws -> Int {
        let n = try length()
        guard n <= remaining / max(minBytes, 1) else { throw fail("Length \(n) is impossible for the data left") }
        return n
    }

    /// A string in any of its encodings; `body` sees the bytes (integers formatted).
    mutating func string<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let (n, encoded) = try lengthOrEncoding()
        if !encoded { return try body(take(n)) }
        switch n {
        case RDB.encInt8: return try Value.int(Int64(Int8(bitPattern: byte()))).withBytes(body)
        case RDB.encInt16: return try Value.int(Int64(littleEndian(Int16.self))).withBytes(body)
        case RDB.encInt32: return try Value.int(Int64(littleEndian(Int32.self))).withBytes(body)
        case RDB.encLZF:
            let clen = try length()
            let ulen = try length()
            // LZF expands at most ~88x (a 3-byte back reference copies 264 bytes).
            guard clen <= remaining, ulen <= clen &* 90 &+ 64, ulen > 0 else {
                throw fail("Impossible LZF lengths (compressed \(clen), original \(ulen))")
            }
            let packed = try take(clen)
            var out = [UInt8](repeating: 0, count: ulen)
            let got = out.withUnsafeMutableBytes { rw_lzf_decompress(packed.baseAddress, clen, $0.baseAddress, ulen) }
            guard got == ulen else { throw fail("Invalid LZF compressed string") }
            return try out.withUnsafeBytes(body)
        default:
            throw fail("Unknown RDB string encoding type \(n)")
        }
    }

    mutating func stringBytes() throws -> [UInt8] { try string { Array($0) } }

    /// A string as a keyspace value (integers stay integers).
    mutating func stringValue() throws -> Value {
        let start = offset
        let (n, encoded) = try lengthOrEncoding()
        offset = start
        if encoded && n <= RDB.encInt32 {
            return .int(try string { parseStrictInt64($0) ?? 0 })
        }
        return try string { Value.fromBytes($0) }
    }

    /// A score in the old text form (ZSET version 1): length byte, 253 NaN, 254 +inf, 255 -inf.
    mutating func textDouble() throws -> Double {
        let n = try byte()
        switch n {
        case 253: return .nan
        case 254: return .infinity
        case 255: return -.infinity
        default:
            let p = try take(Int(n))
            guard let d = parseDouble(p) ?? Double(String(decoding: p, as: UTF8.self)) else {
                throw fail("Invalid double value")
            }
            return d
        }
    }

    mutating func binaryDouble() throws -> Double {
        Double(bitPattern: try littleEndian(UInt64.self))
    }
}
