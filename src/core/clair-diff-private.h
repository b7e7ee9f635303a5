/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "clair-diff.h"

G_BEGIN_DECLS

/* What the parts of the diff engine share: the tokens, the interner, the arena, and the functions
 * one part calls in another. Internal to libclair-core. */

/* The engine works in three spaces: bytes (the inputs and the ops handed out), tokens (words,
 * whitespace runs, punctuation, or lines; interned to integer ids so comparing two is one integer
 * compare) and change marks (one byte per token, as GNU diff keeps them), which every stage —
 * prefix and suffix stripping, one-sided token discarding, patience anchors, Myers' middle snake —
 * writes into without having to splice edit scripts together. */

/* Above this many tokens (after stripping and discarding), the sequences are first cut at tokens
 * that occur once on each side; below it the diff is exactly minimal. */
#define ANCHOR_MIN_TOKENS 4096
/* Character refinement is skipped for replaced runs longer than this (in clusters, per side). */
#define REFINE_MAX_CLUSTERS 4000
/* Bit-parallel Levenshtein cost budget, in 64-bit block updates. */
#define LEVENSHTEIN_BUDGET (100 * 1000 * 1000)
/* In line mode, replaced runs of lines up to this size are diffed again by words. */
#define LINE_RUN_MAX_BYTES (256 * 1024)

typedef enum
{
  CLS_WORD,
  CLS_SPACE,
  CLS_PUNCT,
  CLS_NON_ASCII,  /* in byte_class only */
} TokenClass;

typedef enum
{
  SPLIT_WORDS,
  SPLIT_LINES,
  SPLIT_CLUSTERS,
} Split;

/* The ops (or the refined spans) of a diff: a growable array whose buffer comes from
 * _clair_diff_big_alloc(), so that the ops of a large diff are not faulted in page by page. */
typedef struct
{
  ClairDiffOp *data;
  guint        len;
  guint        capacity;
} OpArray;

struct _ClairDiff
{
  gatomicrefcount      ref_count;
  ClairDiffFlags       flags;
  ClairDiffGranularity granularity;
  OpArray              ops;
  OpArray              refined;
  ClairDiffStats       stats;
};

/* Multi-byte tokens live in an open-addressing table of 8-byte entries (the hash above, the id + 1
 * below), with what identifies each id (its first 8 bytes, its length, where it is) in an array by
 * id: the table stays small enough for the cache, and most words compare with one integer compare
 * without touching the text again. Single bytes (spaces, punctuation) have a table of their own. */
typedef struct
{
  const char *ptr;
  guint64     key;   /* the first 8 bytes, zero-padded; the hash with squeeze_space */
  guint32     len;
  guint32     hash;
} IdInfo;

typedef struct
{
  guint64 *table;
  guint32  mask;
  guint32  n_used;
  guint32  first_id;
  guint32  n_ids;
  IdInfo  *info;           /* by id - first_id */
  guint32  info_capacity;
  gboolean squeeze_space;  /* lines compare without their whitespace */
  guint32  byte_ids[256];  /* G_MAXUINT32 when not seen yet */
} Interner;

/* Tokens of one text, as parallel arrays: token i starts at byte tok_start (side, i) and ends
 * where the next one starts (the tokens cover the text, and the start of token n is len), is of
 * class tok_cls (side, i) and interned as ids[i]. The class lives in the top two bits of the start
 * (texts are under 1 GiB), so a token costs 8 bytes. */
#define START_BITS 30
#define START_MASK ((1u << START_BITS) - 1)
typedef struct
{
  const char *text;
  gsize       len;
  guint       n;
  guint       capacity;
  guint32    *starts;  /* start | class << START_BITS */
  guint32    *ids;
} Side;

/* Scratch memory: a bump allocator whose blocks are reused from one stage (and one replaced run)
 * to the next, so the many short-lived arrays of a diff cost neither malloc calls nor fresh
 * pages. Allocations are released together back to a mark. */

typedef struct _ArenaBlock ArenaBlock;

struct _ArenaBlock
{
  ArenaBlock *prev;
  gsize       size;
  gsize       used;
  /* data follows, 16-byte aligned */
};

#define ARENA_HEADER ((sizeof (ArenaBlock) + 15) & ~(gsize) 15)

typedef struct
{
  ArenaBlock *top;
} Arena;

typedef struct
{
  ArenaBlock *block;
  gsize       used;
} ArenaMark;

/* The word alignment of a diff, kept for the metrics of the same pair: a[i] is set when the i-th
 * word (or punctuation) token of the original is outside the common subsequence. */
typedef struct
{
  guint8 *a;
  guint8 *b;
  guint   na;
  guint   nb;
} WordMarks;

