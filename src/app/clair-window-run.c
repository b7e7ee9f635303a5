/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "clair-client.h"
#include "clair-error.h"
#include "clair-diff-view.h"
#include "clair-parse.h"
#include "clair-run-config.h"
#include "clair-window-private.h"

/* Runs rows against the endpoint and shows it happen: status icons, the selected row's revision
 * streaming in, and progress with counts in the header.
 *
 * The scheduling here is deliberately small (a queue, N requests in flight, bounded retries with
 * backoff, fatal statuses stop the run); everything it learns goes through the project store,
 * the same as the core runner's results do, so swapping in ClairRunner changes this file only. */

typedef struct _Run Run;

typedef struct
{
  Run        *run;
  guint       index;
  guint       attempt;
  char       *solution;
  char       *hash;
  GBytes     *body;
  GString    *live;
  gint64      started_at;
  guint       retry_id;
} Job;

struct _Run
{
  ClairWindow    *window;
  ClairClient    *client;
  GCancellable   *cancellable;
  ClairRunConfig  config;
  GQueue          queue;
  GHashTable     *jobs;           /* index → Job, in flight */
  guint           total;
  guint           done;
  guint           n_revised;
  guint           n_failed;
  guint           n_ok_replies;
  gint64          tokens;
  gint64          started_us;
  gboolean        paused;
  gboolean        stopping;
  guint           live_id;
};

static void start_more (Run *run);

static void
job_free (Job *job)
{
  g_clear_handle_id (&job->retry_id, g_source_remove);
  g_free (job->solution);
  g_free (job->hash);
  g_clear_pointer (&job->body, g_bytes_unref);
  if (job->live)
    g_string_free (job->live, TRUE);
  g_free (job);
}

static Run *
get_run (ClairWindow *self)
{
  return self->run;
}

gboolean
_clair_window_run_is_active (ClairWindow *self)
{
  return self->run != NULL;
}

gboolean
_clair_window_run_is_paused (ClairWindow *self)
{
  return self->run != NULL && get_run (self)->paused;
}

const char *
_clair_window_run_get_live_text (ClairWindow *self,
                                 guint        index)
{
  Job *job;

  if (self->run == NULL)
    return NULL;
  job = g_hash_table_lookup (get_run (self)->jobs, GUINT_TO_POINTER (index));
  return job && job->live ? job->live->str : NULL;
}

static void
update_progress (Run *run)
{
  ClairWindow *self = run->window;
  g_autoptr(GString) text = g_string_new (NULL);
  double elapsed = (g_get_monotonic_time () - run->started_us) / 1e6;
  guint in_flight = g_hash_table_size (run->jobs);

  g_string_append_printf (text, _("%u of %u"), run->done, run->total);
  if (in_flight)
    g_string_append_printf (text, _(" · %u in flight"), in_flight);
  if (run->n_failed)
    g_string_append_printf (text, _(" · %u failed"), run->n_failed);
  if (run->tokens > 0)
    g_string_append_printf (text, _(" · %.1fk tokens · %.0f tok/s"), run->tokens / 1000.0,
                            elapsed > 0 ? run->tokens / elapsed : 0.0);
  if (run->done > 0 && run->done < run->total && !run->paused)
    {
      double eta = elapsed / run->done * (run->total - run->done);
      g_string_append_printf (text, _(" · ETA %d:%02d"), (int) eta / 60, (int) eta % 60);
    }
  if (run->paused)
    g_string_append (text, _(" · paused"));
  gtk_label_set_text (self->progress_label, text->str);
  gtk_progress_bar_set_fraction (self->progress_bar, run->total ? run->done / (double) run->total : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), TRUE);
}

static void
run_free (Run *run)
{
  g_cancellable_cancel (run->cancellable);
  g_clear_handle_id (&run->live_id, g_source_remove);
  g_clear_pointer (&run->jobs, g_hash_table_unref);
  g_queue_clear (&run->queue);
  g_clear_object (&run->client);
  g_clear_object (&run->cancellable);
  clair_run_config_clear (&run->config);
  g_free (run);
}

static void
mark_running (Run      *run,
              guint     index,
              gboolean  running)
{
  ClairRowItem *item = run->window->rows ? clair_row_list_lookup (run->window->rows, index) : NULL;

  if (item != NULL)
    clair_row_item_set_running (item, running);
}

