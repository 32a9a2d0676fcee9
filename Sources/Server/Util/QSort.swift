/// The two sorts Redis's geo searches use, reproduced step for step so that elements the
/// comparator calls equal (points at the same distance) — and elements it orders
/// inconsistently (NaN distances) — come out in the same order as in Redis:
///
/// - `fullSort`: glibc's qsort (2.36, what Redis 7.0 links against), which is a top-down
///   merge sort: the left half has n/2 elements, and a merge takes from the left run unless
///   the comparator says left > right.
/// - `partialSort`: Redis's pqsort (PartialQuickSort.swift), used when COUNT cuts the result.
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
        PartialQuickSort.sort(&v, keeping: 0, last, by: cmp)
    }
}
