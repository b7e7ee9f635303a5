/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

/* The word diff: the public ClairDiff, segments, sliding edits to word boundaries and the
 * semantic cleanup, and the assembly of the ops. */

G_DEFINE_BOXED_TYPE (ClairDiff, clair_diff, clair_diff_ref, clair_diff_unref)

/* Segments: alternating runs in token space */

/* Fills @segs (emptied first) with the runs of @a_chg and @b_chg. Changes and equalities
 * alternate, and none is empty. */
void
_clair_diff_segs_from_marks (GArray       *segs,
                             const guint8 *a_chg,
                             guint         n,
                             const guint8 *b_chg,
                             guint         m)
{
  guint i = 0, j = 0, len = 0;
  Seg *out;

  /* Written in place, the array grown as needed and cut to what was written at the end. */
  g_array_set_size (segs, MAX (64, (n + m) / 32));
  out = (Seg *) segs->data;
  while (i < n || j < m)
    {
      guint i0 = i, j0 = j;
      gboolean equal;

      if ((i < n && a_chg[i]) || (j < m && b_chg[j]))
        {
          while (i < n && a_chg[i])
            i++;
          while (j < m && b_chg[j])
            j++;
          equal = FALSE;
        }
      else
        {
          /* Up to the next mark on either side (marks are 0 or 1): memchr() is vectorised. */
          const guint8 *next_a = memchr (a_chg + i, 1, n - i);
          const guint8 *next_b = memchr (b_chg + j, 1, m - j);
          guint run = MIN (next_a != NULL ? (guint) (next_a - a_chg) - i : n - i,
                           next_b != NULL ? (guint) (next_b - b_chg) - j : m - j);

          i += run;
          j += run;
          g_assert (i > i0);
          equal = TRUE;
        }
      /* A run of marks on a side stops at an unmarked token, so an equality follows a change;
       * an equality stops at a mark, so a change follows it: kinds alternate. */
      g_assert (len == 0 || out[len - 1].equal != equal);
      if (G_UNLIKELY (len == segs->len))
        {
          g_array_set_size (segs, 2 * len);
          out = (Seg *) segs->data;
        }
      out[len].a0 = i0;
      out[len].a1 = i;
      out[len].b0 = j0;
      out[len].b1 = j;
      out[len].equal = equal;
      len++;
    }
  g_array_set_size (segs, len);
}

/* How good a place the boundary before token @i is for an edit to start or end, after
 * diff-match-patch's semantic scores: the edge of the text, a blank line, a line break, the end of
 * a sentence, whitespace, punctuation, in that order. */
static int
boundary_score (const Side *side,
                guint32     i)
{
  const char *text = side->text;
  guint8 xc, yc;

  if (i == 0 || i >= side->n)
    return 6;
  xc = tok_cls (side, i - 1);
  yc = tok_cls (side, i);
  if (xc == CLS_SPACE || yc == CLS_SPACE)
    {
      guint32 space = xc == CLS_SPACE ? i - 1 : i;
      guint32 space_start = tok_start (side, space);
      guint32 space_len = tok_start (side, space + 1) - space_start;
      const char *nl = memchr (text + space_start, '\n', space_len);

      if (nl != NULL && memchr (nl + 1, '\n', space_len - (nl + 1 - (text + space_start))) != NULL)
        return 5;
      if (nl != NULL)
        return 4;
      if (xc == CLS_PUNCT && tok_start (side, i) - tok_start (side, i - 1) == 1
          && strchr (".!?", text[tok_start (side, i - 1)]) != NULL)
        return 3;
      return 2;
    }
  if (xc == CLS_PUNCT || yc == CLS_PUNCT)
    return 1;
  return 0;
}

/* Slides a pure insertion or deletion along equal tokens to the place that reads best: whole
 * words, "very " before the next word rather than " very" after the last, a whole sentence. */
