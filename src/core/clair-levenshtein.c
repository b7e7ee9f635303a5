/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

#if defined(__SSE2__) || defined(__x86_64__)
#include <immintrin.h>
#endif

/* Bit-parallel sequence distances: the character Levenshtein distance (Myers 1999, blocks as
 * Hyyrö 2003) and the length of a longest common subsequence (Allison and Dix 1986). */

/* Levenshtein, bit-parallel */

/* One block of 64 rows of Myers' bit-vector algorithm (Myers 1999; blocks chained as Hyyrö 2003
 * does) for one text character: @vp holds the block's vertical positive and negative deltas,
 * @eq its match mask, *@hp and *@hn the horizontal delta entering at the top (in) and leaving at
 * bit @shift (out). Branch-free. */
static inline void
advance_block (guint64 *vp,
               guint64  eq,
               guint64 *hp,
               guint64 *hn,
               guint    shift)
{
  guint64 pv = vp[0], mv = vp[1];
  guint64 xv = eq | mv;
  guint64 xh, ph, mh;

  eq |= *hn;
  xh = (((eq & pv) + pv) ^ pv) | eq;
  ph = mv | ~(xh | pv);
  mh = pv & xh;
  vp[0] = ((mh << 1) | *hn) | ~(xv | ((ph << 1) | *hp));
  vp[1] = ((ph << 1) | *hp) & xv;
  *hp = (ph >> shift) & 1;
  *hn = (mh >> shift) & 1;
}

/* Two columns at once, the second one block behind the first: block w of column j + 1 needs
 * block w of column j and block w - 1 of its own column, so the two chains of dependent
 * operations interleave. Returns the change of the bottom row's value over both columns. */
static inline int
advance_two_columns (guint64       *vp,
                     const guint64 *eq0,
                     const guint64 *eq1,
                     gsize          words,
                     guint          last_shift)
{
  guint64 hp0 = 1, hn0 = 0, hp1 = 1, hn1 = 0;
  gsize w;

  if (words == 1)
    {
      advance_block (vp, eq0[0], &hp0, &hn0, last_shift);
      advance_block (vp, eq1[0], &hp1, &hn1, last_shift);
      return (int) hp0 - (int) hn0 + (int) hp1 - (int) hn1;
    }
  advance_block (vp, eq0[0], &hp0, &hn0, 63);
  for (w = 1; w + 1 < words; w++)
    {
      advance_block (vp + 2 * w, eq0[w], &hp0, &hn0, 63);
      advance_block (vp + 2 * (w - 1), eq1[w - 1], &hp1, &hn1, 63);
    }
  advance_block (vp + 2 * w, eq0[w], &hp0, &hn0, last_shift);
  advance_block (vp + 2 * (w - 1), eq1[w - 1], &hp1, &hn1, 63);
  advance_block (vp + 2 * w, eq1[w], &hp1, &hn1, last_shift);
  return (int) hp0 - (int) hn0 + (int) hp1 - (int) hn1;
}

/* One column alone (the last one of an odd count). */
static inline int
advance_column (guint64       *vp,
                const guint64 *eq,
                gsize          words,
                guint          last_shift)
{
  guint64 hp = 1, hn = 0;

  for (gsize w = 0; w + 1 < words; w++)
    advance_block (vp + 2 * w, eq[w], &hp, &hn, 63);
  advance_block (vp + 2 * (words - 1), eq[words - 1], &hp, &hn, last_shift);
  return (int) hp - (int) hn;
}

/* The length of a longest common subsequence of @a and @b (ids below @n_ids), bit-parallel
 * (Allison and Dix 1986, as Hyyrö 2004 writes it): bit i of v is 0 when a[i] ends a longest
 * match so far, and each symbol of @b updates 64 positions of @a per word. */
