/// Redis's `pqsort`: Bentley & McIlroy's quicksort (the one in NetBSD's qsort) that skips the
/// partitions lying wholly outside a wanted range of positions. SORT ... BY ... LIMIT uses it.
///
/// Why reproduce the algorithm rather than sort with the standard library: where the
/// comparison has ties (SORT ... BY ... ALPHA with equal or missing BY values), which of the
/// tied elements land in the LIMIT window, and in what order, is decided by this algorithm's
/// exact sequence of comparisons and swaps. Making the same comparisons and the same swaps in
/// the same order is the only way to return what Redis returns.
///
/// Positions `lo...hi` end up holding what a full sort would put there; everything else is
/// left partitioned around them. Redis's copy has no "no swaps: switch to insertion sort"
/// shortcut (NetBSD's later versions do), and neither has this one: the shortcut reorders
/// ties. SORT ... BY ... LIMIT and the geo searches with a cutting COUNT both use it.
enum PartialQuickSort {
    /// Sorts `items` enough that `items[lo...hi]` is in order. `cmp` returns a negative,
    /// zero or positive number, like C's qsort comparators.
    static func sort<T>(_ items: inout [T], keeping lo: Int, _ hi: Int, by cmp: (T, T) -> Int) {
        items.withUnsafeMutableBufferPointer { v in
            partition(v, from: 0, count: v.count, lo: lo, hi: hi, cmp)
        }
    }

    /// Whether the run `from ..< from + count` can hold any wanted position. This is Redis's
    /// test on the byte addresses of the range bounds, restated on element indexes.
    @inline(__always)
    private static func touches(_ from: Int, _ count: Int, _ lo: Int, _ hi: Int) -> Bool {
        let end = from + count
        return !((lo < from && hi < from) || (lo >= end && hi >= end))
    }

    private static func insertionSort<T>(_ v: UnsafeMutableBufferPointer<T>, _ from: Int, _ count: Int,
                                         _ cmp: (T, T) -> Int) {
        var m = from + 1
        while m < from + count {
            var l = m
            while l > from && cmp(v[l - 1], v[l]) > 0 {
                v.swapAt(l, l - 1)
                l -= 1
            }
            m += 1
        }
    }

    /// The index of the median of three, asking the comparisons in Redis's order.
    @inline(__always)
    private static func median<T>(_ v: UnsafeMutableBufferPointer<T>, _ a: Int, _ b: Int, _ c: Int,
                                  _ cmp: (T, T) -> Int) -> Int {
        if cmp(v[a], v[b]) < 0 {
            return cmp(v[b], v[c]) < 0 ? b : (cmp(v[a], v[c]) < 0 ? c : a)
        }
        return cmp(v[b], v[c]) > 0 ? b : (cmp(v[a], v[c]) < 0 ? a : c)
    }

    /// Swaps the runs `a ..< a + n` and `b ..< b + n` element by element.
    @inline(__always)
    private static func swapRuns<T>(_ v: UnsafeMutableBufferPointer<T>, _ a: Int, _ b: Int, _ n: Int) {
        for k in 0..<max(n, 0) { v.swapAt(a + k, b + k) }
    }

    private static func partition<T>(_ v: UnsafeMutableBufferPointer<T>, from start: Int, count total: Int,
                                     lo: Int, hi: Int, _ cmp: (T, T) -> Int) {
        var base = start, n = total
        while true {
            if n < 7 {
                insertionSort(v, base, n, cmp)
                return
            }
            // Pivot: the middle element, the median of three for mid-sized runs, the
            // median of three medians ("ninther") for big ones; it is parked at `base`.
            var pm = base + n / 2
            if n > 7 {
                var pl = base, pn = base + n - 1
                if n > 40 {
                    let d = n / 8
                    pl = median(v, pl, pl + d, pl + 2 * d, cmp)
                    pm = median(v, pm - d, pm, pm + d, cmp)
                    pn = median(v, pn - 2 * d, pn - d, pn, cmp)
                }
                pm = median(v, pl, pm, pn, cmp)
            }
            v.swapAt(base, pm)

            // Three-way partition: elements equal to the pivot collect at both ends
            // ([base+1, pa) and (pd, end)), smaller ones after the left group, greater ones
            // before the right group.
            var pa = base + 1, pb = base + 1
            var pc = base + n - 1, pd = base + n - 1
            while true {
                while pb <= pc {
                    let r = cmp(v[pb], v[base])
                    if r > 0 { break }
                    if r == 0 {
                        v.swapAt(pa, pb)
                        pa += 1
                    }
                    pb += 1
                }
                while pb <= pc {
                    let r = cmp(v[pc], v[base])
                    if r < 0 { break }
                    if r == 0 {
                        v.swapAt(pc, pd)
                        pd -= 1
                    }
                    pc -= 1
                }
                if pb > pc { break }
                v.swapAt(pb, pc)
                pb += 1
                pc -= 1
            }
            // Move the equal groups to the middle.
            let end = base + n
            var r = min(pa - base, pb - pa)
            swapRuns(v, base, pb - r, r)
            r = min(pd - pc, end - pd - 1)
            swapRuns(v, pb, end - r, r)

            // Recurse into the smaller-than part, loop on the greater-than part; skip either
            // when it holds no wanted position.
            r = pb - pa
            if r > 1 && touches(base, r, lo, hi) {
                partition(v, from: base, count: r, lo: lo, hi: hi, cmp)
            }
            r = pd - pc
            guard r > 1 else { return }
            base = end - r
            n = r
            guard touches(base, n, lo, hi) else { return }
        }
    }
}
