/// Writing values in Redis 7.0's RDB encodings: strings; lists as quicklist-2 of listpacks;
/// hashes and sorted sets as one listpack while small, else as plain field/value and
/// member/binary-score sequences; sets as an intset blob while all-integer, else as members.
///
/// These functions only read the value, and never through anything that moves a hash table's
/// buckets, so the snapshot writer may run them on its own thread while the main thread keeps
/// serving reads of the same (captured, copy-on-write) value.
extension RDBEncoder {
    /// The RDB type byte for `v`'s current encoding.
    static func type(of v: Value) -> UInt8 {
        switch v {
        case .int, .small, .string: return RDB.typeString
        case .list: return RDB.typeListQuicklist2
        case .hash(let h):
            if case .packed = h.storage { return RDB.typeHashListpack }
            return RDB.typeHash
        case .set(let s):
            if case .ints = s.storage { return RDB.typeSetIntset }
            return RDB.typeSet
        case .zset(let z):
            if case .packed = z.storage { return RDB.typeZSetListpack }
            return RDB.typeZSet2
        }
    }

    /// The value's body in the encoding `type(of:)` names.
    mutating func value(_ v: Value) {
        switch v {
        case .int(let n):
            integerString(n)
        case .small(let s):
            s.withBytes { string($0) }
        case .string(let b, _):
            string(b)
        case .list(let l):
            length(l.nodes.count)
            for node in l.nodes {
                length(RDB.containerPacked)
                string(RDBEncoder.listpack(of: node))
            }
        case .hash(let h):
            switch h.storage {
            case .packed(let p):
                string(RDBEncoder.listpack(of: p))
            case .table(let d):
                length(d.count)
                d.forEachFrozen { e in
                    string(e.key)
                    e.value.withBytes { string($0) }
                }
            }
        case .set(let s):
            switch s.storage {
            case .ints(let i):
                var blob: [UInt8] = []
                blob.reserveCapacity(8 + i.bytes.count)
                withUnsafeBytes(of: UInt32(i.width).littleEndian) { blob.append(contentsOf: $0) }
                withUnsafeBytes(of: UInt32(i.count).littleEndian) { blob.append(contentsOf: $0) }
                blob.append(contentsOf: i.bytes)
                string(blob)
            case .table(let t):
                length(t.count)
                t.forEachFrozen { m in string(m.key) }
            }
        case .zset(let z):
            switch z.storage {
            case .packed(let p):
                string(RDBEncoder.listpack(of: p))
            case .skiplist(let sl):
                // From the tail, as Redis writes it: a loader inserting each member at the
                // head of its list then never walks.
                length(sl.length)
                var n = sl.tail
                while let node = n {
                    string(node.key)
                    binaryDouble(node.score)
                    n = node.backward
                }
            }
        }
    }

    /// Redis's listpack bytes for the elements of one of Redwing's packed runs.
    static func listpack(of p: PackedList) -> [UInt8] {
        var b = ListpackBuilder()
        var off = 0
        while off < p.bytes.count {
            switch p.element(at: off) {
            case .int(let v): b.append(int: v)
            case .string(let s): s.withUnsafeBytes { b.append($0) }
            }
            off += p.fullSize(at: off)
        }
        return b.finish()
    }
}
