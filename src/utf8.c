/*
 * utf8.c - UTF-8 validation and offset arithmetic.
 *
 * A document is validated once; when it holds invalid bytes the scanner
 * matches a sanitised copy in which each bad byte is replaced by 0x1A (one
 * byte, one code point), so byte offsets stay true to the input and each bad
 * byte counts as one code point, as U+FFFD would.  PCRE2 then runs with
 * PCRE2_NO_UTF_CHECK on every call.
 */
#include <string.h>

#include "fintag_int.h"

#ifdef __SSE2__
#include <emmintrin.h>

/* Bytes of the 48 at u of a class, as bit masks: ASCII (a), continuation
 * bytes 80-BF (c) and the leads E1-EC, EE-EF of the three-byte sequences
 * that need no further check (l). */
static inline void classes48(const unsigned char *u, uint64_t *a, uint64_t *c, uint64_t *l)
{
    const __m128i m1 = _mm_set1_epi8(-1), m64 = _mm_set1_epi8(-64);
    const __m128i m32 = _mm_set1_epi8(-32), m19 = _mm_set1_epi8(-19), m16 = _mm_set1_epi8(-16);
    *a = *c = *l = 0;
    for (int h = 0; h < 3; h++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(u + 16 * h));
        __m128i lead = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, m32), _mm_cmplt_epi8(v, m19)),
                                    _mm_and_si128(_mm_cmpgt_epi8(v, m19), _mm_cmplt_epi8(v, m16)));
        *a |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpgt_epi8(v, m1)) << (16 * h);
        *c |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(v, m64)) << (16 * h);
        *l |= (uint64_t)(uint32_t)_mm_movemask_epi8(lead) << (16 * h);
    }
}

/* How many bytes from u (48 bytes readable) are certainly valid: at least
 * the first 32 when they are ASCII and whole three-byte sequences of the
 * kind classes48() calls l (the last may end in byte 32 or 33), else 0.
 * A continuation byte first (u not at a character boundary) gives 0. */
static inline size_t clean_run(const unsigned char *u)
{
    uint64_t a, c, l;
    classes48(u, &a, &c, &l);
    const uint64_t head = 0xFFFFFFFFull;
    uint64_t l32 = l & head;
    uint64_t x = (l32 << 1 | l32 << 2);   /* where continuations must be */
    if (((a | c | l) & head) != head || (c & head) != (x & head) || (x & ~c) != 0)
        return 0;
    return l32 >> 31 ? 34 : (l32 >> 30) & 1 ? 33 : 32;
}
#endif

/* Counts the invalid bytes.  The common three-byte sequences (leads E1-EC
 * and EE-EF, whose continuation bytes have no further limits: all CJK and
 * full-width punctuation) are accepted first, with one test, and runs of
 * ASCII are skipped eight bytes at a time; with SSE2, stretches of both are
 * checked thirty-two bytes at a time (clean_run()). */
size_t ft_utf8_count_invalid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0, i = 0;
    while (i < n) {
#ifdef __SSE2__
        /* thirty-two bytes at a time while they are plainly valid */
        size_t k;
        while (i + 48 <= n && (k = clean_run(u + i)) != 0)
            i += k;
        if (i >= n)
            break;
#endif
        unsigned c = u[i];
        if (c - 0xE1u <= 0x0Eu && c != 0xED && n - i >= 3 &&
            ((u[i + 1] ^ 0x80u) | (u[i + 2] ^ 0x80u)) < 0x40u) {
            i += 3;
            continue;
        }
        if (c < 0x80) {
            i++;
            uint64_t w;
            while (i + 8 <= n && (memcpy(&w, u + i, 8), !(w & 0x8080808080808080ull)))
                i += 8;
            continue;
        }
        int l = ft_utf8_seq_len(u + i, n - i);
        if (l == 0) {
            bad++;
            i++;
        } else {
            i += (size_t)l;
        }
    }
    return bad;
}

void ft_utf8_sanitize(const char *s, size_t n, char *dst)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            dst[i] = s[i];
            i++;
            continue;
        }
        int l = ft_utf8_seq_len(u + i, n - i);
        if (l == 0) {
            dst[i++] = 0x1A;
        } else {
            memcpy(dst + i, s + i, (size_t)l);
            i += (size_t)l;
        }
    }
}

size_t ft_utf8_prev(const char *s, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    if (i == 0)
        return 0;
    size_t j = i - 1;
    size_t lim = i >= 4 ? i - 4 : 0;
    while (j > lim && (u[j] & 0xC0) == 0x80)
        j--;
    int l = ft_utf8_seq_len(u + j, i - j);
    if (l > 0 && j + (size_t)l == i)
        return j;
    return i - 1;
}

size_t ft_utf8_cp_count(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t cp = 0, i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
        } else {
            int l = ft_utf8_seq_len(u + i, n - i);
            i += l > 0 ? (size_t)l : 1;
        }
        cp++;
    }
    return cp;
}

int ft_utf8_column(const char *s, size_t line_start, size_t off)
{
    return (int)ft_utf8_cp_count(s + line_start, off - line_start) + 1;
}