static void
shift_to_words (GArray     *segs,
                const Side *sa,
                const Side *sb)
{
  for (guint k = 1; k + 1 < segs->len; k++)
    {
      Seg *prev = &g_array_index (segs, Seg, k - 1);
      Seg *seg = &g_array_index (segs, Seg, k);
      Seg *next = &g_array_index (segs, Seg, k + 1);
      gboolean on_a = seg->b0 == seg->b1;
      const Side *side = on_a ? sa : sb;
      const guint32 *ids = side->ids;
      guint32 s = on_a ? seg->a0 : seg->b0;
      guint32 e = on_a ? seg->a1 : seg->b1;
      guint32 lo_limit = on_a ? prev->a0 : prev->b0;
      guint32 hi_limit = on_a ? next->a1 : next->b1;
      guint32 best = s;
      int best_score = -1;
      int delta;

      if (seg->equal || (seg->a0 != seg->a1 && seg->b0 != seg->b1))
        continue;
      while (s > lo_limit && ids[s - 1] == ids[e - 1])
        s--, e--;
      for (;;)
        {
          int score = boundary_score (side, s) + boundary_score (side, e);

          /* Ties go to the rightmost place, as in diff-match-patch. */
          if (score >= best_score)
            {
              best_score = score;
              best = s;
            }
          if (e < hi_limit && ids[s] == ids[e])
            s++, e++;
          else
            break;
        }
      delta = (int) best - (int) (on_a ? seg->a0 : seg->b0);
      if (delta == 0)
        continue;
      prev->a1 += delta;
      prev->b1 += delta;
      if (on_a)
        {
          seg->a0 += delta;
          seg->a1 += delta;
          seg->b0 = seg->b1 = prev->b1;
        }
      else
        {
          seg->b0 += delta;
          seg->b1 += delta;
          seg->a0 = seg->a1 = prev->a1;
        }
      next->a0 = seg->a1;
      next->b0 = seg->b1;
    }

  /* Sliding can empty an equality: drop it and merge what then touches, in place. */
  {
    Seg *out = (Seg *) segs->data;
    guint len = 0;

    for (guint k = 0; k < segs->len; k++)
      {
        Seg seg = out[k];

        if (seg.a0 == seg.a1 && seg.b0 == seg.b1)
          continue;
        if (len > 0 && out[len - 1].equal == seg.equal)
          {
            out[len - 1].a1 = seg.a1;
            out[len - 1].b1 = seg.b1;
            continue;
          }
        out[len++] = seg;
      }
    g_array_set_size (segs, len);
  }
}

/* diff-match-patch's semantic cleanup: an equality no longer than the changes on both sides of it
 * is folded into one change, repeatedly, so "the cat sat" → "a dog ran" reads as one replacement
 * instead of three with single spaces between them. */
void
_clair_diff_cleanup_semantic (GArray     *segs,
                              const Side *sa,
                              const Side *sb,
                              gboolean    strict)
{
  /* Folded in place: the output (out[0, len)) never outgrows the input read so far. */
  Seg *out = (Seg *) segs->data;
  guint len = 0;

#define A_BYTES(s) (tok_offset (sa, (s)->a1) - tok_offset (sa, (s)->a0))
#define B_BYTES(s) (tok_offset (sb, (s)->b1) - tok_offset (sb, (s)->b0))

  for (guint k = 0; k < segs->len; k++)
    {
      Seg cur = out[k];

      if (!cur.equal)
        {
          /* out ends with [..., change, equality]: fold while the equality is small. */
          while (len >= 2)
            {
              Seg *eq = &out[len - 1];
              Seg *ch = &out[len - 2];
              gsize eq_len = MAX (A_BYTES (eq), B_BYTES (eq));

              if (ch->equal || !eq->equal)
                break;
              /* Between words, only an equality shorter than both changes folds: "colour was
               * grey" → "color was gray" keeps its "was". Between characters, diff-match-patch's
               * rule (no longer than) holds. */
              if (eq_len + strict > MAX (A_BYTES (ch), B_BYTES (ch))
                  || eq_len + strict > MAX (A_BYTES (&cur), B_BYTES (&cur)))
                break;
              cur.a0 = ch->a0;
              cur.b0 = ch->b0;
              len -= 2;
            }
        }
      out[len++] = cur;
    }
#undef A_BYTES
#undef B_BYTES

  g_array_set_size (segs, len);
}

/* The diff */

static guint
count_words (const Side *side,
             guint32     from,
             guint32     to)
{
  guint n = 0;

  for (guint32 i = from; i < to; i++)
    n += tok_cls (side, i) != CLS_SPACE;
  return n;
}

