/// BITFIELD and BITFIELD_RO (Redis's bitops.c): signed and unsigned integers of 1 to 64 bits
/// (unsigned up to 63, so every value fits a RESP integer) at any bit offset of a string,
/// read, written or incremented with WRAP, SAT or FAIL overflow handling.
///
/// All operations are parsed first, so a bad argument anywhere replies an error and changes
/// nothing; then the string is grown once to the farthest bit any write reaches.
enum BitfieldCommands {
    enum Overflow { case wrap, sat, fail }

    struct Operation {
        enum Kind { case get, set, incrby }
        var kind: Kind
        var signed: Bool
        var bits: Int
        var offset: UInt64
        /// The SET value or the INCRBY increment.
        var value: Int64
        var overflow: Overflow
    }

    static func bitfield(_ s: Server, _ c: Client, _ a: Args) { run(s, c, a, readOnly: false) }
    static func bitfieldRO(_ s: Server, _ c: Client, _ a: Args) { run(s, c, a, readOnly: true) }

    // MARK: - Parsing

    static let typeError: StaticString =
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

    /// Parses "i<bits>" (1...64) or "u<bits>" (1...63). Like Redis, the digits end at a NUL.
    static func parseType(_ arg: UnsafeRawBufferPointer) -> (signed: Bool, bits: Int)? {
        guard arg.count > 0, arg[0] == UInt8(ascii: "i") || arg[0] == UInt8(ascii: "u") else { return nil }
        let signed = arg[0] == UInt8(ascii: "i")
        var digits = UnsafeRawBufferPointer(rebasing: arg[1...])
        if let nul = digits.firstIndex(of: 0) { digits = UnsafeRawBufferPointer(rebasing: digits[..<nul]) }
        guard let bits = parseStrictInt64(digits), bits >= 1, bits <= (signed ? 64 : 63) else { return nil }
        return (signed, Int(bits))
    }

    /// The operations of the command, or nil after replying the first error.
    static func parse(_ s: Server, _ c: Client, _ a: Args) -> [Operation]? {
        var ops: [Operation] = []
        var overflow = Overflow.wrap
        var j = 2
        while j < a.count {
            let remaining = a.count - j - 1
            let kind: Operation.Kind
            if a.is(j, "GET") && remaining >= 2 {
                kind = .get
            } else if a.is(j, "SET") && remaining >= 3 {
                kind = .set
            } else if a.is(j, "INCRBY") && remaining >= 3 {
                kind = .incrby
            } else if a.is(j, "OVERFLOW") && remaining >= 1 {
                if a.is(j + 1, "WRAP") { overflow = .wrap }
                else if a.is(j + 1, "SAT") { overflow = .sat }
                else if a.is(j + 1, "FAIL") { overflow = .fail }
                else { c.error("ERR Invalid OVERFLOW type specified"); return nil }
                j += 2
                continue
            } else {
                c.syntaxError()
                return nil
            }
            guard let (signed, bits) = parseType(a[j + 1]) else { c.error(typeError); return nil }
            guard let offset = BitmapCommands.bitOffset(s, c, a[j + 2], fieldBits: bits) else { return nil }
            var value: Int64 = 0
            if kind != .get {
                guard let v = a.int(j + 3) else { c.notInteger(); return nil }
                value = v
            }
            ops.append(Operation(kind: kind, signed: signed, bits: bits, offset: offset, value: value,
                                 overflow: overflow))
            j += kind == .get ? 3 : 4
        }
        return ops
    }

    // MARK: - Execution

    static func run(_ s: Server, _ c: Client, _ a: Args, readOnly: Bool) {
        guard let ops = parse(s, c, a) else { return }
        // The last byte any write reaches, or nil when every operation is a GET.
        var lastByte: Int? = nil
        for op in ops where op.kind != .get {
            lastByte = max(lastByte ?? 0, Int((op.offset + UInt64(op.bits) - 1) >> 3))
        }
        guard let lastByte = lastByte else {
            let e = s.lookupRead(c.db, a[1])
            if let e = e, !e.valuePointer.pointee.isString { c.wrongType(); return }
            c.array(ops.count)
            for op in ops {
                if let e = e {
                    e.valuePointer.pointee.withBytes { replyGet(c, $0, op) }
                } else {
                    replyGet(c, UnsafeRawBufferPointer(start: nil, count: 0), op)
                }
            }
            return
        }
        if readOnly {
            c.error("ERR BITFIELD_RO only supports the GET subcommand")
            return
        }
        let e = s.lookupWrite(c.db, a[1])
        if let e = e, !e.valuePointer.pointee.isString { c.wrongType(); return }
        var changes = 0
        if let e = e {
            c.db.mutateString(e) { bytes in
                let grew = BitmapCommands.growToInclude(&bytes, lastByte)
                changes = execute(c, ops, &bytes, grew: grew)
            }
        } else {
            var bytes = [UInt8](repeating: 0, count: lastByte + 1)
            changes = execute(c, ops, &bytes, grew: true)
            c.db.add(a[1], .string(bytes, raw: true))
        }
        if changes > 0 { BitmapCommands.bitsChanged(s, c, a[1], changes) }
    }

