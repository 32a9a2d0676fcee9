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
            check(z, model)
            XCTAssertEqual("\(z.encodingName)", packed ? "listpack" : "skiplist")
        }
    }

    /// A copied skiplist (linked at the tail, without searches) has the same order, ranks
    /// and spans as the original, and keeps matching a model under later changes.
    func testCopiedSkiplistKeepsRanksAndTakesChanges() {
        let z = ZSetValue(sizeHint: 1000)
        var model: [String: Double] = [:]
        for i in 0..<5000 {
            let m = "m\(Int.random(in: 0..<4000))", score = Double(Int.random(in: -50...50))
            if model[m] == nil {
                bytes(m).withUnsafeBytes { z.insert($0, score: score) }
                model[m] = score
            }
            _ = i
        }
        let c = z.copy()
        check(c, model)
        for _ in 0..<1000 {
            let m = "m\(Int.random(in: 0..<5000))", score = Double(Int.random(in: -60...60))
            switch Int.random(in: 0..<3) {
            case 0:
                bytes(m).withUnsafeBytes { p in
                    if model[m] != nil { c.update(p, to: score) } else { c.insert(p, score: score) }
                }
                model[m] = score
            case 1:
                XCTAssertEqual(bytes(m).withUnsafeBytes { c.remove($0) }, model.removeValue(forKey: m) != nil)
            default:
                let lo = Int.random(in: 0...c.count), hi = min(lo + Int.random(in: 0...3), c.count)
                c.removeRanks(lo..<hi)
                for (mm, _) in sortedModel(model)[lo..<hi] { model.removeValue(forKey: mm) }
            }
        }
        check(c, model)
    }

    /// Order, scores, every rank, and the reverse walk of `z` equal the model's.
    func check(_ z: ZSetValue, _ model: [String: Double], file: StaticString = #filePath, line: UInt = #line) {
        let sorted = sortedModel(model)
        var seen: [(String, Double)] = []
        z.forEach { m, s in seen.append((String(decoding: m, as: UTF8.self), s)) }
        XCTAssertEqual(seen.map { $0.0 }, sorted.map { $0.0 }, file: file, line: line)
        XCTAssertEqual(seen.map { $0.1 }, sorted.map { $0.1 }, file: file, line: line)
        for (i, (m, s)) in sorted.enumerated() {
            XCTAssertEqual(bytes(m).withUnsafeBytes { z.rank($0) }, i, file: file, line: line)
            XCTAssertEqual(bytes(m).withUnsafeBytes { z.score($0) }, s, file: file, line: line)
        }
        var reversed: [String] = []
        z.forEach(ranks: 0..<z.count, reverse: true) { m, _ in reversed.append(String(decoding: m, as: UTF8.self)) }
        XCTAssertEqual(reversed, sorted.map { $0.0 }.reversed(), file: file, line: line)
        // Every rank reached through the spans lands on the right member.
        for i in stride(from: 0, to: sorted.count, by: 37) {
            var got: String? = nil
            z.forEach(ranks: i..<i + 1) { m, _ in got = String(decoding: m, as: UTF8.self) }
            XCTAssertEqual(got, sorted[i].0, file: file, line: line)
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
