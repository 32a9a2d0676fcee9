import CEventShim
import Glibc

/// Sorted-set commands (Redis's t_zset.c): adding and scoring, rank/score/lex ranges, pops,
/// random members and scans. The set-algebra commands (ZUNION, ZINTER, ZDIFF and their
/// STORE forms, ZINTERCARD) are in SortedSetAlgebra.swift.
enum SortedSetCommands {
    // MARK: - Helpers

    static func readZSet(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, failed: inout Bool) -> ZSetValue? {
        s.readValue(c, key, as: ZSetValue.self, wrongType: &failed)
    }

    /// The live sorted set at `key` for writing; nil when missing; WRONGTYPE sets `failed`.
    static func writeZSet(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, failed: inout Bool) -> Entry? {
        guard let e = s.lookupWrite(c.db, key) else { return nil }
        guard case .zset = e.value else { c.wrongType(); failed = true; return nil }
        return e
    }

    /// The size of the sorted set held by `e`.
    static func zsetCount(_ e: Entry) -> Int {
        if case .zset(let z) = e.valuePointer.pointee { return z.count }
        return 0
    }

    static func deleteIfEmpty(_ s: Server, _ c: Client, _ e: Entry, _ key: UnsafeRawBufferPointer) {
        if case .zset(let z) = e.valuePointer.pointee, z.count == 0 {
            c.db.delete(key)
            s.notifyKeyspaceEvent(.generic, "del", key, c.db.id)
        }
    }

    /// A score argument as ZADD/ZINCRBY take it (Redis's string2d: no NaN, no overflow).
    static func parseScore(_ p: UnsafeRawBufferPointer) -> Double? { parseDouble(p) }

    /// Replies with a member and, when `withScores`, its score: a [member, score] pair in
    /// RESP3, two flat items in RESP2.
    static func replyElement(_ c: Client, _ m: UnsafeRawBufferPointer, _ score: Double, withScores: Bool) {
        if withScores && c.resp >= 3 { c.array(2) }
        c.bulk(m)
        if withScores { c.double(score) }
    }

    /// The header of a reply of `n` elements (doubled in RESP2 with scores).
    static func replyLength(_ c: Client, _ n: Int, withScores: Bool) {
        c.array(withScores && c.resp < 3 ? 2 * n : n)
    }

    // MARK: - ZADD, ZINCRBY, ZREM

    struct AddFlags {
        var nx = false, xx = false, gt = false, lt = false, ch = false, incr = false
    }

    static func zadd(_ s: Server, _ c: Client, _ a: Args) {
        var f = AddFlags()
        var j = 2
        while j < a.count {
            if a.is(j, "NX") { f.nx = true } else if a.is(j, "XX") { f.xx = true }
            else if a.is(j, "GT") { f.gt = true } else if a.is(j, "LT") { f.lt = true }
            else if a.is(j, "CH") { f.ch = true } else if a.is(j, "INCR") { f.incr = true }
            else { break }
            j += 1
        }
        let elements = a.count - j
        if elements % 2 != 0 || elements == 0 { c.syntaxError(); return }
        if f.nx && f.xx {
            c.error("ERR XX and NX options at the same time are not compatible")
            return
        }
        if (f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt) {
            c.error("ERR GT, LT, and/or NX options at the same time are not compatible")
            return
        }
        if f.incr && elements > 2 {
            c.error("ERR INCR option supports a single increment-element pair")
            return
        }
        var scores: [Double] = []
        scores.reserveCapacity(elements / 2)
        for i in stride(from: j, to: a.count, by: 2) {
            guard let sc = parseScore(a[i]) else { c.notFloat(); return }
            scores.append(sc)
        }
        addScores(s, c, a[1], f, scores) { k in a[j + 2 * k + 1] }
    }

