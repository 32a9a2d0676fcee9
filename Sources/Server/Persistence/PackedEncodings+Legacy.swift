/// The packed encodings of older RDB files, which Redis 7.0 still loads (converting them to
/// listpacks) but never writes: the ziplist (lists, hashes and sorted sets up to Redis 6.2)
/// and the zipmap (small hashes before Redis 2.6). Decoders only; the same contract as the
/// listpack's: check the whole blob first, then hand out elements, throw on anything malformed.

// MARK: - Ziplist

/// Redis ≤ 6.2's ziplist: `zlbytes u32 LE`, `zltail u32 LE` (offset of the last entry),
/// `zllen u16 LE` (65535 once the count does not fit), the entries, then `0xFF`.
///
/// Each entry is `prevlen encoding [payload]`. The prevlen is the whole size of the entry
/// before (0 for the first): one byte when below 254, else `0xFE` + u32 LE (Redis sometimes
/// keeps the 5-byte form for small sizes, to avoid cascading updates). Encodings:
///
/// | encoding                     | entry                                        |
/// | ---------------------------- | -------------------------------------------- |
/// | `00pppppp`                   | string of 0...63 bytes                       |
/// | `01pppppp qqqqqqqq`          | string, 14-bit length, high bits first       |
/// | `10______` + 4 bytes         | string, u32 big-endian length                |
/// | `0xC0`, `0xD0`, `0xE0`       | int16, int32, int64 little-endian            |
/// | `0xF0`                       | int24 little-endian                          |
/// | `0xFE`                       | int8                                         |
/// | `0xF1...0xFD`                | the integer 0...12 (low 4 bits minus one)    |
enum Ziplist {
    static let headerSize = 10
    static let terminator: UInt8 = 0xFF
    static let unknownCount = 65535

    /// Calls `body` with each element after checking the whole blob as Redis's deep
    /// integrity check does: `zlbytes` equals the blob size, the terminator is the last byte
    /// and nowhere else at an entry start, each entry's prevlen equals the size of the entry
    /// before it, every encoding is known and every payload inside the blob, `zltail` points
    /// at the last entry (and inside the blob when there is none), and `zllen` matches unless
    /// it is 65535. Throws `PackedFormatError` otherwise, before calling `body`.
    static func decode(_ blob: UnsafeRawBufferPointer, _ body: (PackedElement) throws -> Void) throws {
        try decodeValidated(blob, walk, body)
    }

    private static func walk(_ blob: UnsafeRawBufferPointer,
                             _ visit: (PackedRaw, PackedReader) throws -> Void) throws {
        let r = PackedReader(blob, "ziplist")
        let end = try r.checkFrame(headerSize: headerSize)   // entries lie in headerSize..<end
        let tail = Int(r.le(4, 4))
        guard tail <= end else { throw r.error("tail offset \(tail) is outside the blob") }
        var p = headerSize
        var index = 0
        var previousSize = 0
        var last: Int?
        while p < end {
            func need(_ from: Int, _ n: Int) throws {
                try r.need(from, n, below: end, "entry \(index) at offset \(p) overruns the blob")
            }
            // prevlen
            let first = r.byte(p)
            if first == terminator {
                throw r.error("has a terminator at offset \(p), before its last byte")
            }
            var q = p + 1
            var prevlen = Int(first)
            if first == 254 {
                try need(p, 5)
                prevlen = Int(r.le(p + 1, 4))
                q = p + 5
            }
            guard prevlen == previousSize else {
                throw r.error("entry \(index) at offset \(p) says the entry before is \(prevlen) bytes, not \(previousSize)")
            }
            // encoding
            try need(q, 1)
            let enc = r.byte(q)
            let header: Int, payload: Int
            let raw: PackedRaw
            switch enc {
            case 0x00...0x3F:
                header = 1
                payload = Int(enc)
                raw = .bytes(q + 1 ..< q + 1 + payload)
            case 0x40...0x7F:
                try need(q, 2)
                header = 2
                payload = Int(enc & 0x3F) << 8 | Int(r.byte(q + 1))
                raw = .bytes(q + 2 ..< q + 2 + payload)
            case 0x80...0xBF:
                // Redis writes 0x80 and, reading, masks the low six bits away; so do we.
                try need(q, 5)
                header = 5
                payload = Int(r.be(q + 1, 4))
                raw = .bytes(q + 5 ..< q + 5 + payload)
            case 0xF1...0xFD:
                (header, payload, raw) = (1, 0, .int(Int64(enc & 0x0F) - 1))
            case 0xC0, 0xD0, 0xE0, 0xF0, 0xFE:
                let width = enc == 0xC0 ? 2 : enc == 0xD0 ? 4 : enc == 0xE0 ? 8 : enc == 0xF0 ? 3 : 1
                try need(q, 1 + width)
                (header, payload, raw) = (1 + width, 0, .int(r.signedLE(q + 1, width)))
            default:
                throw r.error("entry \(index) at offset \(p) has unknown encoding 0x\(String(enc, radix: 16))")
            }
            try need(q, header + payload)
            try visit(raw, r)
            last = p
            previousSize = q + header + payload - p
            p += previousSize
            index += 1
        }
        if let last, last != tail {
            throw r.error("tail offset \(tail) is not the last entry's offset \(last)")
        }
        let count = Int(r.le(8, 2))
        guard count == unknownCount || count == index else {
            throw r.error("header counts \(count) entries but holds \(index)")
        }
    }
}

