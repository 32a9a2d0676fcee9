import CRC64
import XCTest

final class CRC64Tests: XCTestCase {
    /// The definition, one bit at a time: what the sliced, three-stream version must equal.
    private func bitwise(_ crc: UInt64, _ data: ArraySlice<UInt8>) -> UInt64 {
        var crc = crc
        for byte in data {
            crc ^= UInt64(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x95ac_9329_ac4b_c9b5 : crc >> 1 }
        }
        return crc
    }

    private func crc(_ crc: UInt64, _ data: ArraySlice<UInt8>) -> UInt64 {
        data.withUnsafeBytes { rw_crc64(crc, $0.baseAddress, data.count) }
    }

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

    func testChainingOverRandomSplitsEqualsOneShot() {
        var rng = SplitMix64(seed: 11)
        let data = rng.bytes(200_000)
        let whole = crc(0, data[...])
        for _ in 0..<50 {
            var cuts = (0..<Int.random(in: 1...8, using: &rng)).map { _ in Int.random(in: 0...data.count, using: &rng) }
            cuts = [0] + cuts.sorted() + [data.count]
            var chained: UInt64 = 0
            for (from, to) in zip(cuts, cuts.dropFirst()) { chained = crc(chained, data[from..<to]) }
            XCTAssertEqual(chained, whole, "cuts \(cuts)")
        }
    }

    /// Lengths around the three-stream threshold (3 × 1024 bytes) and its multiples, from
    /// unaligned starts and with a chained-in initial value.
    func testLongInputsMatchTheBitwiseDefinition() {
        var rng = SplitMix64(seed: 12)
        let data = rng.bytes(16_400)
        for length in [0, 1, 7, 8, 9, 3071, 3072, 3073, 3080, 6143, 6144, 6151, 9216 + 5, 16_384] {
            for start in [0, 1, 3] where start + length <= data.count {
                let slice = data[start..<start + length]
                let initial = UInt64(length) &* 0x9e37_79b9_7f4a_7c15
                XCTAssertEqual(crc(0, slice), bitwise(0, slice), "length \(length) start \(start)")
                XCTAssertEqual(crc(initial, slice), bitwise(initial, slice), "length \(length) start \(start)")
            }
        }
    }
}
