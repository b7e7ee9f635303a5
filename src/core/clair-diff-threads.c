/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

/* The places where a diff uses a second thread: tokenising the revision of a large word diff,
 * the metrics computed with it, and refining the second half of many replaced runs. All give the
 * same result as one thread, whatever the timing. */

/* Tokenising the two sides of a large word diff in parallel: the revision is cut and interned
 * on a worker thread with an interner of its own, and its ids are then translated into the
 * original's. The ids only ever meet in equality tests, so the result is the same as with one
 * interner, whatever the timing. */

/* Combined size from which the two sides are tokenised in parallel. */
#define PARALLEL_MIN_BYTES (128 * 1024)

typedef struct
{
  Side     *side;
  Interner  interner;
  gboolean  ignore_space;
} TokenizeJob;

static gpointer
tokenize_job (gpointer data)
{
  TokenizeJob *job = data;

  _clair_diff_side_tokenize (job->side, job->side->text, job->side->len, SPLIT_WORDS, &job->interner,
                 job->ignore_space);
  return NULL;
}

/* _clair_diff_side_tokenize() of both sides for a word diff, with one interner for both in the end. */
void
_clair_diff_tokenize_pair (Side       *sa,
                           const char *a,
                           gsize       a_len,
                           Side       *sb,
                           const char *b,
                           gsize       b_len,
                           Interner   *interner,
                           gboolean    ignore_space)
{
  TokenizeJob job;
  GThread *thread = NULL;

  if (a_len + b_len >= PARALLEL_MIN_BYTES && g_get_num_processors () > 1)
    {
      sb->text = b;
      sb->len = b_len;
      job.side = sb;
      job.ignore_space = ignore_space;
      _clair_diff_interner_init (&job.interner, 0, 1, FALSE);
      thread = g_thread_try_new ("clair-diff", tokenize_job, &job, NULL);
      if (thread == NULL)
        _clair_diff_interner_clear (&job.interner);
    }
  _clair_diff_side_tokenize (sa, a, a_len, SPLIT_WORDS, interner, ignore_space);
  if (thread == NULL)
    {
      _clair_diff_side_tokenize (sb, b, b_len, SPLIT_WORDS, interner, ignore_space);
      return;
    }
  g_thread_join (thread);
  _clair_diff_interner_translate (interner, &job.interner, sb);
  _clair_diff_interner_clear (&job.interner);
}

/* Refining many replaced runs: the second half goes to a worker thread with a refiner of its
 * own, and its spans are appended after those of the first half, so the order is the same. */

/* Replaced runs from which refining is shared with a worker thread. */
#define PARALLEL_MIN_RUNS 512

typedef struct
{
  const char *a;
  const char *b;
  const Run  *runs;
  guint       n_runs;
  OpArray    *out;
} RefineJob;

static gpointer
refine_job (gpointer data)
{
  RefineJob *job = data;
  Refiner refiner;

  _clair_diff_refiner_init (&refiner);
  for (guint k = 0; k < job->n_runs; k++)
    {
      const Run *run = &job->runs[k];

      _clair_diff_refine_run (&refiner, job->a, run->a0, run->a1, job->b, run->b0, run->b1, job->out);
    }
  _clair_diff_refiner_clear (&refiner);
  return NULL;
}

void
_clair_diff_refine_runs (const char *a,
                         const char *b,
                         const Run  *runs,
                         guint       n_runs,
                         OpArray    *refined)
{
  OpArray second_out = { NULL, 0, 0 };
  RefineJob first = { a, b, runs, n_runs, refined };
  RefineJob second = { a, b, NULL, 0, &second_out };
  GThread *thread = NULL;

  if (n_runs >= PARALLEL_MIN_RUNS && g_get_num_processors () > 1)
    {
      first.n_runs = n_runs / 2;
      second.runs = runs + first.n_runs;
      second.n_runs = n_runs - first.n_runs;
      _clair_diff_ops_reserve (&second_out, 2 * second.n_runs + 2);
      thread = g_thread_try_new ("clair-diff", refine_job, &second, NULL);
      if (thread == NULL)
        first.n_runs = n_runs;
    }
  refine_job (&first);
  if (thread != NULL)
    {
      g_thread_join (thread);
      _clair_diff_ops_reserve (refined, refined->len + second_out.len);
      memcpy (refined->data + refined->len, second_out.data, second_out.len * sizeof (ClairDiffOp));
      refined->len += second_out.len;
    }
  _clair_diff_ops_clear (&second_out);
}

/* The metrics of a large pair beside its diff: what needs no alignment while the diff aligns the
 * words, the rest (the distance along the alignment) while the diff makes its ops. */

/* Combined size from which the metrics run on a worker thread. */
#define PARALLEL_METRICS_MIN_BYTES (64 * 1024)

static gpointer
metrics_job (gpointer data)
{
  MetricsJob *job = data;

  _clair_diff_metrics_prepare (&job->work, job->work.sa, job->work.sb, job->work.n_ids);
  g_mutex_lock (&job->mutex);
  while (!job->aligned)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);
  _clair_diff_metrics_finish (&job->work, job->marks, job->metrics, job->levenshtein_exact);
  return NULL;
}

/* Starts the metrics of the pair @sa, @sb (ids below @n_ids), on a worker when it is large; the
 * sides must stay as they are until _clair_diff_metrics_end(). */
void
_clair_diff_metrics_begin (MetricsJob *job,
                           const Side *sa,
                           const Side *sb,
                           guint32     n_ids)
{
  memset (job, 0, sizeof *job);
  job->work.sa = sa;
  job->work.sb = sb;
  job->work.n_ids = n_ids;
  if (sa->len + sb->len < PARALLEL_METRICS_MIN_BYTES || sa->len + sb->len > CLAIR_DIFF_LINE_THRESHOLD
      || g_get_num_processors () < 2)
    return;
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  job->thread = g_thread_try_new ("clair-metrics", metrics_job, job, NULL);
  if (job->thread == NULL)
    {
      g_mutex_clear (&job->mutex);
      g_cond_clear (&job->cond);
    }
}

/* Hands the diff's word alignment to the metrics, which fill @metrics and @levenshtein_exact by
 * _clair_diff_metrics_end(); @marks must stay as it is until then. */
void
_clair_diff_metrics_align (MetricsJob      *job,
                           const WordMarks *marks,
                           ClairMetrics    *metrics,
                           gboolean        *levenshtein_exact)
{
  if (job->thread == NULL)
    {
      _clair_diff_metrics_from_sides (job->work.sa, job->work.sb, job->work.n_ids, (WordMarks *) marks,
                                      metrics, levenshtein_exact);
      return;
    }
  g_mutex_lock (&job->mutex);
  job->marks = marks;
  job->metrics = metrics;
  job->levenshtein_exact = levenshtein_exact;
  job->aligned = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

void
_clair_diff_metrics_end (MetricsJob *job)
{
  if (job->thread == NULL)
    return;
  g_thread_join (g_steal_pointer (&job->thread));
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
}
