/// A sorted-set value with Redis 7.0's encodings: "listpack" (member, score pairs in order in
/// one packed buffer, scores written as Redis's d2string does) while small, "skiplist" (a
/// `SkipList` whose nodes are also the member → score hash table) once it has more than
/// `zset-max-listpack-entries` members or a member longer than `zset-max-listpack-value`.
///
/// Every operation is expressed in 0-based ranks in (score, member) order: range queries turn
/// their bounds into a rank interval with `leadingCount`, then walk or remove ranks. The
/// packed form answers by walking the buffer, the skiplist by its spans.
///
/// Reference type shared copy-on-write: writers go through `Database.mutateZSet`.
public final class ZSetValue {
    enum Storage {
        case packed(PackedList)
        case skiplist(SkipList)
    }
    private(set) var storage: Storage

    nonisolated(unsafe) static var maxPackedEntries = 128
    nonisolated(unsafe) static var maxPackedValue = 64

    /// An empty sorted set in the encoding Redis's zsetTypeCreate picks for `sizeHint` members
    /// of which the longest has `maxLength` bytes.
    init(sizeHint: Int = 0, maxLength: Int = 0) {
        if ZSetValue.maxPackedEntries == 0 || sizeHint > ZSetValue.maxPackedEntries
            || maxLength > ZSetValue.maxPackedValue {
            storage = .skiplist(SkipList())
        } else {
            storage = .packed(PackedList())
        }
    }

    func copy() -> ZSetValue {
        let z = ZSetValue()
        switch storage {
        case .packed(let p): z.storage = .packed(p)
        case .skiplist(let sl):
            let copy = SkipList()
            copy.copyElements(of: sl)
            z.storage = .skiplist(copy)
        }
        return z
    }

    var count: Int {
        switch storage {
        case .packed(let p): return p.count / 2
        case .skiplist(let sl): return sl.length
        }
    }

    var encodingName: StaticString {
        if case .packed = storage { return "listpack" }
        return "skiplist"
    }

    // MARK: - Packed helpers

    /// A score as the packed form stores it, as Redis 7.0.15 writes it: integral values up to
    /// 2^62 in magnitude as integers (so -0 becomes 0), everything else as %.17g text ("inf",
    /// "-inf" for infinities). ZSCAN of a packed set prints this text.
    static func scoreText(_ d: Double) -> [UInt8] {
        if d >= -4611686018427387904.0 && d <= 4611686018427387904.0 && d == d.rounded(.towardZero) {
            return Value.int(Int64(d)).bytes
        }
        return formatDouble(d)
    }

    static func encodeScore(_ d: Double) -> [UInt8] {
        scoreText(d).withUnsafeBytes { PackedList.encode($0) }
    }

    static func decodeScore(_ e: PackedList.Element) -> Double {
        switch e {
        case .int(let v): return Double(v)
        case .string: return e.withBytes { parseDouble($0) } ?? 0
        }
    }

    /// Offsets of the member and score entries of every pair, in order, until `body` says stop.
    private static func walk(_ p: PackedList, from start: Int = 0,
                             _ body: (_ memberOff: Int, _ scoreOff: Int) -> Bool) {
        var off = start
        while off < p.bytes.count {
            let scoreOff = off + p.fullSize(at: off)
            if !body(off, scoreOff) { return }
            off = scoreOff + p.fullSize(at: scoreOff)
        }
    }

    private static func find(_ p: PackedList, _ member: UnsafeRawBufferPointer) -> (memberOff: Int, score: Double)? {
        var found: (Int, Double)? = nil
        walk(p) { m, s in
            if p.element(at: m).equals(member) {
                found = (m, decodeScore(p.element(at: s)))
                return false
            }
            return true
        }
        return found
    }

    // MARK: - Reads

    func score(_ member: UnsafeRawBufferPointer) -> Double? {
        switch storage {
        case .packed(let p): return ZSetValue.find(p, member)?.score
        case .skiplist(let sl): return sl.dict.find(member)?.score
        }
    }

