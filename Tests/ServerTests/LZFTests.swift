import CRC64
import XCTest

/// A seeded generator, so that a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// LZF as Redis writes it in RDB files and DUMP payloads. That real Redis reads our output
/// (and we read its) is checked end to end by tests/integration/test_lzf_interop.py.
final class LZFTests: XCTestCase {
    /// The largest output an n-byte input can need: one control byte per 32 literals.
    private func worstCase(_ n: Int) -> Int { n + (n + 31) / 32 }

    private func compress(_ input: [UInt8], cap: Int? = nil) -> [UInt8]? {
        let cap = cap ?? worstCase(input.count)
        // Guard bytes past the cap catch any write beyond it.
        var out = [UInt8](repeating: 0xA5, count: cap + 64)
        let n = input.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { rw_lzf_compress(i.baseAddress, input.count, $0.baseAddress, cap) }
        }
        XCTAssertTrue(out[cap...].allSatisfy { $0 == 0xA5 }, "compress wrote past out_cap")
        XCTAssertLessThanOrEqual(n, cap)
        return n == 0 ? nil : Array(out[..<n])
    }

    private func decompress(_ stream: ArraySlice<UInt8>, count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0x5A, count: count + 64)
        let n = stream.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { rw_lzf_decompress(i.baseAddress, stream.count, $0.baseAddress, count) }
        }
        XCTAssertTrue(out[count...].allSatisfy { $0 == 0x5A }, "decompress wrote past out_len")
        XCTAssertTrue(n == 0 || n == count, "decompress returned \(n) for out_len \(count)")
        return n == 0 ? nil : Array(out[..<count])
    }

    private func decompress(_ stream: [UInt8], count: Int) -> [UInt8]? { decompress(stream[...], count: count) }

    private func assertRoundTrip(_ input: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        guard let c = compress(input) else {
            return XCTFail("\(input.count) bytes did not compress into the worst-case size", file: file, line: line)
        }
        XCTAssertEqual(decompress(c, count: input.count), input, "\(input.count) bytes", file: file, line: line)
    }

    /// Words with numbers and punctuation: compressible, but not trivially.
    private func text(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
        let words = ["the ", "user:", "session", " id=", "value", "redis ", "\n", "{\"k\":", "}, ", "snapshot"]
        var out: [UInt8] = []
        while out.count < n {
            if Int.random(in: 0..<8, using: &rng) == 0 {
                out += Array(String(Int.random(in: 0..<100_000, using: &rng)).utf8)
            } else {
                out += Array(words[Int.random(in: 0..<words.count, using: &rng)].utf8)
            }
        }
        return Array(out[..<n])
    }

    // MARK: - Format

    func testDecodesAStreamRedisWrote() {
        // DUMP of SET k ('redwing ' * 8 + 'abcabcabcabcabc') on Redis 7.0.15: type 0, then
        // 0xC3, compressed length 23, length 79 (14-bit form 0x40 0x4F), the LZF bytes.
        let dump: [UInt8] = [0, 195, 23, 64, 79, 8, 114, 101, 100, 119, 105, 110, 103, 32, 114, 224, 46, 7,
                             2, 97, 98, 99, 224, 1, 2, 1, 98, 99, 10, 0, 106, 1, 193, 168, 255, 28, 167, 230]
        let expected = Array((String(repeating: "redwing ", count: 8) + "abcabcabcabcabc").utf8)
        XCTAssertEqual(decompress(dump[5..<28], count: 79), expected)
        // The DUMP trailer is the CRC64 of everything before it, little-endian.
        let crc = dump[30...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        XCTAssertEqual(rw_crc64(0, dump, 30), crc)
    }

    func testHandWrittenRunsDecode() {
        // literal "abc", then a reference of 6 bytes from 3 back (control 4 << 5, offset 2)
        XCTAssertEqual(decompress([2, 97, 98, 99, 0x80, 2], count: 9), Array("abcabcabc".utf8))
        // literal "a", then 100 bytes from 1 back: length 7 + 91 + 2 in the long form
        XCTAssertEqual(decompress([0, 97, 0xE0, 91, 0], count: 101), [UInt8](repeating: 97, count: 101))
        // the farthest reference: 8192 bytes back (offset field 0x1fff)
        var rng = SplitMix64(seed: 7)
        let block = rng.bytes(8192)
        var stream: [UInt8] = []
        for i in stride(from: 0, to: 8192, by: 32) { stream += [31] + block[i..<i + 32] }
        stream += [0x3F, 0xFF] // length 1 + 2 = 3, offset 0x1fff
        XCTAssertEqual(decompress(stream, count: 8195), block + block[0..<3])
    }

    func testOneByteIsOneLiteralRun() {
        XCTAssertEqual(compress([0x41], cap: 2), [0, 0x41])
        XCTAssertNil(compress([0x41], cap: 1))
        XCTAssertEqual(decompress([0, 0x41], count: 1), [0x41])
    }

    func testEmptyInputGivesZero() {
        XCTAssertNil(compress([], cap: 16))
        XCTAssertNil(decompress([], count: 0))
        XCTAssertNil(decompress([0, 0x41], count: 0))
    }

    // MARK: - Round trips

    func testShortStringsRoundTrip() {
        for s in ["ab", "abc", "aaaa", "hello hello hello hello", "0123456789012345678901234567890123456789"] {
            assertRoundTrip(Array(s.utf8))
        }
    }

    func testLongRepetitiveInputShrinksAndRoundTrips() {
        let input = Array(String(repeating: "abc", count: 1000).utf8)
        let c = compress(input, cap: input.count - 4)
        XCTAssertNotNil(c)
        XCTAssertLessThan(c?.count ?? .max, 60) // references of up to 264 bytes: ~12 runs
        XCTAssertEqual(c.flatMap { decompress($0, count: input.count) }, input)
        assertRoundTrip([UInt8](repeating: 0, count: 100_000))
    }

    func testRandomInputRoundTripsWhenGivenRoom() {
        var rng = SplitMix64(seed: 1)
        for n in [1, 31, 32, 33, 1000, 65536, 70001] { assertRoundTrip(rng.bytes(n)) }
    }

    func testEverySizeUpTo300RoundTrips() {
        var rng = SplitMix64(seed: 2)
        for n in 0...300 {
            let kinds: [[UInt8]] = [rng.bytes(n), text(n, &rng), [UInt8](repeating: UInt8(n & 0xff), count: n),
                                    (0..<n).map { UInt8($0 % 7) }]
            for input in kinds {
                if n == 0 {
                    XCTAssertNil(compress(input))
                } else {
                    assertRoundTrip(input)
                }
            }
        }
    }

    func testOneMegabyteRoundTrips() {
        var rng = SplitMix64(seed: 3)
        var input = text(1 << 19, &rng)
        input += rng.bytes(1 << 18) + [UInt8](repeating: 7, count: 1 << 18)
        guard let c = compress(input, cap: input.count - 4) else { return XCTFail("did not compress") }
        XCTAssertLessThan(c.count, input.count * 3 / 4)
        XCTAssertEqual(decompress(c, count: input.count), input)
    }

    // MARK: - Capacity

    func testCompressGivesZeroWhenTheOutputDoesNotFit() {
        var rng = SplitMix64(seed: 4)
        let input = text(5000, &rng)
        guard let c = compress(input) else { return XCTFail("did not compress") }
        XCTAssertEqual(compress(input, cap: c.count), c) // exactly enough room: the same bytes
        XCTAssertNil(compress(input, cap: c.count - 1))
        XCTAssertNil(compress(input, cap: 1))
        XCTAssertNil(compress(input, cap: 0))
        let noise = rng.bytes(5000)
        XCTAssertNil(compress(noise, cap: noise.count - 4)) // as Redis asks: only if it saves space
    }

    // MARK: - Untrusted input

    func testDecompressRejectsEveryTruncation() {
        var rng = SplitMix64(seed: 5)
        for input in [text(3000, &rng), rng.bytes(300), Array(String(repeating: "xyz", count: 400).utf8)] {
            guard let c = compress(input) else { return XCTFail("did not compress") }
            for cut in 0..<c.count {
                XCTAssertNil(decompress(c[..<cut], count: input.count), "prefix of \(cut) of \(c.count)")
            }
            XCTAssertNil(decompress(c, count: input.count - 1))
            XCTAssertNil(decompress(c, count: input.count + 1))
        }
    }

    func testDecompressRejectsMalformedRuns() {
        XCTAssertNil(decompress([0x20, 0x00], count: 3))       // reference before the output starts
        XCTAssertNil(decompress([1, 97, 98, 0x20, 0x02], count: 5)) // 3 back from position 2
        XCTAssertNil(decompress([4, 97, 98, 99, 100, 101], count: 4)) // literal past out_len
        XCTAssertNil(decompress([2, 97, 98, 99, 0xE0], count: 20))  // long reference cut after control
        XCTAssertNil(decompress([2, 97, 98, 99, 0xE0, 1], count: 20)) // ... and after its length
        XCTAssertNil(decompress([2, 97, 98, 99, 0x40], count: 7))  // reference cut before its offset
        XCTAssertNil(decompress([5, 97, 98], count: 6))           // literal cut short
    }

    func testDecompressSurvivesGarbageAndCorruption() {
        var rng = SplitMix64(seed: 6)
        for _ in 0..<5000 {
            let stream = rng.bytes(Int.random(in: 0...200, using: &rng))
            _ = decompress(stream, count: Int.random(in: 0...600, using: &rng))
        }
        // Flipped bytes in valid streams get deeper into the decoder than pure noise.
        let input = text(2000, &rng) + [UInt8](repeating: 1, count: 300)
        guard let valid = compress(input) else { return XCTFail("did not compress") }
        for _ in 0..<5000 {
            var stream = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                stream[Int.random(in: 0..<stream.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = decompress(stream, count: input.count + Int.random(in: -3...3, using: &rng))
        }
    }
}
