/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

/* Character refinement of replaced runs: the clusters that changed inside a replaced word run. */

/* Character refinement */

/* Grows @ops to room for @capacity ops at least. */
void
_clair_diff_ops_reserve (OpArray *ops,
                         guint    capacity)
{
  ClairDiffOp *data;

  if (capacity <= ops->capacity)
    return;
  data = _clair_diff_big_alloc (capacity * sizeof (ClairDiffOp));
  if (ops->data != NULL)
    {
      memcpy (data, ops->data, ops->len * sizeof (ClairDiffOp));
      _clair_diff_big_free (ops->data, ops->capacity * sizeof (ClairDiffOp));
    }
  ops->data = data;
  ops->capacity = capacity;
}

void
_clair_diff_ops_clear (OpArray *ops)
{
  if (ops->data != NULL)
    _clair_diff_big_free (ops->data, ops->capacity * sizeof (ClairDiffOp));
  ops->data = NULL;
  ops->len = ops->capacity = 0;
}

void
_clair_diff_refiner_init (Refiner *refiner)
{
  memset (refiner, 0, sizeof *refiner);
  _clair_diff_interner_init (&refiner->interner, 0, 0, FALSE);
  refiner->segs = g_array_new (FALSE, FALSE, sizeof (Seg));
}

void
_clair_diff_refiner_clear (Refiner *refiner)
{
  _clair_diff_arena_clear (&refiner->arena);
  _clair_diff_interner_clear (&refiner->interner);
  _clair_diff_side_clear (&refiner->sa);
  _clair_diff_side_clear (&refiner->sb);
  g_clear_pointer (&refiner->segs, g_array_unref);
}

static gboolean
is_ascii (const char *text,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) text[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* Appends to @refined the character spans that differ between a[a_start, a_end) and
 * b[b_start, b_end), or the whole ranges when the two have too little in common. */
void
_clair_diff_refine_run (Refiner    *refiner,
                        const char *a,
                        gsize       a_start,
                        gsize       a_end,
                        const char *b,
                        gsize       b_start,
                        gsize       b_end,
                        OpArray    *refined)
{
  Side *sa = &refiner->sa, *sb = &refiner->sb;
  GArray *segs = refiner->segs;
  ArenaMark mark = arena_mark (&refiner->arena);
  guint8 *a_chg, *b_chg;
  guint32 n_ids;
  gsize common = 0;

  if (is_ascii (a + a_start, a_end - a_start) && is_ascii (b + b_start, b_end - b_start))
    {
      _clair_diff_side_ascii_clusters (sa, a + a_start, a_end - a_start);
      _clair_diff_side_ascii_clusters (sb, b + b_start, b_end - b_start);
      n_ids = 128;
    }
  else
    {
      Interner *interner = &refiner->interner;

      if (interner->n_ids > interner->first_id)
        _clair_diff_interner_reset (interner);
      _clair_diff_side_tokenize (sa, a + a_start, a_end - a_start, SPLIT_CLUSTERS, interner, FALSE);
      _clair_diff_side_tokenize (sb, b + b_start, b_end - b_start, SPLIT_CLUSTERS, interner, FALSE);
      n_ids = interner->n_ids;
    }
  if (sa->n > REFINE_MAX_CLUSTERS || sb->n > REFINE_MAX_CLUSTERS)
    goto whole;

  a_chg = arena_new (&refiner->arena, guint8, sa->n + 1);
  b_chg = arena_new (&refiner->arena, guint8, sb->n + 1);
  diff_ids (&refiner->arena, sa->ids, sa->n, sb->ids, sb->n, n_ids, FALSE, a_chg, b_chg);
  _clair_diff_segs_from_marks (segs, a_chg, sa->n, b_chg, sb->n);
  _clair_diff_cleanup_semantic (segs, sa, sb, FALSE);

  for (guint k = 0; k < segs->len; k++)
    {
      const Seg *seg = &g_array_index (segs, Seg, k);

      if (seg->equal)
        common += tok_offset (sa, seg->a1) - tok_offset (sa, seg->a0);
    }
  /* Refining two unrelated words only scatters confetti over them. */
  if (common * 2 * 10 < (sa->len + sb->len) * 4)
    goto whole;

  /* The spans of the original first, then those of the revision: each list is in text order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < segs->len; k++)
      {
        const Seg *seg = &g_array_index (segs, Seg, k);
        gsize a0 = a_start + tok_offset (sa, seg->a0);
        gsize a1 = a_start + tok_offset (sa, seg->a1);
        gsize b0 = b_start + tok_offset (sb, seg->b0);
        gsize b1 = b_start + tok_offset (sb, seg->b1);

        if (seg->equal)
          continue;
        if (pass == 0 && a1 > a0)
          _clair_diff_push_op (refined, CLAIR_DIFF_DELETE, a0, a1, b0, b0);
        if (pass == 1 && b1 > b0)
          _clair_diff_push_op (refined, CLAIR_DIFF_INSERT, a1, a1, b0, b1);
      }
  goto out;

whole:
  _clair_diff_push_op (refined, CLAIR_DIFF_DELETE, a_start, a_end, b_start, b_start);
  _clair_diff_push_op (refined, CLAIR_DIFF_INSERT, a_end, a_end, b_start, b_end);
out:
  _clair_diff_arena_release (&refiner->arena, mark);
}