static void
finish_run (Run        *run,
            const char *fatal_heading,
            const char *fatal_message)
{
  ClairWindow *self = run->window;
  g_autofree char *message = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, run->jobs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    mark_running (run, GPOINTER_TO_UINT (key), FALSE);
  self->run = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), FALSE);
  if (fatal_heading)
    {
      g_autoptr(GError) error = g_error_new_literal (CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP, fatal_message);
      _clair_window_show_error (self, fatal_heading, error);
    }
  else
    {
      message = g_strdup_printf (_("Run finished: %u revised, %u failed"), run->n_revised, run->n_failed);
      _clair_window_toast (self, message);
    }
  run_free (run);
  _clair_window_refresh_counts (self);
  _clair_window_update_actions (self);
}

static void
maybe_finish (Run *run)
{
  if (g_hash_table_size (run->jobs) == 0 && (g_queue_is_empty (&run->queue) || run->stopping))
    finish_run (run, NULL, NULL);
}

static void
store_attempt (Run          *run,
               Job          *job,
               ClairAttempt *attempt)
{
  ClairWindow *self = run->window;
  g_autoptr(GError) error = NULL;

  attempt->row = job->index;
  attempt->request_hash = g_strdup (job->hash);
  attempt->model_requested = g_strdup (run->config.params.model);
  attempt->started_at = job->started_at;
  attempt->finished_at = g_get_real_time ();
  if (!clair_project_add_attempts (self->project, &attempt, 1, &error))
    g_warning ("Could not store the result of row %u: %s", job->index, error->message);
  if (attempt->status == CLAIR_ROW_REVISED)
    run->n_revised++;
  else
    run->n_failed++;
}

static void send_job (Run *run, Job *job);

static gboolean
retry_cb (gpointer user_data)
{
  Job *job = user_data;

  job->retry_id = 0;
  send_job (job->run, job);
  return G_SOURCE_REMOVE;
}

static void
complete_job (Run *run,
              Job *job)
{
  guint index = job->index;

  mark_running (run, index, FALSE);
  g_hash_table_remove (run->jobs, GUINT_TO_POINTER (index));
  run->done++;
  _clair_window_refresh_row (run->window, index);
  update_progress (run);
  start_more (run);
  maybe_finish (run);
}

static void
chat_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job *job = user_data;
  Run *run = job->run;
  g_autoptr(ClairReply) reply = clair_client_chat_finish (CLAIR_CLIENT (source), result);
  g_autoptr(ClairAttempt) attempt = NULL;

  if (run->window == NULL)
    {
      /* The window went away during the run. */
      g_hash_table_remove (run->jobs, GUINT_TO_POINTER (job->index));
      if (g_hash_table_size (run->jobs) == 0)
        run_free (run);
      return;
    }
  if (reply->action == CLAIR_REPLY_CANCELLED)
    {
      /* Stopped: the row stays pending, nothing is stored. */
      mark_running (run, job->index, FALSE);
      g_hash_table_remove (run->jobs, GUINT_TO_POINTER (job->index));
      maybe_finish (run);
      return;
    }
  if (reply->prompt_tokens > 0)
    run->tokens += reply->prompt_tokens;
  if (reply->completion_tokens > 0)
    run->tokens += reply->completion_tokens;

  if (reply->action == CLAIR_REPLY_FATAL ||
      (reply->action == CLAIR_REPLY_RETRY && reply->http_status == 0 && run->n_ok_replies == 0 && job->attempt >= 1))
    {
      g_autofree char *message = NULL;
      const char *heading;

      if (reply->action == CLAIR_REPLY_FATAL)
        {
          heading = _("The Server Refused the Run");
          message = clair_client_describe_fatal (run->client, reply, run->config.params.model);
        }
      else
        {
          heading = _("Could Not Reach the Endpoint");
          message = g_strdup_printf (_("Tried %s/chat/completions: %s\n\nCheck that the server is running and that "
                                       "the base URL in Preferences is right."),
                                     run->config.base_url, reply->error ? reply->error->message : "");
        }
      run->stopping = TRUE;
      g_cancellable_cancel (run->cancellable);
      g_hash_table_remove (run->jobs, GUINT_TO_POINTER (job->index));
      mark_running (run, job->index, FALSE);
      {
        ClairWindow *self = run->window;
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init (&iter, run->jobs);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          mark_running (run, GPOINTER_TO_UINT (key), FALSE);
        g_hash_table_remove_all (run->jobs);
        finish_run (run, heading, message);
        _clair_window_update_actions (self);
      }
      return;
    }

  if (reply->action == CLAIR_REPLY_RETRY && job->attempt < run->config.retries)
    {
      gint64 delay = reply->retry_after_ms >= 0 ? reply->retry_after_ms
                                                : (gint64) (MIN (500.0 * pow (2, job->attempt), 8000.0) *
                                                            g_random_double_range (0.75, 1.25));
      job->attempt++;
      if (job->live != NULL)
        g_string_truncate (job->live, 0);
      job->retry_id = g_timeout_add (delay, retry_cb, job);
      return;
    }

  attempt = clair_attempt_new ();
  attempt->http_status = reply->http_status;
  attempt->latency_ms = reply->latency_ms;
  attempt->prompt_tokens = reply->prompt_tokens;
  attempt->completion_tokens = reply->completion_tokens;
  attempt->finish_reason = g_strdup (reply->finish_reason);
  attempt->model_reported = g_strdup (reply->model);
  if (reply->action == CLAIR_REPLY_OK)
    {
      g_autoptr(ClairParseResult) parsed = clair_parse_reply (reply->content ? reply->content : "",
                                                              reply->finish_reason);

      run->n_ok_replies++;
      attempt->raw_output = g_strdup (reply->content);
      attempt->revision = g_strdup (parsed->revision);
      attempt->rationale = g_strdup (parsed->rationale);
      attempt->marker = g_strdup (parsed->marker);
      attempt->parse_status = g_strdup (clair_parse_status_to_string (parsed->status));
      if (parsed->status == CLAIR_PARSE_OK)
        {
          attempt->status = CLAIR_ROW_REVISED;
          clair_metrics_compute (job->solution, parsed->revision, &attempt->metrics);
          attempt->has_metrics = TRUE;
        }
      else
        {
          attempt->status = CLAIR_ROW_PARSE_FAILED;
          attempt->error = g_strdup (parsed->reason);
        }
    }
  else
    {
      attempt->status = CLAIR_ROW_FAILED;
      attempt->error = g_strdup (reply->error ? reply->error->message : _("The request failed."));
    }
  store_attempt (run, job, attempt);
  complete_job (run, job);
}

