/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-runner"

#include "config.h"

#include <math.h>
#include <string.h>

#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-parse.h"
#include "clair-runner.h"

/* How the work is split (see the header): the main context only sends requests and handles
 * replies; preparing bodies and committing results never stand between a reply and the next
 * request. */

#define MAX_BATCH          512      /* results in one commit at most */
#define MAX_RETRY_AFTER_MS (300 * 1000)
/* After a 429 halves the in-flight limit, it grows back by one for every `limit` answers without
 * a 429 (additive increase, as TCP's congestion avoidance), so a burst of rate limits costs
 * throughput for a while, not for the rest of the run. */
#define PROGRESS_INTERVAL  (100 * 1000)

typedef struct
{
  ClairRunner  *runner;
  guint         row;
  char         *hash;
  char         *solution;
  GBytes       *body;
  gboolean      unchanged;
  guint         n_attempts;
  gint64        started_at;
  guint         retry_source;
  const char   *phase;         /* where the job is, for clair_runner_describe_jobs() */
  gint64        phase_since;
  ClairReply   *reply;
  ClairAttempt *attempt;
  char         *failure;
  gboolean      answered;      /* handed to the analysers; counted in ClairRunner.answered */
} Job;

typedef struct
{
  ClairRunner *runner;
  GPtrArray   *jobs;
  GError      *error;
} Batch;

struct _ClairRunner
{
  GObject           parent_instance;

  ClairProject     *project;
  ClairProjectLock *run_lock;        /* held from clair_runner_start() to the final state */
  ClairClient      *client;
  ClairGenParams    params;
  ClairPrompt      *prompt;
  ClairRunOptions   options;
  GMainContext     *context;
  GCancellable     *cancellable;
  ClairRunnerState  state;
  char             *error;
  GArray           *rows;

  /* Shared with the preparing thread, under `lock`. */
  GThread          *prep_thread;
  GMutex            lock;
  GCond             cond;
  GQueue            ready;
  guint             capacity;
  gboolean          prep_done;
  gboolean          prep_stop;
  gboolean          main_waiting;
  GError           *prep_error;

  GThreadPool      *analysers;       /* parse + metrics, several at a time */
  GThread          *writer_thread;
  GAsyncQueue      *to_write;

  /* Main context only. */
  GHashTable       *active;          /* every job sent and not yet committed or dropped */
  guint             answered;        /* those of them answered, being analysed or committed */
  guint             limit;
  guint             since_limited;  /* answers since the last 429 at this limit */
  gboolean          any_success;
  GError           *unreachable;    /* why the server could not be reached, when that ended the run */
  gint64            paused_until;
  guint             pause_source;
  gint64            start_time;
  gint64            last_progress;
  ClairRunProgress  progress;
};

G_DEFINE_FINAL_TYPE (ClairRunner, clair_runner, G_TYPE_OBJECT)

enum
{
  ROW_STARTED,
  ROW_DELTA,
  ROW_RETRY,
  ROW_FINISHED,
  ROW_FAILED,
  PROGRESS,
  STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A marker that tells the writer thread to finish. */
static Job stop_mark;

static void fill (ClairRunner *self);
static void send_job (ClairRunner *self, Job *job);

void
clair_run_options_init (ClairRunOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->selection = CLAIR_SELECT_PENDING;
  options->last = G_MAXUINT;
}

void
clair_run_options_clear (ClairRunOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->base_url, g_free);
  if (options->api_key != NULL)
    memset (options->api_key, 0, strlen (options->api_key));
  g_clear_pointer (&options->api_key, g_free);
  g_clear_pointer (&options->headers, g_strfreev);
  g_clear_pointer (&options->rows, g_array_unref);
}

static void
job_free (Job *job)
{
  if (job == NULL || job == &stop_mark)
    return;
  if (job->retry_source != 0)
    g_source_remove (job->retry_source);
  g_free (job->hash);
  g_free (job->solution);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_clear_pointer (&job->reply, clair_reply_free);
  g_clear_pointer (&job->attempt, clair_attempt_free);
  g_free (job->failure);
  g_free (job);
}

