import CRC64

/// Bitmap commands on string values (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS,
/// BITOP. BITFIELD lives in Bitfield.swift.
///
/// Bit 0 is the most significant bit of the first byte. A string read as bits is its bytes as
/// GET returns them: an integer-encoded value is read as its decimal text. Writes grow the
/// string with zero bytes and leave a "raw" string behind, as Redis does.
enum BitmapCommands {
    // MARK: - Shared helpers

    static let offsetError: StaticString = "ERR bit offset is not an integer or out of range"

    /// Parses a bit offset (Redis's getBitOffsetFromArgument): a non-negative integer whose
    /// byte lies below proto-max-bulk-len. With `fieldBits` > 0 (BITFIELD), "#N" means N
    /// fields of that width. Replies the error and returns nil when invalid.
    static func bitOffset(_ s: Server, _ c: Client, _ arg: UnsafeRawBufferPointer,
                          fieldBits: Int = 0) -> UInt64? {
        let hash = fieldBits > 0 && arg.count > 0 && arg[0] == UInt8(ascii: "#")
        let digits = hash ? UnsafeRawBufferPointer(rebasing: arg[1...]) : arg
        guard var offset = parseStrictInt64(digits) else {
            c.error(offsetError)
            return nil
        }
        // Redis multiplies in C and lets a huge "#N" wrap; the checks below then reject it.
        if hash { offset = offset &* Int64(fieldBits) }
        if offset < 0 || (offset >> 3) >= s.config.protoMaxBulkLen {
            c.error(offsetError)
            return nil
        }
        return UInt64(offset)
    }

    /// Grows `bytes` with zeros so that byte `index` exists; returns whether it grew.
    @inline(__always)
    static func growToInclude(_ bytes: inout [UInt8], _ index: Int) -> Bool {
        guard bytes.count <= index else { return false }
        bytes.append(contentsOf: repeatElement(0, count: index + 1 - bytes.count))
        return true
    }

    /// Records a bit write: keyspace signals and one dirty change per modification.
    static func bitsChanged(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ n: Int) {
        s.signalModifiedKey(c.db, key)
        s.notifyKeyspaceEvent(.string, "setbit", key, c.db.id)
        s.changed(Int64(n))
    }

    /// Parses an optional BYTE|BIT unit argument; replies a syntax error when it is neither.
    static func parseUnit(_ c: Client, _ a: Args, _ i: Int, isBit: inout Bool) -> Bool {
        if a.is(i, "BIT") { isBit = true; return true }
        if a.is(i, "BYTE") { isBit = false; return true }
        c.syntaxError()
        return false
    }

    /// Resolves a start/end range over `total` units with negative indexes counted from the
    /// end and both ends clamped into the string (empty when start > end afterwards).
    static func clampRange(_ start: inout Int64, _ end: inout Int64, total: Int64) {
        if start < 0 { start += total }
        if end < 0 { end += total }
        if start < 0 { start = 0 }
        if end < 0 { end = 0 }
        if end >= total { end = total - 1 }
    }

    // MARK: - SETBIT / GETBIT

    static func setbit(_ s: Server, _ c: Client, _ a: Args) {
        guard let offset = bitOffset(s, c, a[2]) else { return }
        guard let on = a.int(3), on & ~1 == 0 else {
            c.error("ERR bit is not an integer or out of range")
            return
        }
        let byte = Int(offset >> 3)
        let mask = UInt8(0x80) >> UInt8(offset & 7)
        let e = s.lookupWrite(c.db, a[1])
        if let e = e, !e.valuePointer.pointee.isString { c.wrongType(); return }
        var old = 0
        var changed = true
        if let e = e {
            c.db.mutateString(e) { bytes in
                let grew = growToInclude(&bytes, byte)
                old = bytes[byte] & mask != 0 ? 1 : 0
                changed = grew || old != Int(on)
                if on == 1 { bytes[byte] |= mask } else { bytes[byte] &= ~mask }
            }
        } else {
            var bytes = [UInt8](repeating: 0, count: byte + 1)
            if on == 1 { bytes[byte] = mask }
            c.db.add(a[1], .string(bytes, raw: true))
        }
        if changed { bitsChanged(s, c, a[1], 1) }
        c.int(old)
    }

    static func getbit(_ s: Server, _ c: Client, _ a: Args) {
        guard let offset = bitOffset(s, c, a[2]) else { return }
        guard let e = s.lookupRead(c.db, a[1]) else { c.int(0); return }
        guard e.valuePointer.pointee.isString else { c.wrongType(); return }
        let byte = Int(offset >> 3)
        let bit = e.valuePointer.pointee.withBytes { p -> Int in
            byte < p.count && p[byte] & (UInt8(0x80) >> UInt8(offset & 7)) != 0 ? 1 : 0
        }
        c.int(bit)
    }

