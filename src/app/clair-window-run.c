/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "clair-diff-view.h"
#include "clair-error.h"
#include "clair-parse.h"
#include "clair-run-config.h"
#include "clair-runner.h"
#include "clair-secrets.h"
#include "clair-window-private.h"

/* Runs rows through the core's ClairRunner and shows it happen: status icons, the selected row's
 * revision streaming in, progress with counts in the header, a toast or a dialog at the end.
 *
 * The runner does the work (bodies prepared and results committed off the main thread, 429s
 * halve what is in flight, unchanged requests are not sent again); this file only follows its
 * signals. A row shows as revised once the runner reports its result committed. Rows asked for
 * while a run is going wait and run right after it. */

struct _ClairWindowRun
{
  ClairWindow    *window;        /* NULL once the window is gone */
  ClairRunner    *runner;        /* NULL while the key is looked up */
  GCancellable   *cancellable;   /* the key lookup */
  ClairRunConfig  config;
  GArray         *rows;          /* the rows to run, NULL: every pending or failed row */
  gboolean        force;
  GHashTable     *live;          /* row → GString: streamed text of rows in flight */
  GHashTable     *running;       /* rows sent and not yet committed */
  GArray         *waiting;       /* rows asked for during this run */
  guint           live_id;
};

typedef ClairWindowRun Run;

static void start_run (ClairWindow *self, GArray *rows, gboolean force);

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
  Run *run = get_run (self);

  return run != NULL && run->runner != NULL &&
         clair_runner_get_state (run->runner) == CLAIR_RUNNER_PAUSED;
}

gboolean
_clair_window_run_is_row_running (ClairWindow *self,
                                  guint        index)
{
  Run *run = get_run (self);

  return run != NULL && run->running != NULL && g_hash_table_contains (run->running, GUINT_TO_POINTER (index));
}

const char *
_clair_window_run_get_live_text (ClairWindow *self,
                                 guint        index)
{
  Run *run = get_run (self);
  GString *live;

  if (run == NULL)
    return NULL;
  live = g_hash_table_lookup (run->live, GUINT_TO_POINTER (index));
  return live ? live->str : NULL;
}

static gboolean
unref_idle_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
free_live (gpointer data)
{
  g_string_free (data, TRUE);
}

