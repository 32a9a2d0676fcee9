import Glibc

/// Redis's HyperLogLog, byte for byte (hyperloglog.c): the value is an ordinary string whose
/// bytes are the sketch, so GET, DUMP, RDB and replication carry it unchanged and a sketch
/// moves between Redwing and Redis without conversion. That only works if every byte we
/// write is the byte Redis would write, so the sparse editing below follows Redis's exact
/// splitting and merging steps, not merely an equivalent encoding.
///
/// Layout: a 16-byte header, then the registers.
/// ```
///  0  "HYLL"          magic
///  4  encoding        0 dense, 1 sparse
///  5  3 unused bytes  zero
///  8  cardinality     cached estimate, little endian; bit 7 of byte 15 set = stale
/// 16  registers       dense: 16384 six-bit registers packed LSB first (12288 bytes)
///                     sparse: run-length opcodes ZERO 00xxxxxx (1-64 zeros),
///                     XZERO 01xxxxxx yyyyyyyy (1-16384 zeros), VAL 1vvvvvxx (value 1-32,
///                     repeated 1-4 times)
/// ```
/// Every function here is total on arbitrary bytes: a corrupted sketch (the user can SETRANGE
/// into one) is reported as invalid, never read or written out of bounds.
enum HyperLogLog {
    static let headerSize = 16
    static let precision = 14
    /// Bits of the hash left after the register index: the longest run counted is q + 1.
    static let q = 64 - precision
    static let registerCount = 1 << precision
    static let registerMax: UInt8 = 63
    static let denseSize = headerSize + (registerCount * 6 + 7) / 8
    static let denseEncoding: UInt8 = 0
    static let sparseEncoding: UInt8 = 1
    static let sparseValueMax = 32
    static let sparseValueRunMax = 4
    static let zeroRunMax = 64
    static let xzeroRunMax = 16384
    /// The seed Redis hashes elements with.
    static let hashSeed: UInt32 = 0xadc83b19

    /// `hll-sparse-max-bytes`: a sparse sketch that would grow past this many bytes (header
    /// included) becomes dense.
    nonisolated(unsafe) static var sparseMaxBytes = 3000

    /// Outcome of setting a register.
    enum Update { case unchanged, changed, corrupted }

    // MARK: - Hashing

    /// MurmurHash2, 64-bit version (MurmurHash64A), reading the input as little-endian words
    /// as Redis does on every architecture.
    static func murmurHash64A(_ data: UnsafeRawBufferPointer, seed: UInt32) -> UInt64 {
        let m: UInt64 = 0xc6a4a7935bd1e995
        let r: UInt64 = 47
        let len = data.count
        var h = UInt64(seed) ^ (UInt64(len) &* m)
        let words = len / 8
        if let base = data.baseAddress {
            for i in 0..<words {
                var k = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                k = k &* m
                k ^= k >> r
                k = k &* m
                h ^= k
                h = h &* m
            }
            let tail = len & 7
            if tail > 0 {
                var t: UInt64 = 0
                for j in stride(from: tail - 1, through: 0, by: -1) {
                    t = t << 8 | UInt64(data[words * 8 + j])
                }
                h ^= t
                h = h &* m
            }
        }
        h ^= h >> r
        h = h &* m
        h ^= h >> r
        return h
    }

    /// The register an element goes to and the length of the "000...1" pattern above the
    /// index bits (1 ... q + 1): Redis's hllPatLen.
    @inline(__always)
    static func pattern(_ element: UnsafeRawBufferPointer) -> (index: Int, count: UInt8) {
        let hash = murmurHash64A(element, seed: hashSeed)
        let index = Int(hash & UInt64(registerCount - 1))
        // The sentinel bit at q bounds the run at q + 1.
        let rest = (hash >> UInt64(precision)) | (1 << UInt64(q))
        return (index, UInt8(rest.trailingZeroBitCount + 1))
    }

    // MARK: - Header

