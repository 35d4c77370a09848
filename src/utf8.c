/*
 * utf8.c - UTF-8 validation and offset arithmetic.
 *
 * A document is validated once; when it holds invalid bytes the scanner
 * matches a sanitised copy in which each bad byte is replaced by 0x1A (one
 * byte, one code point), so byte offsets stay true to the input and each bad
 * byte counts as one code point, as U+FFFD would.  PCRE2 then runs with
 * PCRE2_NO_UTF_CHECK on every call.
 *
 * The validation (ft_utf8_count_invalid) counts the invalid bytes exactly as
 * ft_utf8_seq_len() defines them.  It has two implementations:
 *
 * - the base one (ft_utf8_count_invalid_base): byte-class masks with SSE2
 *   accept stretches of ASCII and of the common three-byte sequences
 *   (clean_run()), everything else goes through ft_utf8_seq_len();
 * - on x86-64 with AVX2, a block validator in the style of the published
 *   "lookup" algorithm (ft_utf8_count_invalid_avx2): 64 bytes at a time, each
 *   byte's high nibble and the previous byte's two nibbles index three
 *   16-byte tables whose AND flags every error two bytes can show, and the
 *   bytes two and three back tell where a second or third continuation byte
 *   must be.  It only answers "this stretch is valid UTF-8"; where a block
 *   has an error, the base code counts from the character before the first
 *   error to a little past it, and the blocks resume from the character
 *   boundary it stops at, so the count is always the base code's.
 *
 * The AVX2 code is chosen once, by the dynamic loader, through a GNU ifunc
 * (no mutable state of ours); where ifuncs are unavailable it is chosen on
 * each call of 256 bytes or more with __builtin_cpu_supports().
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

/* Counts the invalid bytes of u[i..n) that lie before the first character
 * boundary at or after stop (i must be a boundary: the start of a sequence
 * or an invalid byte) into *bad and returns that boundary (stop..stop+3, at
 * most n).  The common three-byte sequences (leads E1-EC and EE-EF, whose
 * continuation bytes have no further limits: all CJK and full-width
 * punctuation) are accepted first, with one test, and runs of ASCII are
 * skipped eight bytes at a time; with SSE2, stretches of both are checked
 * thirty-two bytes at a time (clean_run()). */
static size_t count_from(const unsigned char *u, size_t n, size_t i, size_t stop, size_t *bad)
{
    if (stop > n)
        stop = n;
    while (i < stop) {
#ifdef __SSE2__
        /* thirty-two bytes at a time while they are plainly valid (and
         * before stop: the AVX2 code goes on faster from there) */
        size_t k;
        while (i < stop && i + 48 <= n && (k = clean_run(u + i)) != 0)
            i += k;
        if (i >= stop)
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
            ++*bad;
            i++;
        } else {
            i += (size_t)l;
        }
    }
    return i;
}

/* ft_utf8_count_invalid without AVX2 (and the AVX2 code's exact count). */
size_t ft_utf8_count_invalid_base(const char *s, size_t n)
{
    size_t bad = 0;
    count_from((const unsigned char *)s, n, 0, n, &bad);
    return bad;
}

#ifdef FT_UTF8_AVX2
#include <immintrin.h>

#define FT_AVX2 __attribute__((target("avx2")))

/* After an error, the base code counts from the character before it to at
 * least this many bytes past it (errors come in clusters), then the blocks
 * start again: on news with a bad byte every 500 bytes, 5 GB/s. */
#define U8_SPAN 16

/* Error flags of a byte given the byte before it (prev1).  Each flag is a
 * condition on prev1's high nibble, prev1's low nibble and the byte's own
 * high nibble, so that one table per nibble, ANDed, gives them all. */
enum {
    U8_TOO_SHORT = 1 << 0,  /* lead C0-FF, then ASCII or a lead       */
    U8_TOO_LONG = 1 << 1,   /* ASCII, then a continuation 80-BF       */
    U8_OVERLONG3 = 1 << 2,  /* E0, then 80-9F                         */
    U8_TOO_LARGE = 1 << 3,  /* F4-FF, then 90-BF                      */
    U8_SURROGATE = 1 << 4,  /* ED, then A0-BF                         */
    U8_OVERLONG2 = 1 << 5,  /* C0-C1, then a continuation             */
    U8_F_80 = 1 << 6,       /* F0 (overlong) or F5-FF (too large), then 80-8F */
    U8_TWO_CONTS = 1 << 7   /* a continuation, then a continuation:
                               an error unless a 3/4-byte lead needs it */
};