/* Streaming: the selected row shows its reply as it is written; the diff follows once the
 * revision marker has arrived. Redrawn at most every 100 ms. */
static gboolean
live_update_cb (gpointer user_data)
{
  Run *run = user_data;
  ClairWindow *self = run->window;
  Job *job;

  run->live_id = 0;
  if (self->record == NULL)
    return G_SOURCE_REMOVE;
  job = g_hash_table_lookup (run->jobs, GUINT_TO_POINTER (self->record->index));
  if (job == NULL || job->live == NULL || clair_record_get_chosen (self->record) != NULL)
    return G_SOURCE_REMOVE;
  {
    g_autoptr(ClairParseResult) parsed = clair_parse_reply (job->live->str, NULL);

    if (parsed->revision != NULL)
      clair_diff_view_set_texts (CLAIR_DIFF_VIEW (self->diff_view), self->record->solution, parsed->revision);
    gtk_label_set_text (self->rationale_label, parsed->rationale ? parsed->rationale : job->live->str);
  }
  return G_SOURCE_REMOVE;
}

static void
delta_cb (const char *text,
          gsize       len,
          gpointer    user_data)
{
  Job *job = user_data;
  Run *run = job->run;

  if (job->live == NULL)
    job->live = g_string_new (NULL);
  g_string_append_len (job->live, text, len);
  if (run->window->record != NULL && run->window->record->index == job->index && run->live_id == 0)
    run->live_id = g_timeout_add (100, live_update_cb, run);
}

static void
send_job (Run *run,
          Job *job)
{
  job->started_at = g_get_real_time ();
  clair_client_chat_async (run->client, job->body, run->config.stream, run->cancellable,
                           run->config.stream ? delta_cb : NULL, job, chat_done_cb, job);
}

static void
start_job (Run   *run,
           guint  index)
{
  ClairWindow *self = run->window;
  g_autoptr(ClairRecord) record = clair_project_get_record (self->project, index, NULL);
  g_autoptr(ClairPrompt) prompt = clair_project_load_prompt (self->project);
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  char *body;
  Job *job;

  if (record == NULL)
    {
      run->done++;
      return;
    }
  system = clair_prompt_render_system (prompt, record->task, record->solution);
  user = clair_prompt_render_user (prompt, record->task, record->solution);
  body = clair_request_build_body (&run->config.params, system, user, run->config.stream);

  job = g_new0 (Job, 1);
  job->run = run;
  job->index = index;
  job->solution = g_strdup (record->solution);
  job->hash = clair_request_hash (&run->config.params, system, user);
  job->body = g_bytes_new_take (body, strlen (body));
  g_hash_table_insert (run->jobs, GUINT_TO_POINTER (index), job);
  mark_running (run, index, TRUE);
  send_job (run, job);
}