static void
run_free (Run *run)
{
  if (run->runner != NULL)
    {
      /* Often called from the runner's own signal: let go of it once that has returned. */
      g_signal_handlers_disconnect_by_data (run->runner, run);
      g_idle_add (unref_idle_cb, g_steal_pointer (&run->runner));
    }
  g_cancellable_cancel (run->cancellable);
  g_clear_object (&run->cancellable);
  g_clear_handle_id (&run->live_id, g_source_remove);
  g_clear_pointer (&run->live, g_hash_table_unref);
  g_clear_pointer (&run->running, g_hash_table_unref);
  g_clear_pointer (&run->rows, g_array_unref);
  g_clear_pointer (&run->waiting, g_array_unref);
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
add_part (GString *text,
          char    *part)
{
  if (text->len > 0)
    g_string_append (text, " · ");
  g_string_append (text, part);
  g_free (part);
}

static void
update_progress (Run *run)
{
  ClairWindow *self = run->window;
  g_autoptr(GString) text = g_string_new (NULL);
  ClairRunProgress p = { 0 };
  gboolean paused = FALSE;

  if (run->runner != NULL)
    {
      clair_runner_get_progress (run->runner, &p);
      paused = clair_runner_get_state (run->runner) == CLAIR_RUNNER_PAUSED;
    }
  else
    {
      p.total = run->rows ? run->rows->len : 0;
    }

  /* Each part is a phrase of its own, joined by a middle dot. */
  if (run->runner == NULL)
    add_part (text, g_strdup (_("Starting…")));
  else
    /* Translators: rows done of the rows in this run; the plural follows the total. */
    add_part (text, g_strdup_printf (ngettext ("%u of %u row", "%u of %u rows", p.total), p.done, p.total));
  if (p.in_flight)
    add_part (text, g_strdup_printf (ngettext ("%u in flight", "%u in flight", p.in_flight), p.in_flight));
  if (p.failed + p.parse_failed)
    add_part (text, g_strdup_printf (ngettext ("%u failed", "%u failed", p.failed + p.parse_failed),
                                     p.failed + p.parse_failed));
  if (p.limit > 0 && p.limit < run->config.concurrency && p.in_flight > 0)
    /* Translators: the server asked to slow down (HTTP 429); %u is the requests allowed at once. */
    add_part (text, g_strdup_printf (_("rate-limited to %u at once"), p.limit));
  if (p.prompt_tokens + p.completion_tokens > 0)
    /* Translators: thousands of tokens used so far, then completion tokens per second. */
    add_part (text, g_strdup_printf (_("%.1fk tokens, %.0f tokens/s"),
                                     (p.prompt_tokens + p.completion_tokens) / 1000.0, p.tokens_per_second));
  if (p.eta >= 1 && p.done > 0 && p.done < p.total && !paused)
    /* Translators: the time left, in minutes and seconds. */
    add_part (text, g_strdup_printf (_("%d:%02d left"), (int) p.eta / 60, (int) p.eta % 60));
  else if (p.done < p.total && p.in_flight > 0 && p.done > 0 && !paused)
    /* The last answers are on their way: no clock that says nothing is left. */
    add_part (text, g_strdup (_("finishing")));
  if (paused)
    add_part (text, g_strdup (_("paused")));
  clair_run_bar_show_progress (self->run_bar, text->str, p.total ? p.done / (double) p.total : 0);
}

/* Streaming: the selected row shows its reply as it is written; the diff follows once the
 * revision marker has arrived. Redrawn at most every 100 ms. */
static gboolean
live_update_cb (gpointer user_data)
{
  Run *run = user_data;
  ClairWindow *self = run->window;
  GString *live;

  run->live_id = 0;
  if (self->record == NULL)
    return G_SOURCE_REMOVE;
  live = g_hash_table_lookup (run->live, GUINT_TO_POINTER (self->record->index));
  if (live == NULL || clair_record_get_chosen (self->record) != NULL)
    return G_SOURCE_REMOVE;
  clair_record_pane_set_live_text (self->record_pane, self->record->solution, live->str);
  return G_SOURCE_REMOVE;
}

static void
row_started_cb (ClairRunner *runner,
                guint        row,
                Run         *run)
{
  g_hash_table_add (run->running, GUINT_TO_POINTER (row));
  if (run->window != NULL)
    {
      mark_running (run, row, TRUE);
      if (run->window->record != NULL && run->window->record->index == row)
        _clair_window_update_record_status (run->window);
    }
}

static void
row_retry_cb (ClairRunner *runner,
              guint        row,
              Run         *run)
{
  g_hash_table_remove (run->live, GUINT_TO_POINTER (row));
}

static void
row_delta_cb (ClairRunner *runner,
              guint        row,
              const char  *text,
              Run         *run)
{
  ClairWindow *self = run->window;
  GString *live;

  if (self == NULL)
    return;
  live = g_hash_table_lookup (run->live, GUINT_TO_POINTER (row));
  if (live == NULL)
    {
      live = g_string_new (NULL);
      g_hash_table_insert (run->live, GUINT_TO_POINTER (row), live);
    }
  g_string_append (live, text);
  if (self->record != NULL && self->record->index == row && run->live_id == 0)
    run->live_id = g_timeout_add (100, live_update_cb, run);
}

/* A committed result: the row's summary follows from the attempt, without reading the row. */
static void
row_done (Run                *run,
          guint               row,
          const ClairAttempt *attempt,
          ClairRowStatus      status)
{
  ClairWindow *self = run->window;
  ClairRowItem *item;

  g_hash_table_remove (run->running, GUINT_TO_POINTER (row));
  g_hash_table_remove (run->live, GUINT_TO_POINTER (row));
  if (self == NULL || self->rows == NULL || (item = clair_row_list_lookup (self->rows, row)) == NULL)
    return;
  clair_row_item_set_running (item, FALSE);
  {
    ClairRowSummary summary = *clair_row_item_get_summary (item);
    gboolean has_metrics = attempt != NULL && attempt->has_metrics;

    summary.status = status;
    summary.n_attempts = MIN (summary.n_attempts + 1, 255);
    summary.jaccard = has_metrics ? attempt->metrics.jaccard : NAN;
    summary.levenshtein_norm = has_metrics ? attempt->metrics.levenshtein_norm : NAN;
    clair_row_item_set_summary (item, &summary);
  }
  if ((int) row == self->current_row && !clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    _clair_window_show_record (self, row);
}

static void
row_finished_cb (ClairRunner        *runner,
                 guint               row,
                 const ClairAttempt *attempt,
                 Run                *run)
{
  row_done (run, row, attempt, attempt->status);
}

static void
row_failed_cb (ClairRunner *runner,
               guint        row,
               const char  *message,
               Run         *run)
{
  row_done (run, row, NULL, CLAIR_ROW_FAILED);
}

static void
progress_cb (ClairRunner *runner,
             Run         *run)
{
  if (run->window != NULL)
    update_progress (run);
}

static void
finish_run (Run *run)
{
  ClairWindow *self = run->window;
  ClairRunnerState state = clair_runner_get_state (run->runner);
  ClairRunProgress p;
  g_autoptr(GArray) waiting = g_steal_pointer (&run->waiting);
  GHashTableIter iter;
  gpointer key;

  clair_runner_get_progress (run->runner, &p);
  g_hash_table_iter_init (&iter, run->running);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    mark_running (run, GPOINTER_TO_UINT (key), FALSE);
  self->run = NULL;
  clair_run_bar_hide_progress (self->run_bar);

  if (state == CLAIR_RUNNER_FAILED)
    {
      const GError *unreachable = clair_runner_get_unreachable_error (run->runner);
      g_autoptr(GError) error = NULL;

      if (unreachable != NULL)
        error = g_error_new (CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                             _("Tried %s/chat/completions: %s\n\nCheck that the server is running and that "
                               "the base URL in Preferences is right."),
                             run->config.base_url, unreachable->message);
      else
        error = g_error_new_literal (CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP, clair_runner_get_error (run->runner));
      _clair_window_show_run_error (self, unreachable ? _("Could Not Reach the Endpoint")
                                                      : _("The Server Refused the Run"), error);
      g_clear_pointer (&waiting, g_array_unref);
    }
  else if (state == CLAIR_RUNNER_STOPPED)
    {
      _clair_window_toast (self, _("Run stopped; unfinished rows stay pending"));
      g_clear_pointer (&waiting, g_array_unref);
    }
  else if (p.total > 0 && p.unchanged == p.total)
    {
      _clair_window_toast (self, _("Nothing to send: these rows already have revisions for the current settings"));
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("Run finished: %u revised, %u failed"), p.revised,
                                                  p.failed + p.parse_failed);
      _clair_window_toast (self, message);
    }
  run_free (run);
  _clair_window_refresh_counts (self);
  _clair_window_update_actions (self);
  /* Text streamed for the row on screen is void now (stopped, or its result arrived): show the
   * row as stored. */
  if (self->record != NULL && !clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    _clair_window_show_record (self, self->record->index);

  if (waiting != NULL && waiting->len > 0)
    start_run (self, waiting, TRUE);
}

static void
state_changed_cb (ClairRunner      *runner,
                  ClairRunnerState  state,
                  Run              *run)
{
  if (run->window == NULL)
    {
      /* The window closed mid-run and stopped it: the runner is done once its rows in flight
       * came back and its results are committed. */
      if (state >= CLAIR_RUNNER_FINISHED)
        run_free (run);
      return;
    }
  if (state >= CLAIR_RUNNER_FINISHED)
    {
      finish_run (run);
      return;
    }
  update_progress (run);
  _clair_window_update_actions (run->window);
}

static void
begin_runner (Run        *run,
              const char *key)
{
  ClairWindow *self = run->window;
  ClairRunOptions options;
  g_autoptr(GError) error = NULL;

  clair_run_options_init (&options);
  options.base_url = g_strdup (run->config.base_url);
  options.api_key = g_strdup (key);
  options.concurrency = run->config.concurrency;
  options.timeout = run->config.timeout;
  options.max_attempts = run->config.retries + 1;
  options.stream = run->config.stream;
  options.selection = CLAIR_SELECT_FAILED;
  options.rows = run->rows ? g_array_ref (run->rows) : NULL;
  options.force = run->force;
  run->runner = clair_runner_new (self->project, &options, &error);
  clair_run_options_clear (&options);
  if (run->runner == NULL)
    {
      self->run = NULL;
      run_free (run);
      _clair_window_show_error (self, _("Check the Run Settings"), error);
      _clair_window_update_actions (self);
      return;
    }

  g_signal_connect (run->runner, "row-started", G_CALLBACK (row_started_cb), run);
  g_signal_connect (run->runner, "row-retry", G_CALLBACK (row_retry_cb), run);
  g_signal_connect (run->runner, "row-delta", G_CALLBACK (row_delta_cb), run);
  g_signal_connect (run->runner, "row-finished", G_CALLBACK (row_finished_cb), run);
  g_signal_connect (run->runner, "row-failed", G_CALLBACK (row_failed_cb), run);
  g_signal_connect (run->runner, "progress", G_CALLBACK (progress_cb), run);
  g_signal_connect (run->runner, "state-changed", G_CALLBACK (state_changed_cb), run);

  if (!clair_runner_start (run->runner, &error))
    {
      self->run = NULL;
      run_free (run);
      _clair_window_show_error (self, _("Could Not Start the Run"), error);
      _clair_window_update_actions (self);
      return;
    }
  /* Nothing to do finishes at once, inside start; else show the counts. */
  if (self->run == run)
    {
      update_progress (run);
      _clair_window_update_actions (self);
    }
}

static void
key_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairSecretKey) key = clair_secrets_lookup_finish (CLAIR_SECRETS (source), result, &error);

  if (run->window == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped or closed before the key came back. */
      if (run->window != NULL)
        {
          ClairWindow *self = run->window;

          self->run = NULL;
          clair_run_bar_hide_progress (self->run_bar);
          run_free (run);
          _clair_window_update_actions (self);
        }
      else
        run_free (run);
      return;
    }
  /* Scripts and tests pass the key in the environment, as they do for the CLI. */
  begin_runner (run, key != NULL ? key : g_getenv ("CLAIR_API_KEY"));
}

