/// The two sorts Redis's geo searches use, reproduced step for step so that elements the
/// comparator calls equal (points at the same distance) — and elements it orders
/// inconsistently (NaN distances) — come out in the same order as in Redis:
///
/// - `fullSort`: glibc's qsort (2.36, what Redis 7.0 links against), which is a top-down
///   merge sort: the left half has n/2 elements, and a merge takes from the left run unless
///   the comparator says left > right.
/// - `partialSort`: Redis's pqsort (NetBSD's Bentley–McIlroy quicksort that skips the
///   partitions lying wholly outside the wanted rank range), used when COUNT cuts the
///   result. Redis's copy has no "no swaps, switch to insertion sort" shortcut (it can go
///   quadratic), and neither has this one: that shortcut reorders ties.
///
/// Both sort an array of indexes; `cmp(i, j)` compares the elements the indexes name and
/// returns <0, 0 or >0 like a C comparator.
enum QSort {
    typealias Compare = (Int, Int) -> Int

    /// Sorts `v` entirely, exactly as glibc's qsort orders it.
    static func fullSort(_ v: inout [Int], _ cmp: Compare) {
        guard v.count > 1 else { return }
        var tmp = [Int](repeating: 0, count: v.count)
        mergeSort(&v, &tmp, 0, v.count, cmp)
    }

    private static func mergeSort(_ v: inout [Int], _ tmp: inout [Int], _ lo: Int, _ n: Int, _ cmp: Compare) {
        if n <= 1 { return }
        var n1 = n / 2
        var n2 = n - n1
        mergeSort(&v, &tmp, lo, n1, cmp)
        mergeSort(&v, &tmp, lo + n1, n2, cmp)
        var b1 = lo, b2 = lo + n1, out = 0
        while n1 > 0 && n2 > 0 {
            if cmp(v[b1], v[b2]) <= 0 {
                tmp[out] = v[b1]; b1 += 1; n1 -= 1
            } else {
                tmp[out] = v[b2]; b2 += 1; n2 -= 1
            }
            out += 1
        }
        // What is left of the left run goes next; the right run's tail is already in place.
        while n1 > 0 { tmp[out] = v[b1]; out += 1; b1 += 1; n1 -= 1 }
        for k in 0..<out { v[lo + k] = tmp[k] }
    }

    /// Sorts `v` enough that ranks `0...through` hold what a full sort would put there, in
    /// pqsort's order.
    static func partialSort(_ v: inout [Int], through last: Int, _ cmp: Compare) {
        pqsort(&v, 0, v.count, 0, last, cmp)
    }

    private static func med3(_ v: [Int], _ a: Int, _ b: Int, _ c: Int, _ cmp: Compare) -> Int {
        cmp(v[a], v[b]) < 0
            ? (cmp(v[b], v[c]) < 0 ? b : (cmp(v[a], v[c]) < 0 ? c : a))
            : (cmp(v[b], v[c]) > 0 ? b : (cmp(v[a], v[c]) < 0 ? a : c))
    }

    private static func insertionSort(_ v: inout [Int], _ a: Int, _ n: Int, _ cmp: Compare) {
        var m = a + 1
        while m < a + n {
            var l = m
            while l > a && cmp(v[l - 1], v[l]) > 0 {
                v.swapAt(l, l - 1)
                l -= 1
            }
            m += 1
        }
    }

    /// Swaps the `n` elements from `a` with the `n` from `b`, pairwise.
    private static func swapRuns(_ v: inout [Int], _ a: Int, _ b: Int, _ n: Int) {
        for k in 0..<max(n, 0) { v.swapAt(a + k, b + k) }
    }

    /// Whether the partition [start, start + n) lies wholly before or after [lo, hi].
    private static func outside(_ start: Int, _ n: Int, _ lo: Int, _ hi: Int) -> Bool {
        let end = start + n - 1
        return (lo < start && hi < start) || (lo > end && hi > end)
    }

    /// Sorts [start, start + count), recursing into the lower partition and looping on the
    /// upper one, as the C code does.
    private static func pqsort(_ v: inout [Int], _ start: Int, _ count: Int, _ lo: Int, _ hi: Int,
                               _ cmp: Compare) {
        var a = start, n = count
        while true {
            if n < 7 {
                insertionSort(&v, a, n, cmp)
                return
            }
            var pm = a + n / 2
            if n > 7 {
                var pl = a
                var pn = a + n - 1
                if n > 40 {
                    let d = n / 8
                    pl = med3(v, pl, pl + d, pl + 2 * d, cmp)
                    pm = med3(v, pm - d, pm, pm + d, cmp)
                    pn = med3(v, pn - 2 * d, pn - d, pn, cmp)
                }
                pm = med3(v, pl, pm, pn, cmp)
            }
            v.swapAt(a, pm)
            var pa = a + 1, pb = a + 1
            var pc = a + n - 1, pd = a + n - 1
            while true {
                while pb <= pc {
                    let r = cmp(v[pb], v[a])
                    if r > 0 { break }
                    if r == 0 {
                        v.swapAt(pa, pb)
                        pa += 1
                    }
                    pb += 1
                }
                while pb <= pc {
                    let r = cmp(v[pc], v[a])
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
            let pn = a + n
            var r = min(pa - a, pb - pa)
            swapRuns(&v, a, pb - r, r)
            r = min(pd - pc, pn - pd - 1)
            swapRuns(&v, pb, pn - r, r)
            r = pb - pa
            if r > 1 && !outside(a, r, lo, hi) {
                pqsort(&v, a, r, lo, hi, cmp)
            }
            r = pd - pc
            guard r > 1 else { return }
            a = pn - r
            n = r
            if outside(a, n, lo, hi) { return }
        }
    }
}
