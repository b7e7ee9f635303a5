/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-project"

#include "config.h"

#include <string.h>

#include "clair-project-private.h"

/* The project's long work, off the caller's thread. A project owns two workers of one thread
 * each: reads (search, summaries, tasks) run on its own read-only connection, opened on the read
 * worker and used there only, so a search never waits for a writer; bulk writes run on the
 * project's connection (serialised by its lock) in chunks, so the caller's own decisions wait
 * for one chunk at most. Each worker runs its jobs in the order they were asked for. */

struct _ClairProjectWorker
{
  GThreadPool  *read_pool;
  GThreadPool  *write_pool;
  ClairProject *reader;       /* opened on the read worker, used there only */
};

/* A job's work: on the worker's thread, returns its value (NULL with @error on failure). */
typedef gpointer (*JobFunc) (ClairProject  *project,
                             ClairProject  *reader,
                             gpointer       task_data,
                             GCancellable  *cancellable,
                             GError       **error);

typedef struct
{
  GTask          *task;
  JobFunc         func;
  gboolean        read;
  gpointer        value;
  GDestroyNotify  value_free;
  GError         *error;
} Job;

/* What boolean jobs return. */
#define DONE GINT_TO_POINTER (TRUE)

/* Set on a worker's thread: the last reference to a project dropped there cannot wait for it. */
static GPrivate on_worker;

/* Back in the caller's context. The task is returned there, so the worker holds no reference to
 * it (nor to the project) once its callback has run. */
static gboolean
job_return_cb (gpointer data)
{
  Job *job = data;

  if (job->error != NULL)
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  else
    g_task_return_pointer (job->task, g_steal_pointer (&job->value), job->value_free);
  g_object_unref (job->task);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static gboolean
open_reader (ClairProjectWorker  *worker,
             ClairProject        *project,
             GError             **error)
{
  if (worker->reader == NULL)
    worker->reader = clair_project_open_reader (project, error);
  return worker->reader != NULL;
}

static void
job_run_cb (gpointer data,
            gpointer user_data)
{
  Job *job = data;
  ClairProjectWorker *worker = user_data;
  ClairProject *project = g_task_get_source_object (job->task);
  GCancellable *cancellable = g_task_get_cancellable (job->task);

  g_private_set (&on_worker, GINT_TO_POINTER (TRUE));
  if (!g_cancellable_set_error_if_cancelled (cancellable, &job->error) &&
      (!job->read || open_reader (worker, project, &job->error)))
    job->value = job->func (project, worker->reader, g_task_get_task_data (job->task), cancellable, &job->error);
  g_main_context_invoke (g_task_get_context (job->task), job_return_cb, job);
}

/* The value of a job whose value says it is done. */
static gboolean
propagate_done (GTask   *task,
                GError **error)
{
  return g_task_propagate_pointer (task, error) != NULL;
}

ClairProjectWorker *
_clair_project_worker_new (void)
{
  ClairProjectWorker *worker = g_new0 (ClairProjectWorker, 1);

  worker->read_pool = g_thread_pool_new (job_run_cb, worker, 1, FALSE, NULL);
  worker->write_pool = g_thread_pool_new (job_run_cb, worker, 1, FALSE, NULL);
  return worker;
}

void
_clair_project_worker_free (ClairProjectWorker *worker)
{
  /* Every job holds the project, so none is left when it goes; only when the last reference
   * went on a worker's own thread is that thread still running (and cannot be waited for). */
  gboolean wait = g_private_get (&on_worker) == NULL;

  g_thread_pool_free (worker->read_pool, FALSE, wait);
  g_thread_pool_free (worker->write_pool, FALSE, wait);
  g_clear_object (&worker->reader);
  g_free (worker);
}

static void
run_job (ClairProject   *self,
         GTask          *task,
         gboolean        read,
         JobFunc         func,
         GDestroyNotify  value_free)
{
  ClairProjectWorker *worker = _clair_project_get_worker (self);
  Job *job = g_new0 (Job, 1);

  job->task = g_object_ref (task);
  job->func = func;
  job->read = read;
  job->value_free = value_free;
  g_thread_pool_push (read ? worker->read_pool : worker->write_pool, job, NULL);
}

/* Makes the task of an _async call and hands it to a worker: @read picks the reading one. */
static void
start_job (ClairProject        *self,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data,
           gpointer             source_tag,
           gpointer             task_data,
           GDestroyNotify       task_data_free,
           gboolean             read,
           JobFunc              func,
           GDestroyNotify       value_free)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, task_data_free);
  run_job (self, task, read, func, value_free);
}

/* The task of an _async call whose source tag is @source_tag, or NULL (with a critical). */
static GTask *
job_result (ClairProject *self,
            GAsyncResult *result,
            gpointer      source_tag)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return G_TASK (result);
}

/* Search */

