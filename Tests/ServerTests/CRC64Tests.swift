import CRC64
import XCTest

final class CRC64Tests: XCTestCase {
    func testCheckValue() {
        let s = Array("123456789".utf8)
        XCTAssertEqual(rw_crc64(0, s, s.count), 0xe9c6_d914_c4b8_d9ca)
    }

    func testChainingEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = rw_crc64(0, data, data.count)
        let first = rw_crc64(0, data, 333)
        let chained = data.withUnsafeBytes { rw_crc64(first, $0.baseAddress! + 333, 667) }
        XCTAssertEqual(whole, chained)
    }
}