static void
start_run (ClairWindow *self,
           GArray      *rows,
           gboolean     force)
{
  g_autoptr(GError) error = NULL;
  Run *run;

  if (self->project == NULL || (rows != NULL && rows->len == 0))
    return;
  run = g_new0 (Run, 1);
  run->window = self;
  run->force = force;
  run->rows = rows ? g_array_ref (rows) : NULL;
  run->live = g_hash_table_new_full (NULL, NULL, NULL, free_live);
  run->running = g_hash_table_new (NULL, NULL);
  run->cancellable = g_cancellable_new ();
  clair_run_config_load (&run->config, self->settings, self->project);
  /* The runner reads the parameters from the project: it records what the rows were run with. */
  if (!clair_gen_params_validate (&run->config.params, &error) ||
      !clair_project_save_params (self->project, &run->config.params, &error))
    {
      run_free (run);
      _clair_window_show_error (self, _("Check the Run Settings"), error);
      return;
    }
  self->run = run;
  update_progress (run);
  _clair_window_update_actions (self);
  clair_secrets_lookup_async (clair_secrets_get_default (), run->config.base_url, run->cancellable,
                              key_cb, run);
}

void
_clair_window_run_rows (ClairWindow *self,
                        GArray      *indexes)
{
  Run *run = get_run (self);

  if (run != NULL)
    {
      /* After this run: a runner's rows are fixed once it starts. */
      if (run->waiting == NULL)
        run->waiting = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < indexes->len; i++)
        {
          guint index = g_array_index (indexes, guint, i);

          if (!g_hash_table_contains (run->running, GUINT_TO_POINTER (index)))
            g_array_append_val (run->waiting, index);
        }
      _clair_window_toast (self, _("These rows will run when the current run ends"));
      return;
    }
  start_run (self, indexes, TRUE);
}

