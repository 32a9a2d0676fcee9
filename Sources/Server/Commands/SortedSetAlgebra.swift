/// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis's
/// zunionInterDiffGenericCommand). Inputs may be sorted sets or plain sets (every member of a
/// set scores 1); a missing key is an empty input.
extension SortedSetCommands {
    enum Algebra { case union, inter, diff }
    enum Aggregate { case sum, min, max }

    /// One input: its members with their scores, and its weight.
    struct Source {
        var zset: ZSetValue? = nil
        var set: SetValue? = nil
        var weight = 1.0

        var count: Int { zset?.count ?? set?.count ?? 0 }

        func forEach(_ body: (UnsafeRawBufferPointer, Double) -> Void) {
            if let z = zset { z.forEach(body) }
            set?.forEach { m in m.withBytes { body($0, 1.0) } }
        }

        func score(_ m: UnsafeRawBufferPointer) -> Double? {
            if let z = zset { return z.score(m) }
            if let s = set { return s.contains(m) ? 1.0 : nil }
            return nil
        }
    }

    /// `target` combined with `value` (a NaN sum, inf + -inf, becomes 0 as in Redis).
    static func aggregate(_ target: Double, _ value: Double, _ how: Aggregate) -> Double {
        switch how {
        case .sum:
            let r = target + value
            return r.isNaN ? 0 : r
        case .min: return value < target ? value : target
        case .max: return value > target ? value : target
        }
    }

    static func weighted(_ score: Double, _ weight: Double) -> Double {
        let r = score * weight
        return r.isNaN ? 0 : r
    }

    static func zunion(_ s: Server, _ c: Client, _ a: Args) { algebra(s, c, a, "zunion", numkeysAt: 1, dst: nil, .union) }
    static func zinter(_ s: Server, _ c: Client, _ a: Args) { algebra(s, c, a, "zinter", numkeysAt: 1, dst: nil, .inter) }
    static func zdiff(_ s: Server, _ c: Client, _ a: Args) { algebra(s, c, a, "zdiff", numkeysAt: 1, dst: nil, .diff) }
    static func zunionstore(_ s: Server, _ c: Client, _ a: Args) { algebra(s, c, a, "zunionstore", numkeysAt: 2, dst: a[1], .union) }
    static func zinterstore(_ s: Server, _ c: Client, _ a: Args) { algebra(s, c, a, "zinterstore", numkeysAt: 2, dst: a[1], .inter) }
    static func zdiffstore(_ s: Server, _ c: Client, _ a: Args) { algebra(s, c, a, "zdiffstore", numkeysAt: 2, dst: a[1], .diff) }
    static func zintercard(_ s: Server, _ c: Client, _ a: Args) {
        algebra(s, c, a, "zintercard", numkeysAt: 1, dst: nil, .inter, cardinalityOnly: true)
    }

