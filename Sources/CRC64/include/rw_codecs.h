/*
 * rw_codecs.h — small pure functions Redwing's Swift code calls on hot or byte-exact paths:
 * the keyed hash for the keyspace, CRC64 (Redis's Jones polynomial), number text
 * conversions that need C's long double, bit counting, and LZF (Redis's string compression).
 *
 * All functions are thread-safe and reentrant; none allocate; pointers are only read for the
 * given length unless stated.
 */
#ifndef RW_CODECS_H
#define RW_CODECS_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** SipHash-1-2 of n bytes with a 16-byte key (the keyspace hash; seed chosen per process). */
uint64_t rw_siphash(const void *p, size_t n, const uint8_t key[16]);
/** The same hash over the ASCII-lowercased bytes (for case-insensitive names). */
uint64_t rw_siphash_nocase(const void *p, size_t n, const uint8_t key[16]);

/** CRC-64/Jones as Redis computes it (reflected, init crc, no final xor). */
uint64_t rw_crc64(uint64_t crc, const void *p, size_t n);

/** Compresses in_len bytes at in into the LZF format Redis writes in RDB files and DUMP
 *  payloads (readable by Redis's lzf_decompress). Writes at most out_cap bytes to out.
 *  Returns the compressed length, or 0 when the result would not fit in out_cap (or in_len is
 *  0); the contents of out are then unspecified. Pass out_cap < in_len to keep only output
 *  that saves space (Redis's RDB writer uses in_len - 4 and skips strings of 20 bytes or
 *  less). The output depends only on the input and out_cap, not on the thread.
 *  Uses up to 64 KB of stack for its match table; no heap, no shared state. in and out must
 *  not overlap; either may be NULL only with a zero length. */
size_t rw_lzf_compress(const void *in, size_t in_len, void *out, size_t out_cap);

/** Decompresses an LZF stream of in_len bytes into exactly out_len bytes at out.
 *  Returns out_len when the stream is well formed and decodes to exactly out_len bytes;
 *  returns 0 for anything else: a back-reference before the start of the output, output
 *  beyond out_len, a run cut short by the end of the input, or fewer than out_len bytes.
 *  Safe on untrusted input (RDB files, RESTORE payloads): it never reads outside
 *  [in, in + in_len) nor writes outside [out, out + out_len). After a failure the contents
 *  of out are unspecified. An out_len of 0 always returns 0 (nothing to decompress).
 *  in and out must not overlap. */
size_t rw_lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len);

/** Parses a long double like Redis's string2ld: the whole input, no leading space, not NaN.
 *  Returns 1 on success. */
int rw_string2ld(const char *p, size_t n, long double *out);
/** Parses a double like Redis's string2d / strtod with the whole input consumed, no leading
 *  space. Returns 1 on success (NaN is rejected). */
int rw_string2d(const char *p, size_t n, double *out);
/** Formats like Redis's ld2string in "human" mode (%.17Lf, trailing zeros removed).
 *  buf must hold 5120 bytes. Returns the length, or 0 if the value is not finite. */
int rw_ld2str_human(char *buf, size_t buflen, long double v);

/** Number of bits set in n bytes at p (BITCOUNT); uses the POPCNT instruction when the CPU
 *  has it. p may be unaligned; it may be NULL only when n is 0. */
uint64_t rw_popcount(const void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
