@testable import Server
import XCTest

final class GlobTests: XCTestCase {
    func m(_ p: String, _ s: String, nocase: Bool = false) -> Bool {
        globMatch(Array(p.utf8), Array(s.utf8), noCase: nocase)
    }

    func testWildcards() {
        XCTAssertTrue(m("*", "anything"))
        XCTAssertTrue(m("h?llo", "hello"))
        XCTAssertFalse(m("h?llo", "hllo"))
        XCTAssertTrue(m("h*llo", "heeeello"))
        XCTAssertTrue(m("a*", "a"))
        XCTAssertFalse(m("a*b", "acbd"))
        XCTAssertTrue(m("**a**", "xxa"))
    }

    func testClasses() {
        XCTAssertTrue(m("h[ae]llo", "hallo"))
        XCTAssertFalse(m("h[ae]llo", "hillo"))
        XCTAssertTrue(m("h[^e]llo", "hallo"))
        XCTAssertFalse(m("h[^e]llo", "hello"))
        XCTAssertTrue(m("h[a-b]llo", "hbllo"))
        XCTAssertTrue(m("h[b-a]llo", "hallo"))
        XCTAssertTrue(m("[\\]]", "]"))
        XCTAssertTrue(m("x[abc", "xc"))
    }

    func testEscapesAndCase() {
        XCTAssertTrue(m("a\\*b", "a*b"))
        XCTAssertFalse(m("a\\*b", "axb"))
        XCTAssertTrue(m("HELLO", "hello", nocase: true))
        XCTAssertFalse(m("HELLO", "hello"))
    }

    /// A pathological pattern ends quickly (Redis's skip-longer-matches rule).
    func testPathologicalPatternIsFast() {
        let p = String(repeating: "a*", count: 30) + "b"
        let s = String(repeating: "a", count: 60)
        XCTAssertFalse(m(p, s))
    }
}
