/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"
#include "clair-json.h"

/* The contrastiveness metrics of a revision against its original (clair-metrics.h), computed
 * from the tokens and, when a diff of the same pair is at hand, its word alignment. */

/* Metrics */

/* Walks the word (and punctuation) tokens of a side in order, giving the code point start and end
 * of each as _clair_diff_to_code_points() counts them, without an array of offsets for all the
 * words: the distance along an alignment asks for them in increasing order. */
typedef struct
{
  const Side    *side;
  const guint32 *word_tok;  /* the token index of each word */
  gboolean       ascii;     /* as many code points as bytes: offsets are byte offsets */
  guint       t;      /* the next token */
  guint       k;      /* the index of the next word token at or after t */
  gsize       byte;
  gsize       cp;
} WordCursor;

static void
word_cursor_init (WordCursor    *cursor,
                  const Side    *side,
                  const guint32 *word_tok,
                  gsize          n_chars)
{
  cursor->side = side;
  cursor->word_tok = word_tok;
  cursor->ascii = n_chars == side->len;
  cursor->t = 0;
  cursor->k = 0;
  cursor->byte = 0;
  cursor->cp = 0;
}

static inline gsize
cp_step (const char *text,
         gsize       byte)
{
  return (guchar) text[byte] < 0x80 ? 1 : MAX (1, (gsize) g_utf8_skip[(guchar) text[byte]]);
}

/* word_cursor_get() where code points are not bytes. */
static G_GNUC_NO_INLINE void
word_cursor_walk (WordCursor *cursor,
                  guint       k,
                  gsize      *start,
                  gsize      *end)
{
  const Side *side = cursor->side;

  for (;; cursor->t++)
    {
      gsize token_start = tok_start (side, cursor->t), token_end = tok_start (side, cursor->t + 1);
      gboolean word = tok_cls (side, cursor->t) != CLS_SPACE;

      /* Count code points up to the token the way _clair_diff_to_code_points() does. */
      for (; cursor->byte < token_start; cursor->cp++)
        cursor->byte += cp_step (side->text, cursor->byte);
      *start = cursor->cp;
      for (; cursor->byte < token_end; cursor->cp++)
        cursor->byte += cp_step (side->text, cursor->byte);
      *end = cursor->cp;
      if (word && cursor->k++ == k)
        {
          cursor->t++;
          return;
        }
    }
}

/* The code point start and end of word token @k, which is not before the cursor's. */
static inline void
word_cursor_get (WordCursor *cursor,
                 guint       k,
                 gsize      *start,
                 gsize      *end)
{
  if (G_LIKELY (cursor->ascii))
    {
      guint t = cursor->word_tok[k];

      *start = tok_start (cursor->side, t);
      *end = tok_start (cursor->side, t + 1);
      return;
    }
  word_cursor_walk (cursor, k, start, end);
}

/* Most gaps between aligned words are one space on each side: compare short ones in line. */
static inline gboolean
same_code_points (const gunichar *a,
                  const gunichar *b,
                  gsize           n)
{
  if (n > 8)
    return memcmp (a, b, n * sizeof (gunichar)) == 0;
  for (gsize k = 0; k < n; k++)
    if (a[k] != b[k])
      return FALSE;
  return TRUE;
}

/* An upper bound of the distance that follows a token alignment: the matched tokens cost
 * nothing, and each gap between two consecutive matches costs the distance between its two sides. */