    /// The 0-based rank of `member` in ascending order.
    func rank(_ member: UnsafeRawBufferPointer) -> Int? {
        guard let s = score(member) else { return nil }
        return leadingCount { sc, m in zLess(sc, m, s, member) }
    }

    /// How many leading elements (in ascending order) satisfy `pred`, which holds for a
    /// prefix of the order and not after it.
    func leadingCount(_ pred: (Double, UnsafeRawBufferPointer) -> Bool) -> Int {
        switch storage {
        case .packed(let p):
            var n = 0
            ZSetValue.walk(p) { m, s in
                let ok = p.element(at: m).withBytes { pred(ZSetValue.decodeScore(p.element(at: s)), $0) }
                if ok { n += 1 }
                return ok
            }
            return n
        case .skiplist(let sl):
            return sl.leadingCount { pred($0.score, $0.key) }
        }
    }

    /// Calls `body` with the member and score at each 0-based rank in `ranks`, ascending, or
    /// descending when `reverse`.
    func forEach(ranks: Range<Int>, reverse: Bool = false,
                 _ body: (UnsafeRawBufferPointer, Double) -> Void) {
        forEachWhile(ranks: ranks, reverse: reverse) { m, s in
            body(m, s)
            return true
        }
    }

    /// Like `forEach(ranks:)`, stopping after the first call of `body` that returns false
    /// (the geo searches stop once they have COUNT ... ANY results).
    func forEachWhile(ranks: Range<Int>, reverse: Bool = false,
                      _ body: (UnsafeRawBufferPointer, Double) -> Bool) {
        let r = ranks.clamped(to: 0..<count)
        guard !r.isEmpty else { return }
        switch storage {
        case .packed(let p):
            if !reverse {
                var left = r.count
                ZSetValue.walk(p, from: p.offset(ofIndex: 2 * r.lowerBound)) { m, s in
                    let more = p.element(at: m).withBytes { body($0, ZSetValue.decodeScore(p.element(at: s))) }
                    left -= 1
                    return more && left > 0
                }
            } else {
                var scoreOff = p.offset(ofIndex: 2 * (r.upperBound - 1) + 1)
                for i in 0..<r.count {
                    let m = p.start(ofEntryEndingAt: scoreOff)
                    let more = p.element(at: m).withBytes { body($0, ZSetValue.decodeScore(p.element(at: scoreOff))) }
                    if !more { return }
                    if i + 1 < r.count { scoreOff = p.start(ofEntryEndingAt: m) }
                }
            }
        case .skiplist(let sl):
            var node = sl.node(atRank: reverse ? r.upperBound - 1 : r.lowerBound)
            for _ in 0..<r.count {
                guard let n = node else { break }
                if !body(n.key, n.score) { return }
                node = reverse ? n.backward : n.forward(0)
            }
        }
    }

    /// Every element in ascending order.
    func forEach(_ body: (UnsafeRawBufferPointer, Double) -> Void) {
        forEach(ranks: 0..<count, body)
    }

    /// A random element's rank (uniform).
    func randomRank() -> Int? {
        count == 0 ? nil : FastRandom.below(count)
    }

    /// One step of ZSCAN over the skiplist's table (a packed set is returned whole).
    func scanTable(_ cursor: UInt64, _ body: (ZNode) -> Void) -> UInt64 {
        guard case .skiplist(let sl) = storage else { return 0 }
        return sl.dict.scan(cursor, body)
    }

    // MARK: - Writes

    /// Adds a member that is not present, converting to a skiplist first when the packed form
    /// would pass its limits.
    func insert(_ member: UnsafeRawBufferPointer, score: Double) {
        if case .packed(let p) = storage,
           p.count / 2 + 1 > ZSetValue.maxPackedEntries || member.count > ZSetValue.maxPackedValue {
            convertToSkiplist()
        }
        place(member, score: score)
    }

    /// Inserts a new member read from a listpack or ziplist blob (an RDB file, a RESTORE
    /// payload). Redis 7.0 keeps such a blob packed whatever its members' lengths, and
    /// converts it only when it has more than `zset-max-listpack-entries` members; so does
    /// this, so that a sorted set ends in the encoding Redis gives it.
    func insertFromPackedBlob(_ member: UnsafeRawBufferPointer, score: Double) {
        if case .packed(let p) = storage, p.count / 2 + 1 > ZSetValue.maxPackedEntries {
            convertToSkiplist()
        }
        place(member, score: score)
    }

