import Glibc

/// SORT and SORT_RO (Redis's sort.c): the elements of a list, set or sorted set, ordered as
/// numbers or as strings, by themselves or by weights found through a key pattern
/// (`BY weight_*`, `BY h_*->field`), cut by LIMIT, mapped through GET patterns, and replied or
/// stored as a list (STORE).
///
/// The order is Redis's to the tie: numeric sorts break equal scores by comparing the
/// elements byte-wise; ALPHA compares with `strcoll` (C strings, so up to a NUL byte) except
/// with STORE, where it compares bytes; a full sort is stable, as glibc's merge-sorting qsort
/// is; and a BY sort with a LIMIT that cuts the result runs Redis's partial quicksort
/// (`PartialQuickSort`), whose order for ties only that same algorithm reproduces.
enum SortCommands {
    static func sort(_ s: Server, _ c: Client, _ a: Args) { run(s, c, a, readOnly: false) }
    static func sortRO(_ s: Server, _ c: Client, _ a: Args) { run(s, c, a, readOnly: true) }

    // MARK: - Patterns

    /// A BY or GET pattern, read as Redis's lookupKeyByPattern reads it: with C string
    /// semantics where Redis uses C string functions (`#`, the `*` and the `->` are looked
    /// for before the first NUL byte), byte counts everywhere else.
    struct Pattern {
        enum Kind {
            /// `#`: the element itself.
            case element
            /// No `*`: names no key per element, so it finds nothing.
            case nothing
            /// The key is `prefix + element + suffix`; its string value, or with `->field`
            /// that field of its hash.
            case key(prefix: [UInt8], suffix: [UInt8], field: [UInt8]?)
        }
        let kind: Kind

        init(_ p: UnsafeRawBufferPointer) {
            let b = Array(p)
            if b.first == UInt8(ascii: "#") && (b.count == 1 || b[1] == 0) {
                kind = .element
                return
            }
            let cLength = b.firstIndex(of: 0) ?? b.count
            guard let star = b[..<cLength].firstIndex(of: UInt8(ascii: "*")) else {
                kind = .nothing
                return
            }
            // The first "->" after the star makes the rest a field name, unless nothing
            // (or a NUL) follows it; then the arrow is part of the key name.
            var field: [UInt8]? = nil
            var keyEnd = b.count
            var i = star + 1
            while i + 1 < cLength {
                if b[i] == UInt8(ascii: "-") && b[i + 1] == UInt8(ascii: ">") {
                    if i + 2 < b.count && b[i + 2] != 0 {
                        field = Array(b[(i + 2)...])
                        keyEnd = i
                    }
                    break
                }
                i += 1
            }
            kind = .key(prefix: Array(b[..<star]), suffix: Array(b[(star + 1)..<keyEnd]), field: field)
        }

        /// Whether a BY pattern sorts at all: one without a `*` (before any NUL byte) means
        /// "do not sort" (`BY nosort`).
        static func sorts(_ p: UnsafeRawBufferPointer) -> Bool {
            p.prefix { $0 != 0 }.contains(UInt8(ascii: "*"))
        }
    }

    /// What `pattern` finds for `element`: nil when the key is missing or of the wrong type
    /// (a string, or a hash with `->field`) or the field is missing. Lookups count as reads
    /// (hits, misses, lazy expiry), as in Redis.
    static func lookup(_ s: Server, _ c: Client, _ pattern: Pattern, _ element: [UInt8]) -> [UInt8]? {
        switch pattern.kind {
        case .element:
            return element
        case .nothing:
            return nil
        case .key(let prefix, let suffix, let field):
            let key = prefix + element + suffix
            guard let e = key.withUnsafeBytes({ s.lookupRead(c.db, $0) }) else { return nil }
            let value = e.value
            if let f = field {
                guard case .hash(let h) = value else { return nil }
                return f.withUnsafeBytes { h.get($0) }.map { v in v.withBytes { Array($0) } }
            }
            return value.isString ? value.bytes : nil
        }
    }

    // MARK: - Options

    struct Options {
        var desc = false
        var alpha = false
        var limitStart: Int64 = 0
        var limitCount: Int64 = -1
        var by: Pattern? = nil
        /// Set by any BY without a `*`, and never cleared by a later BY, as in Redis.
        var dontSort = false
        var gets: [Pattern] = []
        var store: UnsafeRawBufferPointer? = nil