static gpointer
search_job (ClairProject  *project,
            ClairProject  *reader,
            gpointer       task_data,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GArray) matches = clair_project_search (reader, task_data, cancellable, error);
  GHashTable *set;

  if (matches == NULL)
    return NULL;
  /* A set, built here: 200k matches take the caller's main loop 30 ms otherwise. */
  set = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < matches->len; i++)
    g_hash_table_add (set, GUINT_TO_POINTER (g_array_index (matches, guint, i)));
  return set;
}

void
clair_project_search_async (ClairProject        *self,
                            const char          *needle,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (needle != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_job (self, cancellable, callback, user_data, clair_project_search_async, g_strdup (needle), g_free,
             TRUE, search_job, (GDestroyNotify) g_hash_table_unref);
}

GHashTable *
clair_project_search_finish (ClairProject  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  GTask *task = job_result (self, result, clair_project_search_async);

  return task != NULL ? g_task_propagate_pointer (task, error) : NULL;
}

/* Summaries */

typedef struct
{
  guint               first;
  ClairSummaryFlags   flags;
  ClairProjectCounts  counts;
} SummariesData;

static gpointer
summaries_job (ClairProject  *project,
               ClairProject  *reader,
               gpointer       task_data,
               GCancellable  *cancellable,
               GError       **error)
{
  SummariesData *data = task_data;
  g_autoptr(GArray) summaries = NULL;

  summaries = data->first == 0 ? clair_project_get_summaries (reader, error)
                               : clair_project_get_summaries_from (reader, data->first, error);
  /* Counting reads every row (100 ms at 400k): here, not in the caller's main loop. A warm count
   * is made on the project's own connection, which keeps it, so the caller's next count is quick. */
  if (summaries != NULL && (data->flags & (CLAIR_SUMMARY_COUNT | CLAIR_SUMMARY_WARM_COUNTS)))
    {
      ClairProject *counter = (data->flags & CLAIR_SUMMARY_WARM_COUNTS) ? project : reader;

      if (!clair_project_get_counts (counter, &data->counts, error))
        return NULL;
    }
  return g_steal_pointer (&summaries);
}

void
clair_project_get_summaries_async (ClairProject        *self,
                                   guint                first,
                                   ClairSummaryFlags    flags,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  SummariesData *data;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (SummariesData, 1);
  data->first = first;
  data->flags = flags;
  start_job (self, cancellable, callback, user_data, clair_project_get_summaries_async, data, g_free,
             TRUE, summaries_job, (GDestroyNotify) g_array_unref);
}

GArray *
clair_project_get_summaries_finish (ClairProject        *self,
                                    GAsyncResult        *result,
                                    ClairProjectCounts  *counts,
                                    GError             **error)
{
  GTask *task = job_result (self, result, clair_project_get_summaries_async);
  SummariesData *data;
  GArray *summaries;

  if (task == NULL)
    return NULL;
  data = g_task_get_task_data (task);
  summaries = g_task_propagate_pointer (task, error);
  if (counts != NULL)
    *counts = data->counts;
  return summaries;
}

/* Tasks of rows */

typedef struct
{
  GArray *rows;
  guint   max_chars;
} TasksData;

static void
tasks_data_free (TasksData *data)
{
  g_clear_pointer (&data->rows, g_array_unref);
  g_free (data);
}

/* The first line of a task, at most @max_chars characters (0: no limit). */
static char *
task_line (const char *task,
           guint       max_chars)
{
  GString *out = g_string_new (NULL);
  const char *p = task;
  guint n = 0;

  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '#')
    p++;
  for (; *p && (max_chars == 0 || n < max_chars); p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\r' || c == '\t')
        c = ' ';
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static gpointer
tasks_job (ClairProject  *project,
           ClairProject  *reader,
           gpointer       task_data,
           GCancellable  *cancellable,
           GError       **error)
{
  TasksData *data = task_data;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_full (data->rows->len, g_free);

  for (guint i = 0; i < data->rows->len; i++)
    {
      g_autoptr(ClairRecord) record = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      record = clair_project_get_record (reader, g_array_index (data->rows, guint, i), NULL);
      g_ptr_array_add (tasks, record != NULL ? task_line (record->task, data->max_chars) : g_strdup (""));
    }
  return g_steal_pointer (&tasks);
}

void
clair_project_get_tasks_async (ClairProject        *self,
                               const guint         *rows,
                               guint                n_rows,
                               guint                max_chars,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  TasksData *data;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (rows != NULL || n_rows == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (TasksData, 1);
  data->rows = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_rows);
  g_array_append_vals (data->rows, rows, n_rows);
  data->max_chars = max_chars;
  start_job (self, cancellable, callback, user_data, clair_project_get_tasks_async, data,
             (GDestroyNotify) tasks_data_free, TRUE, tasks_job, (GDestroyNotify) g_ptr_array_unref);
}

GPtrArray *
clair_project_get_tasks_finish (ClairProject  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  GTask *task = job_result (self, result, clair_project_get_tasks_async);

  return task != NULL ? g_task_propagate_pointer (task, error) : NULL;
}

/* Bulk decisions */

typedef struct
{
  GArray        *rows;      /* decide_bulk: the rows to consider */
  ClairDecision  decision;
  GArray        *states;    /* decide_bulk: the states before, of the rows written; write: to write */
  guint          n_written;
} BulkData;

static void
bulk_data_free (BulkData *data)
{
  g_clear_pointer (&data->rows, g_array_unref);
  g_clear_pointer (&data->states, g_array_unref);
  g_free (data);
}

static gpointer
write_job (ClairProject  *project,
           ClairProject  *reader,
           gpointer       task_data,
           GCancellable  *cancellable,
           GError       **error)
{
  BulkData *data = task_data;

  if (!clair_project_write_decisions (project, (ClairDecisionState *) data->states->data, data->states->len,
                                      cancellable, &data->n_written, error))
    return NULL;
  return DONE;
}

/* Whether deciding @decision changes the row whose state is @state. */
static gboolean
bulk_changes (const ClairDecisionState *state,
              ClairDecision             decision)
{
  if (state->decision == decision)
    return FALSE;
  /* Only rows with a revision (or an edit) can be accepted. */
  return decision != CLAIR_DECISION_ACCEPTED || state->has_revision || state->edited_revision != NULL;
}

static gpointer
decide_bulk_job (ClairProject  *project,
                 ClairProject  *reader,
                 gpointer       task_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  BulkData *data = task_data;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;

  before = clair_project_read_decisions (project, (guint *) data->rows->data, data->rows->len, cancellable, error);
  if (before == NULL)
    return NULL;
  data->states = g_array_sized_new (FALSE, TRUE, sizeof (ClairDecisionState), before->len);
  g_array_set_clear_func (data->states, (GDestroyNotify) clair_decision_state_clear);
  after = g_array_sized_new (FALSE, TRUE, sizeof (ClairDecisionState), before->len);
  for (guint i = 0; i < before->len; i++)
    {
      ClairDecisionState *state = &g_array_index (before, ClairDecisionState, i);
      ClairDecisionState changed;

      if (!bulk_changes (state, data->decision))
        continue;
      /* The new state borrows the old one's strings; the old one moves to data->states. */
      changed = *state;
      changed.decision = data->decision;
      g_array_append_val (after, changed);
      g_array_append_val (data->states, *state);
      memset (state, 0, sizeof *state);
    }
  if (!clair_project_write_decisions (project, (ClairDecisionState *) after->data, after->len, cancellable,
                                      &data->n_written, error))
    {
      /* What was written stays and can be undone: keep those rows. */
      g_array_set_size (data->states, data->n_written);
      return NULL;
    }
  return DONE;
}

void
clair_project_decide_bulk_async (ClairProject        *self,
                                 const guint         *rows,
                                 guint                n_rows,
                                 ClairDecision        decision,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  BulkData *data;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (rows != NULL || n_rows == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (BulkData, 1);
  data->rows = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_rows);
  g_array_append_vals (data->rows, rows, n_rows);
  data->decision = decision;
  start_job (self, cancellable, callback, user_data, clair_project_decide_bulk_async, data,
             (GDestroyNotify) bulk_data_free, FALSE, decide_bulk_job, NULL);
}

gboolean
clair_project_decide_bulk_finish (ClairProject  *self,
                                  GAsyncResult  *result,
                                  GArray       **before,
                                  GError       **error)
{
  GTask *task = job_result (self, result, clair_project_decide_bulk_async);
  BulkData *data;

  if (task == NULL)
    return FALSE;
  data = g_task_get_task_data (task);
  if (before != NULL)
    {
      *before = data->states != NULL ? g_array_ref (data->states)
                                     : g_array_new (FALSE, TRUE, sizeof (ClairDecisionState));
    }
  return propagate_done (task, error);
}

void
clair_project_write_decisions_async (ClairProject        *self,
                                     GArray              *states,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  BulkData *data;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (states != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (BulkData, 1);
  data->states = g_array_ref (states);
  start_job (self, cancellable, callback, user_data, clair_project_write_decisions_async, data,
             (GDestroyNotify) bulk_data_free, FALSE, write_job, NULL);
}

gboolean
clair_project_write_decisions_finish (ClairProject  *self,
                                      GAsyncResult  *result,
                                      guint         *n_written,
                                      GError       **error)
{
  GTask *task = job_result (self, result, clair_project_write_decisions_async);
  BulkData *data;

  if (task == NULL)
    return FALSE;
  data = g_task_get_task_data (task);
  if (n_written != NULL)
    *n_written = data->n_written;
  return propagate_done (task, error);
}