guint
_clair_diff_lcs_length (const guint32 *a,
                        guint          na,
                        const guint32 *b,
                        guint          nb,
                        guint32        n_ids)
{
  g_autofree guint32 *symbol = NULL;
  g_autofree guint64 *peq = NULL;
  g_autofree guint64 *v = NULL;
  gsize words;
  guint n_symbols = 1, zeros = 0;

  if (na > nb)
    {
      const guint32 *tmp = a;
      guint tmp_len = na;

      a = b;
      na = nb;
      b = tmp;
      nb = tmp_len;
    }
  if (na == 0)
    return 0;
  words = (na + 63) / 64;
  symbol = g_new0 (guint32, n_ids);
  for (guint i = 0; i < na; i++)
    if (symbol[a[i]] == 0)
      symbol[a[i]] = n_symbols++;
  peq = g_new0 (guint64, (gsize) n_symbols * words);
  for (guint i = 0; i < na; i++)
    peq[(gsize) symbol[a[i]] * words + i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
  v = g_new (guint64, words);
  memset (v, 0xff, words * sizeof (guint64));
  for (guint j = 0; j < nb; j++)
    {
      const guint64 *eq;
      guint64 carry = 0;

      if (symbol[b[j]] == 0)
        continue;
      eq = peq + (gsize) symbol[b[j]] * words;
      for (gsize w = 0; w < words; w++)
        {
          guint64 u = v[w] & eq[w];
          guint64 sum = v[w] + u;
          guint64 carry_out = sum < u;

          sum += carry;
          carry_out |= sum < carry;
          v[w] = sum | (v[w] & ~eq[w]);
          carry = carry_out;
        }
    }
  for (gsize w = 0; w < words; w++)
    {
      guint64 bits = ~v[w];

      if (w + 1 == words && na % 64 != 0)
        bits &= (G_GUINT64_CONSTANT (1) << (na % 64)) - 1;
      zeros += (guint) __builtin_popcountll (bits);
    }
  return zeros;
}

static void
to_code_points (const char *text,
                gsize       len,
                gunichar   *cps,
                gsize      *n_out)
{
  gsize n = 0, pos = 0;

  while (pos < len)
    {
      guchar ch = (guchar) text[pos];

#if defined(__SSE2__)
      /* ASCII sixteen bytes at a time, each byte widened to a code point. */
      while (len - pos >= 16)
        {
          __m128i bytes = _mm_loadu_si128 ((const __m128i *) (const void *) (text + pos));
          __m128i zero = _mm_setzero_si128 ();
          __m128i low, high;

          if (_mm_movemask_epi8 (bytes) != 0)
            break;
          low = _mm_unpacklo_epi8 (bytes, zero);
          high = _mm_unpackhi_epi8 (bytes, zero);
          _mm_storeu_si128 ((__m128i *) (void *) (cps + n), _mm_unpacklo_epi16 (low, zero));
          _mm_storeu_si128 ((__m128i *) (void *) (cps + n + 4), _mm_unpackhi_epi16 (low, zero));
          _mm_storeu_si128 ((__m128i *) (void *) (cps + n + 8), _mm_unpacklo_epi16 (high, zero));
          _mm_storeu_si128 ((__m128i *) (void *) (cps + n + 12), _mm_unpackhi_epi16 (high, zero));
          n += 16;
          pos += 16;
        }
      if (pos == len)
        break;
      ch = (guchar) text[pos];
#endif
      if (ch < 0x80)
        {
          cps[n++] = ch;
          pos++;
          continue;
        }
      {
        gunichar c = g_utf8_get_char_validated (text + pos, len - pos);

        if (c == (gunichar) -1 || c == (gunichar) -2)
          {
            /* An invalid byte counts as one character of its own, outside Unicode. */
            cps[n++] = 0x110000 + ch;
            pos++;
          }
        else
          {
            cps[n++] = c;
            pos += g_utf8_skip[ch];
          }
      }
    }
  *n_out = n;
}

gunichar *
_clair_diff_to_code_points (const char *text,
                            gsize       len,
                            gsize      *n_out)
{
  gunichar *cps = g_new (gunichar, len + 1);

  to_code_points (text, len, cps, n_out);
  return cps;
}

gunichar *
_clair_diff_to_code_points_big (const char *text,
                                gsize       len,
                                gsize      *n_out)
{
  gunichar *cps = _clair_diff_big_alloc ((len + 1) * sizeof (gunichar));

  to_code_points (text, len, cps, n_out);
  return cps;
}

/* The straightforward form of _clair_diff_levenshtein_cps(), kept as the reference the tests compare
 * the fast one with: the full matrix, one or two columns at a time, tables allocated per call. */
/* Drops the common prefix and suffix of @p and @t (they cost nothing) and puts the shorter one in
 * @p, the pattern of the bit vectors. Returns TRUE when nothing of @p is left: the distance is
 * then *@n. */
static gboolean
trim_pair (const gunichar **p,
           gsize           *m,
           const gunichar **t,
           gsize           *n)
{
  while (*m > 0 && *n > 0 && (*p)[0] == (*t)[0])
    (*p)++, (*t)++, (*m)--, (*n)--;
  while (*m > 0 && *n > 0 && (*p)[*m - 1] == (*t)[*n - 1])
    (*m)--, (*n)--;
  if (*m > *n)
    {
      const gunichar *tmp = *p;
      gsize tmp_len = *m;

      *p = *t;
      *m = *n;
      *t = tmp;
      *n = tmp_len;
    }
  return *m == 0;
}

gboolean
_clair_diff_levenshtein_cps_reference (const gunichar *p,
                             gsize           m,
                             const gunichar *t,
                             gsize           n,
                             guint64         budget,
                             gsize          *distance)
{
  g_autoptr(GHashTable) index = NULL;
  g_autofree guint64 *peq = NULL;
  g_autofree guint32 *t_index = NULL;
  g_autofree guint64 *vp = NULL;
  gsize words, n_symbols = 1, score;
  guint32 ascii[128];
  guint last_shift;

  if (trim_pair (&p, &m, &t, &n))
    {
      *distance = n;
      return TRUE;
    }
  words = (m + 63) / 64;
  if ((guint64) words * n > budget)
    return FALSE;

  /* Symbol 0 is "not in the pattern"; ASCII maps directly, others through a hash table. */
  index = g_hash_table_new (NULL, NULL);
  memset (ascii, 0, sizeof ascii);
  for (gsize i = 0; i < m; i++)
    {
      if (p[i] < 128)
        {
          if (ascii[p[i]] == 0)
            ascii[p[i]] = n_symbols++;
        }
      else if (!g_hash_table_contains (index, GUINT_TO_POINTER (p[i])))
        g_hash_table_insert (index, GUINT_TO_POINTER (p[i]), GSIZE_TO_POINTER (n_symbols++));
    }
  t_index = g_new (guint32, MAX (n, m));
  for (gsize i = 0; i < m; i++)
    t_index[i] = p[i] < 128 ? ascii[p[i]] : GPOINTER_TO_UINT (g_hash_table_lookup (index, GUINT_TO_POINTER (p[i])));
  peq = g_new0 (guint64, n_symbols * words);
  for (gsize i = 0; i < m; i++)
    peq[t_index[i] * words + i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
  for (gsize j = 0; j < n; j++)
    t_index[j] = t[j] < 128 ? ascii[t[j]] : GPOINTER_TO_UINT (g_hash_table_lookup (index, GUINT_TO_POINTER (t[j])));

  /* pv and mv of block w at vp[2w] and vp[2w + 1]: one cache line holds four blocks. */
  vp = g_new (guint64, 2 * words);
  for (gsize w = 0; w < words; w++)
    {
      vp[2 * w] = G_MAXUINT64;
      vp[2 * w + 1] = 0;
    }
  last_shift = (m - 1) % 64;
  score = m;
  for (gsize j = 0; j + 1 < n; j += 2)
    score += (gssize) advance_two_columns (vp, peq + (gsize) t_index[j] * words,
                                           peq + (gsize) t_index[j + 1] * words, words, last_shift);
  if (n % 2 == 1)
    score += (gssize) advance_column (vp, peq + (gsize) t_index[n - 1] * words, words, last_shift);
  *distance = score;
  return TRUE;
}

/* Per-thread tables of _clair_diff_levenshtein_cps(), kept from call to call: the metrics run on
 * a pool, a few thousand times a second, and each call would otherwise allocate its match masks,
 * its symbol map and its column states. */
typedef struct
{
  guint64 *words;      /* the match masks, then the column states, each between padding */
  gsize    n_words;
  guint32 *symbols;    /* the symbol of each text character */
  gsize    n_symbols;
  gunichar *keys;      /* open addressing map of non-ASCII pattern characters: key 0 is empty */
  guint32 *values;
  gsize    n_slots;
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *scratch = data;

  g_free (scratch->words);
  g_free (scratch->symbols);
  g_free (scratch->keys);
  g_free (scratch->values);
  g_free (scratch);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

static Scratch *
scratch_get (void)
{
  Scratch *scratch = g_private_get (&scratch_key);

  if (G_UNLIKELY (scratch == NULL))
    {
      scratch = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, scratch);
    }
  return scratch;
}

/* Blocks of padding either side of the match masks and of the column states: the eight-column
 * kernel reads and writes up to seven blocks outside the pattern, in lanes whose results it drops. */
#define PAD_BLOCKS 8

static inline guint
map_slot (gunichar c,
          gsize    mask)
{
  return (guint) (((guint32) c * 0x9E3779B1u) >> 7) & mask;
}

static inline guint32
map_lookup (const Scratch *scratch,
            gsize          mask,
            gunichar       c)
{
  for (guint slot = map_slot (c, mask);; slot = (slot + 1) & mask)
    {
      if (scratch->keys[slot] == c)
        return scratch->values[slot];
      if (scratch->keys[slot] == 0)
        return 0;
    }
}

#if defined(__x86_64__)

/* One 64-row block in each of four lanes (advance_block() on vectors); the horizontal deltas
 * leave at bit 63. */
__attribute__((target ("avx2")))
static inline void
advance_block_x4 (__m256i *pv,
                  __m256i *mv,
                  __m256i  eq,
                  __m256i *hp,
                  __m256i *hn)
{
  const __m256i ones = _mm256_set1_epi64x (-1);
  __m256i xv = _mm256_or_si256 (eq, *mv);
  __m256i xh, ph, mh, phs, mhs;

  eq = _mm256_or_si256 (eq, *hn);
  xh = _mm256_or_si256 (_mm256_xor_si256 (_mm256_add_epi64 (_mm256_and_si256 (eq, *pv), *pv), *pv), eq);
  ph = _mm256_or_si256 (*mv, _mm256_andnot_si256 (_mm256_or_si256 (xh, *pv), ones));
  mh = _mm256_and_si256 (*pv, xh);
  phs = _mm256_or_si256 (_mm256_slli_epi64 (ph, 1), *hp);
  mhs = _mm256_or_si256 (_mm256_slli_epi64 (mh, 1), *hn);
  *pv = _mm256_or_si256 (mhs, _mm256_andnot_si256 (_mm256_or_si256 (xv, phs), ones));
  *mv = _mm256_and_si256 (phs, xv);
  *hp = _mm256_srli_epi64 (ph, 63);
  *hn = _mm256_srli_epi64 (mh, 63);
}

/* The blocks of rows that column @j (1-based) needs for threshold @k: the rows i whose cell (i, j)
 * lies in Ukkonen's band of diagonals j - i in [dlo, dhi]. */
static inline gsize
first_block (gssize j,
             gssize dhi)
{
  return (gsize) (MAX ((gssize) 1, j - dhi) - 1) / 64;
}

static inline gsize
last_block (gssize j,
            gssize dlo,
            gsize  m)
{
  return (gsize) (MIN ((gssize) m, j - dlo) - 1) / 64;
}

/* The distance with the pattern of @m characters in @words blocks (match masks @peq, one row of
 * @words per symbol) against the @n symbols of @t_index, eight columns at a time as a wavefront
 * (the two-column interleave of advance_two_columns() widened): at step s, lane q (0 to 7; lanes
 * 0-3 in vector a, 4-7 in b) advances block fb + s - q of column j + q. The block state a lane
 * leaves (pv, mv, and the value of the block's bottom row, which @sc holds in memory) is the one the
 * next lane needs at the next step, so the states move up one lane per step; lane 0 reads the
 * state the previous eight columns left, lane 7 writes it back. Lanes outside the blocks work on
 * padding and their results are dropped; each lane's carry starts afresh at block fb.
 *
 * With @k below m + n only the blocks of Ukkonen's band for @k are computed (Ukkonen 1985): a cell
 * left out counts as an upper bound (the row above the first block rises by one from column to
 * column, a block entering at the bottom rises by one a row), so every value computed is an upper
 * bound of the true one, and it is the true one along any path that stays in the band. An optimal
 * path of cost d <= k does (a cell (i, j) on it costs at least |j - i| to reach and |(n - j) -
 * (m - i)| to leave), so the result is exact when it is <= k, and an upper bound otherwise; or
 * G_MAXSIZE as soon as a column shows that the distance is over k. */
__attribute__((target ("avx2"), always_inline))
static inline gsize
distance_avx2 (guint64       *vp,
               gint64        *sc,
               const guint64 *peq,
               const guint32 *t_index,
               gsize          m,
               gsize          n,
               gsize          words,
               gsize          k,
               const gboolean banded)
{
  const __m256i zero = _mm256_setzero_si256 ();
  const __m256i one = _mm256_set1_epi64x (1);
  gsize n_groups = (n + 7) / 8, initialised = 0;
  gint64 full_score = 64 * (gint64) words;
  gssize half = (gssize) (MIN (k, m + n) - (n - m) + 1) / 2;
  gssize dlo = -half, dhi = (gssize) (n - m) + half;
  guint last_shift = (m - 1) % 64;
  guint64 pv_end[4], mv_end[4];
  gint64 sc_end[4];
  guint q_end = 0;
  guint64 high;

  for (gsize g = 0; g < n_groups; g++)
    {
      gsize j0 = 8 * g, r = MIN (8, n - j0);
      gsize fb = first_block ((gssize) j0 + 1, dhi);
      gsize lb = g + 1 == n_groups ? words - 1 : MIN (words - 1, last_block ((gssize) (j0 + r), dlo, m));
      gsize nb = lb - fb + 1, s_end = (gsize) -1;
      const guint64 *row[8];
      __m256i pa = zero, ma = zero, sa = zero, pb = zero, mb = zero, sb = zero;
      __m256i hpa = zero, hna = zero, hpb = zero, hnb = zero;

      /* Blocks entering at the bottom: each row one more than the row above, in column j0. */
      for (; initialised <= lb; initialised++)
        {
          vp[2 * initialised] = G_MAXUINT64;
          vp[2 * initialised + 1] = 0;
          sc[initialised] = (initialised == 0 ? (gint64) j0 : sc[initialised - 1]) + 64;
        }
      for (guint q = 0; q < 8; q++)
        row[q] = peq + (gsize) t_index[j0 + MIN (q, r - 1)] * words + fb - q;
      if (g + 1 == n_groups)
        {
          /* Column n is lane r - 1, at its last block words - 1 at this step. */
          s_end = words - 1 - fb + r - 1;
          q_end = r - 1;
        }
      for (gsize s = 0; s < nb + 7; s++)
        {
          gsize b = fb + s;
          __m256i eqa, eqb, a3p, a3m, a3s;

          /* Lane 7's block (b - 8) back to memory, the states up one lane, block b into lane 0. */
          _mm_storeu_si128 ((__m128i *) (vp + 2 * ((gssize) b - 8)),
                            _mm_unpackhi_epi64 (_mm256_extracti128_si256 (pb, 1), _mm256_extracti128_si256 (mb, 1)));
          if (banded)
            sc[(gssize) b - 8] = _mm256_extract_epi64 (sb, 3);
          a3p = _mm256_permute4x64_epi64 (pa, _MM_SHUFFLE (3, 3, 3, 3));
          a3m = _mm256_permute4x64_epi64 (ma, _MM_SHUFFLE (3, 3, 3, 3));
          pb = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (pb, _MM_SHUFFLE (2, 1, 0, 0)), a3p, 0x03);
          mb = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (mb, _MM_SHUFFLE (2, 1, 0, 0)), a3m, 0x03);
          pa = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (pa, _MM_SHUFFLE (2, 1, 0, 0)),
                                   _mm256_set1_epi64x ((gint64) vp[2 * b]), 0x03);
          ma = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (ma, _MM_SHUFFLE (2, 1, 0, 0)),
                                   _mm256_set1_epi64x ((gint64) vp[2 * b + 1]), 0x03);
          if (banded)
            {
              a3s = _mm256_permute4x64_epi64 (sa, _MM_SHUFFLE (3, 3, 3, 3));
              sb = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (sb, _MM_SHUFFLE (2, 1, 0, 0)), a3s, 0x03);
              sa = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (sa, _MM_SHUFFLE (2, 1, 0, 0)),
                                       _mm256_set1_epi64x (sc[b]), 0x03);
            }
          if (G_UNLIKELY (s < 8))
            {
              /* Lane s starts its column: the row above rises by one (hp = 1, hn = 0). */
              __m256i lane = _mm256_cmpeq_epi64 (_mm256_set_epi64x (3, 2, 1, 0), _mm256_set1_epi64x ((gint64) (s & 3)));

              if (s < 4)
                {
                  hpa = _mm256_blendv_epi8 (hpa, one, lane);
                  hna = _mm256_andnot_si256 (lane, hna);
                }
              else
                {
                  hpb = _mm256_blendv_epi8 (hpb, one, lane);
                  hnb = _mm256_andnot_si256 (lane, hnb);
                }
            }
          eqa = _mm256_set_epi64x ((gint64) row[3][s], (gint64) row[2][s], (gint64) row[1][s], (gint64) row[0][s]);
          eqb = _mm256_set_epi64x ((gint64) row[7][s], (gint64) row[6][s], (gint64) row[5][s], (gint64) row[4][s]);
          advance_block_x4 (&pa, &ma, eqa, &hpa, &hna);
          advance_block_x4 (&pb, &mb, eqb, &hpb, &hnb);
          if (banded)
            {
              sa = _mm256_sub_epi64 (_mm256_add_epi64 (sa, hpa), hna);
              sb = _mm256_sub_epi64 (_mm256_add_epi64 (sb, hpb), hnb);
            }
          else if (G_UNLIKELY (s + 1 >= nb) && s + 1 - nb < r)
            {
              /* Lane s - (nb - 1) left the last block: the change of row 64 * words in its column. */
              guint q = (guint) (s + 1 - nb);
              guint64 hp[4], hn[4];

              _mm256_storeu_si256 ((__m256i *) hp, q < 4 ? hpa : hpb);
              _mm256_storeu_si256 ((__m256i *) hn, q < 4 ? hna : hnb);
              full_score += (gint64) hp[q & 3] - (gint64) hn[q & 3];
            }
          if (G_UNLIKELY (s == s_end))
            {
              _mm256_storeu_si256 ((__m256i *) pv_end, q_end < 4 ? pa : pb);
              _mm256_storeu_si256 ((__m256i *) mv_end, q_end < 4 ? ma : mb);
              _mm256_storeu_si256 ((__m256i *) sc_end, q_end < 4 ? sa : sb);
            }
        }
      _mm_storeu_si128 ((__m128i *) (vp + 2 * lb),
                        _mm_unpackhi_epi64 (_mm256_extracti128_si256 (pb, 1), _mm256_extracti128_si256 (mb, 1)));
      if (banded)
        {
          gint64 least = G_MAXINT64;

          sc[lb] = _mm256_extract_epi64 (sb, 3);
          /* Every cell of the band in this column is at least its block's bottom value - 63: when
           * that exceeds k, no path of cost <= k crosses it, and the distance is over k. */
          for (gsize b = fb; b <= lb; b++)
            least = MIN (least, sc[b]);
          if (g + 1 < n_groups && least - 63 > (gint64) k)
            return G_MAXSIZE;
        }
    }

  /* sc holds row 64 * words (the rows past m never match); back up to row m. */
  high = last_shift == 63 ? 0 : ~((G_GUINT64_CONSTANT (2) << last_shift) - 1);
  if (!banded)
    sc_end[q_end & 3] = full_score;
  return (gsize) (sc_end[q_end & 3] - __builtin_popcountll (pv_end[q_end & 3] & high)
                  + __builtin_popcountll (mv_end[q_end & 3] & high));
}

