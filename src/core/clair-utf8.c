/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-utf8"

#include "config.h"

#include <string.h>

#include "clair-utf8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86_VECTORS 1
#endif

/* UTF-8 validation of every text a dataset holds: a gigabyte for a large import, where a byte at
 * a time cost a fifth of the time of reading a Parquet file of mixed-script text (one byte in
 * eleven outside ASCII, so ASCII runs are too short to skip). */

gboolean
clair_utf8_valid_scalar (const char *text,
                         gsize       len)
{
  const guchar *p = (const guchar *) text;
  const guchar *end = p + len;

  while (p < end)
    {
      guchar c = *p;

      if (c < 0x80)
        {
          p++;
          continue;
        }
      if (c < 0xc2)
        return FALSE;
      if (c < 0xe0)
        {
          if (end - p < 2 || (p[1] & 0xc0) != 0x80)
            return FALSE;
          p += 2;
        }
      else if (c < 0xf0)
        {
          if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
              (c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
            return FALSE;
          p += 3;
        }
      else if (c < 0xf5)
        {
          if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
              (p[3] & 0xc0) != 0x80 || (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
            return FALSE;
          p += 4;
        }
      else
        return FALSE;
    }
  return TRUE;
}

#ifdef HAVE_X86_VECTORS

/* Sixteen bytes at a time with table lookups (Keiser and Lemire, "Validating UTF-8 in less than
 * one instruction per byte", 2021): every error shows in the pair of a byte and the one before
 * it, classified by three 16-entry tables indexed by nibbles, except a missing or extra third
 * or fourth byte, which the lead two and three places back tells. A bit per kind of error: */
#define TOO_SHORT   (1 << 0)  /* a lead byte not followed by a continuation */
#define TOO_LONG    (1 << 1)  /* a continuation after ASCII */
#define OVERLONG_3  (1 << 2)  /* E0 followed by 80–9F */
#define TOO_LARGE   (1 << 3)  /* F4 followed by 90–BF, or F5–FF */
#define SURROGATE   (1 << 4)  /* ED followed by A0–BF */
#define OVERLONG_2  (1 << 5)  /* C0 or C1 */
#define TOO_LARGE_1000 (1 << 6) /* F5–FF followed by 80–8F */
#define OVERLONG_4  (1 << 6)  /* F0 followed by 80–8F */
#define TWO_CONTS   (1 << 7)  /* two continuations: fine only as third or fourth byte */
#define CARRY       (TOO_SHORT | TOO_LONG | TWO_CONTS)

/* The three tables, indexed by the high nibble of a byte's predecessor, its low nibble, and the
 * byte's own high nibble; the AND of the three lookups has a bit set for every error the pair
 * makes. Shared by the 16- and 32-byte versions (the latter repeats them in both lanes). */
static const guint8 byte_1_high_table[16] = {
  TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
  TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
  TOO_SHORT | OVERLONG_2,
  TOO_SHORT,
  TOO_SHORT | OVERLONG_3 | SURROGATE,
  TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,
};
static const guint8 byte_1_low_table[16] = {
  CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
  CARRY | OVERLONG_2,
  CARRY,
  CARRY,
  CARRY | TOO_LARGE,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
  CARRY | TOO_LARGE | TOO_LARGE_1000,
};
static const guint8 byte_2_high_table[16] = {
  TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
  TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
  TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
  TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
  TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
  TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
};

__attribute__((target ("ssse3")))
static inline __m128i
special_cases (__m128i input,
               __m128i prev1)
{
  const __m128i low_nibble = _mm_set1_epi8 (0x0f);
  __m128i byte_1_high = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) byte_1_high_table),
                                          _mm_and_si128 (_mm_srli_epi16 (prev1, 4), low_nibble));
  __m128i byte_1_low = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) byte_1_low_table),
                                         _mm_and_si128 (prev1, low_nibble));
  __m128i byte_2_high = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) byte_2_high_table),
                                          _mm_and_si128 (_mm_srli_epi16 (input, 4), low_nibble));

  return _mm_and_si128 (_mm_and_si128 (byte_1_high, byte_1_low), byte_2_high);
}