/* Counts word and punctuation tokens a piece at a time, cut at line ends, so that counting a
 * 10 MB text does not hold its millions of tokens at once. */
static guint
count_text_words (const char *text,
                  gsize       len)
{
  Side side = { 0 };
  gsize pos = 0;
  guint n = 0;

  while (pos < len)
    {
      gsize end = MIN (len, pos + 16384);
      const char *nl = end < len ? memchr (text + end, '\n', len - end) : NULL;

      end = nl != NULL ? (gsize) (nl - text) + 1 : len;
      _clair_diff_side_tokenize (&side, text + pos, end - pos, SPLIT_WORDS, NULL, FALSE);
      n += count_words (&side, 0, side.n);
      pos = end;
    }
  _clair_diff_side_clear (&side);
  return n;
}

/* Appends an op, extending the last one when it is of the same kind. */
static void
push_op_merged (OpArray       *ops,
                ClairDiffKind  kind,
                gsize          a_start,
                gsize          a_end,
                gsize          b_start,
                gsize          b_end)
{
  if (ops->len > 0)
    {
      ClairDiffOp *last = &ops->data[ops->len - 1];

      if (last->kind == kind && last->a_end == a_start && last->b_end == b_start)
        {
          last->a_end = a_end;
          last->b_end = b_end;
          return;
        }
    }
  _clair_diff_push_op (ops, kind, a_start, a_end, b_start, b_end);
}

/* In line mode, a replaced run of lines is diffed again by words, so an edit in a rewrapped
 * paragraph shows as the words that changed, not as the whole paragraph. */
static void
append_word_diff (ClairDiff      *self,
                  const char     *a,
                  gsize           a0,
                  gsize           a1,
                  const char     *b,
                  gsize           b0,
                  gsize           b1,
                  ClairDiffFlags  flags)
{
  g_autoptr(ClairDiff) sub = NULL;

  flags = (flags | CLAIR_DIFF_FORCE_WORDS) & ~CLAIR_DIFF_FORCE_LINES;
  sub = clair_diff_compute (a + a0, a1 - a0, b + b0, b1 - b0, flags);
  for (guint k = 0; k < sub->ops.len; k++)
    {
      const ClairDiffOp *op = &sub->ops.data[k];

      push_op_merged (&self->ops, op->kind, a0 + op->a_start, a0 + op->a_end, b0 + op->b_start, b0 + op->b_end);
    }
  for (guint k = 0; k < sub->refined.len; k++)
    {
      const ClairDiffOp *op = &sub->refined.data[k];

      _clair_diff_push_op (&self->refined, op->kind, a0 + op->a_start, a0 + op->a_end, b0 + op->b_start, b0 + op->b_end);
    }
  self->stats.deleted += sub->stats.deleted;
  self->stats.inserted += sub->stats.inserted;
  self->stats.n_changes += sub->stats.n_changes;
}

/* The diff, and with @metrics the metrics of the same pair (NULL when the diff cannot share its
 * tokens and word alignment with them: the caller then computes them apart). */
