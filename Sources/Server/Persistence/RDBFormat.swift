import CRC64

/// Redis's RDB format, version 10 (Redis 7.0): the constants and the primitive encodings that
/// both the file writer and DUMP use.
///
/// A file is `REDIS0010`, aux fields, then per database `SELECTDB n`, `RESIZEDB keys expires`
/// and its keys (`[EXPIRETIME_MS t] type key value`), then `EOF` and the CRC-64 of everything
/// before it (little-endian, zero when `rdbchecksum no`).
enum RDB {
    static let version = 10
    /// Oldest version the loader accepts (Redis 3.2's files on).
    static let oldestReadable = 6

    // MARK: - Opcodes

    static let opFunction2: UInt8 = 245
    static let opFunction: UInt8 = 246
    static let opModuleAux: UInt8 = 247
    static let opIdle: UInt8 = 248
    static let opFreq: UInt8 = 249
    static let opAux: UInt8 = 250
    static let opResizeDB: UInt8 = 251
    static let opExpireTimeMs: UInt8 = 252
    static let opExpireTime: UInt8 = 253
    static let opSelectDB: UInt8 = 254
    static let opEOF: UInt8 = 255

    // MARK: - Value types

    static let typeString: UInt8 = 0
    static let typeList: UInt8 = 1
    static let typeSet: UInt8 = 2
    static let typeZSet: UInt8 = 3
    static let typeHash: UInt8 = 4
    static let typeZSet2: UInt8 = 5
    static let typeModule: UInt8 = 6
    static let typeModule2: UInt8 = 7
    static let typeHashZipmap: UInt8 = 9
    static let typeListZiplist: UInt8 = 10
    static let typeSetIntset: UInt8 = 11
    static let typeZSetZiplist: UInt8 = 12
    static let typeHashZiplist: UInt8 = 13
    static let typeListQuicklist: UInt8 = 14
    static let typeStreamListpacks: UInt8 = 15
    static let typeHashListpack: UInt8 = 16
    static let typeZSetListpack: UInt8 = 17
    static let typeListQuicklist2: UInt8 = 18
    static let typeStreamListpacks2: UInt8 = 19

    /// Quicklist-2 node containers.
    static let containerPlain = 1
    static let containerPacked = 2

    // MARK: - Special string encodings (the top two bits of a length byte are 11)

    static let encInt8 = 0
    static let encInt16 = 1
    static let encInt32 = 2
    static let encLZF = 3

    /// Strings at most this long are never compressed (Redis: `len > 20`).
    static let compressMinLength = 21
}

/// Builds RDB bytes into a buffer. With a `flush` closure, the buffer is handed over (and the
/// running CRC updated) whenever it passes `flushThreshold`, so a snapshot of any size streams
/// through a small buffer; without one, the bytes stay in `out` (DUMP payloads).
///
/// Not thread-safe; one encoder belongs to one job (the snapshot's background writer, or the
/// main thread for SAVE and DUMP).
struct RDBEncoder {
    var out: [UInt8] = []
    /// CRC-64 of the bytes already flushed.
    private(set) var crc: UInt64 = 0
    /// Bytes already flushed.
    private(set) var flushed = 0
    var compress: Bool
    var checksum: Bool
    var flushThreshold = 1 << 20
    var flush: (([UInt8]) throws -> Void)?

    init(compress: Bool, checksum: Bool = true, flush: (([UInt8]) throws -> Void)? = nil) {
        self.compress = compress
        self.checksum = checksum
        self.flush = flush
        out.reserveCapacity(flush == nil ? 64 : flushThreshold + 4096)
    }

    /// Bytes encoded so far.
    var totalBytes: Int { flushed + out.count }

    /// Hands the buffered bytes to `flush` when past the threshold (or always with `force`).
    mutating func flushIfNeeded(force: Bool = false) throws {
        guard let f = flush, force || out.count >= flushThreshold, !out.isEmpty else { return }
        if checksum { crc = out.withUnsafeBytes { rw_crc64(crc, $0.baseAddress, $0.count) } }
        flushed += out.count
        try f(out)
        out.removeAll(keepingCapacity: true)
    }

    // MARK: - Primitives

    @inline(__always)
    mutating func byte(_ b: UInt8) { out.append(b) }