__attribute__((target ("avx2")))
static gsize
distance_avx2_full (guint64 *vp, gint64 *sc, const guint64 *peq, const guint32 *t_index,
                    gsize m, gsize n, gsize words)
{
  return distance_avx2 (vp, sc, peq, t_index, m, n, words, G_MAXSIZE, FALSE);
}

__attribute__((target ("avx2")))
static gsize
distance_avx2_band (guint64 *vp, gint64 *sc, const guint64 *peq, const guint32 *t_index,
                    gsize m, gsize n, gsize words, gsize k)
{
  return distance_avx2 (vp, sc, peq, t_index, m, n, words, k, TRUE);
}

static gboolean simd_enabled = TRUE;

static gboolean
have_avx2 (void)
{
  static int avx2 = -1;

  if (G_UNLIKELY (avx2 < 0))
    {
      __builtin_cpu_init ();
      avx2 = __builtin_cpu_supports ("avx2") ? 1 : 0;
    }
  return avx2 && simd_enabled;
}
#else
static gboolean simd_enabled = FALSE;
#define have_avx2() FALSE
#endif

gboolean
_clair_diff_levenshtein_use_simd (gboolean use)
{
  gboolean was = simd_enabled;

#if defined(__x86_64__)
  simd_enabled = use;
#endif
  return was;
}

