/// Redis's packed encodings as RDB stores them: the listpack (Redis 7.0 lists, hashes and
/// sorted sets) and the intset, byte for byte as Redis writes them, with decoders that accept
/// any input and throw on anything malformed. The formats Redis 7.0 only still reads (ziplist,
/// zipmap) are in PackedEncodings+Legacy.swift.
///
/// These are codecs for blobs that come from files and from the network (RESTORE payloads,
/// replication), so a decoder proves every read is inside the blob before it makes it, and
/// checks the whole blob before it hands out a single element: a caller never has to undo
/// half an object built from a blob that turns out to be corrupt.

/// One element of a packed encoding: an integer or a byte string.
enum PackedElement: Equatable {
    case int(Int64)
    case bytes([UInt8])
}

/// A packed blob that does not follow its format; the description says where and how.
struct PackedFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Bounds-checked reading

/// Reads an untrusted blob. Every multi-byte read goes through the byte subscript, so a debug
/// build traps on any read the decoder failed to bounds-check first (the fuzz tests rely on
/// that), and every check is written against an explicit limit.
struct PackedReader {
    let blob: UnsafeRawBufferPointer
    let format: String

    init(_ blob: UnsafeRawBufferPointer, _ format: String) {
        self.blob = blob
        self.format = format
    }

    func error(_ what: String) -> PackedFormatError { PackedFormatError("\(format) \(what)") }

    /// Throws unless `n` bytes from `offset` lie below `limit`. Written as a subtraction so
    /// that a huge `n` read from the blob cannot overflow.
    @inline(__always)
    func need(_ offset: Int, _ n: Int, below limit: Int, _ what: @autoclosure () -> String) throws {
        guard offset <= limit && n <= limit - offset else { throw error(what()) }
    }

    @inline(__always)
    func byte(_ i: Int) -> UInt8 { blob[i] }

    /// The unsigned little-endian integer of `width` bytes at `offset`.
    func le(_ offset: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<width { v |= UInt64(blob[offset + k]) << (8 * k) }
        return v
    }

    /// The unsigned big-endian integer of `width` bytes at `offset`.
    func be(_ offset: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<width { v = v << 8 | UInt64(blob[offset + k]) }
        return v
    }

    /// The signed little-endian integer of `width` bytes at `offset` (two's complement).
    func signedLE(_ offset: Int, _ width: Int) -> Int64 {
        signExtend(le(offset, width), bits: 8 * width)
    }

    func bytes(_ offset: Int, _ count: Int) -> [UInt8] {
        Array(blob[offset ..< offset + count])
    }

    /// Checks the frame listpacks and ziplists share: room for a `headerSize`-byte header and
    /// the terminator, a u32 LE byte count at offset 0 equal to the blob's size, and 0xFF as
    /// the last byte. Returns the terminator's offset: the entries lie before it.
    func checkFrame(headerSize: Int) throws -> Int {
        let size = blob.count
        guard size >= headerSize + 1 else {
            throw error("of \(size) bytes is shorter than a header and terminator")
        }
        let total = le(0, 4)
        guard total == UInt64(size) else {
            throw error("header says \(total) bytes but the blob has \(size)")
        }
        guard byte(size - 1) == 0xFF else { throw error("does not end with 0xFF") }
        return size - 1
    }
}

/// One pass of a decoder over a blob: validates as it goes and calls `visit` per element.
typealias PackedWalk = (UnsafeRawBufferPointer, (PackedRaw, PackedReader) throws -> Void) throws -> Void

/// Decodes in two passes, so that `body` sees elements only once the whole blob is known to
/// be valid: the first walk only validates (strings stay ranges, nothing is copied), the
/// second hands out elements.
func decodeValidated(_ blob: UnsafeRawBufferPointer, _ walk: PackedWalk,
                     _ body: (PackedElement) throws -> Void) throws {
    try walk(blob) { _, _ in }
    // `walk` is a parameter too, so Swift wants proof that `body` does not escape through it.
    try withoutActuallyEscaping(body) { body in
        try walk(blob) { raw, r in try body(raw.element(r)) }
    }
}

/// `v`'s low `bits` bits read as a two's-complement number.
@inline(__always)
func signExtend(_ v: UInt64, bits: Int) -> Int64 {
    let shift = UInt64(64 - bits)
    return Int64(bitPattern: v << shift) >> shift
}