    /// ZADD's write step, shared with GEOADD (which Redis runs by rewriting itself into a
    /// ZADD): applies `scores[k]` to member `member(k)` under the flags, replies and signals.
    static func addScores(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ f: AddFlags,
                          _ scores: [Double], member: (Int) -> UnsafeRawBufferPointer) {
        let maxLength = (0..<scores.count).reduce(0) { max($0, member($1).count) }
        if maxLength > ZNode.maxMemberLength { c.error("ERR member too large"); return }
        var failed = false
        var entry = writeZSet(s, c, key, failed: &failed)
        if failed { return }
        if entry == nil {
            if f.xx {
                if f.incr { c.null() } else { c.int(0) }
                return
            }
            // Redis 7.0.15 starts a listpack whatever the number of pairs, unless the first
            // member is already too long; later inserts convert as they go.
            entry = c.db.add(key, .zset(ZSetValue(sizeHint: 1, maxLength: member(0).count)))
        }
        var added = 0, updated = 0, processed = 0
        var incrResult: Double? = nil
        var nan = false
        c.db.mutateZSet(entry!) { z in
            for (k, score) in scores.enumerated() {
                let m = member(k)
                if let cur = z.score(m) {
                    if f.nx { continue }
                    var new = score
                    if f.incr {
                        new += cur
                        if new.isNaN { nan = true; return }
                    }
                    if (f.lt && new >= cur) || (f.gt && new <= cur) { continue }
                    incrResult = new
                    processed += 1
                    if new != cur {
                        z.update(m, to: new)
                        updated += 1
                    }
                } else {
                    if f.xx { continue }
                    z.insert(m, score: score)
                    incrResult = score
                    added += 1
                    processed += 1
                }
            }
        }
        if nan {
            c.error("ERR resulting score is not a number (NaN)")
        } else if f.incr {
            if let v = incrResult { c.double(v) } else { c.null() }
        } else {
            c.int(f.ch ? added + updated : added)
        }
        if added + updated > 0 {
            s.signalModifiedKey(c.db, key)
            s.notifyKeyspaceEvent(.zset, f.incr ? "zincr" : "zadd", key, c.db.id)
            s.changed(Int64(added + updated))
        }
    }

    static func zincrby(_ s: Server, _ c: Client, _ a: Args) {
        guard let delta = parseScore(a[2]) else { c.notFloat(); return }
        let key = a[1], m = a[3]
        if m.count > ZNode.maxMemberLength { c.error("ERR member too large"); return }
        var failed = false
        let found = writeZSet(s, c, key, failed: &failed)
        if failed { return }
        let e = found ?? c.db.add(key, .zset(ZSetValue(sizeHint: 1, maxLength: m.count)))
        let result = c.db.mutateZSet(e) { z -> Double? in
            guard let cur = z.score(m) else {
                z.insert(m, score: delta)
                return delta
            }
            let new = cur + delta
            if new.isNaN { return nil }
            if new != cur { z.update(m, to: new) }
            return new
        }
        guard let v = result else {
            c.error("ERR resulting score is not a number (NaN)")
            deleteIfEmpty(s, c, e, key)
            return
        }
        s.signalModifiedKey(c.db, key)
        s.notifyKeyspaceEvent(.zset, "zincr", key, c.db.id)
        s.changed()
        c.double(v)
    }

    static func zrem(_ s: Server, _ c: Client, _ a: Args) {
        let key = a[1]
        var failed = false
        guard let e = writeZSet(s, c, key, failed: &failed) else { if !failed { c.int(0) }; return }
        let removed = c.db.mutateZSet(e) { z -> Int in
            var n = 0
            for i in 2..<a.count where z.remove(a[i]) {
                n += 1
                if z.count == 0 { break }
            }
            return n
        }
        if removed > 0 {
            s.notifyKeyspaceEvent(.zset, "zrem", key, c.db.id)
            deleteIfEmpty(s, c, e, key)
            s.signalModifiedKey(c.db, key)
            s.changed(Int64(removed))
        }
        c.int(removed)
    }

    // MARK: - Scores and ranks

    static func zcard(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let z = readZSet(s, c, a[1], failed: &failed)
        if !failed { c.int(z?.count ?? 0) }
    }

    static func zscore(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let z = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        if let v = z?.score(a[2]) { c.double(v) } else { c.null() }
    }

    static func zmscore(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let z = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.array(a.count - 2)
        for i in 2..<a.count {
            if let v = z?.score(a[i]) { c.double(v) } else { c.null() }
        }
    }

    static func rankGeneric(_ s: Server, _ c: Client, _ a: Args, reverse: Bool) {
        var failed = false
        let z = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        guard let set = z, let r = set.rank(a[2]) else { c.null(); return }
        c.int(reverse ? set.count - 1 - r : r)
    }

