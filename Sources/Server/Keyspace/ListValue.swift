/// A list value: a sequence of packed nodes, like Redis's quicklist of listpacks. Pushes and
/// pops at either end touch one small node (O(1) amortised); indexing walks node counts, then
/// entries inside one node. A node is split when it passes its size limit and dropped when empty.
///
/// Reference type shared copy-on-write: writers call `Database.mutateList`, which copies the
/// list first when a snapshot (or COPY) still holds it.
public final class ListValue {
    private(set) var nodes: [PackedList] = []
    private(set) var count = 0

    /// `list-max-listpack-size`: negative means a byte limit per node (-1 4 KB ... -5 64 KB),
    /// positive a count limit.
    nonisolated(unsafe) static var fillFactor = -2

    init() {}

    func copy() -> ListValue {
        let l = ListValue()
        l.nodes = nodes
        l.count = count
        return l
    }

    private static func nodeIsFull(_ n: PackedList, adding size: Int) -> Bool {
        let f = fillFactor
        if f > 0 { return n.count >= f }
        let limits = [4096, 8192, 16384, 32768, 65536]
        let limit = limits[min(max(-f, 1), 5) - 1]
        return n.bytes.count + size > limit && n.count > 0
    }

    // MARK: - Ends

    /// A node that is done growing gives back the spare capacity its buffer doubled into.
    private func seal(_ n: Int) {
        nodes[n].bytes = nodes[n].bytes.withUnsafeBufferPointer { Array($0) }
    }

    func pushHead(_ value: UnsafeRawBufferPointer) {
        let e = PackedList.encode(value)
        if nodes.isEmpty || ListValue.nodeIsFull(nodes[0], adding: e.count) {
            if !nodes.isEmpty { seal(0) }
            nodes.insert(PackedList(), at: 0)
        }
        nodes[0].prepend(e)
        count += 1
    }

    func pushTail(_ value: UnsafeRawBufferPointer) {
        let e = PackedList.encode(value)
        if nodes.isEmpty || ListValue.nodeIsFull(nodes[nodes.count - 1], adding: e.count) {
            if !nodes.isEmpty { seal(nodes.count - 1) }
            nodes.append(PackedList())
        }
        nodes[nodes.count - 1].append(e)
        count += 1
    }

    func popHead() -> [UInt8]? {
        guard !nodes.isEmpty else { return nil }
        let v = nodes[0].element(at: 0).array
        nodes[0].remove(at: 0)
        if nodes[0].count == 0 { nodes.removeFirst() }
        count -= 1
        return v
    }

    func popTail() -> [UInt8]? {
        guard !nodes.isEmpty else { return nil }
        let last = nodes.count - 1
        let off = nodes[last].start(ofEntryEndingAt: nodes[last].bytes.count)
        let v = nodes[last].element(at: off).array
        nodes[last].remove(at: off)
        if nodes[last].count == 0 { nodes.removeLast() }
        count -= 1
        return v
    }

    // MARK: - Positions

    /// Node number and entry offset of element `index` (0 ..< count).
    private func locate(_ index: Int) -> (node: Int, offset: Int) {
        var i = index
        if index < count / 2 {
            for (n, node) in nodes.enumerated() {
                if i < node.count { return (n, node.offset(ofIndex: i)) }
                i -= node.count
            }
        } else {
            var fromEnd = count - 1 - index
            for n in stride(from: nodes.count - 1, through: 0, by: -1) {
                let node = nodes[n]
                if fromEnd < node.count { return (n, node.offset(ofIndex: node.count - 1 - fromEnd)) }
                fromEnd -= node.count
            }
        }
        preconditionFailure("index out of range")
    }

    func element(at index: Int) -> PackedList.Element {
        let (n, off) = locate(index)
        return nodes[n].element(at: off)
    }

    func set(_ index: Int, _ value: UnsafeRawBufferPointer) {
        let (n, off) = locate(index)
        nodes[n].replace(at: off, with: PackedList.encode(value))
    }

    /// Calls `body` for elements `from...to` in order (indexes already clamped).
    func forEach(from: Int, through to: Int, _ body: (PackedList.Element) -> Void) {
        guard from <= to, from < count else { return }
        var (n, off) = locate(from)
        var remaining = to - from + 1
        while remaining > 0 {
            let node = nodes[n]
            while off < node.bytes.count && remaining > 0 {
                body(node.element(at: off))
                off += node.fullSize(at: off)
                remaining -= 1
            }
            n += 1
            off = 0
        }
    }

    /// Calls `body` with (index, element) from the head, or from the tail when `reverse`; stops
    /// when it returns false.
    func scan(reverse: Bool, _ body: (Int, PackedList.Element) -> Bool) {
        if !reverse {
            var index = 0
            for node in nodes {
                var off = 0
                while off < node.bytes.count {
                    if !body(index, node.element(at: off)) { return }
                    off += node.fullSize(at: off)
                    index += 1
                }
            }
        } else {
            var index = count - 1
            for node in nodes.reversed() {
                var end = node.bytes.count
                while end > 0 {
                    let off = node.start(ofEntryEndingAt: end)
                    if !body(index, node.element(at: off)) { return }
                    end = off
                    index -= 1
                }
            }
        }
    }

    // MARK: - Rebuilding edits

    /// Inserts `value` before or after element `index`.
    func insert(_ value: UnsafeRawBufferPointer, at index: Int, after: Bool) {
        let (n, off) = locate(index)
        let at = after ? off + nodes[n].fullSize(at: off) : off
        nodes[n].insert(PackedList.encode(value), at: at)
        count += 1
        if ListValue.fillFactor > 0 ? nodes[n].count > ListValue.fillFactor
            : ListValue.nodeIsFull(nodes[n], adding: 0) && nodes[n].count > 1 {
            split(n)
        }
    }

    /// Splits node `n` in two halves.
    private func split(_ n: Int) {
        let node = nodes[n]
        let half = node.count / 2
        let cut = node.offset(ofIndex: half)
        var left = PackedList(), right = PackedList()
        left.bytes = Array(node.bytes[0..<cut])
        left.count = half
        right.bytes = Array(node.bytes[cut...])
        right.count = node.count - half
        nodes[n] = left
        nodes.insert(right, at: n + 1)
    }

    /// Keeps only the elements for which `keep(index, element)` is true, repacking nodes.
    /// Returns how many were removed.
    @discardableResult
    func filter(_ keep: (Int, PackedList.Element) -> Bool) -> Int {
        var newNodes: [PackedList] = []
        var current = PackedList()
        var index = 0
        var removed = 0
        for node in nodes {
            var off = 0
            while off < node.bytes.count {
                let size = node.fullSize(at: off)
                if keep(index, node.element(at: off)) {
                    if ListValue.nodeIsFull(current, adding: size) {
                        newNodes.append(current)
                        current = PackedList()
                    }
                    current.bytes.append(contentsOf: node.bytes[off..<(off + size)])
                    current.count += 1
                } else {
                    removed += 1
                }
                off += size
                index += 1
            }
        }
        if current.count > 0 { newNodes.append(current) }
        nodes = newNodes
        count -= removed
        return removed
    }

    /// Removes `left` elements from the head and `right` from the tail (LTRIM).
    func trim(left: Int, right: Int) {
        let keepFrom = left, keepTo = count - right - 1
        filter { i, _ in i >= keepFrom && i <= keepTo }
    }
}