/* ------------------------------------------------------------------------------------------ */
/* The preparing thread: records → prompts → hash and body. */

static void maybe_finish (ClairRunner *self);

static void
set_phase (Job        *job,
           const char *phase)
{
  job->phase = phase;
  job->phase_since = g_get_monotonic_time ();
}

static gboolean
fill_idle_cb (gpointer user_data)
{
  fill (user_data);
  maybe_finish (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the runner's main context. Not g_main_context_invoke(): when no thread owns the
 * context yet (before the loop runs) it would call @func right here, on the worker thread. */
static void
post_to_main (ClairRunner    *self,
              GSourceFunc     func,
              gpointer        data,
              GDestroyNotify  notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[clair] runner");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
wake_main (ClairRunner *self)
{
  post_to_main (self, fill_idle_cb, g_object_ref (self), g_object_unref);
}

static Job *
prepare_job (ClairRunner  *self,
             ClairProject *reader,
             guint         row,
             GError      **error)
{
  g_autoptr(ClairRecord) record = NULL;
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  char *body;
  ClairAttempt *latest;
  Job *job;

  record = clair_project_get_record (reader, row, error);
  if (record == NULL)
    return NULL;

  system = clair_prompt_render_system (self->prompt, record->task, record->solution);
  user = clair_prompt_render_user (self->prompt, record->task, record->solution);

  job = g_new0 (Job, 1);
  job->runner = self;
  job->row = row;
  job->hash = clair_request_hash (&self->params, system, user);
  /* Not paid for twice: a row whose last good answer came from this very request is skipped
   * (the latest answer, whichever one a decision keeps current). */
  latest = clair_record_get_latest (record);
  if (!self->options.force && latest != NULL && latest->status == CLAIR_ROW_REVISED &&
      g_strcmp0 (latest->request_hash, job->hash) == 0)
    {
      job->unchanged = TRUE;
      return job;
    }
  job->solution = g_steal_pointer (&record->solution);
  body = clair_request_build_body (&self->params, system, user, self->options.stream);
  job->body = g_bytes_new_take (body, strlen (body));
  return job;
}

static gpointer
prep_thread_func (gpointer user_data)
{
  ClairRunner *self = user_data;
  g_autoptr(ClairProject) reader = NULL;
  GError *error = NULL;

  reader = clair_project_open_reader (self->project, &error);

  for (guint i = 0; reader != NULL && i < self->rows->len; i++)
    {
      Job *job;
      gboolean wake;

      g_mutex_lock (&self->lock);
      while (self->ready.length >= self->capacity && !self->prep_stop)
        g_cond_wait (&self->cond, &self->lock);
      if (self->prep_stop)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_mutex_unlock (&self->lock);

      job = prepare_job (self, reader, g_array_index (self->rows, guint, i), &error);
      if (job == NULL)
        break;

      g_mutex_lock (&self->lock);
      g_queue_push_tail (&self->ready, job);
      wake = self->main_waiting;
      self->main_waiting = FALSE;
      g_mutex_unlock (&self->lock);
      if (wake)
        wake_main (self);
    }

  g_mutex_lock (&self->lock);
  self->prep_done = TRUE;
  self->prep_error = error;
  g_mutex_unlock (&self->lock);
  wake_main (self);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The writer thread: parse, metrics, commit in groups. */

static ClairAttempt *
make_attempt (ClairRunner *self,
              Job         *job)
{
  ClairAttempt *attempt = clair_attempt_new ();
  ClairReply *reply = job->reply;

  attempt->row = job->row;
  attempt->request_hash = g_strdup (job->hash);
  attempt->http_status = reply->http_status;
  attempt->model_requested = g_strdup (self->params.model);
  attempt->model_reported = g_steal_pointer (&reply->model);
  attempt->prompt_tokens = reply->prompt_tokens;
  attempt->completion_tokens = reply->completion_tokens;
  attempt->latency_ms = reply->latency_ms;
  attempt->started_at = job->started_at;
  attempt->finished_at = g_get_real_time ();

  if (reply->action != CLAIR_REPLY_OK)
    {
      attempt->status = CLAIR_ROW_FAILED;
      attempt->error = g_strdup (job->failure ? job->failure
                                 : reply->error ? reply->error->message : "The request failed");
      return attempt;
    }

  attempt->finish_reason = g_steal_pointer (&reply->finish_reason);
  clair_attempt_take_answer (attempt, g_steal_pointer (&reply->content), reply->refusal);

  if (attempt->revision != NULL && job->solution != NULL)
    {
      clair_metrics_compute (job->solution, attempt->revision, &attempt->metrics);
      attempt->has_metrics = TRUE;
    }
  return attempt;
}

static gboolean committed_cb (gpointer user_data);

/* On a pool thread: parsing and metrics (a character Levenshtein is the costly part), then to the
 * writer. Several run at once so the single writer only commits. */
static void
analyse_func (gpointer data,
              gpointer user_data)
{
  ClairRunner *self = user_data;
  Job *job = data;

  job->attempt = make_attempt (self, job);
  g_async_queue_push (self->to_write, job);
}

static void
batch_free (Batch *batch)
{
  g_clear_pointer (&batch->jobs, g_ptr_array_unref);
  g_clear_error (&batch->error);
  g_object_unref (batch->runner);
  g_free (batch);
}

static gpointer
writer_thread_func (gpointer user_data)
{
  ClairRunner *self = user_data;
  gboolean stop = FALSE;

  while (!stop)
    {
      g_autofree ClairAttempt **attempts = NULL;
      Batch *batch;
      Job *job;

      job = g_async_queue_pop (self->to_write);
      if (job == &stop_mark)
        break;

      batch = g_new0 (Batch, 1);
      batch->runner = g_object_ref (self);
      batch->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
      g_ptr_array_add (batch->jobs, job);
      /* The group is whatever arrived while the last one was committed. */
      while (batch->jobs->len < MAX_BATCH && (job = g_async_queue_try_pop (self->to_write)) != NULL)
        {
          if (job == &stop_mark)
            {
              stop = TRUE;
              break;
            }
          g_ptr_array_add (batch->jobs, job);
        }

      attempts = g_new (ClairAttempt *, batch->jobs->len);
      for (guint i = 0; i < batch->jobs->len; i++)
        attempts[i] = ((Job *) g_ptr_array_index (batch->jobs, i))->attempt;
      clair_project_add_attempts (self->project, attempts, batch->jobs->len, &batch->error);
      post_to_main (self, committed_cb, batch, (GDestroyNotify) batch_free);
    }
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The main context. */

static void
set_state (ClairRunner      *self,
           ClairRunnerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_signal_emit (self, signals[STATE_CHANGED], 0, state);
}

static void
update_rates (ClairRunner *self)
{
  ClairRunProgress *p = &self->progress;
  guint answered = p->revised + p->parse_failed + p->failed;

  p->in_flight = g_hash_table_size (self->active) - self->answered;
  p->limit = self->limit;
  p->elapsed = self->start_time ? (g_get_monotonic_time () - self->start_time) / 1e6 : 0;
  p->rows_per_second = p->elapsed > 0 ? answered / p->elapsed : 0;
  p->tokens_per_second = p->elapsed > 0 ? p->completion_tokens / p->elapsed : 0;
  p->eta = p->rows_per_second > 0 ? (p->total - p->done) / p->rows_per_second : -1;
}

static void
emit_progress (ClairRunner *self,
               gboolean     force)
{
  gint64 now = g_get_monotonic_time ();

  if (!force && now - self->last_progress < PROGRESS_INTERVAL)
    return;
  self->last_progress = now;
  update_rates (self);
  g_signal_emit (self, signals[PROGRESS], 0);
}

static void
maybe_finish (ClairRunner *self)
{
  gboolean prep_done;
  gboolean ready_empty;
  ClairRunnerState final;

  if (self->state == CLAIR_RUNNER_IDLE || self->state >= CLAIR_RUNNER_FINISHED)
    return;
  if (g_hash_table_size (self->active) > 0)
    return;

  g_mutex_lock (&self->lock);
  prep_done = self->prep_done;
  ready_empty = self->ready.length == 0;
  if (self->prep_error != NULL && self->error == NULL)
    self->error = g_strdup_printf ("Could not read the rows to run: %s", self->prep_error->message);
  g_mutex_unlock (&self->lock);

  if (self->error != NULL && self->state != CLAIR_RUNNER_STOPPING)
    {
      /* A read error: stop like a fatal error. */
      set_state (self, CLAIR_RUNNER_STOPPING);
    }
  else if (self->state != CLAIR_RUNNER_STOPPING && !(prep_done && ready_empty))
    return;

  g_mutex_lock (&self->lock);
  self->prep_stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->prep_thread, g_thread_join);
  if (self->analysers != NULL)
    g_thread_pool_free (g_steal_pointer (&self->analysers), FALSE, TRUE);
  g_async_queue_push (self->to_write, &stop_mark);
  g_clear_pointer (&self->writer_thread, g_thread_join);
  g_queue_clear_full (&self->ready, (GDestroyNotify) job_free);
  g_clear_handle_id (&self->pause_source, g_source_remove);
  /* Every result is committed now; let go before the final state is announced, so a listener
   * may start the next run from its handler. */
  g_clear_pointer (&self->run_lock, clair_project_lock_free);

  if (self->error != NULL)
    final = CLAIR_RUNNER_FAILED;
  else if (self->state == CLAIR_RUNNER_STOPPING)
    final = CLAIR_RUNNER_STOPPED;
  else
    final = CLAIR_RUNNER_FINISHED;
  emit_progress (self, TRUE);
  set_state (self, final);
}

/* Forgets a job that will not be committed: its row stays as it was (pending). */
/* Takes @job out of the active set (it is committed or dropped). */
static void
forget_job (ClairRunner *self,
            Job         *job)
{
  if (job->answered)
    {
      g_assert (self->answered > 0);
      self->answered--;
      job->answered = FALSE;
    }
  g_hash_table_remove (self->active, job);
}

static void
drop_job (ClairRunner *self,
          Job         *job)
{
  forget_job (self, job);
  job_free (job);
}

static void
fatal (ClairRunner *self,
       char        *message)
{
  if (self->error == NULL)
    self->error = message;
  else
    g_free (message);
  clair_runner_stop (self);
}

static gboolean
committed_cb (gpointer user_data)
{
  Batch *batch = user_data;
  ClairRunner *self = batch->runner;

  if (batch->error != NULL)
    {
      for (guint i = 0; i < batch->jobs->len; i++)
        forget_job (self, g_ptr_array_index (batch->jobs, i));
      fatal (self, g_strdup_printf ("Could not save results in “%s”: %s",
                                    clair_project_get_path (self->project), batch->error->message));
      maybe_finish (self);
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < batch->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (batch->jobs, i);
      ClairAttempt *attempt = job->attempt;

      forget_job (self, job);
      self->progress.done++;
      if (attempt->prompt_tokens > 0)
        self->progress.prompt_tokens += attempt->prompt_tokens;
      if (attempt->completion_tokens > 0)
        self->progress.completion_tokens += attempt->completion_tokens;
      switch (attempt->status)
        {
        case CLAIR_ROW_REVISED:
          self->progress.revised++;
          g_signal_emit (self, signals[ROW_FINISHED], 0, job->row, attempt);
          break;
        case CLAIR_ROW_PARSE_FAILED:
          self->progress.parse_failed++;
          g_signal_emit (self, signals[ROW_FINISHED], 0, job->row, attempt);
          break;
        case CLAIR_ROW_FAILED:
        case CLAIR_ROW_PENDING:
        default:
          self->progress.failed++;
          g_signal_emit (self, signals[ROW_FAILED], 0, job->row, attempt->error);
          break;
        }
    }

  emit_progress (self, FALSE);
  fill (self);
  maybe_finish (self);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cb (gpointer user_data)
{
  Job *job = user_data;
  ClairRunner *self = job->runner;
  gint64 now = g_get_monotonic_time ();

  job->retry_source = 0;
  if (self->state == CLAIR_RUNNER_STOPPING)
    {
      drop_job (self, job);
      maybe_finish (self);
      return G_SOURCE_REMOVE;
    }
  /* A later 429 may have pushed the pause further out. */
  if (self->paused_until > now)
    {
      job->retry_source = g_timeout_add ((self->paused_until - now + 999) / 1000, retry_cb, job);
      return G_SOURCE_REMOVE;
    }
  g_signal_emit (self, signals[ROW_RETRY], 0, job->row);
  send_job (self, job);
  return G_SOURCE_REMOVE;
}

static guint
backoff_ms (const Job        *job,
            const ClairReply *reply)
{
  double delay;

  if (reply->retry_after_ms >= 0)
    return (guint) MIN (reply->retry_after_ms, MAX_RETRY_AFTER_MS);
  /* min(0.5 · 2^attempt, 8) s with 25 % jitter. */
  delay = MIN (500.0 * (1u << MIN (job->n_attempts - 1, 8u)), 8000.0);
  delay *= 1.0 + g_random_double_range (-0.25, 0.25);
  return (guint) delay;
}

static gboolean
is_unreachable (const ClairReply *reply)
{
  return g_error_matches (reply->error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE);
}

/* The answer (or the final failure) of @job goes to be parsed, measured and committed; its request
 * slot is free from now on. */
static void
hand_to_analysers (ClairRunner *self,
                   Job         *job)
{
  set_phase (job, "being parsed and saved");
  job->answered = TRUE;
  self->answered++;
  g_thread_pool_push (self->analysers, job, NULL);
}

static void
chat_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Job *job = user_data;
  ClairRunner *self = job->runner;
  ClairReply *reply = clair_client_chat_finish (CLAIR_CLIENT (source), result);

  g_clear_pointer (&job->reply, clair_reply_free);
  job->reply = reply;

  switch (reply->action)
    {
    case CLAIR_REPLY_OK:
      self->any_success = TRUE;
      if (self->limit < self->options.concurrency && ++self->since_limited >= self->limit)
        {
          self->limit++;
          self->since_limited = 0;
        }
      hand_to_analysers (self, job);
      break;

    case CLAIR_REPLY_FAIL_ROW:
      hand_to_analysers (self, job);
      break;

    case CLAIR_REPLY_FATAL:
      {
        char *message = clair_client_describe_fatal (self->client, reply, self->params.model);

        if (is_unreachable (reply) && self->unreachable == NULL)
          self->unreachable = g_error_copy (reply->error);
        drop_job (self, job);
        fatal (self, message);
      }
      break;

    case CLAIR_REPLY_RETRY:
      if (reply->http_status == 429)
        self->since_limited = 0;
      if (self->state == CLAIR_RUNNER_STOPPING)
        {
          drop_job (self, job);
          break;
        }
      if (job->n_attempts >= self->options.max_attempts ||
          (!self->any_success && job->n_attempts >= 2 && is_unreachable (reply)))
        {
          if (!self->any_success && reply->http_status == 0)
            {
              /* Nothing has worked yet and the server cannot be reached: failing every row one
               * by one would only take long. */
              char *message = g_strdup_printf ("Could not reach the server (%s): check that it "
                                               "runs and that the base URL is right",
                                               reply->error->message);

              if (self->unreachable == NULL)
                self->unreachable = g_error_copy (reply->error);
              drop_job (self, job);
              fatal (self, message);
              break;
            }
          job->failure = g_strdup_printf ("%s (gave up after %u attempts)",
                                          reply->error->message, job->n_attempts);
          hand_to_analysers (self, job);
          break;
        }
      else
        {
          guint delay = backoff_ms (job, reply);
          gint64 now = g_get_monotonic_time ();

          self->progress.retries++;
          if (reply->http_status == 429)
            {
              /* Halve what is in flight once per rate-limit window and hold new sends. */
              if (now >= self->paused_until)
                self->limit = MAX (1, self->limit / 2);
              self->paused_until = MAX (self->paused_until, now + (gint64) delay * 1000);
            }
          set_phase (job, "waiting to retry");
          job->retry_source = g_timeout_add (delay, retry_cb, job);
        }
      break;

    case CLAIR_REPLY_CANCELLED:
    default:
      drop_job (self, job);
      break;
    }

  fill (self);
  maybe_finish (self);
}

static void
delta_cb (const char *text,
          gsize       len,
          gpointer    user_data)
{
  Job *job = user_data;

  g_signal_emit (job->runner, signals[ROW_DELTA], 0, job->row, text);
}

static void
send_job (ClairRunner *self,
          Job         *job)
{
  set_phase (job, "waiting for the server");
  job->n_attempts++;
  job->started_at = g_get_real_time ();
  clair_client_chat_async (self->client, job->body, self->options.stream, self->cancellable,
                           self->options.stream ? delta_cb : NULL, job, chat_cb, job);
}

static gboolean
pause_over_cb (gpointer user_data)
{
  ClairRunner *self = user_data;

  self->pause_source = 0;
  fill (self);
  return G_SOURCE_REMOVE;
}

static void
fill (ClairRunner *self)
{
  gint64 now;

  if (self->state != CLAIR_RUNNER_RUNNING)
    return;

  now = g_get_monotonic_time ();
  if (self->paused_until > now)
    {
      if (self->pause_source == 0)
        self->pause_source = g_timeout_add ((self->paused_until - now + 999) / 1000,
                                            pause_over_cb, self);
      return;
    }

  /* A request slot is given back as soon as its answer arrives, so the next request never waits
   * for the parse, the metrics and the commit of the last one. Answers waiting for those are
   * bounded by the concurrency too: memory stays flat when the analysis falls behind the
   * server, and a crash loses no more uncommitted answers than twice the concurrency (their rows
   * are requested again, as any row whose result never reached the project). */
  while (g_hash_table_size (self->active) - self->answered < self->limit
         && self->answered < MAX (self->options.concurrency, 1u))
    {
      Job *job;

      g_mutex_lock (&self->lock);
      job = g_queue_pop_head (&self->ready);
      if (job != NULL)
        g_cond_signal (&self->cond);
      else
        self->main_waiting = TRUE;
      g_mutex_unlock (&self->lock);

      if (job == NULL)
        break;
      if (job->unchanged)
        {
          self->progress.unchanged++;
          self->progress.done++;
          job_free (job);
          continue;
        }
      g_hash_table_add (self->active, job);
      g_signal_emit (self, signals[ROW_STARTED], 0, job->row);
      send_job (self, job);
    }
  emit_progress (self, FALSE);
}

/* ------------------------------------------------------------------------------------------ */

static void
shutdown_threads (ClairRunner *self)
{
  g_mutex_lock (&self->lock);
  self->prep_stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->prep_thread, g_thread_join);
  if (self->analysers != NULL)
    g_thread_pool_free (g_steal_pointer (&self->analysers), FALSE, TRUE);
  if (self->writer_thread != NULL)
    {
      g_async_queue_push (self->to_write, &stop_mark);
      g_clear_pointer (&self->writer_thread, g_thread_join);
    }
}

static void
clair_runner_dispose (GObject *object)
{
  ClairRunner *self = CLAIR_RUNNER (object);

  /* Disposed mid-run: results still being committed come back to a runner that sends nothing
   * more (the state makes fill() and maybe_finish() return at once). */
  if (self->state != CLAIR_RUNNER_IDLE && self->state < CLAIR_RUNNER_FINISHED)
    self->state = CLAIR_RUNNER_STOPPED;
  g_cancellable_cancel (self->cancellable);
  shutdown_threads (self);
  g_clear_pointer (&self->run_lock, clair_project_lock_free);
  g_clear_handle_id (&self->pause_source, g_source_remove);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (clair_runner_parent_class)->dispose (object);
}

static void
clair_runner_finalize (GObject *object)
{
  ClairRunner *self = CLAIR_RUNNER (object);
  Job *job;

  g_queue_clear_full (&self->ready, (GDestroyNotify) job_free);
  if (self->to_write != NULL)
    {
      while ((job = g_async_queue_try_pop (self->to_write)) != NULL)
        job_free (job);
      g_async_queue_unref (self->to_write);
    }
  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_object (&self->project);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->prompt, clair_prompt_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_error (&self->prep_error);
  g_free (self->error);
  g_clear_error (&self->unreachable);
  clair_gen_params_clear (&self->params);
  clair_run_options_clear (&self->options);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (clair_runner_parent_class)->finalize (object);
}

static void
clair_runner_class_init (ClairRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clair_runner_dispose;
  object_class->finalize = clair_runner_finalize;

  /* A row was sent for the first time in this run. */
  signals[ROW_STARTED] = g_signal_new ("row-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* Streamed text of a row as it arrives (streaming runs only). */
  signals[ROW_DELTA] = g_signal_new ("row-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT,
                                     G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* A row is asked again after a retryable failure: text streamed so far is void. */
  signals[ROW_RETRY] = g_signal_new ("row-retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* A row's answer was committed (revised or parse-failed); the ClairAttempt is valid during
   * the emission only. */
  signals[ROW_FINISHED] = g_signal_new ("row-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT,
                                        G_TYPE_POINTER);
  /* A row's failure was committed (no answer after the retries, or a 4xx for the row). */
  signals[ROW_FAILED] = g_signal_new ("row-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT,
                                      G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Counts changed; at most every 100 ms, and once at the end. */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         G_TYPE_INT);
}

static void
clair_runner_init (ClairRunner *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->ready);
  self->active = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
  self->to_write = g_async_queue_new ();
  clair_gen_params_init (&self->params);
}

ClairRunner *
clair_runner_new (ClairProject           *project,
                  const ClairRunOptions  *options,
                  GError                **error)
{
  g_autoptr(ClairRunner) self = NULL;
  g_autofree char *stored_url = NULL;
  const char *base_url;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (CLAIR_TYPE_RUNNER, NULL);
  self->project = g_object_ref (project);
  self->options = *options;
  self->options.base_url = g_strdup (options->base_url);
  self->options.api_key = g_strdup (options->api_key);
  self->options.headers = g_strdupv (options->headers);
  self->options.rows = options->rows ? g_array_ref (options->rows) : NULL;
  if (self->options.concurrency == 0)
    self->options.concurrency = CLAIR_RUNNER_DEFAULT_CONCURRENCY;
  self->options.concurrency = MIN (self->options.concurrency, CLAIR_RUNNER_MAX_CONCURRENCY);
  if (self->options.max_attempts == 0)
    self->options.max_attempts = CLAIR_RUNNER_DEFAULT_ATTEMPTS;
  if (self->options.timeout <= 0)
    self->options.timeout = 600;
  self->limit = self->options.concurrency;
  /* Enough prepared bodies to refill every slot twice without waiting. */
  self->capacity = 2 * self->options.concurrency + 64;

  if (!clair_project_load_params (project, &self->params, error))
    return NULL;
  if (self->params.model == NULL || self->params.model[0] == '\0')
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("No model is set for “%s”: name the model to ask (e.g. --model gpt-4o)"),
                   clair_project_get_path (project));
      return NULL;
    }
  self->prompt = clair_project_load_prompt (project);

  base_url = self->options.base_url;
  if (base_url == NULL)
    base_url = stored_url = clair_project_get_setting (project, "run.base_url");
  if (base_url == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("No server is set for “%s”: give its base URL (e.g. --base-url "
                   "http://localhost:8000/v1)"), clair_project_get_path (project));
      return NULL;
    }

  self->client = clair_client_new (base_url, self->options.concurrency, error);
  if (self->client == NULL)
    return NULL;
  clair_client_set_api_key (self->client, self->options.api_key);
  clair_client_set_timeout (self->client, self->options.timeout);
  for (guint i = 0; self->options.headers && self->options.headers[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (self->options.headers[i], ":", 2);

      if (parts[0] != NULL && parts[1] != NULL)
        clair_client_set_header (self->client, g_strstrip (parts[0]), g_strstrip (parts[1]));
    }

  return g_steal_pointer (&self);
}

ClairClient *
clair_runner_get_client (ClairRunner *self)
{
  g_return_val_if_fail (CLAIR_IS_RUNNER (self), NULL);
  return self->client;
}

gboolean
clair_runner_start (ClairRunner  *self,
                    GError      **error)
{
  g_return_val_if_fail (CLAIR_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (self->state == CLAIR_RUNNER_IDLE, FALSE);

  /* Taken before the rows are listed: a run that just ended has committed all it will, so the
   * pending rows listed next are truly pending. */
  self->run_lock = clair_project_lock_run (self->project, error);
  if (self->run_lock == NULL)
    return FALSE;

  if (self->options.rows != NULL)
    {
      self->rows = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->options.rows->len);
      g_array_append_vals (self->rows, self->options.rows->data, self->options.rows->len);
    }
  else
    {
      self->rows = clair_project_list_rows_to_run (self->project, self->options.selection,
                                                   self->options.first, self->options.last,
                                                   self->options.limit, error);
      if (self->rows == NULL)
        {
          g_clear_pointer (&self->run_lock, clair_project_lock_free);
          return FALSE;
        }
    }

  self->context = g_main_context_ref_thread_default ();
  self->progress.total = self->rows->len;
  self->start_time = g_get_monotonic_time ();
  self->main_waiting = TRUE;
  /* One analyser a core: parsing and metrics are the run's CPU work, while the main context,
   * the writer and the preparing thread mostly wait on sockets, SQLite and each other. */
  self->analysers = g_thread_pool_new (analyse_func, self,
                                      CLAMP ((int) g_get_num_processors (), 1, 8), FALSE, NULL);
  self->writer_thread = g_thread_new ("clair-writer", writer_thread_func, self);
  self->prep_thread = g_thread_new ("clair-prepare", prep_thread_func, self);
  set_state (self, CLAIR_RUNNER_RUNNING);
  emit_progress (self, TRUE);
  return TRUE;
}

void
clair_runner_pause (ClairRunner *self)
{
  g_return_if_fail (CLAIR_IS_RUNNER (self));

  if (self->state == CLAIR_RUNNER_RUNNING)
    set_state (self, CLAIR_RUNNER_PAUSED);
}

void
clair_runner_resume (ClairRunner *self)
{
  g_return_if_fail (CLAIR_IS_RUNNER (self));

  if (self->state != CLAIR_RUNNER_PAUSED)
    return;
  set_state (self, CLAIR_RUNNER_RUNNING);
  fill (self);
  maybe_finish (self);
}

void
clair_runner_stop (ClairRunner *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (CLAIR_IS_RUNNER (self));

  if (self->state != CLAIR_RUNNER_RUNNING && self->state != CLAIR_RUNNER_PAUSED)
    return;

  set_state (self, CLAIR_RUNNER_STOPPING);
  g_mutex_lock (&self->lock);
  self->prep_stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);

  /* Rows waiting for a retry go back to pending at once. */
  g_hash_table_iter_init (&iter, self->active);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Job *job = key;

      if (job->retry_source != 0)
        {
          g_hash_table_iter_remove (&iter);
          job_free (job);
        }
    }
  maybe_finish (self);
}

char *
clair_runner_describe_jobs (ClairRunner *self)
{
  GString *out = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (CLAIR_IS_RUNNER (self), NULL);

  g_hash_table_iter_init (&iter, self->active);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const Job *job = key;

      g_string_append_printf (out, "%srow %u: %s for %.1f s (attempt %u)", out->len ? "; " : "",
                              job->row, job->phase ? job->phase : "starting",
                              (now - job->phase_since) / 1e6, job->n_attempts);
    }
  return g_string_free (out, FALSE);
}

ClairRunnerState
clair_runner_get_state (ClairRunner *self)
{
  g_return_val_if_fail (CLAIR_IS_RUNNER (self), CLAIR_RUNNER_IDLE);
  return self->state;
}

void
clair_runner_get_progress (ClairRunner      *self,
                           ClairRunProgress *progress)
{
  g_return_if_fail (CLAIR_IS_RUNNER (self));
  g_return_if_fail (progress != NULL);

  update_rates (self);
  *progress = self->progress;
}

const char *
clair_runner_get_error (ClairRunner *self)
{
  g_return_val_if_fail (CLAIR_IS_RUNNER (self), NULL);
  return self->error;
}

const GError *
clair_runner_get_unreachable_error (ClairRunner *self)
{
  g_return_val_if_fail (CLAIR_IS_RUNNER (self), NULL);
  return self->state == CLAIR_RUNNER_FAILED ? self->unreachable : NULL;
}