// MARK: - Zipmap

/// Redis < 2.6's zipmap, a string-to-string map: `zmlen` (the pair count, 254 once it does
/// not fit), then pairs of `len key len free value [free unused bytes]`, then `0xFF`. A
/// length is one byte below 254, else `0xFE` + u32 LE; `free` is one byte.
enum Zipmap {
    static let terminator: UInt8 = 0xFF
    static let bigLength: UInt8 = 254

    /// Calls `body` with key, value, key, value... after checking the whole blob as Redis's
    /// deep integrity check does: every length, key, value and its free space lies inside the
    /// blob, the terminator is the last byte and ends the pairs exactly there, there is at
    /// least one pair (Redis refuses an empty zipmap, where it skips other empty
    /// collections), and `zmlen` matches the pair count unless it is 254. A value length of
    /// 255 is refused (Redis never writes it; its reader would take it for a 5-byte length).
    /// Throws `PackedFormatError` otherwise, before calling `body`.
    static func decode(_ blob: UnsafeRawBufferPointer, _ body: (PackedElement) throws -> Void) throws {
        try decodeValidated(blob, walk, body)
    }

    private static func walk(_ blob: UnsafeRawBufferPointer,
                             _ visit: (PackedRaw, PackedReader) throws -> Void) throws {
        let r = PackedReader(blob, "zipmap")
        let size = blob.count
        guard size >= 2 else { throw r.error("of \(size) bytes is shorter than a count and terminator") }
        guard r.byte(size - 1) == terminator else { throw r.error("does not end with 0xFF") }
        let end = size - 1                      // pairs lie in 1..<end
        var p = 1
        var pairs = 0
        while p < end {
            func need(_ n: Int) throws {
                try r.need(p, n, below: end, "pair \(pairs) overruns the blob at offset \(p)")
            }
            func length() throws -> Int {
                try need(1)
                let b = r.byte(p)
                if b < bigLength {
                    p += 1
                    return Int(b)
                }
                guard b == bigLength else { throw r.error("pair \(pairs) has a bad length byte at offset \(p)") }
                try need(5)
                defer { p += 5 }
                return Int(r.le(p + 1, 4))
            }
            if r.byte(p) == terminator {
                throw r.error("has a terminator at offset \(p), before its last byte")
            }
            let keyLength = try length()
            try need(keyLength)
            let key = p ..< p + keyLength
            p += keyLength
            let valueLength = try length()
            try need(1)
            let free = Int(r.byte(p))
            p += 1
            try need(valueLength)
            let value = p ..< p + valueLength
            p += valueLength
            try need(free)
            p += free
            try visit(.bytes(key), r)
            try visit(.bytes(value), r)
            pairs += 1
        }
        guard pairs > 0 else { throw r.error("is empty") }
        let count = Int(r.byte(0))
        guard count == Int(bigLength) || count == pairs else {
            throw r.error("header counts \(count) pairs but holds \(pairs)")
        }
    }
}