    static func zrank(_ s: Server, _ c: Client, _ a: Args) { rankGeneric(s, c, a, reverse: false) }
    static func zrevrank(_ s: Server, _ c: Client, _ a: Args) { rankGeneric(s, c, a, reverse: true) }

    static func zcount(_ s: Server, _ c: Client, _ a: Args) {
        guard let range = ScoreRange(a[2], a[3]) else { c.error("ERR min or max is not a float"); return }
        var failed = false
        let z = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(z.map { range.ranks(in: $0).count } ?? 0)
    }

    static func zlexcount(_ s: Server, _ c: Client, _ a: Args) {
        guard let range = LexRange(a[2], a[3]) else {
            c.error("ERR min or max not valid string range item")
            return
        }
        var failed = false
        let z = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(z.map { range.ranks(in: $0).count } ?? 0)
    }

    // MARK: - Range removal

    enum RangeKind { case rank, score, lex }

    static func zremrangeGeneric(_ s: Server, _ c: Client, _ a: Args, _ kind: RangeKind) {
        var resolve: (ZSetValue) -> Range<Int>
        switch kind {
        case .rank:
            guard let start = a.int(2), let end = a.int(3) else { c.notInteger(); return }
            resolve = { z in rankRange(start, end, count: z.count) }
        case .score:
            guard let r = ScoreRange(a[2], a[3]) else { c.error("ERR min or max is not a float"); return }
            resolve = { z in r.ranks(in: z) }
        case .lex:
            guard let r = LexRange(a[2], a[3]) else {
                c.error("ERR min or max not valid string range item")
                return
            }
            resolve = { z in r.ranks(in: z) }
        }
        let key = a[1]
        var failed = false
        guard let e = writeZSet(s, c, key, failed: &failed) else { if !failed { c.int(0) }; return }
        let removed = c.db.mutateZSet(e) { z in z.removeRanks(resolve(z)) }
        if removed > 0 {
            let event: StaticString = kind == .rank ? "zremrangebyrank" : kind == .score ? "zremrangebyscore" : "zremrangebylex"
            s.notifyKeyspaceEvent(.zset, event, key, c.db.id)
            deleteIfEmpty(s, c, e, key)
            s.signalModifiedKey(c.db, key)
            s.changed(Int64(removed))
        }
        c.int(removed)
    }

    static func zremrangebyrank(_ s: Server, _ c: Client, _ a: Args) { zremrangeGeneric(s, c, a, .rank) }
    static func zremrangebyscore(_ s: Server, _ c: Client, _ a: Args) { zremrangeGeneric(s, c, a, .score) }
    static func zremrangebylex(_ s: Server, _ c: Client, _ a: Args) { zremrangeGeneric(s, c, a, .lex) }

    /// Redis's rank-range normalisation (ZRANGE, ZREMRANGEBYRANK): negative indexes count from
    /// the end, the range is clipped to the set.
    static func rankRange(_ start: Int64, _ end: Int64, count: Int) -> Range<Int> {
        let n = Int64(count)
        var s = start, e = end
        if s < 0 { s += n }
        if e < 0 { e += n }
        if s < 0 { s = 0 }
        if s > e || s >= n { return 0..<0 }
        if e >= n { e = n - 1 }
        return Int(s)..<Int(e + 1)
    }

    // MARK: - Pops

    /// Pops up to `count` elements from the low (or high) end of the sorted set at `key`,
    /// handing each to `emit` in pop order; returns how many were popped.
    @discardableResult
    static func pop(_ s: Server, _ c: Client, _ e: Entry, _ key: UnsafeRawBufferPointer, count: Int,
                    max: Bool, _ emit: (UnsafeRawBufferPointer, Double) -> Void) -> Int {
        // Each member is handed to `emit` (which replies) before it is removed: no copies.
        let n = c.db.mutateZSet(e) { z -> Int in
            let n = min(count, z.count)
            let r = max ? (z.count - n)..<z.count : 0..<n
            z.forEach(ranks: r, reverse: max, emit)
            z.removeRanks(r)
            return n
        }
        if n > 0 {
            s.notifyKeyspaceEvent(.zset, max ? "zpopmax" : "zpopmin", key, c.db.id)
            deleteIfEmpty(s, c, e, key)
            s.signalModifiedKey(c.db, key)
            s.changed(Int64(n))
        }
        return n
    }

