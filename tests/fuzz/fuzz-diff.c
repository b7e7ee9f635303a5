/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-diff"

#include "config.h"

#include <math.h>

#include "clair-diff.h"
#include "fuzz-common.h"

/* Input: one flags byte, then the original and the revision separated by the first 0xFF byte
 * (which never occurs in UTF-8, so text seeds stay readable). Besides not crashing, the diff must
 * keep its promises: ops cover both inputs in order, equal ops are equal, refined spans lie inside
 * the changes, and the metrics stay in range. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_diff (const char     *a,
            gsize           a_len,
            const char     *b,
            gsize           b_len,
            ClairDiffFlags  flags)
{
  g_autoptr(ClairDiff) diff = clair_diff_compute (a, a_len, b, b_len, flags);
  const ClairDiffOp *ops;
  const ClairDiffOp *refined;
  ClairDiffStats stats;
  guint n_ops = 0, n_refined = 0;
  gsize a_pos = 0, b_pos = 0;

  ops = clair_diff_get_ops (diff, &n_ops);
  for (guint i = 0; i < n_ops; i++)
    {
      const ClairDiffOp *op = &ops[i];

      g_assert_cmpuint (op->a_start, ==, a_pos);
      g_assert_cmpuint (op->b_start, ==, b_pos);
      g_assert_cmpuint (op->a_end, >=, op->a_start);
      g_assert_cmpuint (op->b_end, >=, op->b_start);
      switch (op->kind)
        {
        case CLAIR_DIFF_EQUAL:
          if (!(flags & CLAIR_DIFF_IGNORE_WHITESPACE))
            {
              g_assert_cmpuint (op->a_end - op->a_start, ==, op->b_end - op->b_start);
              g_assert (memcmp (a + op->a_start, b + op->b_start, op->a_end - op->a_start) == 0);
            }
          break;
        case CLAIR_DIFF_DELETE:
          g_assert_cmpuint (op->b_end, ==, op->b_start);
          g_assert_cmpuint (op->a_end, >, op->a_start);
          break;
        case CLAIR_DIFF_INSERT:
          g_assert_cmpuint (op->a_end, ==, op->a_start);
          g_assert_cmpuint (op->b_end, >, op->b_start);
          break;
        default:
          g_assert_not_reached ();
        }
      a_pos = op->a_end;
      b_pos = op->b_end;
    }
  g_assert_cmpuint (a_pos, ==, a_len);
  g_assert_cmpuint (b_pos, ==, b_len);

  /* Every refined span lies inside a delete (original) or insert (revision) op. */
  refined = clair_diff_get_refined (diff, &n_refined);
  for (guint i = 0; i < n_refined; i++)
    {
      const ClairDiffOp *span = &refined[i];
      gboolean inside = FALSE;

      g_assert (span->kind == CLAIR_DIFF_DELETE || span->kind == CLAIR_DIFF_INSERT);
      for (guint j = 0; j < n_ops && !inside; j++)
        {
          if (ops[j].kind != span->kind)
            continue;
          if (span->kind == CLAIR_DIFF_DELETE)
            inside = span->a_start >= ops[j].a_start && span->a_end <= ops[j].a_end;
          else
            inside = span->b_start >= ops[j].b_start && span->b_end <= ops[j].b_end;
        }
      g_assert (inside);
    }

  clair_diff_get_stats (diff, &stats);
  g_assert_cmpuint (stats.deleted, <=, stats.tokens_a);
  g_assert_cmpuint (stats.inserted, <=, stats.tokens_b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text;
  const char *sep;
  const char *a, *b;
  gsize a_len, b_len;
  ClairDiffFlags flags;
  ClairMetrics metrics;
  gboolean exact = TRUE;
  gsize distance;

  if (size < 1 || size > 64 * 1024)
    return 0;

  flags = data[0] & (CLAIR_DIFF_IGNORE_WHITESPACE | CLAIR_DIFF_NO_CLEANUP | CLAIR_DIFF_NO_REFINE |
                     CLAIR_DIFF_FORCE_WORDS | CLAIR_DIFF_FORCE_LINES);
  if ((flags & CLAIR_DIFF_FORCE_WORDS) && (flags & CLAIR_DIFF_FORCE_LINES))
    flags &= ~CLAIR_DIFF_FORCE_LINES;
  text = (const char *) data + 1;
  size--;
  sep = memchr (text, 0xff, size);
  a = text;
  a_len = sep ? (gsize) (sep - text) : size / 2;
  b = text + a_len + (sep ? 1 : 0);
  b_len = size - a_len - (sep ? 1 : 0);

  check_diff (a, a_len, b, b_len, flags);
  check_diff (b, b_len, a, a_len, flags);

  clair_metrics_compute_len (a, a_len, b, b_len, &metrics, &exact);
  g_assert (metrics.jaccard >= 0.0 && metrics.jaccard <= 1.0);
  g_assert (metrics.changed_share >= 0.0 && metrics.changed_share <= 1.0);
  g_assert (metrics.similarity_ratio >= 0.0 && metrics.similarity_ratio <= 1.0);
  g_assert (metrics.levenshtein_norm >= 0.0 && metrics.levenshtein_norm <= 1.0);
  g_assert (metrics.levenshtein >= 0.0);
  g_assert (!isnan (metrics.length_ratio));

  /* The distance is a metric: zero to itself, symmetric, at most the longer length in bytes. */
  distance = clair_levenshtein (a, a_len, b, b_len);
  g_assert_cmpuint (distance, ==, clair_levenshtein (b, b_len, a, a_len));
  g_assert_cmpuint (distance, <=, MAX (a_len, b_len));
  g_assert_cmpuint (clair_levenshtein (a, a_len, a, a_len), ==, 0);
  if (exact)
    g_assert_cmpfloat (metrics.levenshtein, ==, (double) distance);

  return 0;
}
