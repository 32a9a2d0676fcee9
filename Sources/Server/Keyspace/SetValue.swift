import Glibc

/// One member of a hashtable-encoded set: a malloc'd block holding only the chain link and
/// the member bytes, so a big set costs a link, a short length and the bytes per member
/// (a keyspace `Entry` would add 48 bytes of value, TTL and LRU fields no member needs).
///
/// Layout: `0 next`, `8 length byte` (0...254, or 255 followed by an 8-byte length at 9),
/// then the bytes. Valid from `make` until `free`; the set's table owns it.
struct Member: ChainedEntry {
    let raw: UnsafeMutableRawPointer

    @inline(__always) init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    static func make(_ bytes: UnsafeRawBufferPointer) -> Member {
        let long = bytes.count >= 255
        let header = long ? 17 : 9
        let p = malloc(header + max(bytes.count, 1))!
        p.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
        if long {
            p.storeBytes(of: 255, toByteOffset: 8, as: UInt8.self)
            p.storeBytes(of: UInt64(bytes.count), toByteOffset: 9, as: UInt64.self)
        } else {
            p.storeBytes(of: UInt8(bytes.count), toByteOffset: 8, as: UInt8.self)
        }
        if bytes.count > 0 { (p + header).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        return Member(p)
    }

    var key: UnsafeRawBufferPointer {
        @inline(__always) get {
            let short = raw.load(fromByteOffset: 8, as: UInt8.self)
            if short < 255 { return UnsafeRawBufferPointer(start: raw + 9, count: Int(short)) }
            let n = raw.loadUnaligned(fromByteOffset: 9, as: UInt64.self)
            return UnsafeRawBufferPointer(start: raw + 17, count: Int(n))
        }
    }

    @inline(__always)
    func keyEquals(_ other: UnsafeRawBufferPointer) -> Bool {
        let k = key
        guard k.count == other.count else { return false }
        return k.count == 0 || memcmp(k.baseAddress!, other.baseAddress!, k.count) == 0
    }

    func free() { Glibc.free(raw) }
}

/// Redis's intset: the members of a small all-integer set, sorted, each stored in the
/// narrowest of 2, 4 or 8 bytes that fits every member (the width grows, never shrinks).
/// Lookups are binary searches; the layout is the one RDB stores.
struct IntSet {
    private(set) var bytes: [UInt8] = []
    private(set) var width = 2

    var count: Int { bytes.count / width }

    static func width(for v: Int64) -> Int {
        if v >= Int64(Int16.min) && v <= Int64(Int16.max) { return 2 }
        if v >= Int64(Int32.min) && v <= Int64(Int32.max) { return 4 }
        return 8
    }

    @inline(__always)
    func value(at i: Int) -> Int64 {
        bytes.withUnsafeBytes { p in
            switch width {
            case 2: return Int64(p.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))
            case 4: return Int64(p.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))
            default: return p.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)
            }
        }
    }

    /// Whether `v` is present, and the index where it is or would go.
    func search(_ v: Int64) -> (found: Bool, index: Int) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = value(at: mid)
            if m == v { return (true, mid) }
            if m < v { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }

    func contains(_ v: Int64) -> Bool { search(v).found }

    private static func encode(_ v: Int64, width: Int) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0.prefix(width)) }
    }

    /// Adds `v`; returns false when it was already there.
    mutating func insert(_ v: Int64) -> Bool {
        let w = IntSet.width(for: v)
        if w > width {
            // Re-encode every member wider; `v` is then the smallest or largest of all.
            var wider: [UInt8] = []
            wider.reserveCapacity((count + 1) * w)
            if v < 0 { wider += IntSet.encode(v, width: w) }
            for i in 0..<count { wider += IntSet.encode(value(at: i), width: w) }
            if v >= 0 { wider += IntSet.encode(v, width: w) }
            bytes = wider
            width = w
            return true
        }
        let (found, i) = search(v)
        if found { return false }
        bytes.insert(contentsOf: IntSet.encode(v, width: width), at: i * width)
        return true
    }

    /// Removes `v`; returns whether it was there.
    mutating func remove(_ v: Int64) -> Bool {
        guard IntSet.width(for: v) <= width else { return false }
        let (found, i) = search(v)
        if !found { return false }
        bytes.removeSubrange(i * width ..< (i + 1) * width)
        return true
    }

    mutating func remove(at i: Int) {
        bytes.removeSubrange(i * width ..< (i + 1) * width)
    }
}

/// A set value with Redis 7.0's encodings: "intset" while every member is an integer and
/// there are at most `set-max-intset-entries` of them, else "hashtable" (a `HashTable` of
/// `Member` blocks). A set never converts back, as in Redis.
///
/// Reference type shared copy-on-write: writers go through `Database.mutateSet`.
public final class SetValue {
    enum Storage {
        case ints(IntSet)
        case table(HashTable<Member>)
    }
    private(set) var storage: Storage

    nonisolated(unsafe) static var maxIntsetEntries = 512

    /// An empty set in the encoding Redis would pick for a set whose first member is `first`
    /// (intset when it is an integer).
    init(first: UnsafeRawBufferPointer) {
        storage = SetValue.integer(first) != nil ? .ints(IntSet()) : .table(HashTable())
    }