/* The errors of the sixteen bytes @input, @prev the sixteen before them. */
__attribute__((target ("ssse3")))
static inline __m128i
block_errors (__m128i input,
              __m128i prev)
{
  __m128i prev1 = _mm_alignr_epi8 (input, prev, 15);
  __m128i prev2 = _mm_alignr_epi8 (input, prev, 14);
  __m128i prev3 = _mm_alignr_epi8 (input, prev, 13);
  __m128i sc = special_cases (input, prev1);
  /* A third byte two places after a lead E0–FF, a fourth three after F0–FF: only those may be
   * the second of two continuations. */
  __m128i third = _mm_subs_epu8 (prev2, _mm_set1_epi8 ((char) (0xe0 - 0x80)));
  __m128i fourth = _mm_subs_epu8 (prev3, _mm_set1_epi8 ((char) (0xf0 - 0x80)));
  __m128i must_be_cont = _mm_and_si128 (_mm_or_si128 (third, fourth), _mm_set1_epi8 ((char) 0x80));

  return _mm_xor_si128 (must_be_cont, sc);
}

/* A lead byte too near the end of the sixteen for its continuations to fit: the next block must
 * bring them (or the text ends too early). */
__attribute__((target ("ssse3")))
static inline __m128i
incomplete_at_end (__m128i input)
{
  const __m128i max_value = _mm_setr_epi8 ((char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
                                           (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
                                           (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
                                           (char) 0xff, (char) (0xf0 - 1), (char) (0xe0 - 1),
                                           (char) (0xc0 - 1));

  return _mm_subs_epu8 (input, max_value);
}

__attribute__((target ("ssse3")))
static gboolean
utf8_valid_ssse3 (const char *text,
                  gsize       len)
{
  const guchar *p = (const guchar *) text;
  const guchar *end = p + len;
  __m128i prev = _mm_setzero_si128 ();
  __m128i prev_incomplete = _mm_setzero_si128 ();
  __m128i error = _mm_setzero_si128 ();
  guchar tail[16];

  for (;; p += 16)
    {
      __m128i input;

      if (end - p >= 16)
        input = _mm_loadu_si128 ((const __m128i *) (const void *) p);
      else if (p < end)
        {
          /* The last bytes, padded with ASCII. */
          memset (tail, 0, sizeof tail);
          memcpy (tail, p, end - p);
          input = _mm_loadu_si128 ((const __m128i *) (const void *) tail);
        }
      else
        break;

      if (_mm_movemask_epi8 (input) == 0)
        error = _mm_or_si128 (error, prev_incomplete);
      else
        {
          error = _mm_or_si128 (error, block_errors (input, prev));
          prev_incomplete = incomplete_at_end (input);
        }
      prev = input;
      if (end - p <= 16)
        break;
    }
  error = _mm_or_si128 (error, prev_incomplete);
  return _mm_movemask_epi8 (_mm_cmpeq_epi8 (error, _mm_setzero_si128 ())) == 0xffff;
}

/* The same thirty-two bytes at a time. The shuffles work within each 16-byte lane, so the tables
 * are repeated in both lanes, and the bytes before each one come from joining the upper lane of
 * the last block with the lower lane of this one. */
__attribute__((target ("avx2")))
static inline __m256i
special_cases_avx2 (__m256i input,
                    __m256i prev1)
{
  const __m256i low_nibble = _mm256_set1_epi8 (0x0f);
  const __m256i t1h = _mm256_broadcastsi128_si256 (_mm_loadu_si128 ((const __m128i *) byte_1_high_table));
  const __m256i t1l = _mm256_broadcastsi128_si256 (_mm_loadu_si128 ((const __m128i *) byte_1_low_table));
  const __m256i t2h = _mm256_broadcastsi128_si256 (_mm_loadu_si128 ((const __m128i *) byte_2_high_table));
  __m256i byte_1_high = _mm256_shuffle_epi8 (t1h, _mm256_and_si256 (_mm256_srli_epi16 (prev1, 4),
                                                                    low_nibble));
  __m256i byte_1_low = _mm256_shuffle_epi8 (t1l, _mm256_and_si256 (prev1, low_nibble));
  __m256i byte_2_high = _mm256_shuffle_epi8 (t2h, _mm256_and_si256 (_mm256_srli_epi16 (input, 4),
                                                                    low_nibble));

  return _mm256_and_si256 (_mm256_and_si256 (byte_1_high, byte_1_low), byte_2_high);
}

__attribute__((target ("avx2")))
static inline __m256i
block_errors_avx2 (__m256i input,
                   __m256i prev)
{
  /* [upper lane of prev, lower lane of input]: what precedes each lane of input. */
  __m256i before = _mm256_permute2x128_si256 (prev, input, 0x21);
  __m256i prev1 = _mm256_alignr_epi8 (input, before, 15);
  __m256i prev2 = _mm256_alignr_epi8 (input, before, 14);
  __m256i prev3 = _mm256_alignr_epi8 (input, before, 13);
  __m256i sc = special_cases_avx2 (input, prev1);
  __m256i third = _mm256_subs_epu8 (prev2, _mm256_set1_epi8 ((char) (0xe0 - 0x80)));
  __m256i fourth = _mm256_subs_epu8 (prev3, _mm256_set1_epi8 ((char) (0xf0 - 0x80)));
  __m256i must_be_cont = _mm256_and_si256 (_mm256_or_si256 (third, fourth),
                                           _mm256_set1_epi8 ((char) 0x80));

  return _mm256_xor_si256 (must_be_cont, sc);
}

__attribute__((target ("avx2")))
static gboolean
utf8_valid_avx2 (const char *text,
                 gsize       len)
{
  const guchar *p = (const guchar *) text;
  const guchar *end = p + len;
  /* Only the last three bytes of a block can start a sequence the next block must finish. */
  const __m256i max_value = _mm256_setr_epi8 (
    (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
    (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
    (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
    (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff, (char) 0xff,
    (char) 0xff, (char) (0xf0 - 1), (char) (0xe0 - 1), (char) (0xc0 - 1));
  __m256i prev = _mm256_setzero_si256 ();
  __m256i prev_incomplete = _mm256_setzero_si256 ();
  __m256i error = _mm256_setzero_si256 ();
  guchar tail[32];

  for (;; p += 32)
    {
      __m256i input;

      if (end - p >= 32)
        input = _mm256_loadu_si256 ((const __m256i *) (const void *) p);
      else if (p < end)
        {
          memset (tail, 0, sizeof tail);
          memcpy (tail, p, end - p);
          input = _mm256_loadu_si256 ((const __m256i *) (const void *) tail);
        }
      else
        break;

      if (_mm256_movemask_epi8 (input) == 0)
        error = _mm256_or_si256 (error, prev_incomplete);
      else
        {
          error = _mm256_or_si256 (error, block_errors_avx2 (input, prev));
          prev_incomplete = _mm256_subs_epu8 (input, max_value);
        }
      prev = input;
      if (end - p <= 32)
        break;
    }
  error = _mm256_or_si256 (error, prev_incomplete);
  return _mm256_testz_si256 (error, error);
}

#endif

static ClairUtf8Kernel
best_kernel (void)
{
#ifdef HAVE_X86_VECTORS
  static int best = -1;

  if (G_UNLIKELY (best < 0))
    {
      __builtin_cpu_init ();
      best = __builtin_cpu_supports ("avx2") ? CLAIR_UTF8_AVX2
           : __builtin_cpu_supports ("ssse3") ? CLAIR_UTF8_SSSE3 : CLAIR_UTF8_SCALAR;
    }
  return best;
#else
  return CLAIR_UTF8_SCALAR;
#endif
}

gboolean
_clair_utf8_valid_with (ClairUtf8Kernel  kernel,
                        const char      *text,
                        gsize            len)
{
  /* Never a kernel this processor lacks: the next one down instead. */
  kernel = MIN (kernel, best_kernel ());
#ifdef HAVE_X86_VECTORS
  if (kernel == CLAIR_UTF8_AVX2 && len >= 32)
    return utf8_valid_avx2 (text, len);
  if (kernel >= CLAIR_UTF8_SSSE3 && len >= 16)
    return utf8_valid_ssse3 (text, len);
#endif
  return clair_utf8_valid_scalar (text, len);
}

gboolean
clair_utf8_valid (const char *text,
                  gsize       len)
{
  return _clair_utf8_valid_with (CLAIR_UTF8_AVX2, text, len);
}