    /// Checks in Redis's order: numkeys, the key types (WRONGTYPE before any option error),
    /// then WEIGHTS / AGGREGATE / WITHSCORES / LIMIT as the command allows them.
    static func algebra(_ s: Server, _ c: Client, _ a: Args, _ name: String, numkeysAt: Int, dst: UnsafeRawBufferPointer?,
                        _ op: Algebra, cardinalityOnly: Bool = false) {
        guard let numkeys = a.int(numkeysAt) else { c.notInteger(); return }
        if numkeys < 1 {
            c.error("ERR at least 1 input key is needed for '\(name)' command")
            return
        }
        guard numkeys <= Int64(a.count - numkeysAt - 1) else { c.syntaxError(); return }
        let n = Int(numkeys)
        var sources: [Source] = []
        sources.reserveCapacity(n)
        for k in (numkeysAt + 1)...(numkeysAt + n) {
            var src = Source()
            let found = dst != nil ? s.lookupWrite(c.db, a[k]) : s.lookupRead(c.db, a[k])
            if let e = found {
                switch e.value {
                case .zset(let z): src.zset = z
                case .set(let st): src.set = st
                default: c.wrongType(); return
                }
            }
            sources.append(src)
        }
        var how = Aggregate.sum
        var withScores = false
        var limit = Int.max
        var j = numkeysAt + n + 1
        while j < a.count {
            let remaining = a.count - j
            if op != .diff && !cardinalityOnly && remaining >= n + 1 && a.is(j, "WEIGHTS") {
                for i in 0..<n {
                    guard let w = parseScore(a[j + 1 + i]) else { c.error("ERR weight value is not a float"); return }
                    sources[i].weight = w
                }
                j += n + 1
            } else if op != .diff && !cardinalityOnly && remaining >= 2 && a.is(j, "AGGREGATE") {
                if a.is(j + 1, "SUM") { how = .sum } else if a.is(j + 1, "MIN") { how = .min }
                else if a.is(j + 1, "MAX") { how = .max } else { c.syntaxError(); return }
                j += 2
            } else if dst == nil && !cardinalityOnly && a.is(j, "WITHSCORES") {
                withScores = true
                j += 1
            } else if cardinalityOnly && remaining >= 2 && a.is(j, "LIMIT") {
                guard let v = SetCommands.cardinalityLimit(c, a, j + 1) else { return }
                limit = v
                j += 2
            } else {
                c.syntaxError()
                return
            }
        }

        // Smallest inputs first, as Redis orders them (this also fixes the order in which a
        // SUM adds up floating-point scores). A difference keeps its first input first.
        if op != .diff {
            sources = sources.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }
                .map { $0.element }
        }

        if cardinalityOnly {
            var count = 0
            intersect(sources, how) { _, _ in
                count += 1
                return count < limit
            }
            c.int(count)
            return
        }

        var scores: [[UInt8]: Double] = [:]
        var order: [[UInt8]] = []
        switch op {
        case .union:
            for src in sources {
                src.forEach { m, sc in
                    let key = Array(m)
                    let v = weighted(sc, src.weight)
                    if let cur = scores[key] {
                        scores[key] = aggregate(cur, v, how)
                    } else {
                        scores[key] = v
                        order.append(key)
                    }
                }
            }
        case .inter:
            intersect(sources, how) { m, sc in
                let key = Array(m)
                scores[key] = sc
                order.append(key)
                return true
            }
        case .diff:
            let others = sources.dropFirst()
            sources[0].forEach { m, sc in
                if others.contains(where: { $0.score(m) != nil }) { return }
                let key = Array(m)
                scores[key] = sc
                order.append(key)
            }
        }

        let maxLength = order.reduce(0) { max($0, $1.count) }
        // Built as a skiplist, as Redis does: a reply shows its scores exactly (-0 stays -0);
        // a stored result is packed again when small.
        let result = ZSetValue(sizeHint: Int.max, maxLength: maxLength)
        for m in order { m.withUnsafeBytes { result.insert($0, score: scores[m]!) } }
        if let d = dst {
            let event: StaticString = op == .union ? "zunionstore" : op == .inter ? "zinterstore" : "zdiffstore"
            storeResult(s, c, d, result, event: event)
            return
        }
        replyLength(c, result.count, withScores: withScores)
        result.forEach { m, sc in replyElement(c, m, sc, withScores: withScores) }
    }

    /// Walks the first (smallest) input and keeps the members every other input has, with
    /// their aggregated weighted scores, until `body` returns false.
    static func intersect(_ sources: [Source], _ how: Aggregate,
                          _ body: (UnsafeRawBufferPointer, Double) -> Bool) {
        guard let first = sources.first, first.count > 0 else { return }
        let rest = sources.dropFirst()
        if rest.contains(where: { $0.count == 0 }) { return }
        var going = true
        first.forEach { m, sc in
            guard going else { return }
            var score = weighted(sc, first.weight)
            // Only the first input's product is cleared of NaN; a later NaN makes a SUM 0 (in
            // aggregate) and loses against any score under MIN and MAX, as in Redis.
            for other in rest {
                guard let o = other.score(m) else { return }
                score = aggregate(score, o * other.weight, how)
            }
            going = body(m, score)
        }
    }
}