    mutating func littleEndian<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// A length: 6 bits in one byte, 14 bits in two, then 32 or 64 bits big-endian.
    mutating func length(_ n: Int) {
        precondition(n >= 0)
        if n < 1 << 6 {
            out.append(UInt8(n))
        } else if n < 1 << 14 {
            out.append(0x40 | UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
        } else if UInt64(n) <= UInt64(UInt32.max) {
            out.append(0x80)
            withUnsafeBytes(of: UInt32(n).bigEndian) { out.append(contentsOf: $0) }
        } else {
            out.append(0x81)
            withUnsafeBytes(of: UInt64(n).bigEndian) { out.append(contentsOf: $0) }
        }
    }

    /// An integer in the 8/16/32-bit string encodings, if it fits; false otherwise.
    mutating func encodedInteger(_ v: Int64) -> Bool {
        if v >= Int64(Int8.min) && v <= Int64(Int8.max) {
            out.append(0xC0 | UInt8(RDB.encInt8))
            out.append(UInt8(bitPattern: Int8(v)))
        } else if v >= Int64(Int16.min) && v <= Int64(Int16.max) {
            out.append(0xC0 | UInt8(RDB.encInt16))
            littleEndian(Int16(v))
        } else if v >= Int64(Int32.min) && v <= Int64(Int32.max) {
            out.append(0xC0 | UInt8(RDB.encInt32))
            littleEndian(Int32(v))
        } else {
            return false
        }
        return true
    }

    /// A string as Redis's rdbSaveRawString writes it: short integer-looking strings as
    /// integers, strings over 20 bytes LZF-compressed when that saves at least 4 bytes (and
    /// compression is on), everything else as length + bytes.
    mutating func string(_ p: UnsafeRawBufferPointer) {
        if p.count <= 11, let v = parseStrictInt64(p), encodedInteger(v) { return }
        if compress && p.count >= RDB.compressMinLength && lzf(p) { return }
        length(p.count)
        if p.count > 0 { out.append(contentsOf: p) }
    }

    mutating func string(_ a: [UInt8]) { a.withUnsafeBytes { string($0) } }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(UnsafeRawBufferPointer($0)) }
    }

    /// An integer value as Redis writes an int-encoded string object: the integer encodings
    /// when it fits 32 bits, else its decimal text.
    mutating func integerString(_ v: Int64) {
        if encodedInteger(v) { return }
        Value.int(v).withBytes { p in
            length(p.count)
            out.append(contentsOf: p)
        }
    }

    /// Tries the LZF form (`0xC3`, compressed length, original length, bytes). Returns false
    /// when it does not save at least four bytes, as Redis requires.
    private mutating func lzf(_ p: UnsafeRawBufferPointer) -> Bool {
        let cap = p.count - 4
        var packed = [UInt8](repeating: 0, count: cap)
        let n = packed.withUnsafeMutableBytes { rw_lzf_compress(p.baseAddress, p.count, $0.baseAddress, cap) }
        guard n > 0 else { return false }
        out.append(0xC0 | UInt8(RDB.encLZF))
        length(n)
        length(p.count)
        packed.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        return true
    }

    /// A double as 8 little-endian bytes (zset-2 scores).
    mutating func binaryDouble(_ d: Double) { littleEndian(d.bitPattern) }

    /// An aux field: name and value strings after the AUX opcode.
    mutating func aux(_ name: String, _ value: String) {
        byte(RDB.opAux)
        string(name)
        string(value)
    }

    mutating func aux(_ name: String, _ value: Int64) {
        byte(RDB.opAux)
        string(name)
        integerString(value)
    }

    /// The trailer: EOF and the CRC-64 of everything before it (zero without checksums).
    mutating func finish() throws {
        byte(RDB.opEOF)
        var sum: UInt64 = 0
        if checksum {
            sum = out.withUnsafeBytes { rw_crc64(crc, $0.baseAddress, $0.count) }
        }
        littleEndian(sum)
        if flush != nil {
            // The checksum covers the trailer's EOF byte only; do not fold the sum into itself.
            let keep = checksum
            checksum = false
            try flushIfNeeded(force: true)
            checksum = keep
        }
    }
}