    static func zpopGeneric(_ s: Server, _ c: Client, _ a: Args, max: Bool) {
        if a.count > 3 { c.syntaxError(); return }
        var count = 1
        if a.count == 3 {
            guard let v = a.int(2), v >= 0 else { c.error("ERR value is out of range, must be positive"); return }
            count = Int(v)
        }
        var failed = false
        guard let e = writeZSet(s, c, a[1], failed: &failed) else { if !failed { c.array(0) }; return }
        // With a count, RESP3 gets [member, score] pairs; otherwise the items are flat.
        let pairs = a.count == 3 && c.resp >= 3
        let n = min(count, zsetCount(e))
        c.array(pairs ? n : 2 * n)
        if n == 0 { return }
        pop(s, c, e, a[1], count: n, max: max) { m, sc in
            if pairs { c.array(2) }
            c.bulk(m)
            c.double(sc)
        }
    }

    static func zpopmin(_ s: Server, _ c: Client, _ a: Args) { zpopGeneric(s, c, a, max: false) }
    static func zpopmax(_ s: Server, _ c: Client, _ a: Args) { zpopGeneric(s, c, a, max: true) }

    /// Pops up to `count` members from the sorted set at `key` and replies [key, [[m, s]...]]
    /// (ZMPOP, BZMPOP).
    static func popWithKey(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ e: Entry,
                           count: Int, max: Bool) {
        // ZMPOP and BZMPOP replay as ZPOPMIN/ZPOPMAX with a count, as in Redis.
        c.propagate(as: [[word(max ? "ZPOPMAX" : "ZPOPMIN"), Array(key.bindMemory(to: UInt8.self)), number(Int64(min(count, zsetCount(e))))]])
        c.array(2)
        c.bulk(key)
        c.array(min(count, zsetCount(e)))
        pop(s, c, e, key, count: count, max: max) { m, sc in
            c.array(2)
            c.bulk(m)
            c.double(sc)
        }
    }

    /// The first sorted set among `keys`, in order: nil when every key is missing; WRONGTYPE
    /// (and `failed`) for the first key holding another type.
    static func firstZSet(_ s: Server, _ c: Client, _ a: Args, _ keys: Range<Int>,
                          failed: inout Bool) -> (key: Int, entry: Entry)? {
        for k in keys {
            if let e = writeZSet(s, c, a[k], failed: &failed) { return (k, e) }
            if failed { return nil }
        }
        return nil
    }

    static func zmpop(_ s: Server, _ c: Client, _ a: Args) {
        guard let p = MultiPop.parse(c, a, numkeysAt: 1, ends: ("MIN", "MAX")) else { return }
        var failed = false
        guard let (k, e) = firstZSet(s, c, a, p.keys, failed: &failed) else {
            if !failed { c.nullArray() }
            return
        }
        popWithKey(s, c, a[k], e, count: p.count, max: !p.first)
    }

    // MARK: - Random members and scan

    static func zrandmember(_ s: Server, _ c: Client, _ a: Args) {
        guard let (count, withScores) = RandomMembers.parse(c, a, withWord: "WITHSCORES") else { return }
        var failed = false
        let found = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        guard let n = count else {
            guard let z = found, let r = z.randomRank() else { c.null(); return }
            z.forEach(ranks: r..<(r + 1)) { m, _ in c.bulk(m) }
            return
        }
        guard let z = found, n != 0 else { c.array(0); return }
        var ranks: [Int]
        if n < 0 {
            guard let draws = RandomMembers.draws(c, n) else { return }
            ranks = (0..<draws).map { _ in z.randomRank()! }
        } else if n >= Int64(z.count) {
            ranks = Array((0..<z.count).reversed())   // the whole set, from the top as Redis does
        } else {
            ranks = RandomMembers.distinct(Int(n), of: z.count)
        }
        replyLength(c, ranks.count, withScores: withScores)
        for r in ranks {
            z.forEach(ranks: r..<(r + 1)) { m, sc in replyElement(c, m, sc, withScores: withScores) }
        }
    }

