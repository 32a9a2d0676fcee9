/// Glob-style matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE):
/// `*` any run, `?` one byte, `[abc]`, `[^abc]`, `[a-z]` (ends in either order), and `\`
/// escaping the next byte. Binary safe. Like Redis, nested `*` recursion is bounded so hostile
/// patterns cannot blow the stack or spin forever.
func globMatch(_ pattern: UnsafeRawBufferPointer, _ string: UnsafeRawBufferPointer,
               noCase: Bool = false) -> Bool {
    var skipLongerMatches = false
    return globMatch(pattern[...], string[...], noCase, nesting: 0, &skipLongerMatches)
}

func globMatch(_ pattern: [UInt8], _ string: [UInt8], noCase: Bool = false) -> Bool {
    pattern.withUnsafeBytes { p in string.withUnsafeBytes { s in globMatch(p, s, noCase: noCase) } }
}

@inline(__always)
private func fold(_ c: UInt8, _ noCase: Bool) -> UInt8 {
    noCase && c >= 65 && c <= 90 ? c | 0x20 : c
}

private func globMatch(_ pat: Slice<UnsafeRawBufferPointer>, _ str: Slice<UnsafeRawBufferPointer>,
                       _ noCase: Bool, nesting: Int, _ skipLonger: inout Bool) -> Bool {
    if nesting > 1000 { return false }
    var p = pat.startIndex, s = str.startIndex
    let pe = pat.endIndex, se = str.endIndex
    while p < pe && s < se {
        switch pat[p] {
        case UInt8(ascii: "*"):
            while p + 1 < pe && pat[p + 1] == UInt8(ascii: "*") { p += 1 }
            if p + 1 == pe { return true }
            var k = s
            while k < se {
                if globMatch(pat[(p + 1)...], str[k...], noCase, nesting: nesting + 1, &skipLonger) {
                    return true
                }
                // A failure below a later '*' means no longer match can succeed either.
                if skipLonger { return false }
                k += 1
            }
            skipLonger = true
            return false
        case UInt8(ascii: "?"):
            s += 1
        case UInt8(ascii: "["):
            p += 1
            let negate = p < pe && pat[p] == UInt8(ascii: "^")
            if negate { p += 1 }
            var matched = false
            while true {
                if p >= pe { p -= 1; break }
                let c = pat[p]
                if c == UInt8(ascii: "\\") && p + 1 < pe {
                    p += 1
                    if pat[p] == str[s] { matched = true }
                } else if c == UInt8(ascii: "]") {
                    break
                } else if p + 2 < pe && pat[p + 1] == UInt8(ascii: "-") {
                    var lo = fold(pat[p], noCase), hi = fold(pat[p + 2], noCase)
                    if lo > hi { swap(&lo, &hi) }
                    let ch = fold(str[s], noCase)
                    p += 2
                    if ch >= lo && ch <= hi { matched = true }
                } else if fold(c, noCase) == fold(str[s], noCase) {
                    matched = true
                }
                p += 1
            }
            if negate { matched = !matched }
            if !matched { return false }
            s += 1
        case UInt8(ascii: "\\"):
            if p + 1 < pe { p += 1 }
            fallthrough
        default:
            if fold(pat[p], noCase) != fold(str[s], noCase) { return false }
            s += 1
        }
        p += 1
        if s == se {
            while p < pe && pat[p] == UInt8(ascii: "*") { p += 1 }
            break
        }
    }
    return p == pe && s == se
}
