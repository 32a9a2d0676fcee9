/* lzf.c — the LZF format Redis uses for long strings in RDB files and DUMP payloads.
 *
 * A stream is a sequence of runs, each starting with a control byte c:
 *   c < 32   literal run: the next c + 1 bytes are copied to the output;
 *   c >= 32  back-reference: l = c >> 5, plus the next byte when l == 7; then a byte b; the
 *            run copies l + 2 bytes starting ((c & 0x1f) << 8 | b) + 1 bytes back in the
 *            output (source and destination may overlap: distance 1 repeats one byte).
 * So a literal run holds 1..32 bytes, a back-reference copies 3..264 bytes from at most 8192
 * bytes back. Written from that description; Redis's decoder (liblzf) reads every stream the
 * encoder below produces, and the decoder reads every stream liblzf produces. */
#include "rw_codecs.h"
#include <string.h>

#define MAX_LITERAL 32           /* bytes in one literal run */
#define MAX_DISTANCE 8192        /* farthest back a reference reaches (offset field + 1) */
#define MIN_MATCH 3              /* shortest back-reference */
#define MAX_MATCH (7 + 255 + 2)  /* longest back-reference */
#define MAX_HASH_BITS 14         /* 16 K slots × 4 bytes = 64 KB of stack at most */

static inline uint32_t load32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Multiplicative hash of the three bytes at p (little-endian load, top byte masked off). */
static inline uint32_t hash3(uint32_t word, int bits) {
    return ((word & 0xffffffu) * 2654435761u) >> (32 - bits);
}

/* How many bytes from a and b agree, at most max (a is behind b, both readable for max). */
static inline size_t match_length(const unsigned char *a, const unsigned char *b, size_t max) {
    size_t n = 0;
    while (n + 8 <= max) {
        uint64_t diff = load64(a + n) ^ load64(b + n);
        if (diff) return n + ((size_t)__builtin_ctzll(diff) >> 3);
        n += 8;
    }
    while (n < max && a[n] == b[n]) n++;
    return n;
}

/* Appends the literal bytes [from, to) as runs of at most 32. Returns the new output position,
 * or NULL when they do not fit before end. */
static unsigned char *emit_literals(unsigned char *op, unsigned char *end,
                                    const unsigned char *from, const unsigned char *to) {
    size_t n = (size_t)(to - from);
    /* one control byte per started run of 32 */
    if ((size_t)(end - op) < n + (n + MAX_LITERAL - 1) / MAX_LITERAL) return NULL;
    while (n) {
        size_t run = n < MAX_LITERAL ? n : MAX_LITERAL;
        *op++ = (unsigned char)(run - 1);
        memcpy(op, from, run);
        op += run;
        from += run;
        n -= run;
    }
    return op;
}

