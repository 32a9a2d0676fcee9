import Glibc

/// One element of a large sorted set: a skiplist node that is at the same time the hash-table
/// entry of its member, so a member's bytes and score are stored once and a lookup by member
/// lands directly on the node (Redis keeps a separate dictEntry pointing into the node).
///
/// Layout (bytes):
/// ```
///  0  next       hash-chain link (HashTable)
///  8  score      Double
/// 16  backward   previous node at level 0, or nil for the first
/// 24  keyLen     UInt32
/// 28  level      UInt32 (1...32)
/// 32  level[i]   forward pointer (8) and span (8), for i in 0..<level
/// 32+16·level    member bytes
/// ```
/// Valid from `make` until `free`; the set's hash table owns the node, the skiplist only
/// links it.
struct ZNode: ChainedEntry, Equatable {
    let raw: UnsafeMutableRawPointer

    static let maxLevel = 32
    /// Members longer than this cannot be stored (the length field is 32 bits).
    static let maxMemberLength = Int(UInt32.max)

    @inline(__always) init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    static func make(level: Int, score: Double, member: UnsafeRawBufferPointer) -> ZNode {
        let p = malloc(32 + 16 * level + max(member.count, 1))!
        p.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
        p.storeBytes(of: score, toByteOffset: 8, as: Double.self)
        p.storeBytes(of: nil, toByteOffset: 16, as: UnsafeMutableRawPointer?.self)
        p.storeBytes(of: UInt32(member.count), toByteOffset: 24, as: UInt32.self)
        p.storeBytes(of: UInt32(level), toByteOffset: 28, as: UInt32.self)
        for i in 0..<level {
            p.storeBytes(of: nil, toByteOffset: 32 + 16 * i, as: UnsafeMutableRawPointer?.self)
            p.storeBytes(of: 0, toByteOffset: 40 + 16 * i, as: Int.self)
        }
        if member.count > 0 { (p + 32 + 16 * level).copyMemory(from: member.baseAddress!, byteCount: member.count) }
        return ZNode(p)
    }

    func free() { Glibc.free(raw) }

    var score: Double {
        @inline(__always) get { raw.load(fromByteOffset: 8, as: Double.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 8, as: Double.self) }
    }

    var backward: ZNode? {
        @inline(__always) get { raw.load(fromByteOffset: 16, as: UnsafeMutableRawPointer?.self).map(ZNode.init) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue?.raw, toByteOffset: 16, as: UnsafeMutableRawPointer?.self) }
    }

    var level: Int { Int(raw.load(fromByteOffset: 28, as: UInt32.self)) }

    @inline(__always)
    func forward(_ i: Int) -> ZNode? {
        raw.load(fromByteOffset: 32 + 16 * i, as: UnsafeMutableRawPointer?.self).map(ZNode.init)
    }

    @inline(__always)
    func setForward(_ i: Int, _ n: ZNode?) {
        raw.storeBytes(of: n?.raw, toByteOffset: 32 + 16 * i, as: UnsafeMutableRawPointer?.self)
    }

    @inline(__always)
    func span(_ i: Int) -> Int { raw.load(fromByteOffset: 40 + 16 * i, as: Int.self) }

    @inline(__always)
    func setSpan(_ i: Int, _ v: Int) { raw.storeBytes(of: v, toByteOffset: 40 + 16 * i, as: Int.self) }

    var key: UnsafeRawBufferPointer {
        @inline(__always) get {
            let n = Int(raw.load(fromByteOffset: 24, as: UInt32.self))
            return UnsafeRawBufferPointer(start: raw + 32 + 16 * level, count: n)
        }
    }

    @inline(__always)
    func keyEquals(_ other: UnsafeRawBufferPointer) -> Bool {
        let k = key
        guard k.count == other.count else { return false }
        return k.count == 0 || memcmp(k.baseAddress!, other.baseAddress!, k.count) == 0
    }
}

/// Byte-wise comparison of members, shorter first on a common prefix (Redis's sdscmp).
@inline(__always)
func compareMembers(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let r = memcmp(a.baseAddress!, b.baseAddress!, n)
        if r != 0 { return Int(r) }
    }
    return a.count - b.count
}