        /// Parses the options after the key, replying with the error for the first bad one.
        /// SORT_RO does not know STORE (a syntax error).
        init?(_ c: Client, _ a: Args, readOnly: Bool) {
            var j = 2
            while j < a.count {
                let left = a.count - j - 1
                let arg = a[j]
                if SortCommands.isWord(arg, "asc") {
                    desc = false
                } else if SortCommands.isWord(arg, "desc") {
                    desc = true
                } else if SortCommands.isWord(arg, "alpha") {
                    alpha = true
                } else if SortCommands.isWord(arg, "limit") && left >= 2 {
                    guard let start = a.int(j + 1), let count = a.int(j + 2) else {
                        c.notInteger()
                        return nil
                    }
                    limitStart = start
                    limitCount = count
                    j += 2
                } else if !readOnly && SortCommands.isWord(arg, "store") && left >= 1 {
                    store = a[j + 1]
                    j += 1
                } else if SortCommands.isWord(arg, "by") && left >= 1 {
                    by = Pattern(a[j + 1])
                    if !Pattern.sorts(a[j + 1]) { dontSort = true }
                    j += 1
                } else if SortCommands.isWord(arg, "get") && left >= 1 {
                    gets.append(Pattern(a[j + 1]))
                    j += 1
                } else {
                    c.syntaxError()
                    return nil
                }
                j += 1
            }
        }
    }

    /// Whether `p` is the option `word` as Redis's strcasecmp sees it: case-insensitive, and
    /// ending at the first NUL byte ("ASC\0junk" is ASC).
    static func isWord(_ p: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        let length = p.firstIndex(of: 0) ?? p.count
        guard length == n else { return false }
        let w = word.utf8Start
        for k in 0..<n {
            var x = p[k], y = w[k]
            if x >= 65 && x <= 90 { x |= 0x20 }
            if y >= 65 && y <= 90 { y |= 0x20 }
            if x != y { return false }
        }
        return true
    }

    // MARK: - Ordering

    /// One element of the sorting vector, with what it is compared by.
    struct Item {
        let element: [UInt8]
        /// Numeric sorts: the weight (0 when a BY key is missing).
        var score: Double = 0
        /// ALPHA sorts: the compared string (the BY value, or the element when collating),
        /// as C sees it (cut at the first NUL, NUL-terminated) when collating; nil when a
        /// BY key is missing.
        var key: [UInt8]? = nil

        init(_ element: [UInt8]) { self.element = element }
    }

    /// Redis's sortCompare.
    struct Order {
        enum Mode {
            /// By score, ties by the elements' bytes.
            case numeric
            /// ALPHA with STORE: bytes (memcmp, then length).
            case bytes
            /// ALPHA: strcoll.
            case collate
        }
        let mode: Mode
        let byPattern: Bool
        let desc: Bool

        func compare(_ a: Item, _ b: Item) -> Int {
            var r: Int
            switch mode {
            case .numeric:
                r = a.score > b.score ? 1 : a.score < b.score ? -1 : Order.bytes(a.element, b.element)
            case .bytes, .collate:
                if byPattern {
                    // A missing BY value sorts first.
                    switch (a.key, b.key) {
                    case (nil, nil): r = 0
                    case (nil, _): r = -1
                    case (_, nil): r = 1
                    case let (x?, y?): r = mode == .bytes ? Order.bytes(x, y) : Order.collate(x, y)
                    }
                } else {
                    r = mode == .bytes ? Order.bytes(a.element, b.element) : Order.collate(a.key!, b.key!)
                }
            }
            return desc ? -r : r
        }

        /// Redis's compareStringObjects: memcmp over the common length, then the shorter first.
        static func bytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
            let n = min(a.count, b.count)
            if n > 0 {
                let r = memcmp(a, b, n)
                if r != 0 { return Int(r) }
            }
            return a.count - b.count
        }