static gsize
levenshtein_by_gaps (const MetricsWork *work,
                     const guint8      *a_chg,
                     const guint8      *b_chg)
{
  const gunichar *ca = work->ca, *cb = work->cb;
  gsize chars_a = work->chars_a, chars_b = work->chars_b;
  guint na = work->na, nb = work->nb;
  WordCursor wa, wb;
  gsize total = 0, ga = 0, gb = 0;
  guint i = 0, j = 0;

  word_cursor_init (&wa, work->sa, work->a_tok, chars_a);
  word_cursor_init (&wb, work->sb, work->b_tok, chars_b);
  for (;;)
    {
      gsize ea = chars_a, eb = chars_b, next_ga = 0, next_gb = 0, d = 0;

      while (i < na && a_chg[i])
        i++;
      while (j < nb && b_chg[j])
        j++;
      if (i < na)
        word_cursor_get (&wa, i, &ea, &next_ga);
      if (j < nb)
        word_cursor_get (&wb, j, &eb, &next_gb);
      if (ea - ga != eb - gb || !same_code_points (ca + ga, cb + gb, ea - ga))
        {
          if (!_clair_diff_levenshtein_cps (ca + ga, ea - ga, cb + gb, eb - gb, LEVENSHTEIN_BUDGET, &d))
            d = MAX (ea - ga, eb - gb);
        }
      total += d;
      if (i >= na || j >= nb)
        break;
      ga = next_ga;
      gb = next_gb;
      i++;
      j++;
    }
  return total;
}

/* An upper bound of the distance along the ops of @diff: each replaced run costs its own distance,
 * or its length when that is too long to compute. */
static gsize
levenshtein_by_ops (ClairDiff  *diff,
                    const char *a,
                    const char *b)
{
  const ClairDiffOp *ops = diff->ops.data;
  guint n_ops = diff->ops.len;
  gsize total = 0;

  for (guint k = 0; k < n_ops; k++)
    {
      gsize a0 = ops[k].a_start, a1 = ops[k].a_end, b0 = ops[k].b_start, b1 = ops[k].b_end;
      g_autofree gunichar *ca = NULL;
      g_autofree gunichar *cb = NULL;
      gsize na, nb, d;

      if (ops[k].kind == CLAIR_DIFF_EQUAL)
        continue;
      if (ops[k].kind == CLAIR_DIFF_DELETE && k + 1 < n_ops && ops[k + 1].kind == CLAIR_DIFF_INSERT)
        b1 = ops[++k].b_end;
      ca = _clair_diff_to_code_points (a + a0, a1 - a0, &na);
      cb = _clair_diff_to_code_points (b + b0, b1 - b0, &nb);
      if (!_clair_diff_levenshtein_cps (ca, na, cb, nb, LEVENSHTEIN_BUDGET / 16, &d))
        d = MAX (na, nb);
      total += d;
    }
  return total;
}

/* The size of the buffer of a_words, a_tok, b_words and b_tok. */
static gsize
metrics_words_bytes (const Side *sa,
                     const Side *sb)
{
  return 2 * ((gsize) sa->n + sb->n + 2) * sizeof (guint32);
}

/* What needs no word alignment: the word sequences, the sets for Jaccard, the code points and the
 * exact distance when it is cheap enough. The diff runs this beside its own word alignment. */
void
_clair_diff_metrics_prepare (MetricsWork *work,
                             const Side  *sa,
                             const Side  *sb,
                             guint32      n_ids)
{
  g_autofree guint8 *seen = NULL;

  memset (work, 0, sizeof *work);
  work->sa = sa;
  work->sb = sb;
  work->n_ids = n_ids;
  /* One buffer for the four arrays: large pairs get it in huge pages (clair-diff-arena.c). */
  work->a_words = _clair_diff_big_alloc (metrics_words_bytes (sa, sb));
  work->a_tok = work->a_words + sa->n + 1;
  work->b_words = work->a_tok + sa->n + 1;
  work->b_tok = work->b_words + sb->n + 1;
  /* Gathered without branching: every token is written, only words advance. */
  for (guint i = 0; i < sa->n; i++)
    {
      work->a_words[work->na] = sa->ids[i];
      work->a_tok[work->na] = i;
      work->na += tok_cls (sa, i) != CLS_SPACE;
    }
  for (guint i = 0; i < sb->n; i++)
    {
      work->b_words[work->nb] = sb->ids[i];
      work->b_tok[work->nb] = i;
      work->nb += tok_cls (sb, i) != CLS_SPACE;
    }

  /* Jaccard over the sets of distinct tokens: bit 1 = in the original, bit 2 = in the revision. */
  seen = g_new0 (guint8, n_ids + 1);
  for (guint i = 0; i < work->na; i++)
    seen[work->a_words[i]] |= 1;
  for (guint j = 0; j < work->nb; j++)
    seen[work->b_words[j]] |= 2;
  for (guint32 id = 0; id < n_ids; id++)
    {
      work->n_union += seen[id] != 0;
      work->n_common += seen[id] == 3;
    }

  /* Huge inputs: _clair_diff_metrics_finish() counts along a line-aligned diff instead. */
  if (sa->len + sb->len > CLAIR_DIFF_LINE_THRESHOLD)
    return;
  work->ca = _clair_diff_to_code_points_big (sa->text, sa->len, &work->chars_a);
  work->cb = _clair_diff_to_code_points_big (sb->text, sb->len, &work->chars_b);
  work->exact = _clair_diff_levenshtein_cps (work->ca, work->chars_a, work->cb, work->chars_b,
                                             LEVENSHTEIN_BUDGET, &work->distance);
}