    /// A new, empty sketch: sparse, one XZERO opcode covering every register.
    static func empty() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: headerSize + 2)
        b[0] = 0x48; b[1] = 0x59; b[2] = 0x4c; b[3] = 0x4c   // "HYLL"
        b[4] = sparseEncoding
        let run = registerCount - 1
        b[headerSize] = UInt8(run >> 8) | 0x40
        b[headerSize + 1] = UInt8(run & 0xff)
        return b
    }

    /// Whether `p` looks like a sketch (Redis's isHLLObjectOrReply): magic, a known encoding,
    /// and for dense the exact length. Sparse opcodes are checked when they are read.
    static func isValid(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= headerSize, p[0] == 0x48, p[1] == 0x59, p[2] == 0x4c, p[3] == 0x4c,
              p[4] <= sparseEncoding else { return false }
        return p[4] != denseEncoding || p.count == denseSize
    }

    /// The cached cardinality, or nil when it is stale.
    static func cachedCardinality(_ p: UnsafeRawBufferPointer) -> UInt64? {
        guard p[15] & 0x80 == 0 else { return nil }
        var card: UInt64 = 0
        for i in (8..<16).reversed() { card = card << 8 | UInt64(p[i]) }
        return card
    }

    static func setCachedCardinality(_ b: inout [UInt8], _ card: UInt64) {
        for i in 0..<8 { b[8 + i] = UInt8(truncatingIfNeeded: card >> UInt64(8 * i)) }
    }

    static func invalidateCache(_ b: inout [UInt8]) { b[15] |= 0x80 }

    // MARK: - Dense registers

    /// Register `i` of a dense sketch whose registers start at `r`. A register never spans
    /// past the last byte, so the next byte is only read when the register needs it.
    @inline(__always)
    static func denseGet(_ r: UnsafeRawPointer, _ i: Int) -> UInt8 {
        let bit = i * 6
        let byte = bit >> 3
        let fb = bit & 7
        var v = UInt(r.load(fromByteOffset: byte, as: UInt8.self)) >> fb
        if fb > 2 { v |= UInt(r.load(fromByteOffset: byte + 1, as: UInt8.self)) << (8 - fb) }
        return UInt8(v & 63)
    }

    @inline(__always)
    static func denseSet(_ r: UnsafeMutableRawPointer, _ i: Int, _ value: UInt8) {
        let bit = i * 6
        let byte = bit >> 3
        let fb = bit & 7
        let v = UInt(value)
        var b0 = UInt(r.load(fromByteOffset: byte, as: UInt8.self))
        b0 &= ~(63 << fb)
        b0 |= v << fb
        r.storeBytes(of: UInt8(truncatingIfNeeded: b0), toByteOffset: byte, as: UInt8.self)
        if fb > 2 {
            var b1 = UInt(r.load(fromByteOffset: byte + 1, as: UInt8.self))
            b1 &= ~(63 >> (8 - fb))
            b1 |= v >> (8 - fb)
            r.storeBytes(of: UInt8(truncatingIfNeeded: b1), toByteOffset: byte + 1, as: UInt8.self)
        }
    }

    /// Calls `body(i, value)` for every register of a dense sketch, decoding four registers
    /// from each three bytes instead of shifting per register (PFCOUNT and PFMERGE read all
    /// 16384 of them).
    @inline(__always)
    static func forEachDense(_ r: UnsafeRawPointer, _ body: (Int, UInt8) -> Void) {
        var i = 0, o = 0
        while i < registerCount {
            let b0 = r.load(fromByteOffset: o, as: UInt8.self)
            let b1 = r.load(fromByteOffset: o + 1, as: UInt8.self)
            let b2 = r.load(fromByteOffset: o + 2, as: UInt8.self)
            body(i, b0 & 63)
            body(i + 1, (b0 >> 6 | b1 << 2) & 63)
            body(i + 2, (b1 >> 4 | b2 << 4) & 63)
            body(i + 3, b2 >> 2)
            i += 4
            o += 3
        }
    }

    /// Raises register `index` of a dense sketch to `count`; reports whether it changed.
    static func denseRaise(_ b: inout [UInt8], _ index: Int, _ count: UInt8) -> Update {
        b.withUnsafeMutableBytes { raw in
            let r = raw.baseAddress! + headerSize
            guard count > denseGet(r, index) else { return .unchanged }
            denseSet(r, index, count)
            return .changed
        }
    }

    // MARK: - Sparse opcodes

    @inline(__always) static func isZero(_ op: UInt8) -> Bool { op & 0xc0 == 0 }
    @inline(__always) static func isXZero(_ op: UInt8) -> Bool { op & 0xc0 == 0x40 }
    @inline(__always) static func isVal(_ op: UInt8) -> Bool { op & 0x80 != 0 }
    @inline(__always) static func zeroOp(_ len: Int) -> UInt8 { UInt8(len - 1) }
    @inline(__always) static func valOp(_ value: Int, _ len: Int) -> UInt8 {
        UInt8((value - 1) << 2 | (len - 1)) | 0x80
    }
    @inline(__always) static func valValue(_ op: UInt8) -> Int { Int(op >> 2 & 0x1f) + 1 }
    @inline(__always) static func valLen(_ op: UInt8) -> Int { Int(op & 3) + 1 }

    /// The run length of the XZERO opcode at `p`. A truncated one reads its missing second
    /// byte as zero, as Redis reads the string's terminator there.
    @inline(__always)
    static func xzeroLen(_ b: UnsafeRawBufferPointer, _ p: Int) -> Int {
        let lo = p + 1 < b.count ? Int(b[p + 1]) : 0
        return (Int(b[p] & 0x3f) << 8 | lo) + 1
    }

    /// Walks the sparse opcodes of `b` (header included), calling `run(first, length, value)`
    /// for each VAL run. Returns whether the runs cover exactly every register; a run that
    /// would pass the last register stops the walk as corrupted (Redis's bounds checks,
    /// CVE-2025-32023), so `run` is only ever called inside 0..<registerCount.
    static func walkSparse(_ b: UnsafeRawBufferPointer, _ run: (Int, Int, Int) -> Void) -> Bool {
        var p = headerSize
        var idx = 0
        while p < b.count {
            let op = b[p]
            let len: Int
            if isZero(op) {
                len = Int(op & 0x3f) + 1
                p += 1
            } else if isXZero(op) {
                len = xzeroLen(b, p)
                p += 2
            } else {
                len = valLen(op)
                if idx + len <= registerCount { run(idx, len, valValue(op)) }
                p += 1
            }
            if idx + len > registerCount { return false }
            idx += len
        }
        return idx == registerCount
    }

    // MARK: - Sparse to dense

    /// Converts a sparse sketch to dense in place (the header, cached value included, is
    /// kept). Returns false, leaving `b` unchanged, when the opcodes are corrupted.
    static func sparseToDense(_ b: inout [UInt8]) -> Bool {
        if b[4] == denseEncoding { return true }
        var dense = [UInt8](repeating: 0, count: denseSize)
        for i in 0..<headerSize { dense[i] = b[i] }
        dense[4] = denseEncoding
        let ok = dense.withUnsafeMutableBytes { d -> Bool in
            let r = d.baseAddress! + headerSize
            return b.withUnsafeBytes { s in
                walkSparse(s) { first, len, value in
                    for i in first..<(first + len) { denseSet(r, i, UInt8(value)) }
                }
            }
        }
        if ok { b = dense }
        return ok
    }

    // MARK: - Sparse update

    /// Raises register `index` of a sparse sketch to `count` by rewriting the one opcode that
    /// covers it (Redis's hllSparseSet): the opcode is split into at most three, adjacent VAL
    /// opcodes with equal values are merged, and the sketch turns dense when `count` does not
    /// fit a VAL opcode or the result would pass `sparseMaxBytes`.
    static func sparseRaise(_ b: inout [UInt8], _ index: Int, _ count: UInt8) -> Update {
        if Int(count) > sparseValueMax { return promote(&b, index, count) }
        // Step 1: find the opcode covering `index`.
        guard let (p, first, span, prev) = b.withUnsafeBytes({ locate($0, index) }) else { return .corrupted }
        let op = b[p]
        var needsSplit = true
        // Step 2: the cases that rewrite the opcode in place.
        if isVal(op) {
            if valValue(op) >= Int(count) { return .unchanged }
            if span == 1 {
                b[p] = valOp(Int(count), 1)
                needsSplit = false
            }
        } else if isZero(op) && span == 1 {
            b[p] = valOp(Int(count), 1)
            needsSplit = false
        }
        if needsSplit {
            // The general case: split the run around `index` into at most five bytes.
            var seq = OpcodeSequence()
            let last = first + span - 1
            if isVal(op) {
                let current = valValue(op)
                if index != first { seq.append(valOp(current, index - first)) }
                seq.append(valOp(Int(count), 1))
                if index != last { seq.append(valOp(current, last - index)) }
            } else {
                if index != first { seq.appendZeros(index - first) }
                seq.append(valOp(Int(count), 1))
                if index != last { seq.appendZeros(last - index) }
            }
            let oldLen = isXZero(op) ? 2 : 1
            let newCount = b.count + seq.count - oldLen
            if newCount > b.count && newCount > sparseMaxBytes { return promote(&b, index, count) }
            seq.withBytes { b.replaceSubrange(p..<min(p + oldLen, b.count), with: $0) }
            // Only a corrupted sketch ending in half an XZERO opcode gets here: Redis still
            // counts two old bytes, so the new sequence loses its last byte.
            if b.count > newCount { b.removeLast(b.count - newCount) }
        }
        // Step 3: merge equal adjacent VAL opcodes, scanning up to five opcodes from `prev`.
        var q = prev >= 0 ? prev : headerSize
        var scan = 5
        while q < b.count && scan > 0 {
            scan -= 1
            let o = b[q]
            if isXZero(o) { q += 2; continue }
            if isZero(o) { q += 1; continue }
            if q + 1 < b.count && isVal(b[q + 1]) {
                let v = valValue(o)
                let len = valLen(o) + valLen(b[q + 1])
                if v == valValue(b[q + 1]) && len <= sparseValueRunMax {
                    b[q + 1] = valOp(v, len)
                    b.remove(at: q)
                    // Look again at the merged opcode: it may merge with its right neighbour.
                    continue
                }
            }
            q += 1
        }
        invalidateCache(&b)
        return .changed
    }

    /// The sparse opcode covering register `index`: its offset, its first register, the
    /// registers it covers, and the offset of the opcode before it (-1 for none); nil when
    /// the opcodes end first. This walk is most of a sparse PFADD, so it is kept tight.
    @inline(__always)
    static func locate(_ s: UnsafeRawBufferPointer, _ index: Int)
        -> (p: Int, first: Int, span: Int, prev: Int)? {
        guard let base = s.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let end = s.count
        var p = headerSize, first = 0, prev = -1
        while p < end {
            let op = base[p]
            let span: Int, oplen: Int
            if op & 0xc0 == 0 {
                span = Int(op) &+ 1
                oplen = 1
            } else if op & 0x80 != 0 {
                span = Int(op & 3) &+ 1
                oplen = 1
            } else {
                span = xzeroLen(s, p)
                oplen = 2
            }
            if index < first &+ span { return (p, first, span, prev) }
            prev = p
            p &+= oplen
            first &+= span
        }
        return nil
    }

    /// Turns the sketch dense and then sets the register there.
    private static func promote(_ b: inout [UInt8], _ index: Int, _ count: UInt8) -> Update {
        guard sparseToDense(&b) else { return .corrupted }
        return denseRaise(&b, index, count)
    }

    /// Raises register `index` to `count` in either encoding.
    static func raise(_ b: inout [UInt8], _ index: Int, _ count: UInt8) -> Update {
        switch b[4] {
        case denseEncoding: return denseRaise(&b, index, count)
        case sparseEncoding: return sparseRaise(&b, index, count)
        default: return .corrupted
        }
    }

    /// Adds one element (PFADD): hashes it and raises its register.
    static func add(_ b: inout [UInt8], _ element: UnsafeRawBufferPointer) -> Update {
        let (index, count) = pattern(element)
        return raise(&b, index, count)
    }

    // MARK: - Estimation

    /// How many registers hold each value 0 ... 63, or nil for a corrupted sparse sketch.
    static func histogram(_ b: UnsafeRawBufferPointer) -> [Int]? {
        var h = [Int](repeating: 0, count: 64)
        let ok = h.withUnsafeMutableBufferPointer { h -> Bool in
            if b[4] == denseEncoding {
                forEachDense(b.baseAddress! + headerSize) { _, v in h[Int(v)] += 1 }
                return true
            }
            // Runs are added up without bounds checks: any overshoot leaves idx past the end.
            var idx = 0
            var p = headerSize
            while p < b.count {
                let op = b[p]
                if isZero(op) {
                    let len = Int(op & 0x3f) + 1
                    idx += len; h[0] += len; p += 1
                } else if isXZero(op) {
                    let len = xzeroLen(b, p)
                    idx += len; h[0] += len; p += 2
                } else {
                    let len = valLen(op)
                    idx += len; h[valValue(op)] += len; p += 1
                }
            }
            return idx == registerCount
        }
        return ok ? h : nil
    }

    /// The histogram of one register per byte (the merged registers of PFCOUNT/PFMERGE).
    static func histogram(registers: [UInt8]) -> [Int] {
        var h = [Int](repeating: 0, count: 64)
        h.withUnsafeMutableBufferPointer { h in
            registers.withUnsafeBufferPointer { for v in $0 { h[Int(v & 63)] += 1 } }
        }
        return h
    }

    /// Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog
    /// sketches", arXiv:1702.01284), in Redis's exact floating-point order, so that the
    /// estimate, and the cached bytes, match Redis's.
    static func estimate(_ h: [Int]) -> UInt64 {
        let m = Double(registerCount)
        var z = m * tau((m - Double(h[q + 1])) / m)
        for j in stride(from: q, through: 1, by: -1) {
            z += Double(h[j])
            z *= 0.5
        }
        z += m * sigma(Double(h[0]) / m)
        let alphaInf = 0.721347520444481703680  // 0.5 / ln 2
        let e = (alphaInf * m * m / z).rounded(.toNearestOrAwayFromZero)
        // Only crafted registers get here: Redis's llroundl then overflows to LLONG_MIN,
        // which it replies (and caches) as 2^63.
        guard e.isFinite && e < 0x1p63 else { return 1 << 63 }
        return UInt64(e)
    }

    static func sigma(_ x: Double) -> Double {
        if x == 1 { return .infinity }
        var x = x
        var y = 1.0
        var z = x
        var previous: Double
        repeat {
            x *= x
            previous = z
            z += x * y
            y += y
        } while previous != z
        return z
    }

    static func tau(_ x: Double) -> Double {
        if x == 0 || x == 1 { return 0 }
        var x = x
        var y = 1.0
        var z = 1 - x
        var previous: Double
        repeat {
            x = x.squareRoot()
            previous = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
        } while previous != z
        return z / 3
    }

    /// The estimate of a sketch, or nil when it is corrupted.
    static func count(_ b: UnsafeRawBufferPointer) -> UInt64? {
        histogram(b).map(estimate)
    }

    // MARK: - Merging

    /// Raises each of `max` (one byte per register) to the sketch's register (Redis's
    /// hllMerge). Returns false for a corrupted sparse sketch.
    static func merge(into max: inout [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        max.withUnsafeMutableBufferPointer { m in
            if b[4] == denseEncoding {
                forEachDense(b.baseAddress! + headerSize) { i, v in if v > m[i] { m[i] = v } }
                return true
            }
            return walkSparse(b) { first, len, value in
                for i in first..<(first + len) where UInt8(value) > m[i] { m[i] = UInt8(value) }
            }
        }
    }

    /// Raises every register to at least `registers[i]`, in index order (PFMERGE's write).
    /// A sparse sketch is edited register by register exactly as Redis edits it, so the
    /// bytes match even where it turns dense half way; dense registers are set in one pass.
    static func raiseAll(_ b: inout [UInt8], _ registers: [UInt8]) {
        var i = 0
        while i < registerCount && b[4] == sparseEncoding {
            if registers[i] != 0 { _ = sparseRaise(&b, i, registers[i]) }
            i += 1
        }
        guard i < registerCount && b[4] == denseEncoding else { return }
        b.withUnsafeMutableBytes { raw in
            let r = raw.baseAddress! + headerSize
            registers.withUnsafeBufferPointer { m in
                for j in i..<registerCount where m[j] > denseGet(r, j) { denseSet(r, j, m[j]) }
            }
        }
    }

    // MARK: - Debugging

    /// The sparse opcodes as PFDEBUG DECODE prints them ("Z:16384", "z:3", "v:2,1").
    static func decode(_ b: UnsafeRawBufferPointer) -> String {
        var parts: [String] = []
        var p = headerSize
        while p < b.count {
            let op = b[p]
            if isZero(op) {
                parts.append("z:\(Int(op & 0x3f) + 1)")
                p += 1
            } else if isXZero(op) {
                parts.append("Z:\(xzeroLen(b, p))")
                p += 2
            } else {
                parts.append("v:\(valValue(op)),\(valLen(op))")
                p += 1
            }
        }
        return parts.joined(separator: " ")
    }
}

/// Up to five opcode bytes built on the stack: the worst split of one opcode is
/// XZERO, VAL, XZERO. Keeps PFADD's sparse path free of heap allocations.
struct OpcodeSequence {
    private var storage: UInt64 = 0
    private(set) var count = 0

    mutating func append(_ byte: UInt8) {
        precondition(count < 5)
        storage |= UInt64(byte) << UInt64(8 * count)
        count += 1
    }

    /// The shortest zero-run opcode for `len` registers: ZERO up to 64, else XZERO.
    mutating func appendZeros(_ len: Int) {
        if len > HyperLogLog.zeroRunMax {
            append(UInt8((len - 1) >> 8) | 0x40)
            append(UInt8((len - 1) & 0xff))
        } else {
            append(HyperLogLog.zeroOp(len))
        }
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var little = storage.littleEndian
        return withUnsafeBytes(of: &little) { body(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }
}