/// Appends the low `width` bytes of `v`, least significant first.
@inline(__always)
func appendLE(_ v: UInt64, width: Int, to out: inout [UInt8]) {
    for k in 0..<width { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
}

/// Where a decoder found an element: an integer, or a string at a range of the blob (pass 1
/// of a decode only validates, so it must not copy strings out).
enum PackedRaw {
    case int(Int64)
    case bytes(Range<Int>)

    func element(_ r: PackedReader) -> PackedElement {
        switch self {
        case .int(let v): return .int(v)
        case .bytes(let range): return .bytes(r.bytes(range.lowerBound, range.count))
        }
    }
}

// MARK: - Listpack

/// Redis 7.0's listpack: `total-bytes u32 LE`, `count u16 LE` (65535 once the count does not
/// fit), the entries, then `0xFF`. Each entry is `encoding [payload] backlen`:
///
/// | first byte  | entry                                                      |
/// | ----------- | ---------------------------------------------------------- |
/// | `0xxxxxxx`  | integer 0...127                                            |
/// | `10xxxxxx`  | string of 0...63 bytes follows                             |
/// | `110xxxxx`  | + 1 byte: 13-bit signed integer (-4096...4095), high bits first |
/// | `1110xxxx`  | + 1 byte: string length up to 4095, high bits first        |
/// | `0xF0`      | + u32 LE string length                                     |
/// | `0xF1...F4` | 16, 24, 32, 64-bit signed integer, little-endian           |
///
/// The backlen is the size of encoding+payload written so it can be read right to left: the
/// last byte holds the low 7 bits and has its high bit set when more bytes precede it.
enum Listpack {
    static let headerSize = 6
    static let terminator: UInt8 = 0xFF
    /// The header count meaning "count the entries" (every count from 65535 up).
    static let unknownCount = 65535

    /// The listpack Redis builds by appending these elements in order (each one that
    /// string2ll accepts becomes an integer entry).
    static func encode(_ elements: [UnsafeRawBufferPointer]) -> [UInt8] {
        var b = ListpackBuilder(reservingCapacity: elements.reduce(0) { $0 + $1.count + 2 })
        for e in elements { b.append(e) }
        return b.finish()
    }

    /// Calls `body` with each element of `blob`, in order, after checking the whole blob as
    /// Redis's deep integrity check does: the header's byte count equals the blob's size,
    /// every entry's encoding is known and its payload and backlen lie inside the blob, each
    /// backlen is exactly the one Redis writes for its entry, the single terminator is the last
    /// byte, and the header count matches unless it is 65535. Throws `PackedFormatError` on
    /// any of these, and nothing reaches `body` then.
    static func decode(_ blob: UnsafeRawBufferPointer, _ body: (PackedElement) throws -> Void) throws {
        try decodeValidated(blob, walk, body)
    }

    /// The number of bytes `lpEncodeBacklen` uses for an entry of `length` bytes, and those
    /// bytes packed into a UInt64 (first byte lowest). Redis's thresholds are kept exactly,
    /// including their quirk: 16383, 2097151 and 268435455 take one byte more than needed.
    static func backlen(_ length: Int) -> (bytes: UInt64, count: Int) {
        let l = UInt64(length)
        let count = l <= 127 ? 1 : l < 16383 ? 2 : l < 2_097_151 ? 3 : l < 268_435_455 ? 4 : 5
        var packed = l >> UInt64(7 * (count - 1))           // first byte: high bits, no flag
        for k in 1..<count {
            let group = (l >> UInt64(7 * (count - 1 - k))) & 127
            packed |= (group | 128) << UInt64(8 * k)
        }
        return (packed, count)
    }

    /// One pass over the blob, validating as it goes and calling `visit` for each entry.
    private static func walk(_ blob: UnsafeRawBufferPointer,
                             _ visit: (PackedRaw, PackedReader) throws -> Void) throws {
        let r = PackedReader(blob, "listpack")
        let end = try r.checkFrame(headerSize: headerSize)   // entries lie in headerSize..<end
        var p = headerSize
        var index = 0
        while p < end {
            let first = r.byte(p)
            let header: Int, payload: Int
            let raw: PackedRaw
            func need(_ n: Int) throws {
                try r.need(p, n, below: end, "entry \(index) at offset \(p) overruns the blob")
            }
            switch first {
            case 0x00...0x7F:
                (header, payload, raw) = (1, 0, .int(Int64(first)))
            case 0x80...0xBF:
                header = 1
                payload = Int(first & 0x3F)
                raw = .bytes(p + 1 ..< p + 1 + payload)
            case 0xC0...0xDF:
                try need(2)
                let u = UInt64(first & 0x1F) << 8 | UInt64(r.byte(p + 1))
                (header, payload, raw) = (2, 0, .int(signExtend(u, bits: 13)))
            case 0xE0...0xEF:
                try need(2)
                header = 2
                payload = Int(first & 0x0F) << 8 | Int(r.byte(p + 1))
                raw = .bytes(p + 2 ..< p + 2 + payload)
            case 0xF0:
                try need(5)
                header = 5
                payload = Int(r.le(p + 1, 4))
                raw = .bytes(p + 5 ..< p + 5 + payload)
            case 0xF1...0xF4:
                let width = first == 0xF4 ? 8 : Int(first - 0xEF)   // F1 F2 F3: 2 3 4 bytes
                try need(1 + width)
                (header, payload, raw) = (1 + width, 0, .int(r.signedLE(p + 1, width)))
            case terminator:
                throw r.error("has a terminator at offset \(p), before its last byte")
            default:
                throw r.error("entry \(index) at offset \(p) has unknown encoding 0x\(String(first, radix: 16))")
            }
            let length = header + payload
            let back = backlen(length)
            try need(length + back.count)
            for k in 0..<back.count
            where r.byte(p + length + k) != UInt8(truncatingIfNeeded: back.bytes >> UInt64(8 * k)) {
                throw r.error("entry \(index) at offset \(p) has a wrong backlen")
            }
            try visit(raw, r)
            p += length + back.count
            index += 1
        }
        let count = Int(r.le(4, 2))
        guard count == unknownCount || count == index else {
            throw r.error("header counts \(count) entries but holds \(index)")
        }
    }
}

/// Builds a listpack one element at a time, exactly as Redis's lpAppend would.
///
/// Precondition: the finished listpack fits Redis's u32 byte count (callers split big
/// collections the way Redis does long before that).
struct ListpackBuilder {
    private var out: [UInt8]
    /// Elements appended so far.
    private(set) var count = 0

    init(reservingCapacity bytes: Int = 0) {
        out = [UInt8](repeating: 0, count: Listpack.headerSize)
        out.reserveCapacity(Listpack.headerSize + bytes + 1)
    }

    /// Appends `p` as Redis would: as an integer entry when string2ll accepts it ("12", "-5";
    /// not "007", "-0", " 1" or "+1"), else as a string entry.
    mutating func append(_ p: UnsafeRawBufferPointer) {
        if let v = parseStrictInt64(p) { append(int: v) } else { appendString(p) }
    }

    /// Appends an integer entry in the smallest of Redis's integer encodings.
    mutating func append(int v: Int64) {
        let start = out.count
        let u = UInt64(bitPattern: v)
        switch v {
        case 0...127:
            out.append(UInt8(v))
        case -4096...4095:
            out.append(0xC0 | UInt8(truncatingIfNeeded: u >> 8) & 0x1F)
            out.append(UInt8(truncatingIfNeeded: u))
        case Int64(Int16.min)...Int64(Int16.max):
            out.append(0xF1)
            appendLE(u, width: 2, to: &out)
        case -8_388_608...8_388_607:
            out.append(0xF2)
            appendLE(u, width: 3, to: &out)
        case Int64(Int32.min)...Int64(Int32.max):
            out.append(0xF3)
            appendLE(u, width: 4, to: &out)
        default:
            out.append(0xF4)
            appendLE(u, width: 8, to: &out)
        }
        appendBacklen(out.count - start)
    }

    /// Appends a sorted-set score as Redis 7.0's zzlInsertAt stores it: an integer entry
    /// when double2ll accepts the score (integral and within ±2^62, so -0.0 becomes 0), else
    /// d2string's text ("%.17g", "inf", "-inf"), which then goes through `append(_:)` as
    /// lpAppend would.
    mutating func append(score: Double) {
        let limit = 4_611_686_018_427_387_904.0          // (double)(LLONG_MAX / 2), i.e. 2^62
        if score >= -limit && score <= limit, let v = Int64(exactly: score) {
            append(int: v)
        } else {
            formatDouble(score).withUnsafeBytes { append($0) }
        }
    }

    /// A string entry with the smallest length encoding (6-bit, 12-bit or 32-bit).
    private mutating func appendString(_ p: UnsafeRawBufferPointer) {
        let n = p.count
        let start = out.count
        if n < 64 {
            out.append(0x80 | UInt8(n))
        } else if n < 4096 {
            out.append(0xE0 | UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
        } else {
            precondition(n <= Int(UInt32.max), "listpack string longer than 4 GB")
            out.append(0xF0)
            appendLE(UInt64(n), width: 4, to: &out)
        }
        out.append(contentsOf: p)
        appendBacklen(out.count - start)
    }

    private mutating func appendBacklen(_ length: Int) {
        let back = Listpack.backlen(length)
        appendLE(back.bytes, width: back.count, to: &out)
        count += 1
    }

    /// The finished listpack (header filled in, terminator appended). The builder is empty
    /// afterwards; finishing moves the buffer out instead of copying it.
    mutating func finish() -> [UInt8] {
        var bytes: [UInt8] = []
        swap(&bytes, &out)
        bytes.append(Listpack.terminator)
        precondition(bytes.count <= Int(UInt32.max), "listpack larger than 4 GB")
        let total = UInt32(bytes.count)
        let stored = UInt16(min(count, Listpack.unknownCount))
        for k in 0..<4 { bytes[k] = UInt8(truncatingIfNeeded: total >> (8 * k)) }
        bytes[4] = UInt8(truncatingIfNeeded: stored)
        bytes[5] = UInt8(truncatingIfNeeded: stored >> 8)
        self = ListpackBuilder()
        return bytes
    }
}

// MARK: - Intset

/// Redis's intset blob: `encoding u32 LE` (the width in bytes: 2, 4 or 8), `length u32 LE`,
/// then `length` little-endian integers of that width in strictly ascending order.
enum IntSetBlob {
    static let headerSize = 8

    /// The intset Redis writes for `values` (ascending, no duplicates) at `width` bytes each.
    /// Preconditions: width is 2, 4 or 8 and every value fits it.
    static func encode(width: Int, values: some Sequence<Int64>) -> [UInt8] {
        precondition(width == 2 || width == 4 || width == 8, "intset width must be 2, 4 or 8")
        var out = [UInt8](repeating: 0, count: headerSize)
        out.reserveCapacity(headerSize + values.underestimatedCount * width)
        for v in values {
            precondition(IntSet.width(for: v) <= width, "\(v) does not fit an intset of width \(width)")
            appendLE(UInt64(bitPattern: v), width: width, to: &out)
        }
        writeHeader(&out, width: width, count: (out.count - headerSize) / width)
        return out
    }

    /// The intset Redis writes for `set`. Redwing's IntSet keeps Redis's layout in host byte
    /// order, so on little-endian hosts its bytes are the blob's body as they are.
    static func encode(_ set: IntSet) -> [UInt8] {
        #if _endian(little)
        var out = [UInt8](repeating: 0, count: headerSize)
        out.reserveCapacity(headerSize + set.bytes.count)
        out.append(contentsOf: set.bytes)
        writeHeader(&out, width: set.width, count: set.count)
        return out
        #else
        return encode(width: set.width, values: (0..<set.count).lazy.map { set.value(at: $0) })
        #endif
    }

    private static func writeHeader(_ out: inout [UInt8], width: Int, count: Int) {
        precondition(count <= Int(UInt32.max), "intset of more than 2^32 members")
        for k in 0..<4 {
            out[k] = UInt8(truncatingIfNeeded: width >> (8 * k))
            out[4 + k] = UInt8(truncatingIfNeeded: count >> (8 * k))
        }
    }

    /// Calls `body` with each value, ascending, after checking the whole blob as Redis's deep
    /// integrity check does: a known width, a size of exactly header + length × width, at
    /// least one member (Redis never writes an empty intset and refuses one), and strictly
    /// ascending values. Throws `PackedFormatError` otherwise, before calling `body`.
    static func decode(_ blob: UnsafeRawBufferPointer, _ body: (Int64) throws -> Void) throws {
        let r = PackedReader(blob, "intset")
        guard blob.count >= headerSize else {
            throw r.error("of \(blob.count) bytes is shorter than its header")
        }
        let width = Int(r.le(0, 4))
        guard width == 2 || width == 4 || width == 8 else {
            throw r.error("has unknown encoding \(width)")
        }
        let count = Int(r.le(4, 4))
        guard blob.count - headerSize == count * width else {
            throw r.error("of \(count) members of \(width) bytes cannot be \(blob.count) bytes")
        }
        guard count > 0 else { throw r.error("is empty") }
        for i in 1..<count
        where r.signedLE(headerSize + i * width, width) <= r.signedLE(headerSize + (i - 1) * width, width) {
            throw r.error("member \(i) is not greater than the one before it")
        }
        for i in 0..<count { try body(r.signedLE(headerSize + i * width, width)) }
    }
}