/* The metrics from the prepared @work and, when @marks is not NULL, the word alignment the diff
 * made of the same words; frees what @work holds. */
void
_clair_diff_metrics_finish (MetricsWork     *work,
                            const WordMarks *marks,
                            ClairMetrics    *metrics,
                            gboolean        *levenshtein_exact)
{
  const Side *sa = work->sa, *sb = work->sb;
  g_autofree guint8 *a_chg = NULL;
  g_autofree guint8 *b_chg = NULL;
  const guint8 *a_marks = NULL, *b_marks = NULL;
  guint na = work->na, nb = work->nb, matched = 0;
  gsize chars_a = work->chars_a, chars_b = work->chars_b, distance = work->distance;
  gboolean exact = work->exact;

  if (sa->len + sb->len > CLAIR_DIFF_LINE_THRESHOLD)
    {
      /* Huge inputs: count what the line-aligned diff keeps, as it displays it. */
      g_autoptr(ClairDiff) diff = clair_diff_compute (sa->text, sa->len, sb->text, sb->len,
                                                      CLAIR_DIFF_NO_REFINE | CLAIR_DIFF_NO_CLEANUP);

      chars_a = g_utf8_strlen (sa->text, sa->len);
      chars_b = g_utf8_strlen (sb->text, sb->len);
      matched = MIN (na, diff->stats.tokens_a - MIN (diff->stats.tokens_a, diff->stats.deleted));
      distance = levenshtein_by_ops (diff, sa->text, sb->text);
      exact = FALSE;
    }
  else if (marks != NULL)
    {
      /* The diff aligned these very words with diff_ids(). */
      g_assert (marks->na == na && marks->nb == nb);
      a_marks = marks->a;
      b_marks = marks->b;
      for (guint i = 0; i < na; i++)
        matched += !a_marks[i];
    }
  else if (exact && na + nb <= ANCHOR_MIN_TOKENS)
    {
      /* Below the anchoring size the token diff is minimal, so the tokens it keeps are a
       * longest common subsequence: its length is all the metrics need, and the bit-parallel
       * count is many times cheaper than the edit script. */
      matched = _clair_diff_lcs_length (work->a_words, na, work->b_words, nb, work->n_ids);
    }
  else
    {
      Arena arena = { NULL };

      a_chg = g_new (guint8, na + 1);
      b_chg = g_new (guint8, nb + 1);
      diff_ids (&arena, work->a_words, na, work->b_words, nb, work->n_ids, TRUE, a_chg, b_chg);
      _clair_diff_arena_clear (&arena);
      for (guint i = 0; i < na; i++)
        matched += !a_chg[i];
      a_marks = a_chg;
      b_marks = b_chg;
    }
  if (!exact && a_marks != NULL)
    distance = levenshtein_by_gaps (work, a_marks, b_marks);

  metrics->jaccard = work->n_union > 0 ? (double) work->n_common / work->n_union : 1.0;
  metrics->levenshtein = (double) distance;
  metrics->levenshtein_norm = MAX (chars_a, chars_b) > 0 ? (double) distance / MAX (chars_a, chars_b) : 0.0;
  metrics->changed_share = na + nb > 0 ? (double) (na + nb - 2 * matched) / (na + nb) : 0.0;
  metrics->similarity_ratio = na + nb > 0 ? 2.0 * matched / (na + nb) : 1.0;
  /* An empty original has no ratio: count it as one character so the value stays finite. */
  metrics->length_ratio = chars_a > 0 ? (double) chars_b / chars_a : chars_b > 0 ? (double) chars_b : 1.0;
  if (levenshtein_exact != NULL)
    *levenshtein_exact = exact;

  if (work->a_words != NULL)
    _clair_diff_big_free (work->a_words, metrics_words_bytes (sa, sb));
  work->a_words = work->b_words = work->a_tok = work->b_tok = NULL;
  if (work->ca != NULL)
    _clair_diff_big_free (work->ca, (sa->len + 1) * sizeof (gunichar));
  if (work->cb != NULL)
    _clair_diff_big_free (work->cb, (sb->len + 1) * sizeof (gunichar));
  work->ca = work->cb = NULL;
}