/* Distance between code point arrays; returns FALSE without computing when over @budget. */
gboolean
_clair_diff_levenshtein_cps (const gunichar *p,
                             gsize           m,
                             const gunichar *t,
                             gsize           n,
                             guint64         budget,
                             gsize          *distance)
{
  Scratch *scratch;
  guint64 *peq, *vp;
  gsize words, n_symbols = 1, n_wide = 0, mask = 0, need, j = 0;
  gssize score;
  guint32 ascii[128];
  guint last_shift;

  if (trim_pair (&p, &m, &t, &n))
    {
      *distance = n;
      return TRUE;
    }
  words = (m + 63) / 64;
  if ((guint64) words * n > budget)
    return FALSE;

  scratch = scratch_get ();

  /* Symbol 0 is "not in the pattern"; ASCII maps directly, others through an open addressing map
   * at most half full. */
  memset (ascii, 0, sizeof ascii);
  for (gsize i = 0; i < m; i++)
    n_wide += p[i] >= 128;
  if (n_wide > 0)
    {
      gsize slots = 16;

      while (slots < 2 * n_wide)
        slots *= 2;
      if (scratch->n_slots < slots)
        {
          g_free (scratch->keys);
          g_free (scratch->values);
          scratch->keys = g_new (gunichar, slots);
          scratch->values = g_new (guint32, slots);
          scratch->n_slots = slots;
        }
      memset (scratch->keys, 0, slots * sizeof (gunichar));
      mask = slots - 1;
    }
  if (scratch->n_symbols < MAX (n, m))
    {
      g_free (scratch->symbols);
      scratch->n_symbols = MAX (n, m);
      scratch->symbols = g_new (guint32, scratch->n_symbols);
    }
  for (gsize i = 0; i < m; i++)
    {
      gunichar c = p[i];

      if (c < 128)
        {
          if (ascii[c] == 0)
            ascii[c] = n_symbols++;
          scratch->symbols[i] = ascii[c];
        }
      else
        {
          guint slot = map_slot (c, mask);

          while (scratch->keys[slot] != 0 && scratch->keys[slot] != c)
            slot = (slot + 1) & mask;
          if (scratch->keys[slot] == 0)
            {
              scratch->keys[slot] = c;
              scratch->values[slot] = n_symbols++;
            }
          scratch->symbols[i] = scratch->values[slot];
        }
    }

  /* The match masks of each symbol, then the states (pv and mv of block w at vp[2w] and
   * vp[2w + 1]: one cache line holds four blocks), each between PAD_BLOCKS blocks of padding. */
  need = (n_symbols * words + 2 * PAD_BLOCKS) + 3 * (words + 2 * PAD_BLOCKS);
  if (scratch->n_words < need)
    {
      g_free (scratch->words);
      scratch->n_words = MAX (need, 2 * scratch->n_words);
      scratch->words = g_new (guint64, scratch->n_words);
    }
  peq = scratch->words + PAD_BLOCKS;
  memset (peq, 0, n_symbols * words * sizeof (guint64));
  for (gsize i = 0; i < m; i++)
    peq[scratch->symbols[i] * words + i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
  for (gsize i = 0; i < n; i++)
    {
      gunichar c = t[i];

      scratch->symbols[i] = c < 128 ? ascii[c] : n_wide > 0 ? map_lookup (scratch, mask, c) : 0;
    }
  vp = peq + n_symbols * words + PAD_BLOCKS + 2 * PAD_BLOCKS;
  for (gsize w = 0; w < words; w++)
    {
      vp[2 * w] = G_MAXUINT64;
      vp[2 * w + 1] = 0;
    }

  last_shift = (m - 1) % 64;
  score = m;
#if defined(__x86_64__)
  if (words >= 2 && n >= 8 && have_avx2 ())
    {
      /* The bottom rows' values, between padding, after the states. */
      gint64 *sc = (gint64 *) (vp + 2 * (words + PAD_BLOCKS)) + PAD_BLOCKS;
      gsize delta = n - m, k = delta + 128, d = G_MAXSIZE;

      /* A narrow band first when it is much cheaper than the full matrix: exact when the distance
       * is within it, given up early when a column shows it is not, and an upper bound otherwise,
       * whose band gives the exact distance if that is still cheaper than the full matrix. */
      if ((k + 8) / 64 + 2 < words / 3)
        {
          d = distance_avx2_band (vp, sc, peq, scratch->symbols, m, n, words, k);
          if (d > k && d != G_MAXSIZE && (d + 8) / 64 + 2 < words / 2)
            d = distance_avx2_band (vp, sc, peq, scratch->symbols, m, n, words, d);
          else if (d > k)
            d = G_MAXSIZE;
        }
      if (d == G_MAXSIZE)
        d = distance_avx2_full (vp, sc, peq, scratch->symbols, m, n, words);
      *distance = d;
      return TRUE;
    }
#endif
  for (; j + 1 < n; j += 2)
    score += advance_two_columns (vp, peq + (gsize) scratch->symbols[j] * words,
                                  peq + (gsize) scratch->symbols[j + 1] * words, words, last_shift);
  if (j < n)
    score += advance_column (vp, peq + (gsize) scratch->symbols[j] * words, words, last_shift);
  *distance = score;
  return TRUE;
}
gsize
clair_levenshtein (const char *a,
                   gssize      a_len,
                   const char *b,
                   gssize      b_len)
{
  g_autofree gunichar *ca = NULL;
  g_autofree gunichar *cb = NULL;
  gsize na, nb, distance = 0;

  g_return_val_if_fail (a != NULL || a_len == 0, 0);
  g_return_val_if_fail (b != NULL || b_len == 0, 0);

  if (a_len < 0)
    a_len = strlen (a);
  if (b_len < 0)
    b_len = strlen (b);
  ca = _clair_diff_to_code_points (a ? a : "", a_len, &na);
  cb = _clair_diff_to_code_points (b ? b : "", b_len, &nb);
  _clair_diff_levenshtein_cps (ca, na, cb, nb, G_MAXUINT64, &distance);
  return distance;
}
