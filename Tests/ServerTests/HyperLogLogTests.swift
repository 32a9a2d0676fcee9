import CRC64
@testable import Server
import XCTest

/// The sketch format and estimator; byte-for-byte agreement with Redis is checked against a
/// real redis-server by tests/integration/test_hyperloglog.py.
final class HyperLogLogTests: XCTestCase {
    typealias HLL = HyperLogLog

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private func add(_ b: inout [UInt8], _ element: [UInt8]) -> HLL.Update {
        element.withUnsafeBytes { HLL.add(&b, $0) }
    }

    private func count(_ b: [UInt8]) -> UInt64? { b.withUnsafeBytes { HLL.count($0) } }

    func testElementsLandInRedisRegisters() {
        // Register and run length that PFDEBUG GETREG shows on Redis 7.0 after one PFADD.
        let expected: [(String, Int, UInt8)] = [("a", 12711, 2), ("hello", 9216, 1), ("", 5938, 2),
                                                ("foobar123", 638, 1)]
        for (element, index, run) in expected {
            let (i, c) = bytes(element).withUnsafeBytes { HLL.pattern($0) }
            XCTAssertEqual(i, index, element)
            XCTAssertEqual(c, run, element)
        }
    }

    func testEmptySketchIsOneXZeroOpcode() {
        let b = HLL.empty()
        XCTAssertEqual(b, bytes("HYLL") + [1, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0x7f, 0xff])
        XCTAssertEqual(count(b), 0)
    }

    func testSparseAndDenseAgreeAndPromote() {
        var sparse = HLL.empty()
        var dense = HLL.empty()
        XCTAssertTrue(HLL.sparseToDense(&dense))
        XCTAssertEqual(dense.count, HLL.denseSize)
        for i in 0..<5000 {
            let e = bytes("element:\(i)")
            XCTAssertEqual(add(&sparse, e), add(&dense, e))
            if i % 500 == 0 { XCTAssertEqual(count(sparse), count(dense)) }
        }
        XCTAssertEqual(sparse[4], HLL.denseEncoding, "5000 elements pass the sparse limit")
        XCTAssertEqual(count(sparse), count(dense))
        let estimate = Double(count(dense)!)
        XCTAssertLessThan(abs(estimate - 5000) / 5000, 0.05)
    }

    func testRaisingInIndexOrderRebuildsTheSameSketch() {
        var source = HLL.empty()
        for i in 0..<300 { _ = add(&source, bytes("x\(i)")) }
        var registers = [UInt8](repeating: 0, count: HLL.registerCount)
        XCTAssertTrue(source.withUnsafeBytes { HLL.merge(into: &registers, $0) })
        var copy = HLL.empty()
        HLL.raiseAll(&copy, registers)
        HLL.invalidateCache(&source)
        HLL.invalidateCache(&copy)
        XCTAssertEqual(copy, source)
    }

    func testRunsPastTheLastRegisterAreCorrupted() {
        var b = Array(HLL.empty().prefix(HLL.headerSize))
        b += [0x7f, 0xff, 0x81]                       // 16384 zeros, then a VAL run of 2
        XCTAssertNil(count(b))
        var registers = [UInt8](repeating: 0, count: HLL.registerCount)
        XCTAssertFalse(b.withUnsafeBytes { HLL.merge(into: &registers, $0) })
        XCTAssertFalse(HLL.sparseToDense(&b))
        XCTAssertEqual(b[4], HLL.sparseEncoding, "a failed conversion leaves the sketch alone")
    }

    func testCachedCardinalityFlag() {
        var b = HLL.empty()
        HLL.setCachedCardinality(&b, 1234)
        XCTAssertEqual(b.withUnsafeBytes { HLL.cachedCardinality($0) }, 1234)
        HLL.invalidateCache(&b)
        XCTAssertNil(b.withUnsafeBytes { HLL.cachedCardinality($0) })
    }

    func testEstimatorExtremes() {
        var h = [Int](repeating: 0, count: 64)
        h[0] = HLL.registerCount
        XCTAssertEqual(HLL.estimate(h), 0)
        h[0] = 0
        h[50] = HLL.registerCount
        // Past 2^63 Redis's llroundl overflows to LLONG_MIN, replied as 2^63.
        XCTAssertEqual(HLL.estimate(h), 1 << 63)
    }

    func testPopcountMatchesBitByBitCount() {
        let data = (0..<1003).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
        let expected = data.reduce(0) { $0 + $1.nonzeroBitCount }
        for start in [0, 1, 7, 31] {
            let slice = Array(data[start...])
            let want = slice.reduce(0) { $0 + $1.nonzeroBitCount }
            XCTAssertEqual(Int(slice.withUnsafeBytes { rw_popcount($0.baseAddress, $0.count) }), want)
        }
        XCTAssertEqual(Int(data.withUnsafeBytes { rw_popcount($0.baseAddress, $0.count) }), expected)
        XCTAssertEqual(rw_popcount(nil, 0), 0)
    }
}
