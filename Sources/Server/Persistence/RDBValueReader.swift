/// Reading values of every RDB type Redis has written since version 6 (Redis 3.2) into
/// Redwing's structures. Collections are built through their normal insert paths, so they end
/// in the encodings Redwing would pick for them now (as Redis converts after loading), and
/// duplicates are caught the way Redis catches them.
extension RDBReader {
    mutating func value(type: UInt8) throws -> Value {
        switch type {
        case RDB.typeString:
            return try stringValue()
        case RDB.typeList:
            let l = ListValue()
            for _ in 0..<(try count()) { try string { l.pushTail($0) } }
            return try nonEmpty(.list(l))
        case RDB.typeListZiplist:
            let l = ListValue()
            try blob { try Ziplist.decode($0) { e in e.withBytes { l.pushTail($0) } } }
            return try nonEmpty(.list(l))
        case RDB.typeListQuicklist, RDB.typeListQuicklist2:
            let l = ListValue()
            for _ in 0..<(try count()) {
                var container = RDB.containerPacked
                if type == RDB.typeListQuicklist2 {
                    container = try length()
                    guard container == RDB.containerPacked || container == RDB.containerPlain else {
                        throw fail("Quicklist integrity check failed: unknown container \(container)")
                    }
                }
                if container == RDB.containerPlain {
                    try string { l.pushTail($0) }
                } else if type == RDB.typeListQuicklist {
                    try blob { try Ziplist.decode($0) { e in e.withBytes { l.pushTail($0) } } }
                } else {
                    try blob { try Listpack.decode($0) { e in e.withBytes { l.pushTail($0) } } }
                }
            }
            return try nonEmpty(.list(l))
        case RDB.typeSet:
            let s = SetValue()
            for _ in 0..<(try count()) {
                let added = try string { s.add($0) }
                if !added { throw fail("Duplicate set members detected") }
            }
            return try nonEmpty(.set(s))
        case RDB.typeSetIntset:
            let s = SetValue()
            try blob { try IntSetBlob.decode($0) { v in _ = Value.int(v).withBytes { s.add($0) } } }
            return try nonEmpty(.set(s))
        case RDB.typeZSet, RDB.typeZSet2:
            let n = try count()
            let z = ZSetValue(sizeHint: n)
            for _ in 0..<n {
                let member = try stringBytes()
                let score = type == RDB.typeZSet2 ? try binaryDouble() : try textDouble()
                if score.isNaN { throw fail("Zset with NAN score detected") }
                try member.withUnsafeBytes { m in
                    if z.score(m) != nil { throw fail("Duplicate zset fields detected") }
                    z.insert(m, score: score)
                }
            }
            z.convertToPackedIfSmall()
            return try nonEmpty(.zset(z))
        case RDB.typeZSetZiplist, RDB.typeZSetListpack:
            var pairs: [([UInt8], Double)] = []
            var member: [UInt8]? = nil
            let visit: (PackedElement) throws -> Void = { e in
                if let m = member {
                    let score: Double
                    switch e {
                    case .int(let v): score = Double(v)
                    case .bytes(let b):
                        guard let d = b.withUnsafeBytes({ parseDouble($0) }), !d.isNaN else {
                            throw RDBError(message: "Zset listpack integrity check failed: bad score", offset: 0)
                        }
                        score = d
                    }
                    pairs.append((m, score))
                    member = nil
                } else {
                    member = e.bytes
                }
            }
            try blob { b in
                if type == RDB.typeZSetZiplist { try Ziplist.decode(b, visit) } else { try Listpack.decode(b, visit) }
            }
            if member != nil { throw fail("Zset listpack integrity check failed: odd number of elements") }
            // Packed whatever the members' lengths, as Redis keeps the blob (see
            // insertFromPackedBlob).
            let z = ZSetValue(sizeHint: pairs.count)
            for (m, s) in pairs {
                try m.withUnsafeBytes { mb in
                    if z.score(mb) != nil { throw fail("Duplicate zset fields detected") }
                    z.insertFromPackedBlob(mb, score: s)
                }
            }
            return try nonEmpty(.zset(z))
        case RDB.typeHash:
            let h = HashValue()
            for _ in 0..<(try count(minBytes: 2)) {
                let field = try stringBytes()
                let isNew = try string { v in field.withUnsafeBytes { h.set($0, v) } }
                if !isNew { throw fail("Duplicate hash fields detected") }
            }
            return try nonEmpty(.hash(h))
        case RDB.typeHashZipmap, RDB.typeHashZiplist, RDB.typeHashListpack:
            let h = HashValue()
            var field: [UInt8]? = nil
            var duplicate = false
            // A zipmap converts on a long field or value; listpacks and ziplists stay packed
            // whatever their lengths, as in Redis.
            let set = type == RDB.typeHashZipmap ? h.set : h.setFromPackedBlob
            let visit: (PackedElement) throws -> Void = { e in
                if let f = field {
                    let isNew = e.withBytes { v in f.withUnsafeBytes { set($0, v) } }
                    if !isNew { duplicate = true }
                    field = nil
                } else {
                    field = e.bytes
                }
            }
            try blob { b in
                switch type {
                case RDB.typeHashZipmap: try Zipmap.decode(b, visit)
                case RDB.typeHashZiplist: try Ziplist.decode(b, visit)
                default: try Listpack.decode(b, visit)
                }
            }
            if field != nil { throw fail("Hash listpack integrity check failed: odd number of elements") }
            if duplicate { throw fail("Duplicate hash fields detected") }
            return try nonEmpty(.hash(h))
        case RDB.typeModule, RDB.typeModule2:
            throw fail("The RDB file contains module data (type \(type)), which Redwing cannot load: it has no modules")
        case RDB.typeStreamListpacks, RDB.typeStreamListpacks2:
            throw fail("The RDB file contains a stream (type \(type)), which Redwing cannot load yet")
        default:
            throw fail("Unknown RDB encoding type \(type)")
        }
    }

    /// A string holding a packed blob, handed to a decoder whose format errors gain an offset.
    private mutating func blob(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let at = offset
        try string { b in
            do {
                try body(b)
            } catch let e as PackedFormatError {
                throw RDBError(message: "Integrity check failed: \(e.description)", offset: at)
            } catch let e as RDBError where e.offset == 0 {
                throw RDBError(message: e.message, offset: at)
            }
        }
    }

    /// An empty collection cannot exist in a keyspace: Redis skips such keys with a warning
    /// when loading a file, and RESTORE refuses them.
    private func nonEmpty(_ v: Value) throws -> Value {
        if v.freeEffort == 0 { throw RDBEmptyKey() }
        return v
    }
}

/// A key whose collection turned out empty (skipped, as Redis does).
struct RDBEmptyKey: Error {}

extension PackedElement {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .int(let v): return try Value.int(v).withBytes(body)
        case .bytes(let b): return try b.withUnsafeBytes(body)
        }
    }

    var bytes: [UInt8] { withBytes { Array($0) } }
}