    // MARK: - BITCOUNT

    /// BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0 the key is looked up first: a
    /// missing key answers 0 and a wrong type WRONGTYPE whatever the other arguments are.
    static func bitcount(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupRead(c.db, a[1]) else { c.int(0); return }
        guard e.valuePointer.pointee.isString else { c.wrongType(); return }
        var start: Int64 = 0, end: Int64 = -1
        var isBit = false
        let ranged = a.count == 4 || a.count == 5
        if ranged {
            guard let st = a.int(2), let en = a.int(3) else { c.notInteger(); return }
            // Checked before the unit, as Redis 7.0 does.
            if st < 0 && en < 0 && st > en { c.int(0); return }
            if a.count == 5 && !parseUnit(c, a, 4, isBit: &isBit) { return }
            start = st
            end = en
        } else if a.count != 2 {
            c.syntaxError()
            return
        }
        let count = e.valuePointer.pointee.withBytes { p -> Int64 in
            let len = Int64(p.count)
            if !ranged { return Int64(rw_popcount(p.baseAddress, p.count)) }
            clampRange(&start, &end, total: isBit ? len << 3 : len)
            if start > end { return 0 }
            if !isBit { return Int64(rw_popcount(p.baseAddress! + Int(start), Int(end - start + 1))) }
            let first = Int(start >> 3), last = Int(end >> 3)
            var n = Int64(rw_popcount(p.baseAddress! + first, last - first + 1))
            // Take off the bits of the edge bytes that lie outside the range.
            let before = ~(UInt8(0xff) >> UInt8(start & 7))
            let after = UInt8(0xff) >> UInt8((end & 7) + 1)
            n -= Int64((p[first] & before).nonzeroBitCount + (p[last] & after).nonzeroBitCount)
            return n
        }
        c.int(count)
    }

    // MARK: - BITPOS

    /// BITPOS key bit [start [end [BYTE|BIT]]]. Without an explicit end, the string is
    /// zero-padded on the right: looking for 0 in all-ones answers the bit just past it.
    static func bitpos(_ s: Server, _ c: Client, _ a: Args) {
        guard let bit = a.int(2) else { c.notInteger(); return }
        guard bit == 0 || bit == 1 else { c.error("ERR The bit argument must be 1 or 0."); return }
        guard let e = s.lookupRead(c.db, a[1]) else { c.int(bit == 1 ? -1 : 0); return }
        guard e.valuePointer.pointee.isString else { c.wrongType(); return }
        var start: Int64 = 0, end: Int64 = -1
        var isBit = false, endGiven = false
        let ranged = a.count >= 4 && a.count <= 6
        if ranged {
            guard let st = a.int(3) else { c.notInteger(); return }
            start = st
            if a.count == 6 && !parseUnit(c, a, 5, isBit: &isBit) { return }
            if a.count >= 5 {
                guard let en = a.int(4) else { c.notInteger(); return }
                end = en
                endGiven = true
            }
        } else if a.count != 3 {
            c.syntaxError()
            return
        }
        let pos = e.valuePointer.pointee.withBytes { p -> Int64 in
            let len = Int64(p.count)
            if !endGiven { end = len - 1 }
            if ranged {
                clampRange(&start, &end, total: isBit ? len << 3 : len)
            }
            if start > end { return -1 }
            let lo = isBit ? start : start << 3
            let hi = isBit ? end : end << 3 | 7
            if let found = firstBit(p, UInt8(bit), from: lo, through: hi) { return found }
            // Not found: only a search for 0 without an explicit end goes past the string.
            return bit == 0 && !endGiven ? hi + 1 : -1
        }
        c.int(pos)
    }

