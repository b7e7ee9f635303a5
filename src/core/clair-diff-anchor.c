/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

/* Cutting large token sequences at patience anchors (tokens that occur once on each side) before
 * Myers, discarding tokens that occur on one side only, and aligning words before whitespace. */

/* Longest increasing subsequence of @ys (patience sorting); returns its indices in @out. */
static guint
longest_increasing (Arena         *arena,
                    const guint32 *ys,
                    guint          n,
                    guint32       *out)
{
  guint32 *tails = arena_new (arena, guint32, n + 1);
  guint32 *prev = arena_new (arena, guint32, n + 1);
  guint len = 0;

  for (guint i = 0; i < n; i++)
    {
      guint lo = 0, hi = len;

      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;

          if (ys[tails[mid]] < ys[i])
            lo = mid + 1;
          else
            hi = mid;
        }
      prev[i] = lo > 0 ? tails[lo - 1] : G_MAXUINT32;
      tails[lo] = i;
      if (lo == len)
        len++;
    }
  if (len > 0)
    {
      guint32 k = tails[len - 1];

      for (guint i = len; i > 0; i--)
        {
          out[i - 1] = k;
          k = prev[k];
        }
    }
  return len;
}

/* A token that occurs once on each side may still be a coincidence (a rare word inserted in the
 * revision that the original uses elsewhere); an anchor must agree with its neighbours too. */
static gboolean
anchor_confirmed (const guint32 *x,
                  guint          nx,
                  guint          i,
                  const guint32 *y,
                  guint          ny,
                  guint          j)
{
  gboolean before = i >= 2 && j >= 2 && x[i - 1] == y[j - 1] && x[i - 2] == y[j - 2];
  gboolean after = i + 2 < nx && j + 2 < ny && x[i + 1] == y[j + 1] && x[i + 2] == y[j + 2];

  return before || after;
}

/* Marks in @a_chg and @b_chg the tokens outside a longest common subsequence of @a and @b (exactly
 * one when no anchors are used). @n_ids bounds the ids. With @a_scratch and @b_scratch (which
 * must be @a and @b) the sequences are compacted in place; with @a_map and @b_map, the mark of
 * a[i] goes to a_chg[a_map[i]] (the caller clears the marks) and the maps are overwritten. */
void
_clair_diff_ids_scratch (Arena         *arena,
                         const guint32 *a,
                         guint          n,
                         const guint32 *b,
                         guint          m,
                         guint32        n_ids,
                         gboolean       use_anchors,
                         guint32       *a_scratch,
                         guint32       *b_scratch,
                         guint32       *a_map,
                         guint32       *b_map,
                         guint8        *a_chg,
                         guint8        *b_chg)
{
  ArenaMark mark;
  guint32 *count_a, *count_b, *x, *y, *xmap, *ymap;
  guint8 *xchg, *ychg;
  int *xcuts = NULL;
  int *ycuts = NULL;
  guint lo = 0, hi_a = n, hi_b = m;
  guint nx = 0, ny = 0, n_cuts = 0;

  /* With maps, the marks are the caller's (already cleared) and sequence index i is a_map[i]. */
  if (a_map == NULL)
    {
      memset (a_chg, 0, n);
      memset (b_chg, 0, m);
    }

  while (lo < n && lo < m && a[lo] == b[lo])
    lo++;
  while (hi_a > lo && hi_b > lo && a[hi_a - 1] == b[hi_b - 1])
    hi_a--, hi_b--;
  if (lo == hi_a || lo == hi_b)
    {
      if (a_map == NULL)
        {
          memset (a_chg + lo, 1, hi_a - lo);
          memset (b_chg + lo, 1, hi_b - lo);
          return;
        }
      for (guint i = lo; i < hi_a; i++)
        a_chg[a_map[i]] = 1;
      for (guint j = lo; j < hi_b; j++)
        b_chg[b_map[j]] = 1;
      return;
    }

  /* A token that never occurs on the other side cannot be matched: drop it before Myers. */
  mark = arena_mark (arena);
  count_a = arena_new0 (arena, guint32, n_ids);
  count_b = arena_new0 (arena, guint32, n_ids);
  for (guint i = lo; i < hi_a; i++)
    count_a[a[i]]++;
  for (guint j = lo; j < hi_b; j++)
    count_b[b[j]]++;

  /* In place when @a and @b are the caller's scratch: x[k] is written after a[lo + k..] is read. */
  x = a_scratch != NULL ? a_scratch : arena_new (arena, guint32, hi_a - lo);
  xmap = a_map != NULL ? a_map : arena_new (arena, guint32, hi_a - lo);
  for (guint i = lo; i < hi_a; i++)
    {
      if (count_b[a[i]] == 0)
        a_chg[a_map != NULL ? a_map[i] : i] = 1;
      else
        {
          x[nx] = a[i];
          xmap[nx++] = a_map != NULL ? a_map[i] : i;
        }
    }
  y = b_scratch != NULL ? b_scratch : arena_new (arena, guint32, hi_b - lo);
  ymap = b_map != NULL ? b_map : arena_new (arena, guint32, hi_b - lo);
  for (guint j = lo; j < hi_b; j++)
    {
      if (count_a[b[j]] == 0)
        b_chg[b_map != NULL ? b_map[j] : j] = 1;
      else
        {
          y[ny] = b[j];
          ymap[ny++] = b_map != NULL ? b_map[j] : j;
        }
    }

  if (use_anchors && nx + ny > ANCHOR_MIN_TOKENS)
    {
      /* Patience anchors: tokens occurring exactly once on each side, kept in increasing order. */
      guint32 *pos_b = arena_new (arena, guint32, n_ids);
      guint32 *pair_x = arena_new (arena, guint32, MIN (nx, ny) + 1);
      guint32 *pair_y = arena_new (arena, guint32, MIN (nx, ny) + 1);
      guint32 *chosen;
      guint n_pairs = 0, n_chosen;

      for (guint j = 0; j < ny; j++)
        if (count_a[y[j]] == 1 && count_b[y[j]] == 1)
          pos_b[y[j]] = j;
      for (guint i = 0; i < nx && n_pairs < MIN (nx, ny); i++)
        if (count_a[x[i]] == 1 && count_b[x[i]] == 1 && anchor_confirmed (x, nx, i, y, ny, pos_b[x[i]]))
          {
            pair_x[n_pairs] = i;
            pair_y[n_pairs++] = pos_b[x[i]];
          }
      chosen = arena_new (arena, guint32, n_pairs + 1);
      n_chosen = longest_increasing (arena, pair_y, n_pairs, chosen);
      xcuts = arena_new (arena, int, n_chosen + 1);
      ycuts = arena_new (arena, int, n_chosen + 1);
      for (guint k = 0; k < n_chosen; k++)
        {
          xcuts[k] = (int) pair_x[chosen[k]];
          ycuts[k] = (int) pair_y[chosen[k]];
        }
      n_cuts = n_chosen;
    }

  xchg = arena_new0 (arena, guint8, nx + 1);
  ychg = arena_new0 (arena, guint8, ny + 1);
  _clair_diff_run_myers (arena, x, (int) nx, y, (int) ny, xchg, ychg, xcuts, ycuts, n_cuts);
  for (guint i = 0; i < nx; i++)
    if (xchg[i])
      a_chg[xmap[i]] = 1;
  for (guint j = 0; j < ny; j++)
    if (ychg[j])
      b_chg[ymap[j]] = 1;
  _clair_diff_arena_release (arena, mark);
}