    /// Runs the operations over a string long enough for every write, replying as it goes.
    /// Returns how many writes count as changes: all of them when the string was created or
    /// grew, else those that changed a value (Redis's accounting for dirty and events).
    static func execute(_ c: Client, _ ops: [Operation], _ bytes: inout [UInt8], grew: Bool) -> Int {
        c.array(ops.count)
        var changes = 0
        for op in ops {
            if op.kind == .get {
                bytes.withUnsafeBytes { replyGet(c, $0, op) }
                continue
            }
            let old = bytes.withUnsafeBytes { read($0, op.offset, op.bits) }
            let stored: UInt64?
            let reply: Int64
            if op.signed {
                let oldValue = signExtend(old, op.bits)
                if op.kind == .incrby {
                    let r = signedOverflow(oldValue, op.value, op.bits, op.overflow)
                    reply = r.limited ?? oldValue &+ op.value
                    stored = r.overflowed && op.overflow == .fail ? nil : UInt64(bitPattern: reply)
                } else {
                    let r = signedOverflow(op.value, 0, op.bits, op.overflow)
                    reply = oldValue
                    stored = r.overflowed && op.overflow == .fail ? nil : UInt64(bitPattern: r.limited ?? op.value)
                }
            } else {
                if op.kind == .incrby {
                    let r = unsignedOverflow(old, op.value, op.bits, op.overflow)
                    let value = r.limited ?? old &+ UInt64(bitPattern: op.value)
                    reply = Int64(bitPattern: value)
                    stored = r.overflowed && op.overflow == .fail ? nil : value
                } else {
                    let r = unsignedOverflow(UInt64(bitPattern: op.value), 0, op.bits, op.overflow)
                    reply = Int64(bitPattern: old)
                    stored = r.overflowed && op.overflow == .fail ? nil : r.limited ?? UInt64(bitPattern: op.value)
                }
            }
            guard let newValue = stored else { c.null(); continue }
            c.int(reply)
            write(&bytes, op.offset, op.bits, newValue)
            let mask: UInt64 = op.bits == 64 ? .max : (1 << UInt64(op.bits)) - 1
            if grew || newValue & mask != old { changes += 1 }
        }
        return changes
    }

    static func replyGet(_ c: Client, _ p: UnsafeRawBufferPointer, _ op: Operation) {
        let raw = read(p, op.offset, op.bits)
        c.int(op.signed ? signExtend(raw, op.bits) : Int64(bitPattern: raw))
    }

    // MARK: - Bit access

    /// The `bits`-wide unsigned integer at bit `offset`, most significant bit first; bytes
    /// past the end of `p` read as zero.
    static func read(_ p: UnsafeRawBufferPointer, _ offset: UInt64, _ bits: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<UInt64(bits) {
            let o = offset + k
            let byte = Int(o >> 3)
            let bit = byte < p.count ? UInt64(p[byte] >> UInt8(7 - (o & 7)) & 1) : 0
            value = value << 1 | bit
        }
        return value
    }

    /// Stores the low `bits` bits of `value` at bit `offset` (inside `bytes`).
    static func write(_ bytes: inout [UInt8], _ offset: UInt64, _ bits: Int, _ value: UInt64) {
        for k in 0..<UInt64(bits) {
            let o = offset + k
            let byte = Int(o >> 3)
            let mask = UInt8(0x80) >> UInt8(o & 7)
            if value >> (UInt64(bits) - 1 - k) & 1 != 0 { bytes[byte] |= mask } else { bytes[byte] &= ~mask }
        }
    }

    static func signExtend(_ raw: UInt64, _ bits: Int) -> Int64 {
        guard bits < 64, raw & (1 << UInt64(bits - 1)) != 0 else { return Int64(bitPattern: raw) }
        return Int64(bitPattern: raw | (UInt64.max << UInt64(bits)))
    }

    // MARK: - Overflow

    /// Whether `value + incr` leaves the range of a `bits`-wide unsigned integer, and then the
    /// value to store instead: wrapped modulo 2^bits (WRAP) or the nearest limit (SAT).
    /// As in Redis, a value already out of range counts as overflowing upwards.
    static func unsignedOverflow(_ value: UInt64, _ incr: Int64, _ bits: Int, _ overflow: Overflow)
        -> (overflowed: Bool, limited: UInt64?) {
        let max: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        let maxIncr = Int64(bitPattern: max &- value)
        let minIncr = Int64(bitPattern: 0 &- value)
        let up = value > max || (incr > 0 && incr > maxIncr)
        let down = !up && incr < 0 && incr < minIncr
        guard up || down else { return (false, nil) }
        switch overflow {
        case .wrap:
            let mask: UInt64 = bits == 64 ? 0 : .max << UInt64(bits)
            return (true, (value &+ UInt64(bitPattern: incr)) & ~mask)
        case .sat: return (true, up ? max : 0)
        case .fail: return (true, nil)
        }
    }

    /// The signed counterpart: WRAP wraps into the two's complement range of `bits` bits,
    /// SAT clamps to its minimum or maximum.
    static func signedOverflow(_ value: Int64, _ incr: Int64, _ bits: Int, _ overflow: Overflow)
        -> (overflowed: Bool, limited: Int64?) {
        let max: Int64 = bits == 64 ? .max : (1 << Int64(bits - 1)) - 1
        let min = -max - 1
        // These may wrap; they are only used once `value` is known to be in range.
        let maxIncr = Int64(bitPattern: UInt64(bitPattern: max) &- UInt64(bitPattern: value))
        let minIncr = min &- value
        let up = value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)
        let down = !up && (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr))
        guard up || down else { return (false, nil) }
        switch overflow {
        case .wrap:
            var r = UInt64(bitPattern: value) &+ UInt64(bitPattern: incr)
            if bits < 64 {
                let mask = UInt64.max << UInt64(bits)
                if r & (1 << UInt64(bits - 1)) != 0 { r |= mask } else { r &= ~mask }
            }
            return (true, Int64(bitPattern: r))
        case .sat: return (true, up ? max : min)
        case .fail: return (true, nil)
        }
    }
}