/* What _clair_diff_refine_run() reuses from one replaced run to the next. */
typedef struct
{
  Arena     arena;
  Interner  interner;
  Side      sa;
  Side      sb;
  GArray   *segs;
} Refiner;

typedef struct
{
  gsize a0, a1, b0, b1;
} Run;


/* A segment of the token diff: an equal or a replaced run, in token positions. */
typedef struct
{
  guint32  a0, a1, b0, b1;
  gboolean equal;
} Seg;

/* The metrics of a pair in two steps (clair-metrics.c), so that what needs no word alignment can
 * run beside the diff. */
typedef struct
{
  const Side *sa;
  const Side *sb;
  guint32     n_ids;
  guint32    *a_words;  /* the ids of the word (and punctuation) tokens */
  guint32    *b_words;
  guint32    *a_tok;    /* ... and their token indices */
  guint32    *b_tok;
  guint       na;
  guint       nb;
  guint       n_union;  /* distinct words on either side */
  guint       n_common; /* ... on both */
  gunichar   *ca;       /* the code points */
  gunichar   *cb;
  gsize       chars_a;
  gsize       chars_b;
  gsize       distance;
  gboolean    exact;
} MetricsWork;

#define arena_new(arena, type, n)  ((type *) _clair_diff_arena_alloc ((arena), sizeof (type) * (gsize) (n)))
#define arena_new0(arena, type, n) ((type *) _clair_diff_arena_alloc0 ((arena), sizeof (type) * (gsize) (n)))

/* clair-diff-tokens.c */
void
_clair_diff_interner_init (Interner *interner,
                           gsize     n_tokens,
                           guint32   first_id,
                           gboolean  squeeze_space);
void
_clair_diff_interner_reset (Interner *interner);
void
_clair_diff_interner_clear (Interner *interner);
void
_clair_diff_side_clear (Side *side);
void
_clair_diff_side_tokenize (Side       *side,
                           const char *text,
                           gsize       len,
                           Split       split,
                           Interner   *interner,
                           gboolean    ignore_space);
void
_clair_diff_interner_translate (Interner *to,
                                Interner *from,
                                Side     *side);
void
_clair_diff_intern_tokens (Interner *interner,
                           Side     *side);
/* Whether word tokenising cuts plain ASCII sixteen bytes at a time (SSE2) rather than byte by
 * byte; returns the previous setting. For the tests, which compare the two. */
gboolean
_clair_diff_tokens_use_blocks (gboolean use);
void
_clair_diff_side_ascii_clusters (Side       *side,
                                 const char *text,
                                 gsize       len);

/* clair-diff-arena.c */
gpointer
_clair_diff_big_alloc (gsize size);
void
_clair_diff_big_free (gpointer mem,
                      gsize    size);
gpointer
_clair_diff_arena_alloc (Arena *arena,
                         gsize  size);
gpointer
_clair_diff_arena_alloc0 (Arena *arena,
                          gsize  size);
void
_clair_diff_arena_release (Arena     *arena,
                           ArenaMark  mark);
void
_clair_diff_arena_clear (Arena *arena);

/* clair-diff-myers.c */
void
_clair_diff_run_myers (Arena         *arena,
                       const guint32 *x,
                       int            nx,
                       const guint32 *y,
                       int            ny,
                       guint8        *xchg,
                       guint8        *ychg,
                       const int     *xcuts,
                       const int     *ycuts,
                       guint          n_cuts);
void
_clair_diff_small (Arena         *arena,
                   const guint32 *a,
                   guint          n,
                   const guint32 *b,
                   guint          m,
                   guint8        *a_chg,
                   guint8        *b_chg);

/* clair-diff-anchor.c */
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
                         guint8        *b_chg);
void
_clair_diff_words_then_gaps (Arena      *arena,
                             const Side *sa,
                             const Side *sb,
                             guint32     n_ids,
                             guint8     *a_chg,
                             guint8     *b_chg,
                             WordMarks  *word_marks);

/* clair-diff.c */
void
_clair_diff_segs_from_marks (GArray       *segs,
                             const guint8 *a_chg,
                             guint         n,
                             const guint8 *b_chg,
                             guint         m);
void
_clair_diff_cleanup_semantic (GArray     *segs,
                              const Side *sa,
                              const Side *sb,
                              gboolean    strict);

/* clair-diff-refine.c */
void
_clair_diff_ops_reserve (OpArray *ops,
                         guint    capacity);
void
_clair_diff_ops_clear (OpArray *ops);
void
_clair_diff_refiner_init (Refiner *refiner);
void
_clair_diff_refiner_clear (Refiner *refiner);
void
_clair_diff_refine_run (Refiner    *refiner,
                        const char *a,
                        gsize       a_start,
                        gsize       a_end,
                        const char *b,
                        gsize       b_start,
                        gsize       b_end,
                        OpArray    *refined);