        /// strcoll of two NUL-terminated strings (the locale is set at start-up, as Redis does).
        static func collate(_ a: [UInt8], _ b: [UInt8]) -> Int {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    pa.withMemoryRebound(to: CChar.self) { ca in
                        pb.withMemoryRebound(to: CChar.self) { cb in
                            Int(strcoll(ca.baseAddress!, cb.baseAddress!))
                        }
                    }
                }
            }
        }
    }

    /// `p` as C sees it: up to the first NUL byte, NUL-terminated.
    static func cString(_ p: [UInt8]) -> [UInt8] {
        var out = Array(p.prefix { $0 != 0 })
        out.append(0)
        return out
    }

    /// A weight as SORT reads it: strtod over the C string, which must take all of it, with
    /// no overflow or underflow (ERANGE) and no NaN. An empty string is 0, leading blanks are
    /// skipped, hex and "inf" are numbers: all as in Redis.
    static func score(_ b: [UInt8]) -> Double? {
        if b.count <= 20, let v = b.withUnsafeBytes({ parseStrictInt64($0) }) { return Double(v) }
        let text = cString(b)
        return text.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { cs -> Double? in
                var end: UnsafeMutablePointer<CChar>? = nil
                errno = 0
                let v = strtod(cs.baseAddress!, &end)
                guard let e = end, e.pointee == 0, errno != ERANGE, !v.isNaN else { return nil }
                return v
            }
        }
    }

    // MARK: - The command

    static func run(_ s: Server, _ c: Client, _ a: Args, readOnly: Bool) {
        guard var o = Options(c, a, readOnly: readOnly) else { return }

        let entry = s.lookupRead(c.db, a[1])
        var value = entry?.value
        switch value {
        case nil, .list?, .set?, .zset?: break
        default:
            c.wrongType()
            return
        }
        // An unsorted set is stored sorted (ALPHA), so that what a replica or the AOF
        // replays is the same list. (Redis also does it inside scripts: add that with them.)
        if o.dontSort, case .set? = value, o.store != nil {
            o.dontSort = false
            o.alpha = true
            o.by = nil
        }
        // Redis converts a listpack sorted set to a skiplist before sorting it (even for
        // SORT_RO); OBJECT ENCODING shows it, so do the same.
        if let e = entry, case .zset(let z) = e.value, case .packed = z.storage {
            c.db.mutateZSet(e) { $0.convertToSkiplist() }
            value = e.value
        }

        // LIMIT, clamped as Redis clamps it.
        let total: Int
        switch value {
        case .list(let l)?: total = l.count
        case .set(let set)?: total = set.count
        case .zset(let z)?: total = z.count
        default: total = 0
        }
        var start = Int(min(max(o.limitStart, 0), Int64(total)))
        let count = Int(min(max(o.limitCount, -1), Int64(total)))
        var end = count < 0 ? total - 1 : start + count - 1
        if start >= total {
            start = total - 1
            end = total - 2
        }
        if end >= total { end = total - 1 }

        var items = load(value, o, start: &start, end: &end)

        var unconvertible = false
        if !o.dontSort {
            let collate = o.alpha && o.store == nil
            for i in items.indices {
                let weight: [UInt8]
                if let by = o.by {
                    guard let w = lookup(s, c, by, items[i].element) else { continue }
                    weight = w
                } else {
                    weight = items[i].element
                }
                if o.alpha {
                    if o.by != nil || collate { items[i].key = collate ? cString(weight) : weight }
                } else if let v = score(weight) {
                    items[i].score = v
                } else {
                    unconvertible = true
                }
            }
            if !unconvertible {
                let order = Order(mode: !o.alpha ? .numeric : collate ? .collate : .bytes,
                                  byPattern: o.by != nil, desc: o.desc)
                if o.by != nil && (start != 0 || end != items.count - 1) {
                    PartialQuickSort.sort(&items, keeping: start, end, by: order.compare)
                } else {
                    items.sort { order.compare($0, $1) < 0 }
                }
            }
        }

        let outputs = (end - start + 1) * (o.gets.isEmpty ? 1 : o.gets.count)
        if unconvertible {
            c.error("ERR One or more scores can't be converted into double")
            return
        }
        guard let dst = o.store else {
            c.array(outputs)
            guard end >= start else { return }
            for item in items[start...end] {
                if o.gets.isEmpty { c.bulk(item.element) }
                for g in o.gets {
                    if let v = lookup(s, c, g, item.element) { c.bulk(v) } else { c.null() }
                }
            }
            return
        }
        let list = ListValue()
        if end >= start {
            for item in items[start...end] {
                if o.gets.isEmpty { item.element.withUnsafeBytes { list.pushTail($0) } }
                for g in o.gets {
                    (lookup(s, c, g, item.element) ?? []).withUnsafeBytes { list.pushTail($0) }
                }
            }
        }
        s.storeResult(c, dst, .list(list), count: outputs, .list, "sortstore", changes: Int64(outputs))
    }

    /// The sorting vector, loaded as Redis loads it. When nothing is sorted (BY without a
    /// `*`), a list or sorted set gives only the LIMIT window, in its own order or reversed
    /// for DESC, and `start`/`end` are moved onto that window; a set gives all its members in
    /// iteration order, and DESC does nothing. Otherwise every element, in the value's order;
    /// for a sorted set that is rank order, where Redis walks its hash table (which shows only
    /// in the order of ALPHA ... BY ties, and cannot be reproduced).
    static func load(_ value: Value?, _ o: Options, start: inout Int, end: inout Int) -> [Item] {
        var items: [Item] = []
        switch value {
        case .list(let l)?:
            if !o.dontSort {
                items.reserveCapacity(l.count)
                l.forEach(from: 0, through: l.count - 1) { items.append(Item($0.array)) }
            } else if end >= start {
                let n = l.count
                let (from, to) = o.desc ? (n - 1 - end, n - 1 - start) : (start, end)
                l.forEach(from: from, through: to) { items.append(Item($0.array)) }
                if o.desc { items.reverse() }
                end -= start
                start = 0
            }
        case .set(let set)?:
            items.reserveCapacity(set.count)
            set.forEach { items.append(Item($0.bytes)) }
        case .zset(let z)?:
            if !o.dontSort {
                items.reserveCapacity(z.count)
                z.forEach { m, _ in items.append(Item(Array(m))) }
            } else {
                if end >= start {
                    let n = z.count
                    let ranks = o.desc ? (n - 1 - end)..<(n - start) : start..<(end + 1)
                    z.forEach(ranks: ranks, reverse: o.desc) { m, _ in items.append(Item(Array(m))) }
                }
                end -= start
                start = 0
            }
        default:
            break
        }
        return items
    }
}
