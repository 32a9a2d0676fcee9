@testable import Server
import XCTest

/// Intsets, set encodings, the skiplist and both sorted-set encodings, checked against plain
/// Swift models under random operations.
final class SetValueTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testIntSetStaysSortedAcrossWidthUpgrades() {
        var s = IntSet()
        var model = Set<Int64>()
        var rng = SystemRandomNumberGenerator()
        let pools: [ClosedRange<Int64>] = [-300...300, -70000...70000, Int64.min...Int64.max]
        for round in 0..<3000 {
            let v = Int64.random(in: pools[min(round / 1000, 2)], using: &rng)
            if Bool.random() {
                XCTAssertEqual(s.insert(v), model.insert(v).inserted)
            } else {
                XCTAssertEqual(s.remove(v), model.remove(v) != nil)
            }
        }
        XCTAssertEqual((0..<s.count).map { s.value(at: $0) }, model.sorted())
        XCTAssertEqual(s.width, 8)
    }

    func testSetConvertsToHashtableOnStringOrSize() {
        let set = SetValue(first: UnsafeRawBufferPointer(start: nil, count: 0))
        XCTAssertEqual("\(set.encodingName)", "hashtable")
        let ints = SetValue()
        for i in 0..<SetValue.maxIntsetEntries { bytes(String(i)).withUnsafeBytes { _ = ints.add($0) } }
        XCTAssertEqual("\(ints.encodingName)", "intset")
        bytes("007").withUnsafeBytes { _ = ints.add($0) }
        XCTAssertEqual("\(ints.encodingName)", "hashtable")
        XCTAssertEqual(ints.count, SetValue.maxIntsetEntries + 1)
        XCTAssertTrue(bytes("7").withUnsafeBytes { ints.contains($0) })
        XCTAssertTrue(bytes("007").withUnsafeBytes { ints.contains($0) })
    }

    /// Every rank query of a sorted set, in both encodings, agrees with a sorted array.
    func testSortedSetMatchesAModelInBothEncodings() {
        for packed in [true, false] {
            let z = ZSetValue(sizeHint: packed ? 0 : 1000)
            var model: [String: Double] = [:]
            for _ in 0..<3000 {
                let m = "m\(Int.random(in: 0..<100))"
                let score = Double(Int.random(in: -20...20)) / 2
                switch Int.random(in: 0..<4) {
                case 0, 1:
                    bytes(m).withUnsafeBytes { p in
                        if model[m] != nil { z.update(p, to: score) } else { z.insert(p, score: score) }
                    }
                    model[m] = score
                case 2:
                    XCTAssertEqual(bytes(m).withUnsafeBytes { z.remove($0) }, model.removeValue(forKey: m) != nil)
                default:
                    let lo = Int.random(in: 0...z.count), hi = Int.random(in: lo...z.count)
                    z.removeRanks(lo..<hi)
                    let sorted = sortedModel(model)
                    for (mm, _) in sorted[lo..<hi] { model.removeValue(forKey: mm) }
                }
                if packed && z.count > ZSetValue.maxPackedEntries { break }
            }
            let sorted = sortedModel(model)
            var seen: [(String, Double)] = []
            z.forEach { m, s in seen.append((String(decoding: m, as: UTF8.self), s)) }
            XCTAssertEqual(seen.map { $0.0 }, sorted.map { $0.0 })
            XCTAssertEqual(seen.map { $0.1 }, sorted.map { $0.1 })
            for (i, (m, s)) in sorted.enumerated() {
                XCTAssertEqual(bytes(m).withUnsafeBytes { z.rank($0) }, i)
                XCTAssertEqual(bytes(m).withUnsafeBytes { z.score($0) }, s)
            }
            var reversed: [String] = []
            z.forEach(ranks: 0..<z.count, reverse: true) { m, _ in reversed.append(String(decoding: m, as: UTF8.self)) }
            XCTAssertEqual(reversed, sorted.map { $0.0 }.reversed())
            XCTAssertEqual("\(z.encodingName)", packed ? "listpack" : "skiplist")
        }
    }

    func sortedModel(_ model: [String: Double]) -> [(String, Double)] {
        model.map { ($0.key, $0.value) }.sorted { a, b in
            a.1 < b.1 || (a.1 == b.1 && Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)))
        }
    }

    func testScoresKeepTheirExactValueInThePackedForm() {
        for d in [0.1, -0.0, 1e300, -1e-300, 4503599627370495.0, 4503599627370496.5, .infinity, -.infinity] {
            var p = PackedList()
            p.append(ZSetValue.encodeScore(d))
            let back = ZSetValue.decodeScore(p.element(at: 0))
            XCTAssertEqual(back, d)
        }
    }
}
