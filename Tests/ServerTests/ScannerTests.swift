import CEventShim
import Glibc
import XCTest

/// The RESP scanner, driven directly through a client structure with no socket: every error
/// path, pipelining, and commands split at every byte boundary.
final class ScannerTests: XCTestCase {
    /// A detached client whose query buffer the test fills by hand.
    final class FakeClient {
        let c: UnsafeMutablePointer<rw_client>
        init() {
            c = UnsafeMutablePointer<rw_client>.allocate(capacity: 1)
            memset(c, 0, MemoryLayout<rw_client>.size)
            c.pointee.bulklen = -1
            c.pointee.resp = 2
        }
        deinit {
            free(c.pointee.qbuf)
            free(c.pointee.arg_off)
            free(c.pointee.inline_lens)
            free(c.pointee.argv)
            free(c.pointee.ibuf)
            c.deallocate()
        }
        /// Appends input, compacting consumed bytes first like the reader does.
        func feed(_ bytes: [UInt8]) {
            let p = c.pointee
            if p.cmd_start > 0 {
                let keep = p.qb_len - p.cmd_start
                memmove(p.qbuf, p.qbuf + p.cmd_start, keep)
                for i in 0..<Int(p.argc) { c.pointee.arg_off[i] -= p.cmd_start }
                c.pointee.qb_pos -= p.cmd_start
                c.pointee.last_start = p.last_start >= p.cmd_start ? p.last_start - p.cmd_start : 0
                c.pointee.qb_len = keep
                c.pointee.cmd_start = 0
            }
            let need = c.pointee.qb_len + bytes.count
            if need > c.pointee.qb_cap {
                c.pointee.qbuf = realloc(c.pointee.qbuf, need)!.assumingMemoryBound(to: UInt8.self)
                c.pointee.qb_cap = need
            }
            bytes.withUnsafeBytes { src in
                if !bytes.isEmpty { memcpy(c.pointee.qbuf + c.pointee.qb_len, src.baseAddress!, bytes.count) }
            }
            c.pointee.qb_len = need
        }
        func feed(_ s: String) { feed(Array(s.utf8)) }

        enum Result: Equatable { case command([String]), needMore, error(String) }

        func next() -> Result {
            let r = rw_next_command(c)
            if r == 0 { return .needMore }
            if r < 0 { return .error(String(cString: c.pointee.err)) }
            var out: [String] = []
            for i in 0..<Int(c.pointee.argc) {
                let s = c.pointee.argv[i]
                out.append(String(decoding: UnsafeRawBufferPointer(start: s.ptr, count: s.len), as: UTF8.self))
            }
            return .command(out)
        }

        func all() -> [Result] {
            var out: [Result] = []
            while true {
                let r = next()
                if r == .needMore { return out }
                out.append(r)
                if case .error = r { return out }
            }
        }
    }

    func testMultibulkCommand() {
        let f = FakeClient()
        f.feed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n")
        XCTAssertEqual(f.all(), [.command(["SET", "k", "hello"])])
    }

    func testPipelinedCommandsInOneRead() {
        let f = FakeClient()
        f.feed("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n")
        XCTAssertEqual(f.all(), [.command(["PING"]), .command(["GET", "a"]), .command(["PING"])])
    }

    func testInlineQuoting() {
        let f = FakeClient()
        f.feed("SET \"a b\" 'c\\'d' \"\\x41\\n\"\r\n")
        XCTAssertEqual(f.all(), [.command(["SET", "a b", "c'd", "A\n"])])
    }

    func testInlineWithoutCarriageReturn() {
        let f = FakeClient()
        f.feed("PING\nECHO x\n")
        XCTAssertEqual(f.all(), [.command(["PING"]), .command(["ECHO", "x"])])
    }

    func testEmptyLinesAndEmptyMultibulkAreSkipped() {
        let f = FakeClient()
        f.feed("\r\n*0\r\n*-1\r\nPING\r\n")
        XCTAssertEqual(f.all(), [.command(["PING"])])
    }

    func testUnbalancedQuotes() {
        let f = FakeClient()
        f.feed("SET \"abc\r\n")
        XCTAssertEqual(f.all(), [.error("Protocol error: unbalanced quotes in request")])
        let g = FakeClient()
        g.feed("SET \"a\"b\r\n")
        XCTAssertEqual(g.all(), [.error("Protocol error: unbalanced quotes in request")])
    }

    func testInvalidMultibulkLength() {
        for bad in ["*x\r\n", "*2147483648\r\n", "*01\r\n", "*1048577\r\n"] {
            let f = FakeClient()
            f.feed(bad)
            XCTAssertEqual(f.all(), [.error("Protocol error: invalid multibulk length")], bad)
        }
    }

    func testInvalidBulkLength() {
        for bad in ["*1\r\n$x\r\n", "*1\r\n$-1\r\n", "*1\r\n$536870913\r\n"] {
            let f = FakeClient()
            f.feed(bad)
            XCTAssertEqual(f.all(), [.error("Protocol error: invalid bulk length")], bad)
        }
    }

    func testExpectedDollar() {
        let f = FakeClient()
        f.feed("*1\r\n:3\r\n")
        XCTAssertEqual(f.all(), [.error("Protocol error: expected '$', got ':'")])
    }

    func testTooBigInlineRequest() {
        let f = FakeClient()
        f.feed([UInt8](repeating: 65, count: 70 * 1024))
        XCTAssertEqual(f.all(), [.error("Protocol error: too big inline request")])
    }

    func testTooBigCountStrings() {
        let f = FakeClient()
        f.feed("*" + String(repeating: "1", count: 70 * 1024))
        XCTAssertEqual(f.all(), [.error("Protocol error: too big mbulk count string")])
        let g = FakeClient()
        g.feed("*1\r\n$" + String(repeating: "1", count: 70 * 1024))
        XCTAssertEqual(g.all(), [.error("Protocol error: too big bulk count string")])
    }

    func testCommandsBeforeAnErrorStillRun() {
        let f = FakeClient()
        f.feed("PING\r\n*1\r\n$x\r\n")
        XCTAssertEqual(f.all(), [.command(["PING"]), .error("Protocol error: invalid bulk length")])
    }

    /// Every split point of a pipelined stream gives the same commands.
    func testSplitReadsAtEveryByte() {
        let stream = Array("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\nPING \"x y\"\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n".utf8)
        let expected: [FakeClient.Result] = [.command(["SET", "key", "0123456789"]), .command(["PING", "x y"]), .command(["ECHO", ""])]
        for split in 0...stream.count {
            let f = FakeClient()
            f.feed(Array(stream[0..<split]))
            var got = f.all()
            f.feed(Array(stream[split...]))
            got += f.all()
            XCTAssertEqual(got, expected, "split at \(split)")
        }
    }

    /// Byte-at-a-time delivery (many reads) works too, including for binary payloads.
    func testByteAtATime() {
        var stream = Array("*2\r\n$4\r\nECHO\r\n$4\r\n".utf8) + [0, 13, 10, 255] + Array("\r\n".utf8)
        stream += Array("*1\r\n$4\r\nPING\r\n".utf8)
        let f = FakeClient()
        var got: [FakeClient.Result] = []
        for b in stream {
            f.feed([b])
            got += f.all()
        }
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(got[1], .command(["PING"]))
    }
}
