@testable import Server
import XCTest

/// The packed list encoding and the list built from it.
final class ListValueTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func string(_ e: PackedList.Element) -> String { String(decoding: e.array, as: UTF8.self) }

    func testEveryEncodingRoundTripsForwardAndBackward() {
        let values = ["0", "127", "128", "-1", "32767", "-32768", "40000", "-2147483648",
                      "2147483648", "9223372036854775807", "-9223372036854775808", "",
                      "hello", "007", "-0", String(repeating: "x", count: 63),
                      String(repeating: "y", count: 64), String(repeating: "z", count: 20000)]
        var p = PackedList()
        for v in values { p.append(bytes(v).withUnsafeBytes { PackedList.encode($0) }) }
        XCTAssertEqual(p.count, values.count)
        var forward: [String] = []
        var off = 0
        while off < p.bytes.count {
            forward.append(string(p.element(at: off)))
            off += p.fullSize(at: off)
        }
        XCTAssertEqual(forward, values)
        var backward: [String] = []
        var end = p.bytes.count
        while end > 0 {
            let start = p.start(ofEntryEndingAt: end)
            backward.append(string(p.element(at: start)))
            end = start
        }
        XCTAssertEqual(backward, values.reversed())
        for (i, v) in values.enumerated() {
            XCTAssertEqual(string(p.element(at: p.offset(ofIndex: i))), v)
        }
    }

    func testSmallIntegersTakeOneByteAndStringsStayExact() {
        XCTAssertEqual(bytes("5").withUnsafeBytes { PackedList.encode($0) }.count, 2)
        // "-0" and "007" are not integers in Redis: they must come back unchanged.
        var p = PackedList()
        p.append(bytes("007").withUnsafeBytes { PackedList.encode($0) })
        XCTAssertEqual(string(p.element(at: 0)), "007")
    }

    func testPushPopAcrossManyNodes() {
        let saved = ListValue.fillFactor
        ListValue.fillFactor = 4
        defer { ListValue.fillFactor = saved }
        let l = ListValue()
        for i in 0..<100 { bytes("\(i)").withUnsafeBytes { l.pushTail($0) } }
        for i in 1...50 { bytes("-\(i)").withUnsafeBytes { l.pushHead($0) } }
        XCTAssertEqual(l.count, 150)
        XCTAssertGreaterThan(l.nodes.count, 30)
        XCTAssertEqual(string(l.element(at: 0)), "-50")
        XCTAssertEqual(string(l.element(at: 149)), "99")
        XCTAssertEqual(l.popHead().map { String(decoding: $0, as: UTF8.self) }, "-50")
        XCTAssertEqual(l.popTail().map { String(decoding: $0, as: UTF8.self) }, "99")
        var all: [String] = []
        l.forEach(from: 0, through: l.count - 1) { all.append(string($0)) }
        XCTAssertEqual(all, (1...49).reversed().map { "-\($0)" } + (0..<99).map { "\($0)" })
    }

    func testInsertSplitsAndFilterRepacks() {
        let saved = ListValue.fillFactor
        ListValue.fillFactor = 3
        defer { ListValue.fillFactor = saved }
        let l = ListValue()
        for v in ["a", "b", "c"] { bytes(v).withUnsafeBytes { l.pushTail($0) } }
        bytes("x").withUnsafeBytes { l.insert($0, at: 1, after: false) }
        XCTAssertEqual(l.nodes.count, 2)
        var all: [String] = []
        l.scan(reverse: false) { _, e in all.append(string(e)); return true }
        XCTAssertEqual(all, ["a", "x", "b", "c"])
        let x = bytes("x")
        XCTAssertEqual(l.filter { _, e in !x.withUnsafeBytes { e.equals($0) } }, 1)
        l.trim(left: 1, right: 0)
        all = []
        l.scan(reverse: true) { _, e in all.append(string(e)); return true }
        XCTAssertEqual(all, ["c", "b"])
    }

    func testHashConvertsToTableAndKeepsFields() {
        let saved = HashValue.maxPackedEntries
        HashValue.maxPackedEntries = 4
        defer { HashValue.maxPackedEntries = saved }
        let h = HashValue()
        for i in 0..<4 { _ = bytes("f\(i)").withUnsafeBytes { f in bytes("\(i)").withUnsafeBytes { h.set(f, $0) } } }
        XCTAssertEqual("\(h.encodingName)", "listpack")
        _ = bytes("f4").withUnsafeBytes { f in bytes("v").withUnsafeBytes { h.set(f, $0) } }
        XCTAssertEqual("\(h.encodingName)", "hashtable")
        XCTAssertEqual(h.count, 5)
        for i in 0..<4 {
            let v = bytes("f\(i)").withUnsafeBytes { h.get($0) }
            XCTAssertEqual(v?.withBytes { Array($0) }, bytes("\(i)"))
        }
        let copy = h.copy()
        XCTAssertTrue(bytes("f0").withUnsafeBytes { h.delete($0) })
        XCTAssertEqual(h.count, 4)
        XCTAssertEqual(copy.count, 5)
    }
}