    /// An empty intset-encoded set (the start of SINTERSTORE & co., as in Redis).
    init() { storage = .ints(IntSet()) }

    func copy() -> SetValue {
        let s = SetValue()
        switch storage {
        case .ints(let i): s.storage = .ints(i)
        case .table(let t):
            let d = HashTable<Member>()
            d.resize(to: t.count)
            t.forEach { m in d.insert(Member.make(m.key)) }
            s.storage = .table(d)
        }
        return s
    }

    var count: Int {
        switch storage {
        case .ints(let i): return i.count
        case .table(let t): return t.count
        }
    }

    var encodingName: StaticString {
        if case .ints = storage { return "intset" }
        return "hashtable"
    }

    /// The integer an intset would store for these bytes: Redis's string2ll rules (canonical
    /// decimal, no leading zeros or plus sign, at most 20 characters).
    @inline(__always)
    static func integer(_ p: UnsafeRawBufferPointer) -> Int64? {
        p.count <= 20 ? parseStrictInt64(p) : nil
    }

    // MARK: - Reads

    func contains(_ m: UnsafeRawBufferPointer) -> Bool {
        switch storage {
        case .ints(let i):
            guard let v = SetValue.integer(m) else { return false }
            return i.contains(v)
        case .table(let t):
            return t.find(m) != nil
        }
    }

    /// A member handed to a reply or another set: an intset integer or a table member's bytes.
    enum Element {
        case int(Int64)
        case member(Member)

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            switch self {
            case .int(let v): return Value.int(v).withBytes(body)
            case .member(let m): return body(m.key)
            }
        }

        var bytes: [UInt8] { withBytes { Array($0) } }
    }

    /// Calls `body` for every member: ascending for an intset, table order otherwise. The
    /// body must not change the set.
    func forEach(_ body: (Element) -> Void) {
        switch storage {
        case .ints(let i):
            for k in 0..<i.count { body(.int(i.value(at: k))) }
        case .table(let t):
            t.forEach { body(.member($0)) }
        }
    }

    /// A uniformly random member (a random index of an intset; a random bucket then chain
    /// position of a table, as Redis's dictGetFairRandomKey approximates).
    func randomElement() -> Element? {
        switch storage {
        case .ints(let i):
            guard i.count > 0 else { return nil }
            return .int(i.value(at: FastRandom.below(i.count)))
        case .table(let t):
            return t.randomEntry().map { .member($0) }
        }
    }

    /// One step of SSCAN over a table (an intset is returned whole by the caller).
    func scanTable(_ cursor: UInt64, _ body: (Member) -> Void) -> UInt64 {
        guard case .table(let t) = storage else { return 0 }
        return t.scan(cursor, body)
    }

    // MARK: - Writes

    /// Adds a member; returns false when it was already there.
    @discardableResult
    func add(_ m: UnsafeRawBufferPointer) -> Bool {
        switch storage {
        case .ints(var i):
            if let v = SetValue.integer(m) {
                storage = .table(HashTable())   // keep `i` uniquely referenced while editing
                let added = i.insert(v)
                storage = .ints(i)
                if added && i.count > SetValue.maxIntsetEntries { convertToTable() }
                return added
            }
            convertToTable()
            return add(m)
        case .table(let t):
            let h = t.hash(m)
            if t.find(m, hash: h) != nil { return false }
            t.insert(Member.make(m), hash: h)
            return true
        }
    }

    /// Removes a member; returns whether it was there. A table shrinks when it gets sparse,
    /// so random picks (SPOP, SRANDMEMBER) stay cheap as a set drains.
    @discardableResult
    func remove(_ m: UnsafeRawBufferPointer) -> Bool {
        switch storage {
        case .ints(var i):
            guard let v = SetValue.integer(m) else { return false }
            storage = .table(HashTable())
            let removed = i.remove(v)
            storage = .ints(i)
            return removed
        case .table(let t):
            guard let e = t.unlink(m) else { return false }
            e.free()
            t.shrinkIfSparse()
            return true
        }
    }

    /// Removes a random member, handing its bytes to `body` first (no copy); false when the
    /// set is empty.
    @discardableResult
    func popRandom(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        switch storage {
        case .ints(var i):
            guard i.count > 0 else { return false }
            storage = .table(HashTable())
            let k = FastRandom.below(i.count)
            Value.int(i.value(at: k)).withBytes(body)
            i.remove(at: k)
            storage = .ints(i)
            return true
        case .table(let t):
            guard let m = t.randomEntry() else { return false }
            body(m.key)
            // The key bytes live in the block until it is freed.
            t.unlink(m.key)
            m.free()
            t.shrinkIfSparse()
            return true
        }
    }

    private func convertToTable() {
        guard case .ints(let i) = storage else { return }
        let t = HashTable<Member>()
        t.resize(to: i.count + 1)
        for k in 0..<i.count {
            Value.int(i.value(at: k)).withBytes { t.insert(Member.make($0)) }
        }
        storage = .table(t)
    }
}

extension SetValue: CopyOnWriteValue {
    static func extract(_ v: Value) -> SetValue? {
        if case .set(let s) = v { return s }
        return nil
    }
    var wrapped: Value { .set(self) }
}