/// Whether (s1, m1) sorts before (s2, m2): by score, then by member bytes.
@inline(__always)
func zLess(_ s1: Double, _ m1: UnsafeRawBufferPointer, _ s2: Double, _ m2: UnsafeRawBufferPointer) -> Bool {
    s1 < s2 || (s1 == s2 && compareMembers(m1, m2) < 0)
}

/// Redis's zskiplist with rank spans, over `ZNode`s that the companion hash table owns.
/// Levels are drawn with p = 1/4 up to 32; every level link carries the number of level-0
/// steps it skips, so rank queries and rank-addressed walks are O(log n).
final class SkipList {
    let header: ZNode
    private(set) var tail: ZNode? = nil
    private(set) var length = 0
    private(set) var level = 1
    /// member → node (the same blocks).
    let dict = HashTable<ZNode>()

    init() {
        header = ZNode.make(level: ZNode.maxLevel, score: 0, member: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    deinit {
        // The nodes belong to `dict`, which frees them; only the header is ours.
        header.free()
    }

    static func randomLevel() -> Int {
        var l = 1
        while l < ZNode.maxLevel && FastRandom.next() & 0xFFFF < 0x4000 { l += 1 }
        return l
    }

    var first: ZNode? { header.forward(0) }

    // MARK: - Insert and delete

    /// Creates and links a node for a member that is not present.
    @discardableResult
    func insert(score: Double, member: UnsafeRawBufferPointer) -> ZNode {
        let node = ZNode.make(level: SkipList.randomLevel(), score: score, member: member)
        link(node)
        dict.insert(node)
        return node
    }

    /// Fills this empty list with `source`'s members, in order. Each node is linked at the
    /// tail with the same span arithmetic as `link`, but without a search: a copy costs O(n)
    /// rather than O(n log n) (copy-on-write of a big sorted set during a snapshot).
    func copyElements(of source: SkipList) {
        precondition(length == 0, "copyElements fills an empty list")
        dict.resize(to: source.length)
        withUnsafeTemporaryAllocation(of: ZNode.self, capacity: ZNode.maxLevel) { last in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: ZNode.maxLevel) { lastRank in
                for i in 0..<ZNode.maxLevel {
                    last.initializeElement(at: i, to: header)
                    lastRank[i] = 0
                }
                var n = source.first
                while let s = n {
                    let node = ZNode.make(level: SkipList.randomLevel(), score: s.score, member: s.key)
                    let lvl = node.level
                    if lvl > level {
                        for i in level..<lvl { header.setSpan(i, length) }
                        level = lvl
                    }
                    let tailRank = length
                    for i in 0..<lvl {
                        last[i].setForward(i, node)
                        node.setSpan(i, last[i].span(i) - (tailRank - lastRank[i]))
                        last[i].setSpan(i, tailRank - lastRank[i] + 1)
                        last[i] = node
                        lastRank[i] = tailRank + 1
                    }
                    if lvl < level {
                        for i in lvl..<level { last[i].setSpan(i, last[i].span(i) + 1) }
                    }
                    node.backward = tail
                    tail = node
                    length += 1
                    dict.insert(node)
                    n = s.forward(0)
                }
            }
        }
    }

    /// Links `node` at the place its score and member give it. The search path lives in
    /// stack buffers: no allocation per insert.
    private func link(_ node: ZNode) {
        withUnsafeTemporaryAllocation(of: ZNode.self, capacity: ZNode.maxLevel) { update in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: ZNode.maxLevel) { rank in
                let score = node.score, member = node.key
                var x = header
                for i in stride(from: level - 1, through: 0, by: -1) {
                    rank[i] = i == level - 1 ? 0 : rank[i + 1]
                    while let f = x.forward(i), zLess(f.score, f.key, score, member) {
                        rank[i] += x.span(i)
                        x = f
                    }
                    update.initializeElement(at: i, to: x)
                }
                let lvl = node.level
                if lvl > level {
                    for i in level..<lvl {
                        rank[i] = 0
                        update.initializeElement(at: i, to: header)
                        header.setSpan(i, length)
                    }
                    level = lvl
                }
                for i in 0..<lvl {
                    node.setForward(i, update[i].forward(i))
                    update[i].setForward(i, node)
                    node.setSpan(i, update[i].span(i) - (rank[0] - rank[i]))
                    update[i].setSpan(i, rank[0] - rank[i] + 1)
                }
                if lvl < level {
                    for i in lvl..<level { update[i].setSpan(i, update[i].span(i) + 1) }
                }
                node.backward = update[0] == header ? nil : update[0]
                if let f = node.forward(0) { f.backward = node } else { tail = node }
                length += 1
            }
        }
    }