    /// The first bit equal to `bit` in bit positions lo...hi (inside `p`), or nil. Whole bytes,
    /// and then whole words, that cannot contain it are skipped without looking at bits.
    static func firstBit(_ p: UnsafeRawBufferPointer, _ bit: UInt8, from lo: Int64, through hi: Int64) -> Int64? {
        @inline(__always) func at(_ i: Int64) -> UInt8 { p[Int(i >> 3)] >> UInt8(7 - (i & 7)) & 1 }
        var i = lo
        while i <= hi && i & 7 != 0 {
            if at(i) == bit { return i }
            i += 1
        }
        if i > hi { return nil }
        var byte = Int(i >> 3)   // i is byte-aligned here
        let fullEnd = Int((hi + 1) >> 3)   // bytes before this one lie wholly in the range
        let skipByte: UInt8 = bit == 1 ? 0 : 0xff
        let skipWord: UInt64 = bit == 1 ? 0 : .max
        if let base = p.baseAddress {
            // Four words per step: OR finds a set bit, AND a clear one.
            if bit == 1 {
                while byte + 32 <= fullEnd && (word(base, byte) | word(base, byte + 8) |
                                               word(base, byte + 16) | word(base, byte + 24)) == 0 {
                    byte += 32
                }
            } else {
                while byte + 32 <= fullEnd && (word(base, byte) & word(base, byte + 8) &
                                               word(base, byte + 16) & word(base, byte + 24)) == .max {
                    byte += 32
                }
            }
            while byte + 8 <= fullEnd && word(base, byte) == skipWord { byte += 8 }
        }
        while byte < fullEnd && p[byte] == skipByte { byte += 1 }
        i = Int64(byte) << 3
        while i <= hi {
            if at(i) == bit { return i }
            i += 1
        }
        return nil
    }

    @inline(__always)
    static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    // MARK: - BITOP

    enum BitOperation { case and, or, xor, not }

    static func bitop(_ s: Server, _ c: Client, _ a: Args) {
        let op: BitOperation
        if a.is(1, "AND") { op = .and }
        else if a.is(1, "OR") { op = .or }
        else if a.is(1, "XOR") { op = .xor }
        else if a.is(1, "NOT") { op = .not }
        else { c.syntaxError(); return }
        if op == .not && a.count != 4 {
            c.error("ERR BITOP NOT must be called with a single source key.")
            return
        }
        // The sources, sharing the stored bytes (copy-on-write) rather than copying them.
        var sources: [[UInt8]] = []
        sources.reserveCapacity(a.count - 3)
        var maxLen = 0
        for i in 3..<a.count {
            guard let e = s.lookupRead(c.db, a[i]) else { sources.append([]); continue }
            let v = e.valuePointer.pointee
            guard v.isString else { c.wrongType(); return }
            if case .string(let b, _) = v { sources.append(b) } else { sources.append(v.bytes) }
            maxLen = max(maxLen, sources[sources.count - 1].count)
        }
        let dest = a[2]
        if maxLen > 0 {
            let result = combine(sources, op, length: maxLen)
            c.db.set(dest, .string(result, raw: true), now: s.now)
            s.signalModifiedKey(c.db, dest)
            s.notifyKeyspaceEvent(.string, "set", dest, c.db.id)
            s.changed()
        } else if s.deleteKey(c.db, dest) {
            s.signalModifiedKey(c.db, dest)
            s.notifyKeyspaceEvent(.generic, "del", dest, c.db.id)
            s.changed()
        }
        c.int(maxLen)
    }

    /// The bitwise combination of the sources, each zero-padded to `length` bytes.
    static func combine(_ sources: [[UInt8]], _ op: BitOperation, length: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: length)
        result.withUnsafeMutableBytes { r in
            let out = r.baseAddress!
            sources[0].withUnsafeBytes { if $0.count > 0 { out.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            if op == .not {
                // NOT has exactly one source, as long as the result.
                apply(out, length, UnsafeRawPointer(out), length) { x, _ in ~x }
                return
            }
            for src in sources.dropFirst() {
                src.withUnsafeBytes { sp in
                    switch op {
                    case .and: apply(out, length, sp.baseAddress, sp.count) { $0 & $1 }
                    case .or: apply(out, length, sp.baseAddress, sp.count) { $0 | $1 }
                    case .xor: apply(out, length, sp.baseAddress, sp.count) { $0 ^ $1 }
                    case .not: break
                    }
                    // Past a shorter source its bytes read as zero: AND clears, OR and XOR keep.
                    if op == .and && sp.count < length {
                        (out + sp.count).initializeMemory(as: UInt8.self, repeating: 0, count: length - sp.count)
                    }
                }
            }
        }
        return result
    }

    /// out[i] = f(out[i], src[i]) for i below min(srcLen, length), eight bytes at a time.
    @inline(__always)
    static func apply(_ out: UnsafeMutableRawPointer, _ length: Int, _ src: UnsafeRawPointer?, _ srcLen: Int,
                      _ f: (UInt64, UInt64) -> UInt64) {
        guard let src = src else { return }
        let shared = min(srcLen, length)
        var i = 0
        while i + 8 <= shared {
            let x = out.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let y = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            out.storeBytes(of: f(x, y), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < shared {
            let x = UInt64(out.load(fromByteOffset: i, as: UInt8.self))
            let y = UInt64(src.load(fromByteOffset: i, as: UInt8.self))
            out.storeBytes(of: UInt8(truncatingIfNeeded: f(x, y)), toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }
}
