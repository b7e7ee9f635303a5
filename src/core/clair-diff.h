/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-metrics.h"

G_BEGIN_DECLS

/* The word diff between an original and its revision.
 *
 * Both texts are cut into tokens — words (letters and digits, with their combining marks), runs of
 * whitespace, and single punctuation characters; CJK ideographs, kana and emoji (with their ZWJ
 * sequences, modifiers and variation selectors) are one token each. A minimal token diff (Myers'
 * O(ND) algorithm in linear space, after removing the common prefix and suffix and the tokens that
 * occur on one side only) is cleaned up so that tiny common fragments between two changes merge
 * into one change, and every replaced run is refined to the characters that changed in it.
 *
 * Large inputs are first split on tokens that occur exactly once on each side (patience anchors),
 * which keeps 50,000-word texts fast; inputs above CLAIR_DIFF_LINE_THRESHOLD bytes are aligned by
 * lines instead of words, and clair_diff_get_granularity() says so. The result is deterministic. */

typedef enum
{
  CLAIR_DIFF_EQUAL,
  CLAIR_DIFF_DELETE,
  CLAIR_DIFF_INSERT,
} ClairDiffKind;

typedef enum
{
  CLAIR_DIFF_GRANULARITY_WORD,   /*< nick=word >*/
  CLAIR_DIFF_GRANULARITY_LINE,   /*< nick=line >*/
} ClairDiffGranularity;

typedef enum
{
  CLAIR_DIFF_FLAGS_NONE        = 0,
  /* Runs of whitespace compare equal whatever they contain (a rewrapped paragraph is unchanged);
   * the a and b ranges of an equal op may then hold different whitespace. */
  CLAIR_DIFF_IGNORE_WHITESPACE = 1 << 0,
  /* The minimal token diff, without the semantic merge of small equalities. */
  CLAIR_DIFF_NO_CLEANUP        = 1 << 1,
  /* No character-level refinement (clair_diff_get_refined() returns nothing). */
  CLAIR_DIFF_NO_REFINE         = 1 << 2,
  /* Align by words however large the inputs. */
  CLAIR_DIFF_FORCE_WORDS       = 1 << 3,
  /* Align by lines however small the inputs. */
  CLAIR_DIFF_FORCE_LINES       = 1 << 4,
} ClairDiffFlags;

/* Combined input size above which the diff aligns lines rather than words. */
#define CLAIR_DIFF_LINE_THRESHOLD (4 * 1024 * 1024)

/* One step of the diff. Offsets are in bytes into the two inputs; [a_start, a_end) is the part of
 * the original, [b_start, b_end) the part of the revision. A delete has b_start == b_end (the
 * position in the revision), an insert a_start == a_end. The ops cover both inputs in order, so the
 * equal and delete ranges concatenate to the original and the equal and insert ranges to the
 * revision. In a replaced run the delete comes first. */
typedef struct
{
  ClairDiffKind kind;
  gsize         a_start;
  gsize         a_end;
  gsize         b_start;
  gsize         b_end;
} ClairDiffOp;

/* Token counts: whitespace is not counted. */
typedef struct
{
  guint tokens_a;   /* word and punctuation tokens of the original */
  guint tokens_b;   /* ... of the revision */
  guint deleted;    /* tokens of the original in delete ops */
  guint inserted;   /* tokens of the revision in insert ops */
  guint n_changes;  /* maximal runs of non-equal ops */
} ClairDiffStats;

typedef struct _ClairDiff ClairDiff;

GType                clair_diff_get_type        (void) G_GNUC_CONST;

/* Diffs @a against @b (UTF-8; invalid bytes are compared as single-byte tokens). A length of -1
 * means NUL-terminated. Never fails. */
ClairDiff           *clair_diff_compute         (const char          *a,
                                                 gssize               a_len,
                                                 const char          *b,
                                                 gssize               b_len,
                                                 ClairDiffFlags       flags);
/* The same on a worker thread; the texts are copied. */
void                 clair_diff_compute_async   (const char          *a,
                                                 const char          *b,
                                                 ClairDiffFlags       flags,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
ClairDiff           *clair_diff_compute_finish  (GAsyncResult        *result,
                                                 GError             **error);

ClairDiff           *clair_diff_ref             (ClairDiff           *self);
void                 clair_diff_unref           (ClairDiff           *self);

const ClairDiffOp   *clair_diff_get_ops         (ClairDiff           *self,
                                                 guint               *n_ops);
/* The characters that changed inside replaced runs: delete ops mark spans of the original, insert
 * ops spans of the revision (the other side's range is empty); for each replaced run, the spans of
 * the original come first, then those of the revision, each in text order. Spans lie inside the delete and
 * insert ops of clair_diff_get_ops() and never split a character or its combining marks. When the
 * two sides of a replaced run have too little in common, the whole run is one span. */
const ClairDiffOp   *clair_diff_get_refined     (ClairDiff           *self,
                                                 guint               *n_refined);
ClairDiffGranularity clair_diff_get_granularity (ClairDiff           *self);
ClairDiffFlags       clair_diff_get_flags       (ClairDiff           *self);
void                 clair_diff_get_stats       (ClairDiff           *self,
                                                 ClairDiffStats      *stats);

/* clair_metrics_compute() with explicit lengths. The character Levenshtein distance is exact
 * unless both texts are very long and far apart (more than about 10^8 cell updates of the
 * bit-parallel algorithm); it is then the sum of the distances within the changed runs of the
 * word diff, an upper bound, and @levenshtein_exact (if not NULL) is set to FALSE. */
void                 clair_metrics_compute_len  (const char          *original,
                                                 gssize               original_len,
                                                 const char          *revision,
                                                 gssize               revision_len,
                                                 ClairMetrics        *metrics,
                                                 gboolean            *levenshtein_exact);

/* clair_diff_compute() and clair_metrics_compute_len() of the same pair at once: below
 * CLAIR_DIFF_LINE_THRESHOLD a word diff shares its tokens and its word alignment with the
 * metrics, which are then those clair_metrics_compute_len() gives, for about the cost of the diff. */
ClairDiff           *clair_diff_compute_with_metrics (const char     *a,
                                                      gssize          a_len,
                                                      const char     *b,
                                                      gssize          b_len,
                                                      ClairDiffFlags  flags,
                                                      ClairMetrics   *metrics,
                                                      gboolean       *levenshtein_exact);

/* The character (code point) Levenshtein distance, exact, bit-parallel (Myers 1999, Hyyrö 2003). */
gsize                clair_levenshtein          (const char          *a,
                                                 gssize               a_len,
                                                 const char          *b,
                                                 gssize               b_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairDiff, clair_diff_unref)

G_END_DECLS