size_t rw_lzf_compress(const void *in, size_t in_len, void *out, size_t out_cap) {
    if (in_len == 0 || out_cap == 0) return 0;
    const unsigned char *const base = in;
    const unsigned char *const in_end = base + in_len;
    unsigned char *op = out;
    unsigned char *const out_end = op + out_cap;

    /* The table holds, per hash of three bytes, the last position + 1 where they were seen
     * (0 = never). It is sized to the input, four slots per input byte up to 16 K slots: few
     * collisions on short strings, and those (Redis compresses every string over 20 bytes)
     * clear 1 KB rather than 64 KB. Positions are kept modulo 2^32; beyond 4 GB a slot may
     * name the wrong earlier position, which only costs a missed match because every
     * candidate is checked byte for byte. */
    int bits = 8;
    while (bits < MAX_HASH_BITS && ((size_t)1 << bits) / 4 < in_len) bits++;
    uint32_t table[1u << MAX_HASH_BITS];
    memset(table, 0, sizeof(uint32_t) << bits);

    const unsigned char *literal = base; /* first byte not yet emitted */
    /* A 4-byte load at ip must stay inside the input; the last three bytes stay literals. */
    const unsigned char *const scan_end = in_len >= 4 ? in_end - 3 : base;
    /* Position 0 has nothing behind it: it only enters the table, and the scan starts at 1
     * so that ip - 1 is always a valid candidate (see below). */
    if (in_len >= 4) table[hash3(load32(base), bits)] = 1;
    const unsigned char *ip = base + 1;
    while (ip < scan_end) {
        uint32_t word = load32(ip);
        uint32_t h = hash3(word, bits);
        uint32_t pos = (uint32_t)(ip - base);
        uint32_t seen = table[h];
        table[h] = pos + 1;
        /* The encoded offset field: ip - ref - 1. It is taken modulo 2^32 and ref is derived
         * from ip, not from the slot, so whatever a slot holds, ref is a real position at most
         * 8192 bytes back and the bytes compared are the bytes the reference would copy.
         * An empty slot (distance = pos) or one too far back is replaced by ip - 1, which is
         * as good a guess as any (it finds runs of one byte) and keeps this path free of
         * unpredictable branches: on incompressible data nearly every position ends here. */
        uint32_t distance = pos - seen;
        uint32_t usable = (distance < MAX_DISTANCE) & ((size_t)(ip - base) > distance);
        distance &= 0u - usable; /* arithmetic, not a branch: usable is a coin toss here */
        const unsigned char *ref = ip - distance - 1;
        if ((load32(ref) ^ word) & 0xffffff) {
            ip++;
            continue;
        }
        size_t max = (size_t)(in_end - ip);
        if (max > MAX_MATCH) max = MAX_MATCH;
        size_t len = MIN_MATCH + match_length(ref + MIN_MATCH, ip + MIN_MATCH, max - MIN_MATCH);

        if (literal < ip && !(op = emit_literals(op, out_end, literal, ip))) return 0;
        size_t l = len - 2;
        if (out_end - op < (l < 7 ? 2 : 3)) return 0;
        if (l < 7) {
            *op++ = (unsigned char)((l << 5) | (distance >> 8));
        } else {
            *op++ = (unsigned char)((7 << 5) | (distance >> 8));
            *op++ = (unsigned char)(l - 7);
        }
        *op++ = (unsigned char)distance;

        /* Remember the two positions just before the match's end, so a repetition of what
         * follows can reach back into this match (liblzf's default does much the same;
         * hashing every position costs speed for a small gain in ratio). */
        ip += len;
        literal = ip;
        if (ip < scan_end) {
            table[hash3(load32(ip - 2), bits)] = (uint32_t)(ip - 2 - base) + 1;
            table[hash3(load32(ip - 1), bits)] = (uint32_t)(ip - 1 - base) + 1;
        }
    }
    if (literal < in_end && !(op = emit_literals(op, out_end, literal, in_end))) return 0;
    return (size_t)(op - (unsigned char *)out);
}

size_t rw_lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len) {
    if (in_len == 0 || out_len == 0) return 0;
    const unsigned char *ip = in;
    const unsigned char *const in_end = ip + in_len;
    unsigned char *const start = out;
    unsigned char *op = start;
    unsigned char *const out_end = start + out_len;

    while (ip < in_end) {
        size_t c = *ip++;
        if (c < 32) {
            size_t run = c + 1;
            if ((size_t)(in_end - ip) < run || (size_t)(out_end - op) < run) return 0;
            /* A whole 32-byte move is cheaper than a variable memcpy when both sides have room
             * for it; the bytes past the run stay inside out, and a successful decode
             * overwrites them with later runs. */
            if (in_end - ip >= MAX_LITERAL && out_end - op >= MAX_LITERAL)
                memcpy(op, ip, MAX_LITERAL);
            else
                memcpy(op, ip, run);
            op += run;
            ip += run;
            continue;
        }
        size_t len = c >> 5;
        if (len == 7) {
            if (ip == in_end) return 0;
            len += *ip++;
        }
        if (ip == in_end) return 0;
        size_t distance = ((c & 0x1f) << 8 | *ip++) + 1;
        len += 2;
        if ((size_t)(op - start) < distance || (size_t)(out_end - op) < len) return 0;
        const unsigned char *ref = op - distance;
        if (distance >= len) {
            memcpy(op, ref, len);
        } else if (distance == 1) {
            memset(op, *ref, len);
        } else if (distance >= 8) {
            /* Overlapping, but each 8-byte step reads only bytes already written. */
            size_t n = 0;
            for (; n + 8 <= len; n += 8) memcpy(op + n, ref + n, 8);
            for (; n < len; n++) op[n] = ref[n];
        } else {
            for (size_t n = 0; n < len; n++) op[n] = ref[n];
        }
        op += len;
    }
    return op == out_end ? out_len : 0;
}