#define U8_ALL (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)
#define U8_CONT (U8_TOO_LONG | U8_OVERLONG2 | U8_TWO_CONTS)

/* By the high nibble of the byte before. */
static const unsigned char u8_t_hi1[16] = {
    /* 0-7 ASCII */
    U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
    U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
    /* 8-B continuation */
    U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
    /* C-D two-byte leads, E three, F four (and F5-FF) */
    U8_TOO_SHORT | U8_OVERLONG2, U8_TOO_SHORT,
    U8_TOO_SHORT | U8_OVERLONG3 | U8_SURROGATE,
    U8_TOO_SHORT | U8_TOO_LARGE | U8_F_80};

/* By the low nibble of the byte before (C0, E0, F0; C1; F4; F5-FF; ED). */
static const unsigned char u8_t_lo1[16] = {
    U8_ALL | U8_OVERLONG2 | U8_OVERLONG3 | U8_F_80, U8_ALL | U8_OVERLONG2, U8_ALL, U8_ALL,
    U8_ALL | U8_TOO_LARGE, U8_ALL | U8_TOO_LARGE | U8_F_80,
    U8_ALL | U8_TOO_LARGE | U8_F_80, U8_ALL | U8_TOO_LARGE | U8_F_80,
    U8_ALL | U8_TOO_LARGE | U8_F_80, U8_ALL | U8_TOO_LARGE | U8_F_80,
    U8_ALL | U8_TOO_LARGE | U8_F_80, U8_ALL | U8_TOO_LARGE | U8_F_80,
    U8_ALL | U8_TOO_LARGE | U8_F_80, U8_ALL | U8_TOO_LARGE | U8_F_80 | U8_SURROGATE,
    U8_ALL | U8_TOO_LARGE | U8_F_80, U8_ALL | U8_TOO_LARGE | U8_F_80};

/* By the high nibble of the byte itself. */
static const unsigned char u8_t_hi0[16] = {
    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
    U8_CONT | U8_OVERLONG3 | U8_F_80, U8_CONT | U8_OVERLONG3 | U8_TOO_LARGE,
    U8_CONT | U8_SURROGATE | U8_TOO_LARGE, U8_CONT | U8_SURROGATE | U8_TOO_LARGE,
    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT};

/* A 16-byte table in both lanes. */
#define U8_TABLE(t) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t)))

/* The 32 bytes before each byte of in (k = 1..3 back), taking the bytes
 * before in from the last vector, prev. */
#define U8_PREV(in, prev, k) \
    _mm256_alignr_epi8((in), _mm256_permute2x128_si256((prev), (in), 0x21), 16 - (k))

/* Nonzero bytes where in (with the 32 bytes before it in prev) breaks
 * UTF-8, as far as the bytes up to the end of in can tell: a sequence cut
 * off at the end of in is not an error here (see u8_incomplete()). */
static inline FT_AVX2 __m256i u8_errors(__m256i in, __m256i prev)
{
    const __m256i nib = _mm256_set1_epi8(0x0F);
    const __m256i t_hi1 = U8_TABLE(u8_t_hi1), t_lo1 = U8_TABLE(u8_t_lo1);
    const __m256i t_hi0 = U8_TABLE(u8_t_hi0);
    __m256i p1 = U8_PREV(in, prev, 1);
    __m256i sc = _mm256_and_si256(
        _mm256_and_si256(
            _mm256_shuffle_epi8(t_hi1, _mm256_and_si256(_mm256_srli_epi16(p1, 4), nib)),
            _mm256_shuffle_epi8(t_lo1, _mm256_and_si256(p1, nib))),
        _mm256_shuffle_epi8(t_hi0, _mm256_and_si256(_mm256_srli_epi16(in, 4), nib)));
    /* 0x80 where the byte must be a second or third continuation: two after
     * an E0-FF lead or three after an F0-FF one */
    __m256i p2 = U8_PREV(in, prev, 2), p3 = U8_PREV(in, prev, 3);
    __m256i must = _mm256_or_si256(_mm256_subs_epu8(p2, _mm256_set1_epi8((char)(0xE0 - 0x80))),
                                   _mm256_subs_epu8(p3, _mm256_set1_epi8((char)(0xF0 - 0x80))));
    must = _mm256_and_si256(must, _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(sc, must);
}

/* Nonzero when in ends inside a sequence: a lead in its last byte, a
 * three- or four-byte lead in the last two, a four-byte lead in the last
 * three. */
static inline FT_AVX2 __m256i u8_incomplete(__m256i in)
{
    const __m256i max = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        (char)0xEF, (char)0xDF, (char)0xBF);
    return _mm256_subs_epu8(in, max);
}

