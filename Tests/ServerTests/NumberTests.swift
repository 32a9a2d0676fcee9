@testable import Server
import XCTest

final class NumberTests: XCTestCase {
    func parse(_ s: String) -> Int64? { parseStrictInt64(Array(s.utf8)) }

    func testStrictIntegerParsing() {
        XCTAssertEqual(parse("0"), 0)
        XCTAssertEqual(parse("-1"), -1)
        XCTAssertEqual(parse("9223372036854775807"), Int64.max)
        XCTAssertEqual(parse("-9223372036854775808"), Int64.min)
        for bad in ["", "-", "+1", " 1", "1 ", "01", "-0", "9223372036854775808", "1.0", "1e3", "abc"] {
            XCTAssertNil(parse(bad), bad)
        }
    }

    func testFormatting() {
        XCTAssertEqual(int64Bytes(Int64.min), Array("-9223372036854775808".utf8))
        XCTAssertEqual(int64Bytes(0), Array("0".utf8))
        XCTAssertEqual(decimalLength(-100), 4)
        XCTAssertEqual(formatDouble(1.5), Array("1.5".utf8))
        XCTAssertEqual(formatDouble(.infinity), Array("inf".utf8))
    }

    func testLongDoubleHumanFormat() {
        func fmt(_ s: String) -> String? {
            Array(s.utf8).withUnsafeBytes { p in parseLongDouble(p) }.flatMap(formatLongDoubleHuman).map { String(decoding: $0, as: UTF8.self) }
        }
        XCTAssertEqual(fmt("10.5"), "10.5")
        XCTAssertEqual(fmt("3.0e3"), "3000")
        XCTAssertEqual(fmt("-0.0"), "0")
        XCTAssertNil(Array(" 1".utf8).withUnsafeBytes { parseLongDouble($0) })
        XCTAssertNil(Array("nan".utf8).withUnsafeBytes { parseLongDouble($0) })
    }

    func testMemoryUnits() {
        XCTAssertEqual(parseMemory("1gb"), 1 << 30)
        XCTAssertEqual(parseMemory("1G"), 1_000_000_000)
        XCTAssertEqual(parseMemory("10kb"), 10240)
        XCTAssertEqual(parseMemory("100"), 100)
        XCTAssertNil(parseMemory("1xb"))
    }

    func testValueEncodings() {
        func enc(_ s: String) -> String {
            Array(s.utf8).withUnsafeBytes { "\(Value.fromBytes($0).encodingName)" }
        }
        XCTAssertEqual(enc("12345"), "int")
        XCTAssertEqual(enc("012"), "embstr")
        XCTAssertEqual(enc(String(repeating: "x", count: 44)), "embstr")
        XCTAssertEqual(enc(String(repeating: "x", count: 45)), "raw")
    }
}