static ClairDiff *
diff_compute (const char     *a,
              gssize          a_len,
              const char     *b,
              gssize          b_len,
              ClairDiffFlags  flags,
              ClairMetrics   *metrics,
              gboolean       *levenshtein_exact,
              gboolean       *shared)
{
  ClairDiff *self;
  WordMarks marks = { NULL, NULL, 0, 0 };
  Side sa = { 0 }, sb = { 0 };
  Interner interner = { 0 };
  Refiner refiner;
  MetricsJob metrics_job;
  gboolean share_metrics;
  g_autoptr(GArray) runs = NULL;
  guint8 *a_chg, *b_chg;
  g_autoptr(GArray) segs = NULL;
  gboolean ignore_space = (flags & CLAIR_DIFF_IGNORE_WHITESPACE) != 0;
  Split split;

  g_return_val_if_fail (a != NULL || a_len == 0, NULL);
  g_return_val_if_fail (b != NULL || b_len == 0, NULL);

  if (a == NULL)
    a = "";
  if (b == NULL)
    b = "";
  if (a_len < 0)
    a_len = strlen (a);
  if (b_len < 0)
    b_len = strlen (b);
  g_return_val_if_fail ((gsize) a_len < G_MAXINT32 / 2 && (gsize) b_len < G_MAXINT32 / 2, NULL);

  self = g_new0 (ClairDiff, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->flags = flags;

  if ((flags & CLAIR_DIFF_FORCE_LINES)
      || (!(flags & CLAIR_DIFF_FORCE_WORDS) && (gsize) a_len + (gsize) b_len > CLAIR_DIFF_LINE_THRESHOLD))
    {
      self->granularity = CLAIR_DIFF_GRANULARITY_LINE;
      split = SPLIT_LINES;
    }
  else
    {
      self->granularity = CLAIR_DIFF_GRANULARITY_WORD;
      split = SPLIT_WORDS;
    }

  _clair_diff_interner_init (&interner, split == SPLIT_LINES ? (a_len + b_len) / 64 : 0, 1,
                 ignore_space && split == SPLIT_LINES);
  if (split == SPLIT_LINES)
    {
      _clair_diff_side_tokenize (&sa, a, a_len, split, NULL, FALSE);
      _clair_diff_side_tokenize (&sb, b, b_len, split, NULL, FALSE);
      _clair_diff_intern_tokens (&interner, &sa);
      _clair_diff_intern_tokens (&interner, &sb);
    }
  else
    {
      _clair_diff_tokenize_pair (&sa, a, a_len, &sb, b, b_len, &interner, ignore_space);
    }
  _clair_diff_interner_clear (&interner);

  /* The metrics tokenise the same way (whitespace apart) and align the words with the same
   * diff, so below the line-mode size the diff's tokens and word marks are theirs; what needs no
   * alignment starts now, beside the diff. */
  share_metrics = metrics != NULL && split == SPLIT_WORDS
                  && (gsize) a_len + (gsize) b_len <= CLAIR_DIFF_LINE_THRESHOLD;
  if (share_metrics)
    _clair_diff_metrics_begin (&metrics_job, &sa, &sb, interner.n_ids);

  _clair_diff_refiner_init (&refiner);
  a_chg = arena_new (&refiner.arena, guint8, sa.n + 1);
  b_chg = arena_new (&refiner.arena, guint8, sb.n + 1);
  if (split == SPLIT_WORDS)
    _clair_diff_words_then_gaps (&refiner.arena, &sa, &sb, interner.n_ids, a_chg, b_chg,
                          metrics != NULL ? &marks : NULL);
  else
    diff_ids (&refiner.arena, sa.ids, sa.n, sb.ids, sb.n, interner.n_ids, TRUE, a_chg, b_chg);
  if (share_metrics)
    {
      _clair_diff_metrics_align (&metrics_job, &marks, metrics, levenshtein_exact);
      *shared = TRUE;
    }
  segs = g_array_new (FALSE, FALSE, sizeof (Seg));
  _clair_diff_segs_from_marks (segs, a_chg, sa.n, b_chg, sb.n);
  /* Give the big blocks of the token diff back: the ops reuse their pages, and refining needs
   * little. */
  _clair_diff_arena_clear (&refiner.arena);
  if (split == SPLIT_WORDS)
    shift_to_words (segs, &sa, &sb);
  if (!(flags & CLAIR_DIFF_NO_CLEANUP))
    _clair_diff_cleanup_semantic (segs, &sa, &sb, TRUE);

  if (split == SPLIT_LINES)
    {
      self->stats.tokens_a = count_text_words (a, a_len);
      self->stats.tokens_b = count_text_words (b, b_len);
    }
  else
    {
      self->stats.tokens_a = count_words (&sa, 0, sa.n);
      self->stats.tokens_b = count_words (&sb, 0, sb.n);
    }
  runs = g_array_sized_new (FALSE, FALSE, sizeof (Run), (flags & CLAIR_DIFF_NO_REFINE) ? 0 : segs->len / 2 + 1);
  /* Sized once: an equality is one op, a change two, a refined change two spans or more. */
  _clair_diff_ops_reserve (&self->ops, segs->len + segs->len / 2 + 2);
  if (!(flags & CLAIR_DIFF_NO_REFINE))
    _clair_diff_ops_reserve (&self->refined, segs->len + 2);
  for (guint k = 0; k < segs->len; k++)
    {
      const Seg *seg = &g_array_index (segs, Seg, k);
      gsize a0 = tok_offset (&sa, seg->a0), a1 = tok_offset (&sa, seg->a1);
      gsize b0 = tok_offset (&sb, seg->b0), b1 = tok_offset (&sb, seg->b1);

      if (seg->equal)
        {
          push_op_merged (&self->ops, CLAIR_DIFF_EQUAL, a0, a1, b0, b1);
          continue;
        }
      if (split == SPLIT_LINES && a1 > a0 && b1 > b0 && a1 - a0 + b1 - b0 <= LINE_RUN_MAX_BYTES)
        {
          append_word_diff (self, a, a0, a1, b, b0, b1, flags);
          continue;
        }
      self->stats.n_changes++;
      self->stats.deleted += split == SPLIT_LINES ? count_text_words (a + a0, a1 - a0)
                                                  : count_words (&sa, seg->a0, seg->a1);
      self->stats.inserted += split == SPLIT_LINES ? count_text_words (b + b0, b1 - b0)
                                                   : count_words (&sb, seg->b0, seg->b1);
      if (a1 > a0)
        _clair_diff_push_op (&self->ops, CLAIR_DIFF_DELETE, a0, a1, b0, b0);
      if (b1 > b0)
        _clair_diff_push_op (&self->ops, CLAIR_DIFF_INSERT, a1, a1, b0, b1);
      if (a1 > a0 && b1 > b0 && !(flags & CLAIR_DIFF_NO_REFINE))
        {
          Run run = { a0, a1, b0, b1 };

          g_array_append_val (runs, run);
        }
    }
  _clair_diff_refine_runs (a, b, (const Run *) runs->data, runs->len, &self->refined);

  if (share_metrics)
    _clair_diff_metrics_end (&metrics_job);
  g_free (marks.a);
  g_free (marks.b);
  _clair_diff_refiner_clear (&refiner);
  _clair_diff_side_clear (&sa);
  _clair_diff_side_clear (&sb);
  return self;
}

ClairDiff *
clair_diff_compute (const char     *a,
                    gssize          a_len,
                    const char     *b,
                    gssize          b_len,
                    ClairDiffFlags  flags)
{
  return diff_compute (a, a_len, b, b_len, flags, NULL, NULL, NULL);
}

ClairDiff *
clair_diff_compute_with_metrics (const char     *a,
                                 gssize          a_len,
                                 const char     *b,
                                 gssize          b_len,
                                 ClairDiffFlags  flags,
                                 ClairMetrics   *metrics,
                                 gboolean       *levenshtein_exact)
{
  ClairDiff *diff;
  gboolean shared = FALSE, exact = TRUE;

  g_return_val_if_fail (a != NULL || a_len == 0, NULL);
  g_return_val_if_fail (b != NULL || b_len == 0, NULL);
  g_return_val_if_fail (metrics != NULL, NULL);

  diff = diff_compute (a, a_len, b, b_len, flags, metrics, &exact, &shared);
  if (!shared)
    clair_metrics_compute_len (a, a_len, b, b_len, metrics, &exact);
  if (levenshtein_exact != NULL)
    *levenshtein_exact = exact;
  return diff;
}

ClairDiff *
clair_diff_ref (ClairDiff *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
clair_diff_unref (ClairDiff *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      _clair_diff_ops_clear (&self->ops);
      _clair_diff_ops_clear (&self->refined);
      g_free (self);
    }
}

const ClairDiffOp *
clair_diff_get_ops (ClairDiff *self,
                    guint     *n_ops)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_ops != NULL, NULL);

  *n_ops = self->ops.len;
  return self->ops.data;
}

const ClairDiffOp *
clair_diff_get_refined (ClairDiff *self,
                        guint     *n_refined)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_refined != NULL, NULL);

  *n_refined = self->refined.len;
  return self->refined.data;
}

ClairDiffGranularity
clair_diff_get_granularity (ClairDiff *self)
{
  g_return_val_if_fail (self != NULL, CLAIR_DIFF_GRANULARITY_WORD);

  return self->granularity;
}

ClairDiffFlags
clair_diff_get_flags (ClairDiff *self)
{
  g_return_val_if_fail (self != NULL, CLAIR_DIFF_FLAGS_NONE);

  return self->flags;
}

void
clair_diff_get_stats (ClairDiff      *self,
                      ClairDiffStats *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}
