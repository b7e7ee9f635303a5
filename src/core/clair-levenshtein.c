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

/* Distance between code point arrays; returns FALSE without computing when over @budget. */
gboolean
_clair_diff_levenshtein_cps (const gunichar *p,
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