    /// Unlinks `node` from the levels (it stays in the hash table).
    private func unlink(_ node: ZNode) {
        withUnsafeTemporaryAllocation(of: ZNode.self, capacity: ZNode.maxLevel) { update in
            let score = node.score, member = node.key
            var x = header
            for i in stride(from: level - 1, through: 0, by: -1) {
                while let f = x.forward(i), zLess(f.score, f.key, score, member) { x = f }
                update.initializeElement(at: i, to: x)
            }
            unlink(node, UnsafeMutableBufferPointer(rebasing: update[0..<level]))
        }
    }

    /// Unlinks `x` given the last node before it on each level (`update`, one per level).
    private func unlink(_ x: ZNode, _ update: UnsafeMutableBufferPointer<ZNode>) {
        for i in 0..<level {
            if update[i].forward(i) == x {
                update[i].setSpan(i, update[i].span(i) + x.span(i) - 1)
                update[i].setForward(i, x.forward(i))
            } else {
                update[i].setSpan(i, update[i].span(i) - 1)
            }
        }
        if let f = x.forward(0) { f.backward = x.backward } else { tail = x.backward }
        while level > 1 && header.forward(level - 1) == nil { level -= 1 }
        length -= 1
    }

    /// Removes a member; returns whether it was there.
    func remove(_ member: UnsafeRawBufferPointer) -> Bool {
        guard let node = dict.find(member) else { return false }
        unlink(node)
        dict.unlink(member)
        node.free()
        return true
    }

    /// Changes the score of a member that is present (the node is moved, not reallocated).
    func update(_ node: ZNode, to score: Double) {
        // Still between its neighbours: change in place, as Redis's zslUpdateScore does.
        if (node.backward.map { zLess($0.score, $0.key, score, node.key) } ?? true)
            && (node.forward(0).map { zLess(score, node.key, $0.score, $0.key) } ?? true) {
            node.score = score
            return
        }
        unlink(node)
        node.score = score
        link(node)
    }

    /// Removes the elements at 0-based ranks `r` (in order), freeing them.
    func removeRanks(_ r: Range<Int>) {
        guard !r.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: ZNode.self, capacity: ZNode.maxLevel) { update in
            var traversed = 0
            var x = header
            let top = level
            for i in stride(from: top - 1, through: 0, by: -1) {
                while let f = x.forward(i), traversed + x.span(i) <= r.lowerBound {
                    traversed += x.span(i)
                    x = f
                }
                update.initializeElement(at: i, to: x)
            }
            // Levels above the current top (after shrinking) are never read by `unlink`.
            let path = UnsafeMutableBufferPointer(rebasing: update[0..<top])
            var node = x.forward(0)
            var n = r.count
            while n > 0, let cur = node {
                node = cur.forward(0)
                unlink(cur, path)
                dict.unlink(cur.key)
                cur.free()
                n -= 1
            }
        }
    }

    // MARK: - Rank queries

    /// How many leading elements satisfy `pred`, which must hold for a prefix of the order
    /// and not after it (a lower or upper bound of a score or lex range).
    func leadingCount(_ pred: (ZNode) -> Bool) -> Int {
        var rank = 0
        var x = header
        for i in stride(from: level - 1, through: 0, by: -1) {
            while let f = x.forward(i), pred(f) {
                rank += x.span(i)
                x = f
            }
        }
        return rank
    }

    /// The node at 0-based rank `r`.
    func node(atRank r: Int) -> ZNode? {
        let target = r + 1
        var traversed = 0
        var x = header
        for i in stride(from: level - 1, through: 0, by: -1) {
            while let f = x.forward(i), traversed + x.span(i) <= target {
                traversed += x.span(i)
                x = f
            }
            if traversed == target { return x }
        }
        return nil
    }
}
