/* siphash.c — SipHash-1-2 (one compression round, two finalisation rounds), the keyed hash
 * Redis also uses for its dictionaries: fast on short keys and, with a secret per-process key,
 * resistant to collision flooding by hostile clients. Written from the SipHash paper. */
#include "rw_codecs.h"
#include <string.h>

static inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                   \
    do {                                                           \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                     \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                     \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
    } while (0)

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v; /* little-endian host assumed (x86_64, aarch64) */
}

static inline uint64_t lower64(uint64_t v) {
    /* ASCII lowercase of eight bytes at once: add 0x20 to bytes in 'A'..'Z'. */
    uint64_t heptets = v & 0x7f7f7f7f7f7f7f7fULL;
    uint64_t ge_a = heptets + 0x3f3f3f3f3f3f3f3fULL;   /* high bit set if byte >= 'A' */
    uint64_t gt_z = heptets + 0x2525252525252525ULL;   /* high bit set if byte > 'Z' */
    uint64_t is_upper = ge_a & ~gt_z & ~v & 0x8080808080808080ULL;
    return v | (is_upper >> 2);
}

static uint64_t siphash_impl(const uint8_t *in, size_t inlen, const uint8_t k[16], int nocase) {
    uint64_t k0 = load64(k), k1 = load64(k + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    const uint8_t *end = in + inlen - (inlen % 8);
    for (; in != end; in += 8) {
        uint64_t m = load64(in);
        if (nocase) m = lower64(m);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    uint8_t tail[8] = {0};
    memcpy(tail, in, inlen & 7);
    uint64_t last = load64(tail);
    if (nocase) last = lower64(last);
    uint64_t b = ((uint64_t)inlen) << 56 | (last & 0x00ffffffffffffffULL);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t rw_siphash(const void *p, size_t n, const uint8_t key[16]) {
    return siphash_impl(p, n, key, 0);
}

uint64_t rw_siphash_nocase(const void *p, size_t n, const uint8_t key[16]) {
    return siphash_impl(p, n, key, 1);
}
