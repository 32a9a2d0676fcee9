/// What a snapshot's writer thread feeds the captured keys to: an RDB stream, or (with
/// `aof-use-rdb-preamble no`) the commands that rebuild the dataset.
protocol SnapshotEncoder {
    mutating func selectDB(_ id: Int, keys: Int, expires: Int) throws
    mutating func entry(key: UnsafeRawBufferPointer, value: Value, expireAt: Int64) throws
    mutating func finish() throws
}

extension RDBWriter: SnapshotEncoder {}

/// An AOF base in RESP: per key the command that creates it (collections in commands of at
/// most 64 elements, as Redis's rewrite writes them) and PEXPIREAT for a TTL.
///
/// Like `RDBEncoder.value`, it reads captured values without changing anything in them, so it
/// runs on the writer thread.
struct RESPDatasetWriter: SnapshotEncoder {
    private var out: [UInt8] = []
    private let sink: ([UInt8]) throws -> Void
    static let itemsPerCommand = 64

    init(sink: @escaping ([UInt8]) throws -> Void) { self.sink = sink }

    mutating func selectDB(_ id: Int, keys: Int, expires: Int) throws {
        ChangeStream.encode([word("SELECT"), number(Int64(id))], into: &out)
    }

    mutating func entry(key: UnsafeRawBufferPointer, value: Value, expireAt: Int64) throws {
        let k = Array(key.bindMemory(to: UInt8.self))
        switch value {
        case .int, .small, .string:
            ChangeStream.encode([word("SET"), k, value.bytes], into: &out)
        case .list(let l):
            var items: [[UInt8]] = []
            for node in l.nodes {
                var off = 0
                while off < node.bytes.count {
                    items.append(node.element(at: off).array)
                    off += node.fullSize(at: off)
                }
            }
            emit(word("RPUSH"), k, items, per: 1)
        case .hash(let h):
            var items: [[UInt8]] = []
            switch h.storage {
            case .packed(let p):
                var off = 0
                while off < p.bytes.count {
                    items.append(p.element(at: off).array)
                    off += p.fullSize(at: off)
                }
            case .table(let d):
                d.forEachFrozen { e in
                    items.append(Array(e.key.bindMemory(to: UInt8.self)))
                    items.append(e.value.bytes)
                }
            }
            emit(word("HMSET"), k, items, per: 2)
        case .set(let s):
            var items: [[UInt8]] = []
            switch s.storage {
            case .ints(let i): for n in 0..<i.count { items.append(number(i.value(at: n))) }
            case .table(let t): t.forEachFrozen { m in items.append(Array(m.key.bindMemory(to: UInt8.self))) }
            }
            emit(word("SADD"), k, items, per: 1)
        case .zset(let z):
            var items: [[UInt8]] = []
            switch z.storage {
            case .packed(let p):
                // Pairs are member then score; ZADD wants score then member.
                var off = 0
                while off < p.bytes.count {
                    let member = p.element(at: off).array
                    off += p.fullSize(at: off)
                    items.append(p.element(at: off).array)
                    items.append(member)
                    off += p.fullSize(at: off)
                }
            case .skiplist(let sl):
                var n = sl.first
                while let node = n {
                    items.append(formatDouble(node.score))
                    items.append(Array(node.key.bindMemory(to: UInt8.self)))
                    n = node.forward(0)
                }
            }
            emit(word("ZADD"), k, items, per: 2)
        }
        if expireAt >= 0 { ChangeStream.encode([word("PEXPIREAT"), k, number(expireAt)], into: &out) }
        if out.count >= 1 << 20 { try flush() }
    }

    /// `command key item...` in commands of at most `itemsPerCommand` elements (an element
    /// being `per` items: a field and its value, a score and its member).
    private mutating func emit(_ command: [UInt8], _ key: [UInt8], _ items: [[UInt8]], per: Int) {
        let step = RESPDatasetWriter.itemsPerCommand * per
        for start in stride(from: 0, to: items.count, by: step) {
            ChangeStream.encode([command, key] + items[start..<min(start + step, items.count)], into: &out)
        }
    }

    private mutating func flush() throws {
        if out.isEmpty { return }
        try sink(out)
        out.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws { try flush() }
}