/* The marks of the word tokens of @side, in order, from the marks of all its tokens. */
static guint8 *
word_marks_of (const Side   *side,
               const guint8 *chg,
               guint         n_words)
{
  guint8 *marks = g_new (guint8, n_words + 1);
  guint k = 0;

  for (guint t = 0; t < side->n; t++)
    if (tok_cls (side, t) != CLS_SPACE)
      marks[k++] = chg[t];
  g_assert (k == n_words);
  return marks;
}

static inline gboolean
same_ids (const guint32 *a,
          const guint32 *b,
          guint          n)
{
  for (guint k = 0; k < n; k++)
    if (a[k] != b[k])
      return FALSE;
  return TRUE;
}

/* Word diffs align words first, as git's word diff does, so that a line break that moved never
 * outbids a word for a place in the common subsequence; the tokens between two matched words
 * (whitespace, and the words that changed) are then aligned among themselves. */
void
_clair_diff_words_then_gaps (Arena      *arena,
                             const Side *sa,
                             const Side *sb,
                             guint32     n_ids,
                             guint8     *a_chg,
                             guint8     *b_chg,
                             WordMarks  *word_marks)
{
  guint n = sa->n, m = sb->n;
  ArenaMark mark = arena_mark (arena);
  guint32 *a_pos = arena_new (arena, guint32, n + 1);
  guint32 *b_pos = arena_new (arena, guint32, m + 1);
  guint32 *a_words = arena_new (arena, guint32, n + 1);
  guint32 *b_words = arena_new (arena, guint32, m + 1);
  guint na = 0, nb = 0, ea = 0, eb = 0;
  guint32 ga = 0, gb = 0;

  /* Gathered without branching: every token is written, only words advance. */
  for (guint t = 0; t < n; t++)
    {
      a_pos[na] = t;
      a_words[na] = sa->ids[t];
      na += tok_cls (sa, t) != CLS_SPACE;
    }
  for (guint t = 0; t < m; t++)
    {
      b_pos[nb] = t;
      b_words[nb] = sb->ids[t];
      nb += tok_cls (sb, t) != CLS_SPACE;
    }
  /* The words' marks go straight to their tokens (the word sequences and positions are
   * overwritten on the way). */
  memset (a_chg, 0, n);
  memset (b_chg, 0, m);
  _clair_diff_ids_scratch (arena, a_words, na, b_words, nb, n_ids, TRUE, a_words, b_words, a_pos, b_pos,
                    a_chg, b_chg);
  if (word_marks != NULL)
    {
      word_marks->a = word_marks_of (sa, a_chg, na);
      word_marks->b = word_marks_of (sb, b_chg, nb);
      word_marks->na = na;
      word_marks->nb = nb;
    }

  /* Matched words pair up in order; the tokens between two pairs are aligned among themselves. */
  for (;;)
    {
      while (ea < n && (a_chg[ea] || tok_cls (sa, ea) == CLS_SPACE))
        ea++;
      while (eb < m && (b_chg[eb] || tok_cls (sb, eb) == CLS_SPACE))
        eb++;
      if (ea - ga == eb - gb && same_ids (sa->ids + ga, sb->ids + gb, ea - ga))
        {
          /* Most gaps are one and the same space on both sides: nothing to align. */
          for (guint k = 0; k < ea - ga; k++)
            a_chg[ga + k] = b_chg[gb + k] = 0;
        }
      else
        {
          memset (a_chg + ga, 0, ea - ga);
          memset (b_chg + gb, 0, eb - gb);
          _clair_diff_small (arena, sa->ids + ga, ea - ga, sb->ids + gb, eb - gb, a_chg + ga, b_chg + gb);
        }
      if (ea >= n || eb >= m)
        break;
      ga = ++ea;
      gb = ++eb;
    }
  _clair_diff_arena_release (arena, mark);
}