    /// Links a member in order, in whatever encoding the set has.
    private func place(_ member: UnsafeRawBufferPointer, score: Double) {
        switch storage {
        case .packed(var p):
            storage = .packed(PackedList())   // keep `p` uniquely referenced while editing
            var at = p.bytes.count
            ZSetValue.walk(p) { m, s in
                let after = p.element(at: m).withBytes { zLess(score, member, ZSetValue.decodeScore(p.element(at: s)), $0) }
                if after { at = m }
                return !after
            }
            p.insert(ZSetValue.encodeScore(score), at: at)
            p.insert(PackedList.encode(member), at: at)
            storage = .packed(p)
        case .skiplist(let sl):
            sl.insert(score: score, member: member)
        }
    }

    /// Changes the score of a member that is present.
    func update(_ member: UnsafeRawBufferPointer, to score: Double) {
        switch storage {
        case .packed:
            // A new score never converts (Redis converts on insertions only).
            _ = remove(member)
            place(member, score: score)
        case .skiplist(let sl):
            guard let node = sl.dict.find(member) else { return }
            sl.update(node, to: score)
        }
    }

    /// Removes a member; returns whether it was there.
    @discardableResult
    func remove(_ member: UnsafeRawBufferPointer) -> Bool {
        switch storage {
        case .packed(var p):
            guard let (m, _) = ZSetValue.find(p, member) else { return false }
            storage = .packed(PackedList())
            p.remove(at: m + p.fullSize(at: m))
            p.remove(at: m)
            storage = .packed(p)
            return true
        case .skiplist(let sl):
            let removed = sl.remove(member)
            if removed { sl.dict.shrinkIfSparse() }
            return removed
        }
    }

    /// Removes the elements at the 0-based ranks `ranks`; returns how many went.
    @discardableResult
    func removeRanks(_ ranks: Range<Int>) -> Int {
        let r = ranks.clamped(to: 0..<count)
        guard !r.isEmpty else { return 0 }
        switch storage {
        case .packed(var p):
            storage = .packed(PackedList())
            let from = p.offset(ofIndex: 2 * r.lowerBound)
            let to = r.upperBound == p.count / 2 ? p.bytes.count : p.offset(ofIndex: 2 * r.upperBound)
            p.removeRange(from..<to, entries: 2 * r.count)
            storage = .packed(p)
        case .skiplist(let sl):
            sl.removeRanks(r)
            sl.dict.shrinkIfSparse()
        }
        return r.count
    }

    func convertToSkiplist() {
        guard case .packed = storage else { return }
        let sl = SkipList()
        sl.dict.resize(to: count + 1)
        forEach { m, s in sl.insert(score: s, member: m) }
        storage = .skiplist(sl)
    }

    /// Converts a skiplist back to the packed form when it is small enough (what Redis does
    /// for the results of ZUNIONSTORE & co. and ZRANGESTORE).
    func convertToPackedIfSmall() {
        guard case .skiplist = storage, count <= ZSetValue.maxPackedEntries else { return }
        var p = PackedList()
        var fits = true
        forEach { m, s in
            if m.count > ZSetValue.maxPackedValue { fits = false }
            p.append(PackedList.encode(m))
            p.append(ZSetValue.encodeScore(s))
        }
        if fits && ZSetValue.maxPackedEntries > 0 { storage = .packed(p) }
    }
}

extension ZSetValue: CopyOnWriteValue {
    static func extract(_ v: Value) -> ZSetValue? {
        if case .zset(let z) = v { return z }
        return nil
    }
    var wrapped: Value { .zset(self) }
}

extension PackedList {
    /// Removes the `entries` entries occupying the byte range `r`.
    mutating func removeRange(_ r: Range<Int>, entries: Int) {
        bytes.removeSubrange(r)
        count -= entries
    }
}