/* Where the character that the bytes u[start..i) end in begins: i when
 * they end at a boundary, else the lead of the sequence cut at i.  They must
 * be valid UTF-8 but for the end: a cut sequence or one bad lead (which
 * u8_errors() only flags at the byte after it). */
static size_t u8_boundary(const unsigned char *u, size_t start, size_t i)
{
    for (size_t j = i; j > start && i - j < 3;) {
        j--;
        if ((u[j] & 0xC0) != 0x80)
            return j + (size_t)ft_utf8_lead_len(u[j]) > i ? j : i;
    }
    return i;
}

/* ft_utf8_count_invalid with AVX2: 64-byte blocks are checked with
 * u8_errors(), all-ASCII ones with a single test.  In a block with an
 * error, the bytes before the first byte where it shows are valid (but may
 * end inside a sequence), so count_from() counts exactly from the start of
 * that character to a boundary U8_SPAN bytes or more past it, and the
 * blocks start again from there.  The last partial block is copied into a
 * zero-padded buffer, so nothing past s + n is read and a sequence cut off
 * by the end shows as an error. */
FT_AVX2 size_t ft_utf8_count_invalid_avx2(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    const __m256i high = _mm256_set1_epi8((char)0x80);
    size_t bad = 0, i = 0, start = 0;   /* [start, i) is valid so far */
    __m256i prev = _mm256_setzero_si256(), inc = _mm256_setzero_si256();
    for (;;) {
        unsigned char pad[64];
        const unsigned char *b = u + i;
        int last = n - i < 64;
        if (last) {
            if (i == n && _mm256_testz_si256(inc, inc))
                break;
            memset(pad, 0, sizeof pad);
            memcpy(pad, u + i, n - i);
            b = pad;
        }
        __m256i lo = _mm256_loadu_si256((const __m256i *)b);
        __m256i hi = _mm256_loadu_si256((const __m256i *)(b + 32));
        __m256i elo, ehi;
        if (_mm256_testz_si256(_mm256_or_si256(lo, hi), high)) {
            /* ASCII: wrong only after a cut-off sequence, from byte 0 */
            ehi = _mm256_setzero_si256();
            elo = _mm256_testz_si256(inc, inc) ? ehi : _mm256_cmpeq_epi8(ehi, ehi);
            inc = ehi;
        } else {
            elo = u8_errors(lo, prev);
            ehi = u8_errors(hi, lo);
            inc = u8_incomplete(hi);
        }
        prev = hi;
        __m256i err = _mm256_or_si256(elo, ehi);
        if (!_mm256_testz_si256(err, err)) {
            /* the first byte where an error shows: the bytes before it are
             * valid but for a sequence they may cut */
            const __m256i z = _mm256_setzero_si256();
            uint64_t ok = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(elo, z));
            ok |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(ehi, z)) << 32;
            size_t at = i + (size_t)__builtin_ctzll(~ok);
            if (at > n)
                at = n;
            _mm256_zeroupper();   /* count_from() is SSE2 code */
            i = count_from(u, n, u8_boundary(u, start, at), at + U8_SPAN, &bad);
            start = i;
            prev = inc = _mm256_setzero_si256();
            continue;
        }
        if (last)
            break;
        i += 64;
    }
    return bad;
}

/* Whether this CPU (and OS) runs AVX2 code. */
int ft_utf8_avx2_usable(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

#if defined(__GLIBC__) && defined(__ELF__)
typedef size_t (*count_fn)(const char *, size_t);

/* ifunc resolver, run by the dynamic loader before any constructor (hence
 * __builtin_cpu_init()) and before the sanitizers are set up: instrumented
 * (make asan, a ThreadSanitizer build) it crashes before main(), hence
 * no_sanitize. */
__attribute__((used, no_sanitize("address", "undefined", "thread")))
static count_fn resolve_count_invalid(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? ft_utf8_count_invalid_avx2
                                          : ft_utf8_count_invalid_base;
}

size_t ft_utf8_count_invalid(const char *s, size_t n)
    __attribute__((ifunc("resolve_count_invalid")));
#else
size_t ft_utf8_count_invalid(const char *s, size_t n)
{
    if (n >= 256 && __builtin_cpu_supports("avx2"))
        return ft_utf8_count_invalid_avx2(s, n);
    return ft_utf8_count_invalid_base(s, n);
}
#endif

#else /* no AVX2 code */

size_t ft_utf8_count_invalid(const char *s, size_t n)
{
    return ft_utf8_count_invalid_base(s, n);
}
#endif

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