static void
start_more (Run *run)
{
  while (!run->paused && !run->stopping && !g_queue_is_empty (&run->queue) &&
         g_hash_table_size (run->jobs) < run->config.concurrency)
    start_job (run, GPOINTER_TO_UINT (g_queue_pop_head (&run->queue)));
}

static char *
lookup_api_key (const char *base_url)
{
  /* The Secret Service lookup replaces this when clair-secrets lands; the environment variable
   * serves scripts and tests, as it does for the CLI. */
  return clair_run_config_dup_key (base_url);
}

static void
start_run (ClairWindow *self,
           GArray      *indexes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  Run *run;

  if (self->project == NULL || indexes->len == 0)
    return;
  run = g_new0 (Run, 1);
  run->window = self;
  clair_run_config_load (&run->config, self->settings, self->project);
  if (!clair_gen_params_validate (&run->config.params, &error) ||
      (run->client = clair_client_new (run->config.base_url, run->config.concurrency, &error)) == NULL)
    {
      run_free (run);
      _clair_window_show_error (self, _("Check the Run Settings"), error);
      return;
    }
  key = lookup_api_key (run->config.base_url);
  clair_client_set_api_key (run->client, key);
  clair_client_set_timeout (run->client, run->config.timeout);
  run->cancellable = g_cancellable_new ();
  run->jobs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) job_free);
  run->started_us = g_get_monotonic_time ();
  for (guint i = 0; i < indexes->len; i++)
    g_queue_push_tail (&run->queue, GUINT_TO_POINTER (g_array_index (indexes, guint, i)));
  run->total = indexes->len;
  self->run = run;
  update_progress (run);
  start_more (run);
  _clair_window_update_actions (self);
}

void
_clair_window_run_rows (ClairWindow *self,
                        GArray      *indexes)
{
  if (self->run != NULL)
    {
      Run *run = get_run (self);

      for (guint i = 0; i < indexes->len; i++)
        {
          guint index = g_array_index (indexes, guint, i);

          if (!g_hash_table_contains (run->jobs, GUINT_TO_POINTER (index)))
            {
              g_queue_push_tail (&run->queue, GUINT_TO_POINTER (index));
              run->total++;
            }
        }
      start_more (run);
      update_progress (run);
      return;
    }
  start_run (self, indexes);
}

void
_clair_window_run_toggle (ClairWindow *self)
{
  Run *run = get_run (self);

  if (run != NULL)
    {
      run->paused = !run->paused;
      if (!run->paused)
        start_more (run);
      update_progress (run);
      _clair_window_update_actions (self);
      return;
    }
  if (self->project != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) indexes = clair_project_list_rows_to_run (self->project, CLAIR_SELECT_FAILED,
                                                                  0, G_MAXUINT, 0, &error);

      if (indexes == NULL)
        _clair_window_show_error (self, _("Could Not Start the Run"), error);
      else if (indexes->len == 0)
        _clair_window_toast (self, _("Every row has a revision"));
      else
        start_run (self, indexes);
    }
}

void
_clair_window_run_stop (ClairWindow *self)
{
  Run *run = get_run (self);

  if (run == NULL)
    return;
  run->stopping = TRUE;
  g_queue_clear (&run->queue);
  {
    /* Rows waiting for a retry stop now; rows in flight end through their cancelled replies. */
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, run->jobs);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (((Job *) value)->retry_id != 0)
        {
          mark_running (run, GPOINTER_TO_UINT (key), FALSE);
          g_hash_table_iter_remove (&iter);
        }
  }
  g_cancellable_cancel (run->cancellable);
  maybe_finish (run);
}

void
_clair_window_run_init (ClairWindow *self)
{
  self->run = NULL;
}

void
_clair_window_run_dispose (ClairWindow *self)
{
  Run *run = get_run (self);
  GHashTableIter iter;
  gpointer value;

  if (run == NULL)
    return;
  /* Replies of cancelled requests still arrive later: they find no window and free the run. */
  self->run = NULL;
  run->window = NULL;
  run->stopping = TRUE;
  g_clear_handle_id (&run->live_id, g_source_remove);
  g_hash_table_iter_init (&iter, run->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Job *) value)->retry_id != 0)
      g_hash_table_iter_remove (&iter);
  g_cancellable_cancel (run->cancellable);
  if (g_hash_table_size (run->jobs) == 0)
    run_free (run);
}