void
_clair_window_run_toggle (ClairWindow *self)
{
  Run *run = get_run (self);

  if (run != NULL)
    {
      if (run->runner == NULL)
        return;
      if (clair_runner_get_state (run->runner) == CLAIR_RUNNER_PAUSED)
        clair_runner_resume (run->runner);
      else
        clair_runner_pause (run->runner);
      return;
    }
  if (self->project != NULL)
    {
      ClairProjectCounts counts = { 0 };

      if (clair_project_get_counts (self->project, &counts, NULL) &&
          counts.by_status[CLAIR_ROW_PENDING] + counts.by_status[CLAIR_ROW_FAILED] +
          counts.by_status[CLAIR_ROW_PARSE_FAILED] == 0)
        _clair_window_toast (self, _("Every row has a revision"));
      else
        start_run (self, NULL, FALSE);
    }
}

void
_clair_window_run_stop (ClairWindow *self)
{
  Run *run = get_run (self);

  if (run == NULL)
    return;
  g_clear_pointer (&run->waiting, g_array_unref);
  if (run->runner == NULL)
    g_cancellable_cancel (run->cancellable);
  else
    clair_runner_stop (run->runner);
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

  if (run == NULL)
    return;
  self->run = NULL;
  run->window = NULL;
  if (run->runner == NULL)
    {
      /* The key lookup frees the run when it comes back cancelled. */
      g_cancellable_cancel (run->cancellable);
      return;
    }
  /* Rows in flight are cancelled and stay pending; results already answered are committed. The
   * run is freed when the runner reaches its final state (state_changed_cb), which may be at
   * once. */
  g_clear_handle_id (&run->live_id, g_source_remove);
  clair_runner_stop (run->runner);
}
