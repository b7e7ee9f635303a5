/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

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

gunichar *
_clair_diff_to_code_points (const char *text,
                            gsize       len,
                            gsize      *n_out)
{
  gunichar *cps = g_new (gunichar, len + 1);
  gsize n = 0, pos = 0;

  while (pos < len)
    {
      guchar ch = (guchar) text[pos];

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
  return cps;
}

/* The straightforward form of _clair_diff_levenshtein_cps(), kept as the reference the tests compare
 * the fast one with: the full matrix, one or two columns at a time, tables allocated per call. */
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

  while (m > 0 && n > 0 && p[0] == t[0])
    p++, t++, m--, n--;
  while (m > 0 && n > 0 && p[m - 1] == t[n - 1])
    m--, n--;
  if (m > n)
    {
      const gunichar *tmp = p;
      gsize tmp_len = m;

      p = t;
      m = n;
      t = tmp;
      n = tmp_len;
    }
  if (m == 0)
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
#include <immintrin.h>

/* One 64-row block in each of four lanes (advance_block() on vectors); the horizontal deltas
 * leave at bit 63, and @ph_out, @mh_out keep the whole horizontal vectors for the last block. */
__attribute__((target ("avx2")))
static inline void
advance_block_x4 (__m256i *pv,
                  __m256i *mv,
                  __m256i  eq,
                  __m256i *hp,
                  __m256i *hn,
                  __m256i *ph_out,
                  __m256i *mh_out)
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
  *ph_out = ph;
  *mh_out = mh;
}

/* Eight columns at a time as a wavefront (the two-column interleave of advance_two_columns()
 * widened): at step s, lane q (0 to 7; lanes 0-3 in vector a, 4-7 in b) advances block s - q of
 * column j + q. The block state a lane leaves is the one the next lane needs at the next step, so
 * the states move up one lane per step; lane 0 reads the state the previous eight columns left in
 * @vp, lane 7 writes it back. Lanes outside the blocks work on padding and their results are
 * dropped: each lane's carry starts afresh at its block 0 and only its block @words - 1 counts.
 * Returns the change of the bottom row's value over the @n_groups * 8 columns. */
__attribute__((target ("avx2")))
static gssize
advance_columns_avx2 (guint64       *vp,
                      const guint64 *peq,
                      const guint32 *t_index,
                      gsize          n_groups,
                      gsize          words,
                      guint          last_shift)
{
  const __m256i zero = _mm256_setzero_si256 ();
  const __m256i one = _mm256_set1_epi64x (1);
  gssize score = 0;

  for (gsize g = 0; g < n_groups; g++)
    {
      const guint64 *row[8];
      __m256i pa = zero, ma = zero, pb = zero, mb = zero;
      __m256i hpa = zero, hna = zero, hpb = zero, hnb = zero;
      __m256i pha, mha, phb, mhb;

      for (guint q = 0; q < 8; q++)
        row[q] = peq + (gsize) t_index[8 * g + q] * words - q;
      for (gsize s = 0; s < words + 7; s++)
        {
          __m256i eqa, eqb, a3p, a3m;

          /* Lane 7's block (s - 8) back to memory, the states up one lane, block s into lane 0. */
          _mm_storeu_si128 ((__m128i *) (vp + 2 * ((gssize) s - 8)),
                            _mm_unpackhi_epi64 (_mm256_extracti128_si256 (pb, 1), _mm256_extracti128_si256 (mb, 1)));
          a3p = _mm256_permute4x64_epi64 (pa, _MM_SHUFFLE (3, 3, 3, 3));
          a3m = _mm256_permute4x64_epi64 (ma, _MM_SHUFFLE (3, 3, 3, 3));
          pb = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (pb, _MM_SHUFFLE (2, 1, 0, 0)), a3p, 0x03);
          mb = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (mb, _MM_SHUFFLE (2, 1, 0, 0)), a3m, 0x03);
          pa = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (pa, _MM_SHUFFLE (2, 1, 0, 0)),
                                   _mm256_set1_epi64x ((gint64) vp[2 * s]), 0x03);
          ma = _mm256_blend_epi32 (_mm256_permute4x64_epi64 (ma, _MM_SHUFFLE (2, 1, 0, 0)),
                                   _mm256_set1_epi64x ((gint64) vp[2 * s + 1]), 0x03);
          if (G_UNLIKELY (s < 8))
            {
              /* Lane s starts its column: the top row rises by one (hp = 1, hn = 0). */
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
          advance_block_x4 (&pa, &ma, eqa, &hpa, &hna, &pha, &mha);
          advance_block_x4 (&pb, &mb, eqb, &hpb, &hnb, &phb, &mhb);
          if (G_UNLIKELY (s + 1 >= words))
            {
              /* Lane s - (words - 1) is at the last block: its bottom row's change. */
              guint q = (guint) (s + 1 - words);
              guint64 ph[4], mh[4];

              _mm256_storeu_si256 ((__m256i *) ph, q < 4 ? pha : phb);
              _mm256_storeu_si256 ((__m256i *) mh, q < 4 ? mha : mhb);
              score += (gssize) ((ph[q & 3] >> last_shift) & 1) - (gssize) ((mh[q & 3] >> last_shift) & 1);
            }
        }
      _mm_storeu_si128 ((__m128i *) (vp + 2 * (words - 1)),
                        _mm_unpackhi_epi64 (_mm256_extracti128_si256 (pb, 1), _mm256_extracti128_si256 (mb, 1)));
    }
  return score;
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

  while (m > 0 && n > 0 && p[0] == t[0])
    p++, t++, m--, n--;
  while (m > 0 && n > 0 && p[m - 1] == t[n - 1])
    m--, n--;
  if (m > n)
    {
      const gunichar *tmp = p;
      gsize tmp_len = m;

      p = t;
      m = n;
      t = tmp;
      n = tmp_len;
    }
  if (m == 0)
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
  need = (n_symbols * words + 2 * PAD_BLOCKS) + 2 * (words + 2 * PAD_BLOCKS);
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
      score += advance_columns_avx2 (vp, peq, scratch->symbols, n / 8, words, last_shift);
      j = n / 8 * 8;
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