/* The metrics from the tokens of both texts (ids from one interner, below @n_ids) and, when
 * @marks is not NULL, the word alignment the diff made of them. */
void
_clair_diff_metrics_from_sides (const Side   *sa,
                                const Side   *sb,
                                guint32       n_ids,
                                WordMarks    *marks,
                                ClairMetrics *metrics,
                                gboolean     *levenshtein_exact)
{
  MetricsWork work;

  _clair_diff_metrics_prepare (&work, sa, sb, n_ids);
  _clair_diff_metrics_finish (&work, marks, metrics, levenshtein_exact);
}

void
clair_metrics_compute_len (const char   *original,
                           gssize        original_len,
                           const char   *revision,
                           gssize        revision_len,
                           ClairMetrics *metrics,
                           gboolean     *levenshtein_exact)
{
  Side sa = { 0 }, sb = { 0 };
  Interner interner = { 0 };

  g_return_if_fail (metrics != NULL);

  if (original == NULL)
    original = "", original_len = 0;
  if (revision == NULL)
    revision = "", revision_len = 0;
  if (original_len < 0)
    original_len = strlen (original);
  if (revision_len < 0)
    revision_len = strlen (revision);
  g_return_if_fail ((gsize) original_len < START_MASK && (gsize) revision_len < START_MASK);

  /* Tokens without whitespace: a rewrapped line does not change a single word. */
  _clair_diff_interner_init (&interner, 0, 1, FALSE);
  _clair_diff_side_tokenize (&sa, original, original_len, SPLIT_WORDS, &interner, TRUE);
  _clair_diff_side_tokenize (&sb, revision, revision_len, SPLIT_WORDS, &interner, TRUE);
  _clair_diff_metrics_from_sides (&sa, &sb, interner.n_ids, NULL, metrics, levenshtein_exact);
  _clair_diff_interner_clear (&interner);
  _clair_diff_side_clear (&sa);
  _clair_diff_side_clear (&sb);
}

void
clair_metrics_compute (const char   *original,
                       const char   *revision,
                       ClairMetrics *metrics)
{
  clair_metrics_compute_len (original, -1, revision, -1, metrics, NULL);
}

void
clair_metrics_append_json (GString            *out,
                           const ClairMetrics *metrics)
{
  const struct { const char *name; double value; } fields[] = {
    { "jaccard", metrics->jaccard },
    { "levenshtein", metrics->levenshtein },
    { "levenshtein_norm", metrics->levenshtein_norm },
    { "changed_share", metrics->changed_share },
    { "length_ratio", metrics->length_ratio },
    { "similarity_ratio", metrics->similarity_ratio },
  };

  g_string_append_c (out, '{');
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      clair_json_append_key (out, fields[i].name, i == 0);
      clair_json_append_double (out, fields[i].value);
    }
  g_string_append_c (out, '}');
}