/* clair-diff-threads.c */
void
_clair_diff_tokenize_pair (Side       *sa,
                           const char *a,
                           gsize       a_len,
                           Side       *sb,
                           const char *b,
                           gsize       b_len,
                           Interner   *interner,
                           gboolean    ignore_space);
typedef struct
{
  MetricsWork      work;
  GThread         *thread;
  GMutex           mutex;
  GCond            cond;
  gboolean         aligned;
  const WordMarks *marks;
  ClairMetrics    *metrics;
  gboolean        *levenshtein_exact;
} MetricsJob;

void
_clair_diff_metrics_begin (MetricsJob *job,
                           const Side *sa,
                           const Side *sb,
                           guint32     n_ids);
void
_clair_diff_metrics_align (MetricsJob      *job,
                           const WordMarks *marks,
                           ClairMetrics    *metrics,
                           gboolean        *levenshtein_exact);
void
_clair_diff_metrics_end (MetricsJob *job);
void
_clair_diff_refine_runs (const char *a,
                         const char *b,
                         const Run  *runs,
                         guint       n_runs,
                         OpArray    *refined);

/* clair-levenshtein.c */
guint
_clair_diff_lcs_length (const guint32 *a,
                        guint          na,
                        const guint32 *b,
                        guint          nb,
                        guint32        n_ids);
gunichar *
_clair_diff_to_code_points (const char *text,
                            gsize       len,
                            gsize      *n_out);
/* The same in a buffer of _clair_diff_big_alloc(), to free with _clair_diff_big_free() and
 * (len + 1) * sizeof (gunichar). */
gunichar *
_clair_diff_to_code_points_big (const char *text,
                                gsize       len,
                                gsize      *n_out);
gboolean
_clair_diff_levenshtein_cps (const gunichar *p,
                             gsize           m,
                             const gunichar *t,
                             gsize           n,
                             guint64         budget,
                             gsize          *distance);
/* The same distance by the plain full-matrix computation, for the tests to compare with. */
gboolean
_clair_diff_levenshtein_cps_reference (const gunichar *p,
                                       gsize           m,
                                       const gunichar *t,
                                       gsize           n,
                                       guint64         budget,
                                       gsize          *distance);
/* Whether _clair_diff_levenshtein_cps() may use its AVX2 kernel (where the CPU has it); returns
 * the previous setting. For the tests, which check both kernels. */
gboolean
_clair_diff_levenshtein_use_simd (gboolean use);

/* clair-metrics.c */
void
_clair_diff_metrics_prepare (MetricsWork *work,
                             const Side  *sa,
                             const Side  *sb,
                             guint32      n_ids);
void
_clair_diff_metrics_finish (MetricsWork     *work,
                            const WordMarks *marks,
                            ClairMetrics    *metrics,
                            gboolean        *levenshtein_exact);
void
_clair_diff_metrics_from_sides (const Side   *sa,
                                const Side   *sb,
                                guint32       n_ids,
                                WordMarks    *marks,
                                ClairMetrics *metrics,
                                gboolean     *levenshtein_exact);

static inline ArenaMark
arena_mark (Arena *arena)
{
  ArenaMark mark = { arena->top, arena->top != NULL ? arena->top->used : 0 };

  return mark;
}

static inline guint32
tok_start (const Side *side,
           guint32     i)
{
  return side->starts[i] & START_MASK;
}

static inline guint
tok_cls (const Side *side,
         guint32     i)
{
  return side->starts[i] >> START_BITS;
}

static inline gsize
tok_offset (const Side *side,
            guint32     i)
{
  return tok_start (side, i);
}

static inline void
_clair_diff_push_op (OpArray       *ops,
                     ClairDiffKind  kind,
                     gsize          a_start,
                     gsize          a_end,
                     gsize          b_start,
                     gsize          b_end)
{
  ClairDiffOp *op;

  if (G_UNLIKELY (ops->len == ops->capacity))
    _clair_diff_ops_reserve (ops, MAX (16, ops->capacity * 2));
  op = &ops->data[ops->len++];
  op->kind = kind;
  op->a_start = a_start;
  op->a_end = a_end;
  op->b_start = b_start;
  op->b_end = b_end;
}

static inline void
diff_ids (Arena         *arena,
          const guint32 *a,
          guint          n,
          const guint32 *b,
          guint          m,
          guint32        n_ids,
          gboolean       use_anchors,
          guint8        *a_chg,
          guint8        *b_chg)
{
  _clair_diff_ids_scratch (arena, a, n, b, m, n_ids, use_anchors, NULL, NULL, NULL, NULL, a_chg, b_chg);
}

G_END_DECLS
