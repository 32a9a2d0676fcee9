@testable import Server
import XCTest

/// Redis's partial quicksort: the wanted window holds exactly what a full sort puts there,
/// and every element is kept. (Which of several equal elements land in the window is
/// compared with a real redis-server by tests/integration/test_sort.py.)
final class PartialQuickSortTests: XCTestCase {
    func testWindowMatchesAFullSort() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<3000 {
            let n = [0, 1, 5, 6, 7, 8, 40, 41, 100, 500][round % 10]
            let values = (0..<n).map { _ in Int.random(in: 0..<(round % 3 == 0 ? 4 : 1000), using: &rng) }
            guard n > 0 else { continue }
            let lo = Int.random(in: 0..<n, using: &rng)
            let hi = Int.random(in: lo..<n, using: &rng)
            var partial = values
            PartialQuickSort.sort(&partial, keeping: lo, hi) { a, b in a < b ? -1 : a > b ? 1 : 0 }
            let full = values.sorted()
            XCTAssertEqual(Array(partial[lo...hi]), Array(full[lo...hi]), "n \(n) window \(lo)...\(hi)")
            XCTAssertEqual(partial.sorted(), full)
        }
    }

    func testWholeRangeIsAFullSort() {
        let values = (0..<300).map { ($0 * 7919) % 301 }
        var sorted = values
        PartialQuickSort.sort(&sorted, keeping: 0, values.count - 1) { a, b in a - b }
        XCTAssertEqual(sorted, values.sorted())
    }

    func testEmptyAndSingle() {
        var empty: [Int] = []
        PartialQuickSort.sort(&empty, keeping: -1, -2) { a, b in a - b }
        XCTAssertEqual(empty, [])
        var one = [3]
        PartialQuickSort.sort(&one, keeping: 0, 0) { a, b in a - b }
        XCTAssertEqual(one, [3])
    }
}