    static func zscan(_ s: Server, _ c: Client, _ a: Args) {
        guard let cursor = KeyCommands.parseCursor(c, a[2]) else { return }
        var failed = false
        let found = readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        guard let z = found else { CollectionScan.replyEmpty(c); return }
        var whole: ((CollectionScan.Emit) -> Void)? = nil
        if case .packed = z.storage {
            whole = { emit in z.forEach { m, sc in emit(Array(m), ZSetValue.scoreText(sc)) } }
        }
        CollectionScan.run(c, a, optionsFrom: 3, cursor: cursor, whole: whole) { next, emit in
            // A skiplist's scores are printed with %.17g (-0 stays -0, 1e17 is 1e+17).
            z.scanTable(next) { n in emit(Array(n.key), formatDouble(n.score)) }
        }
    }
}

// MARK: - Ranges

/// A score interval as ZRANGEBYSCORE & co. take it: `(` before a bound excludes it; bounds
/// are parsed like Redis's zslParseRange (strtod over the C string, NaN refused).
struct ScoreRange {
    var min: Double, max: Double
    var minExclusive = false, maxExclusive = false

    init?(_ lo: UnsafeRawBufferPointer, _ hi: UnsafeRawBufferPointer) {
        guard let (a, ax) = ScoreRange.bound(lo), let (b, bx) = ScoreRange.bound(hi) else { return nil }
        min = a; minExclusive = ax
        max = b; maxExclusive = bx
    }

    private static func bound(_ p: UnsafeRawBufferPointer) -> (Double, Bool)? {
        // C string semantics: the argument ends at its first NUL byte.
        var bytes = Array(p.prefix { $0 != 0 })
        var exclusive = false
        if bytes.first == UInt8(ascii: "(") {
            exclusive = true
            bytes.removeFirst()
        }
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { buf -> (Double, Bool)? in
            buf.withMemoryRebound(to: CChar.self) { cs in
                var end: UnsafeMutablePointer<CChar>? = nil
                let v = strtod(cs.baseAddress!, &end)
                guard let e = end, e.pointee == 0, !v.isNaN else { return nil }
                return (v, exclusive)
            }
        }
    }

    /// The ranks of the elements inside the interval.
    func ranks(in z: ZSetValue) -> Range<Int> {
        let lower = z.leadingCount { s, _ in minExclusive ? s <= min : s < min }
        let upper = z.leadingCount { s, _ in maxExclusive ? s < max : s <= max }
        return lower..<Swift.max(lower, upper)
    }
}

/// A member interval for the BYLEX commands: `-` and `+` are the ends, `[x` includes x and
/// `(x` excludes it.
struct LexRange {
    enum Bound {
        case minusInfinity, plusInfinity
        case value([UInt8], exclusive: Bool)
    }
    var min: Bound, max: Bound

    init?(_ lo: UnsafeRawBufferPointer, _ hi: UnsafeRawBufferPointer) {
        guard let a = LexRange.bound(lo), let b = LexRange.bound(hi) else { return nil }
        min = a
        max = b
    }

    private static func bound(_ p: UnsafeRawBufferPointer) -> Bound? {
        guard let first = p.first else { return nil }
        // "+" and "-" must stand alone (up to a C string's end).
        let alone = p.count == 1 || p[1] == 0
        switch first {
        case UInt8(ascii: "+"): return alone ? .plusInfinity : nil
        case UInt8(ascii: "-"): return alone ? .minusInfinity : nil
        case UInt8(ascii: "("): return .value(Array(p.dropFirst()), exclusive: true)
        case UInt8(ascii: "["): return .value(Array(p.dropFirst()), exclusive: false)
        default: return nil
        }
    }

    /// Whether `m` is at or above the lower bound.
    private func aboveMin(_ m: UnsafeRawBufferPointer) -> Bool {
        switch min {
        case .minusInfinity: return true
        case .plusInfinity: return false
        case .value(let v, let ex):
            let c = v.withUnsafeBytes { compareMembers(m, $0) }
            return ex ? c > 0 : c >= 0
        }
    }

    /// Whether `m` is at or below the upper bound.
    private func belowMax(_ m: UnsafeRawBufferPointer) -> Bool {
        switch max {
        case .minusInfinity: return false
        case .plusInfinity: return true
        case .value(let v, let ex):
            let c = v.withUnsafeBytes { compareMembers(m, $0) }
            return ex ? c < 0 : c <= 0
        }
    }

    func ranks(in z: ZSetValue) -> Range<Int> {
        let lower = z.leadingCount { _, m in !aboveMin(m) }
        let upper = z.leadingCount { _, m in belowMax(m) }
        return lower..<Swift.max(lower, upper)
    }
}
