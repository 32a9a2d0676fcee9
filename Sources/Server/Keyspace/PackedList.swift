/// A packed run of list elements in one byte buffer, in the spirit of Redis's listpack: small
/// integers take one to nine bytes, strings a one- to five-byte header, and every entry ends
/// with its own length so the run can be walked from either end.
///
/// Entry layout: `header [payload] backlen`, where backlen is the size of header+payload
/// written as a reversed base-128 varint (read right to left).
///
/// Headers:
/// - `0x00...0x7F`            the integer 0...127, no payload
/// - `0x80 | n` (n < 64)      a string of n bytes
/// - `0xF1` int16, `0xF2` int32, `0xF3` int64 (little-endian payload)
/// - `0xF4` + UInt32 length   a longer string
/// - `0xF5` + UInt64 length   a string of 4 GB or more (only with raised proto-max-bulk-len)
struct PackedList {
    var bytes: [UInt8] = []
    var count = 0

    /// One element, borrowed from the buffer or decoded as an integer.
    enum Element {
        case int(Int64)
        case string(ArraySlice<UInt8>)

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            switch self {
            case .int(let v): return Value.int(v).withBytes(body)
            case .string(let s): return s.withUnsafeBytes(body)
            }
        }

        /// Whether the element equals `other` byte for byte.
        func equals(_ other: UnsafeRawBufferPointer) -> Bool {
            withBytes { $0.elementsEqual(other) }
        }

        var array: [UInt8] { withBytes { Array($0) } }
    }

    // MARK: - Encoding

    /// The encoded entry for `value` (with its back length).
    static func encode(_ value: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        if value.count <= 20, let v = parseStrictInt64(value) {
            if v >= 0 && v <= 127 {
                out.append(UInt8(v))
            } else if v >= Int64(Int16.min) && v <= Int64(Int16.max) {
                out.append(0xF1)
                withUnsafeBytes(of: Int16(v).littleEndian) { out.append(contentsOf: $0) }
            } else if v >= Int64(Int32.min) && v <= Int64(Int32.max) {
                out.append(0xF2)
                withUnsafeBytes(of: Int32(v).littleEndian) { out.append(contentsOf: $0) }
            } else {
                out.append(0xF3)
                withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
            }
        } else if value.count < 64 {
            out.append(0x80 | UInt8(value.count))
            out.append(contentsOf: value)
        } else if value.count <= Int(UInt32.max) {
            out.append(0xF4)
            withUnsafeBytes(of: UInt32(value.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: value)
        } else {
            out.append(0xF5)
            withUnsafeBytes(of: UInt64(value.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: value)
        }
        appendBackLength(out.count, to: &out)
        return out
    }

    private static func appendBackLength(_ n: Int, to out: inout [UInt8]) {
        // Most significant group first, so that reading right to left starts with the least
        // significant one; the high bit marks "more to the left".
        var groups: [UInt8] = []
        var v = n
        repeat {
            groups.append(UInt8(v & 0x7F))
            v >>= 7
        } while v > 0
        for (i, g) in groups.reversed().enumerated() {
            out.append(i == 0 ? g : g | 0x80)
        }
    }

    // MARK: - Decoding

    /// Size of header+payload of the entry starting at `at`.
    func entrySize(at: Int) -> Int {
        let h = bytes[at]
        switch h {
        case 0x00...0x7F: return 1
        case 0x80...0xBF: return 1 + Int(h & 0x3F)
        case 0xF1: return 3
        case 0xF2: return 5
        case 0xF3: return 9
        case 0xF4: return 5 + Int(readLE(at + 1, 4))
        default: return 9 + Int(readLE(at + 1, 8))
        }
    }

    /// Total size (with back length) of the entry starting at `at`.
    func fullSize(at: Int) -> Int {
        let n = entrySize(at: at)
        return n + backLengthSize(n)
    }

    private func backLengthSize(_ n: Int) -> Int {
        var size = 1
        var v = n >> 7
        while v > 0 { size += 1; v >>= 7 }
        return size
    }

    private func readLE(_ at: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return v
    }

    /// The element starting at `at`.
    func element(at: Int) -> Element {
        let h = bytes[at]
        switch h {
        case 0x00...0x7F: return .int(Int64(h))
        case 0x80...0xBF: return .string(bytes[(at + 1)..<(at + 1 + Int(h & 0x3F))])
        case 0xF1: return .int(Int64(Int16(truncatingIfNeeded: readLE(at + 1, 2))))
        case 0xF2: return .int(Int64(Int32(truncatingIfNeeded: readLE(at + 1, 4))))
        case 0xF3: return .int(Int64(bitPattern: readLE(at + 1, 8)))
        case 0xF4:
            let n = Int(readLE(at + 1, 4))
            return .string(bytes[(at + 5)..<(at + 5 + n)])
        default:
            let n = Int(readLE(at + 1, 8))
            return .string(bytes[(at + 9)..<(at + 9 + n)])
        }
    }

    /// Offset of the entry that ends just before `end` (walking backwards).
    func start(ofEntryEndingAt end: Int) -> Int {
        var n = 0
        var shift = 0
        var i = end - 1
        while true {
            let b = bytes[i]
            n |= Int(b & 0x7F) << shift
            shift += 7
            if b & 0x80 == 0 { break }
            i -= 1
        }
        return i - n
    }

    // MARK: - Edits

    mutating func append(_ encoded: [UInt8]) {
        bytes.append(contentsOf: encoded)
        count += 1
    }

    mutating func prepend(_ encoded: [UInt8]) {
        bytes.insert(contentsOf: encoded, at: 0)
        count += 1
    }

    mutating func insert(_ encoded: [UInt8], at offset: Int) {
        bytes.insert(contentsOf: encoded, at: offset)
        count += 1
    }

    mutating func remove(at offset: Int) {
        bytes.removeSubrange(offset..<(offset + fullSize(at: offset)))
        count -= 1
    }

    mutating func replace(at offset: Int, with encoded: [UInt8]) {
        bytes.replaceSubrange(offset..<(offset + fullSize(at: offset)), with: encoded)
    }

    /// Offset of the entry at position `index` (0-based), walking from the nearer end.
    func offset(ofIndex index: Int) -> Int {
        if index <= count / 2 {
            var off = 0
            for _ in 0..<index { off += fullSize(at: off) }
            return off
        }
        var end = bytes.count
        var off = 0
        for _ in index..<count {
            off = start(ofEntryEndingAt: end)
            end = off
        }
        return off
    }
}
