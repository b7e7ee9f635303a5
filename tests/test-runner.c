/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-runner"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "clair-error.h"
#include "clair-project.h"
#include "clair-runner.h"
#include "clair-test-http.h"

/* The runner against the real test server over loopback, with real project files. */

/* How many requests the server saw for the row whose task is "task N". */
static gint64
requests_for_row (JsonObject *stats,
                  guint       row)
{
  g_autofree char *task = g_strdup_printf ("task %u", row);
  JsonObject *per_row = json_object_get_object_member (stats, "per_row");

  return json_object_get_int_member_with_default (per_row, task, 0);
}

typedef struct
{
  char         *dir;
  char         *path;
  ClairProject *project;
} Fixture;

/* A project of @n_rows rows, "task N" / "solution  number N" (a double space to fix). */
static void
fixture_init (Fixture *f,
              guint    n_rows,
              const char *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *dataset_path = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "answer" };
  ClairImportReport report = { 0 };
  ClairGenParams params;

  f->dir = g_dir_make_tmp ("clair-runner-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "{\"task\":\"task %u\",\"answer\":\"solution  number %u\"}\n", i, i);
  dataset_path = g_build_filename (f->dir, "data.jsonl", NULL);
  g_file_set_contents (dataset_path, text->str, text->len, &error);
  g_assert_no_error (error);

  f->path = g_build_filename (f->dir, "data.clair", NULL);
  f->project = clair_project_open (f->path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  g_assert_true (clair_project_import_dataset (f->project, dataset, &mapping, NULL, NULL, NULL,
                                               &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, n_rows);
  clair_import_report_clear (&report);

  clair_gen_params_init (&params);
  params.model = g_strdup (model);
  params.temperature = 0.5;
  g_assert_true (clair_project_save_params (f->project, &params, &error));
  g_assert_no_error (error);
  clair_gen_params_clear (&params);
}

static void
fixture_set_model (Fixture    *f,
                   const char *model)
{
  ClairGenParams params;

  clair_gen_params_init (&params);
  g_assert_true (clair_project_load_params (f->project, &params, NULL));
  g_free (params.model);
  params.model = g_strdup (model);
  g_assert_true (clair_project_save_params (f->project, &params, NULL));
  clair_gen_params_clear (&params);
}

static void
fixture_clear (Fixture *f)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_autofree char *run_lock = g_strconcat (f->path, "-run", NULL);
  g_autofree char *data = g_build_filename (f->dir, "data.jsonl", NULL);

  g_clear_object (&f->project);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (run_lock);
  g_unlink (data);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

typedef struct
{
  guint     started;
  guint     finished;
  guint     failed;
  GString  *deltas;
  guint     delta_row;
  char     *raw_of_delta_row;
  GArray   *states;
  ClairRunner *runner;
  int       pause_after;      /* pause when this many rows have finished, -1 never */
  int       stop_after;       /* stop when this many rows have started, -1 never */
} Events;

static void
row_started_cb (ClairRunner *runner,
                guint        row,
                Events      *ev)
{
  ev->started++;
  if (ev->stop_after >= 0 && ev->started == (guint) ev->stop_after)
    clair_runner_stop (runner);
}

static void
row_delta_cb (ClairRunner *runner,
              guint        row,
              const char  *text,
              Events      *ev)
{
  if (row == ev->delta_row)
    g_string_append (ev->deltas, text);
}

static void
row_finished_cb (ClairRunner  *runner,
                 guint         row,
                 ClairAttempt *attempt,
                 Events       *ev)
{
  g_assert_cmpuint (attempt->row, ==, row);
  g_assert_cmpint (attempt->id, >, 0);
  ev->finished++;
  if (row == ev->delta_row)
    ev->raw_of_delta_row = g_strdup (attempt->raw_output);
}

static void
row_failed_cb (ClairRunner *runner,
               guint        row,
               const char  *message,
               Events      *ev)
{
  g_assert_nonnull (message);
  ev->failed++;
}

static void
state_changed_cb (ClairRunner *runner,
                  int          state,
                  Events      *ev)
{
  g_array_append_val (ev->states, state);
  g_main_context_wakeup (NULL);
}

static gboolean
is_final (ClairRunnerState state)
{
  return state == CLAIR_RUNNER_FINISHED || state == CLAIR_RUNNER_STOPPED ||
         state == CLAIR_RUNNER_FAILED;
}

static ClairRunner *
make_runner (Fixture         *f,
             ClairTestServer *server,
             ClairRunOptions *options)
{
  g_autoptr(GError) error = NULL;
  ClairRunner *runner;

  g_free (options->base_url);
  options->base_url = g_strdup (server->url);
  runner = clair_runner_new (f->project, options, &error);
  g_assert_no_error (error);
  return runner;
}

/* Runs to a final state and returns it; @ev collects the events. */
static ClairRunnerState
run (ClairRunner *runner,
     Events      *ev)
{
  g_autoptr(GError) error = NULL;

  ev->runner = runner;
  if (ev->states == NULL)
    ev->states = g_array_new (FALSE, FALSE, sizeof (int));
  if (ev->deltas == NULL)
    ev->deltas = g_string_new (NULL);
  g_signal_connect (runner, "row-started", G_CALLBACK (row_started_cb), ev);
  g_signal_connect (runner, "row-delta", G_CALLBACK (row_delta_cb), ev);
  g_signal_connect (runner, "row-finished", G_CALLBACK (row_finished_cb), ev);
  g_signal_connect (runner, "row-failed", G_CALLBACK (row_failed_cb), ev);
  g_signal_connect (runner, "state-changed", G_CALLBACK (state_changed_cb), ev);
  g_assert_true (clair_runner_start (runner, &error));
  g_assert_no_error (error);
  while (!is_final (clair_runner_get_state (runner)))
    g_main_context_iteration (NULL, TRUE);
  return clair_runner_get_state (runner);
}

static void
events_clear (Events *ev)
{
  if (ev->states)
    g_array_unref (ev->states);
  if (ev->deltas)
    g_string_free (ev->deltas, TRUE);
  g_free (ev->raw_of_delta_row);
}

#define EVENTS_INIT { 0, 0, 0, NULL, G_MAXUINT, NULL, NULL, NULL, -1, -1 }

static void
assert_counts (Fixture *f,
               guint    pending,
               guint    revised,
               guint    parse_failed,
               guint    failed)
{
  ClairProjectCounts counts;
  g_autoptr(GError) error = NULL;

  g_assert_true (clair_project_get_counts (f->project, &counts, &error));
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_PENDING], ==, pending);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_REVISED], ==, revised);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_PARSE_FAILED], ==, parse_failed);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_FAILED], ==, failed);
}

/* ---------------------------------------------------------------------------------------- */

static void
test_run_all (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(ClairRecord) record = NULL;
  ClairRunOptions options;
  ClairRunProgress progress;
  Events ev = EVENTS_INIT;
  Fixture f;

  fixture_init (&f, 40, "mock");
  clair_run_options_init (&options);
  options.concurrency = 8;
  options.api_key = g_strdup ("sk-runner");
  runner = make_runner (&f, server, &options);
  g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);

  g_assert_cmpuint (ev.started, ==, 40);
  g_assert_cmpuint (ev.finished, ==, 40);
  g_assert_cmpuint (ev.failed, ==, 0);
  g_assert_cmpint (g_array_index (ev.states, int, 0), ==, CLAIR_RUNNER_RUNNING);
  clair_runner_get_progress (runner, &progress);
  g_assert_cmpuint (progress.total, ==, 40);
  g_assert_cmpuint (progress.done, ==, 40);
  g_assert_cmpuint (progress.revised, ==, 40);
  g_assert_cmpint (progress.completion_tokens, >, 0);
  g_assert_cmpuint (progress.in_flight, ==, 0);
  assert_counts (&f, 0, 40, 0, 0);

  /* Every row asked once; the key went as a Bearer token. */
  stats = clair_test_server_stats (server->url);
  for (guint i = 0; i < 40; i++)
    g_assert_cmpint (requests_for_row (stats, i), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (stats, "last_authorization"), ==, "Bearer sk-runner");

  record = clair_project_get_record (f.project, 7, NULL);
  g_assert_nonnull (record->attempt);
  g_assert_cmpstr (record->attempt->revision, ==, "Solution number 7.");
  g_assert_cmpstr (record->attempt->model_requested, ==, "mock");
  g_assert_cmpstr (record->attempt->model_reported, ==, "mock-served");
  g_assert_cmpstr (record->attempt->finish_reason, ==, "stop");
  g_assert_cmpuint (record->attempt->http_status, ==, 200);
  g_assert_cmpint (record->attempt->completion_tokens, >, 0);
  g_assert_cmpfloat (record->attempt->latency_ms, >, 0);
  g_assert_nonnull (record->attempt->request_hash);
  g_assert_true (record->attempt->has_metrics);

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&runner);
  fixture_clear (&f);
}

static void
test_concurrency_reached (void)
{
  /* Requests are parked until 40 are in flight at once (or a minute passed): the peak is exact
   * however slowly the runner gets there (sanitizers); never more than 40 after that. */
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=150;hold-until=40");
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(JsonObject) stats = NULL;
  ClairRunOptions options;
  Events ev = EVENTS_INIT;
  Fixture f;

  fixture_init (&f, 120, "mock");
  clair_run_options_init (&options);
  options.concurrency = 40;
  runner = make_runner (&f, server, &options);
  g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
  stats = clair_test_server_stats (server->url);
  g_assert_cmpint (json_object_get_int_member (stats, "max_in_flight"), ==, 40);
  g_assert_true (json_object_get_boolean_member (stats, "hold_reached"));
  assert_counts (&f, 0, 120, 0, 0);

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&runner);
  fixture_clear (&f);
}

static void
test_retry_bounds (void)
{
  ClairTestServer *server = clair_test_server_start (NULL);
  ClairRunOptions options;
  Fixture f;

  /* Always 503: exactly max_attempts requests per row, then the row fails with the reason. */
  fixture_init (&f, 6, "mock;status=503;retry-after-ms=5;message=overloaded");
  clair_run_options_init (&options);
  options.max_attempts = 3;
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    g_autoptr(JsonObject) stats = NULL;
    g_autoptr(ClairRecord) record = NULL;
    Events ev = EVENTS_INIT;
    ClairRunProgress progress;

    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
    stats = clair_test_server_stats (server->url);
    for (guint i = 0; i < 6; i++)
      g_assert_cmpint (requests_for_row (stats, i), ==, 3);
    clair_runner_get_progress (runner, &progress);
    g_assert_cmpuint (progress.retries, ==, 12);
    g_assert_cmpuint (ev.failed, ==, 6);
    assert_counts (&f, 0, 0, 0, 6);
    record = clair_project_get_record (f.project, 2, NULL);
    g_assert_cmpuint (record->attempt->http_status, ==, 503);
    g_assert_nonnull (strstr (record->attempt->error, "overloaded"));
    g_assert_nonnull (strstr (record->attempt->error, "3 attempts"));
    events_clear (&ev);
  }

  /* Failing twice then answering: every row revised on its third request. Re-running the
   * failed rows keeps the old attempts. */
  fixture_set_model (&f, "mock;fail-first=2;retry-after-ms=5");
  options.selection = CLAIR_SELECT_FAILED;
  clair_test_server_stop (server);
  server = clair_test_server_start (NULL);
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    g_autoptr(JsonObject) stats = NULL;
    g_autoptr(GPtrArray) attempts = NULL;
    Events ev = EVENTS_INIT;

    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
    stats = clair_test_server_stats (server->url);
    for (guint i = 0; i < 6; i++)
      g_assert_cmpint (requests_for_row (stats, i), ==, 3);
    assert_counts (&f, 0, 6, 0, 0);
    attempts = clair_project_get_attempts (f.project, 4, NULL);
    g_assert_cmpuint (attempts->len, ==, 2);
    events_clear (&ev);
  }

  clair_test_server_stop (server);
  clair_run_options_clear (&options);
  fixture_clear (&f);
}

static void
test_fail_row_statuses (void)
{
  const guint statuses[] = { 400, 413, 422 };
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);

  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    {
      g_autofree char *model = g_strdup_printf ("mock;status=%u;shape=tgi;message=prompt too long",
                                                statuses[s]);
      g_autoptr(ClairRunner) runner = NULL;
      g_autoptr(ClairRecord) record = NULL;
      ClairRunOptions options;
      Events ev = EVENTS_INIT;
      Fixture f;

      fixture_init (&f, 5, model);
      clair_run_options_init (&options);
      runner = make_runner (&f, server, &options);
      g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
      /* No retry: one request per row, each row failed with the server's reason. */
      assert_counts (&f, 0, 0, 0, 5);
      g_assert_cmpuint (ev.failed, ==, 5);
      record = clair_project_get_record (f.project, 0, NULL);
      g_assert_cmpuint (record->attempt->http_status, ==, statuses[s]);
      g_assert_nonnull (strstr (record->attempt->error, "prompt too long"));
      g_assert_cmpuint (record->n_attempts, ==, 1);

      events_clear (&ev);
      clair_run_options_clear (&options);
      g_clear_object (&runner);
      fixture_clear (&f);
    }
  {
    g_autoptr(JsonObject) stats = clair_test_server_stats (server->url);
    g_assert_cmpint (json_object_get_int_member (stats, "chat_requests"), ==, 15);
  }
}

static void
test_fatal_statuses (void)
{
  const struct {
    const char *model;
    const char *hint;
  } cases[] = {
    { "mock;status=401", "API key" },
    { "mock;status=402", "credits" },
    { "mock;status=403", "permissions" },
    { "mock;status=404", "model name" },
    { "mock;status=429;code=insufficient_quota", "quota" },
  };
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(ClairRunner) runner = NULL;
      ClairRunOptions options;
      Events ev = EVENTS_INIT;
      Fixture f;

      fixture_init (&f, 50, cases[c].model);
      clair_run_options_init (&options);
      options.concurrency = 4;
      runner = make_runner (&f, server, &options);
      g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FAILED);
      g_test_message ("%s: %s", cases[c].model, clair_runner_get_error (runner));
      g_assert_nonnull (strstr (clair_runner_get_error (runner), cases[c].hint));
      /* The run stopped at once: nothing recorded, every row still pending. */
      assert_counts (&f, 50, 0, 0, 0);
      g_assert_cmpuint (ev.started, <=, 4);

      events_clear (&ev);
      clair_run_options_clear (&options);
      g_clear_object (&runner);
      fixture_clear (&f);
    }
}

static void
test_retry_after_respected (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(JsonObject) stats = NULL;
  ClairRunOptions options;
  ClairRunProgress progress;
  Events ev = EVENTS_INIT;
  gint64 start;
  double elapsed;
  Fixture f;

  /* Every row's first request gets a 429 with Retry-After: 1. */
  fixture_init (&f, 16, "mock;status=429;fail-first=1;retry-after=1");
  clair_run_options_init (&options);
  options.concurrency = 16;
  runner = make_runner (&f, server, &options);
  start = g_get_monotonic_time ();
  g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("elapsed %.3f s", elapsed);
  g_assert_cmpfloat (elapsed, >=, 0.95);
  g_assert_cmpfloat (elapsed, <, 5.0);
  assert_counts (&f, 0, 16, 0, 0);
  stats = clair_test_server_stats (server->url);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpint (requests_for_row (stats, i), ==, 2);
  /* The 429 halved the in-flight limit; it grows back by one per run of successes. */
  clair_runner_get_progress (runner, &progress);
  g_assert_cmpuint (progress.limit, <, 16);
  g_assert_cmpuint (progress.limit, >=, 8);

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&runner);
  fixture_clear (&f);
}

static void
test_stop_and_pause (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=400");
  ClairRunOptions options;
  Fixture f;

  fixture_init (&f, 30, "mock");
  clair_run_options_init (&options);
  options.concurrency = 5;

  /* Stop while five rows are in flight: they go back to pending, nothing is recorded. */
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    Events ev = EVENTS_INIT;

    ev.stop_after = 5;
    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_STOPPED);
    g_assert_cmpuint (ev.started, ==, 5);
    assert_counts (&f, 30, 0, 0, 0);
    events_clear (&ev);
  }

  /* Paused before anything was sent: nothing goes out until resumed. */
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    g_autoptr(JsonObject) before = clair_test_server_stats (server->url);
    g_autoptr(JsonObject) during = NULL;
    g_autoptr(GError) error = NULL;
    gint64 until;

    g_assert_true (clair_runner_start (runner, &error));
    clair_runner_pause (runner);
    g_assert_cmpint (clair_runner_get_state (runner), ==, CLAIR_RUNNER_PAUSED);
    until = g_get_monotonic_time () + 300 * 1000;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    during = clair_test_server_stats (server->url);
    g_assert_cmpint (json_object_get_int_member (during, "chat_requests"), ==,
                     json_object_get_int_member (before, "chat_requests"));
    clair_runner_resume (runner);
    /* In flight (the server takes 400 ms): each row says it waits for the server. */
    until = g_get_monotonic_time () + 200 * 1000;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    {
      g_autofree char *jobs = clair_runner_describe_jobs (runner);
      ClairRunProgress progress;

      clair_runner_get_progress (runner, &progress);
      g_assert_cmpuint (progress.in_flight, ==, 5);
      g_assert_nonnull (strstr (jobs, "row 0: waiting for the server for "));
      g_assert_nonnull (strstr (jobs, "(attempt 1)"));
      g_assert_null (strstr (jobs, "row 5:"));
    }
    while (!is_final (clair_runner_get_state (runner)))
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (clair_runner_get_state (runner), ==, CLAIR_RUNNER_FINISHED);
    assert_counts (&f, 0, 30, 0, 0);
    {
      g_autofree char *jobs = clair_runner_describe_jobs (runner);

      g_assert_cmpstr (jobs, ==, "");
    }
  }

  clair_run_options_clear (&options);
  fixture_clear (&f);
}

static void
test_hash_skip_and_rerun (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  ClairRunOptions options;
  Fixture f;

  fixture_init (&f, 10, "mock");
  clair_run_options_init (&options);
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    Events ev = EVENTS_INIT;

    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
    events_clear (&ev);
  }

  /* Every row again, same request: nothing is paid for twice. */
  options.selection = CLAIR_SELECT_ALL;
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    g_autoptr(JsonObject) stats = NULL;
    ClairRunProgress progress;
    Events ev = EVENTS_INIT;

    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
    clair_runner_get_progress (runner, &progress);
    g_assert_cmpuint (progress.unchanged, ==, 10);
    g_assert_cmpuint (ev.started, ==, 0);
    stats = clair_test_server_stats (server->url);
    g_assert_cmpint (json_object_get_int_member (stats, "chat_requests"), ==, 10);
    events_clear (&ev);
  }

  /* Chosen rows re-run on request: a new attempt, the old one kept. */
  options.force = TRUE;
  options.rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (options.rows, (guint[]) { 3, 8 }, 2);
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    g_autoptr(GPtrArray) attempts = NULL;
    Events ev = EVENTS_INIT;

    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
    g_assert_cmpuint (ev.started, ==, 2);
    attempts = clair_project_get_attempts (f.project, 8, NULL);
    g_assert_cmpuint (attempts->len, ==, 2);
    attempts = (g_ptr_array_unref (attempts), clair_project_get_attempts (f.project, 7, NULL));
    g_assert_cmpuint (attempts->len, ==, 1);
    events_clear (&ev);
  }
  g_clear_pointer (&options.rows, g_array_unref);
  options.force = FALSE;

  /* A changed request (another model) is asked again. */
  fixture_set_model (&f, "mock-2");
  {
    g_autoptr(ClairRunner) runner = make_runner (&f, server, &options);
    Events ev = EVENTS_INIT;

    g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
    g_assert_cmpuint (ev.started, ==, 10);
    events_clear (&ev);
  }

  clair_run_options_clear (&options);
  fixture_clear (&f);
}

static void
test_streaming_run (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(ClairRecord) record = NULL;
  ClairRunOptions options;
  Events ev = EVENTS_INIT;
  Fixture f;

  fixture_init (&f, 12, "mock");
  clair_run_options_init (&options);
  options.stream = TRUE;
  runner = make_runner (&f, server, &options);
  ev.delta_row = 5;
  g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
  assert_counts (&f, 0, 12, 0, 0);
  /* The streamed pieces add up to the stored output, and the revision is the plain one. */
  g_assert_cmpstr (ev.deltas->str, ==, ev.raw_of_delta_row);
  record = clair_project_get_record (f.project, 5, NULL);
  g_assert_cmpstr (record->attempt->revision, ==, "Solution number 5.");
  g_assert_cmpint (record->attempt->completion_tokens, >, 0);

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&runner);
  fixture_clear (&f);
}

static void
test_parse_failures (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(ClairRecord) record = NULL;
  ClairRunOptions options;
  Events ev = EVENTS_INIT;
  Fixture f;

  /* A reply cut off by max_tokens is not accepted as a revision. */
  fixture_init (&f, 4, "mock;finish=length");
  clair_run_options_init (&options);
  runner = make_runner (&f, server, &options);
  g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FINISHED);
  assert_counts (&f, 0, 0, 4, 0);
  record = clair_project_get_record (f.project, 1, NULL);
  g_assert_cmpstr (record->attempt->parse_status, ==, "truncated");
  g_assert_nonnull (record->attempt->raw_output);
  g_assert_cmpstr (record->attempt->finish_reason, ==, "length");

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&runner);
  fixture_clear (&f);
}

static void
test_unreachable_server (void)
{
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autofree char *url = NULL;
  ClairRunOptions options;
  Events ev = EVENTS_INIT;
  Fixture f;

  /* A port nobody listens on: found by binding and closing. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_socket_bind (socket, G_SOCKET_ADDRESS (address), FALSE, &error);
  g_assert_no_error (error);
  g_clear_object (&address);
  address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, &error));
  url = g_strdup_printf ("http://127.0.0.1:%u/v1", g_inet_socket_address_get_port (address));
  g_socket_close (socket, NULL);

  fixture_init (&f, 5, "mock");
  clair_run_options_init (&options);
  options.base_url = g_strdup (url);
  options.max_attempts = 2;
  runner = clair_runner_new (f.project, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run (runner, &ev), ==, CLAIR_RUNNER_FAILED);
  g_assert_nonnull (strstr (clair_runner_get_error (runner), "Could not reach"));
  assert_counts (&f, 5, 0, 0, 0);

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&runner);
  fixture_clear (&f);
}

/* Two runners on one project, each with its own ClairProject as two processes (or two windows)
 * would have: the second is refused while the first goes, and may start once it ended. */
static void
test_lock_second_runner (void)
{
  const guint n_rows = 12;
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=200");
  g_autoptr(ClairProject) other = NULL;
  g_autoptr(ClairRunner) first = NULL;
  g_autoptr(ClairRunner) second = NULL;
  g_autoptr(ClairRunner) third = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  ClairRunOptions options;
  Events ev = EVENTS_INIT;
  Fixture f;
  guint again[] = { 0, 1 };

  fixture_init (&f, n_rows, "mock");
  other = clair_project_open (f.path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  clair_run_options_init (&options);
  options.concurrency = 4;

  first = make_runner (&f, server, &options);
  g_assert_true (clair_runner_start (first, &error));
  g_assert_no_error (error);

  /* 12 rows at 200 ms, 4 at a time: the first runs for 600 ms at least. */
  second = clair_runner_new (other, &options, &error);
  g_assert_no_error (error);
  g_assert_false (clair_runner_start (second, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_BUSY);
  expected = g_strdup_printf ("a run is already going on this project (pid %d)", (int) getpid ());
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpint (clair_runner_get_state (second), ==, CLAIR_RUNNER_IDLE);
  g_clear_error (&error);

  /* The refused runner closed its own descriptor of the lock file, which would have dropped a
   * POSIX record lock of this process: the first must still hold it. */
  g_clear_object (&second);
  g_assert_false (clair_project_check_run_lock (other, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_BUSY);
  g_clear_error (&error);

  while (!is_final (clair_runner_get_state (first)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (clair_runner_get_state (first), ==, CLAIR_RUNNER_FINISHED);
  assert_counts (&f, 0, n_rows, 0, 0);

  /* Let go at the final state, not only when the runner is disposed. */
  g_assert_true (clair_project_check_run_lock (other, &error));
  g_assert_no_error (error);
  options.rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (options.rows, again, G_N_ELEMENTS (again));
  options.force = TRUE;
  third = clair_runner_new (other, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run (third, &ev), ==, CLAIR_RUNNER_FINISHED);
  g_assert_cmpuint (ev.finished, ==, G_N_ELEMENTS (again));

  /* Every row was paid for once, and the two asked again once more. */
  stats = clair_test_server_stats (server->url);
  g_assert_cmpint (json_object_get_int_member (stats, "chat_requests"), ==,
                   n_rows + G_N_ELEMENTS (again));

  events_clear (&ev);
  clair_run_options_clear (&options);
  g_clear_object (&first);
  g_clear_object (&third);
  g_clear_object (&other);
  fixture_clear (&f);
}

/* ---------------------------------------------------------------------------------------- */
/* `clair run`, spawned as scripts use it. */

static GSubprocess *
spawn_clair (const char  *key,
             GError     **error,
             const char  *first,
             ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *cli = g_getenv ("CLAIR_CLI");
  const char *arg;
  va_list ap;

  g_assert_nonnull (cli);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (key != NULL)
    g_subprocess_launcher_setenv (launcher, "CLAIR_API_KEY", key, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "CLAIR_API_KEY");
  g_ptr_array_add (args, (char *) cli);
  g_ptr_array_add (args, (char *) "run");
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, error);
}

static int
finish_clair (GSubprocess  *process,
              char        **out,
              char        **err)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static char *
write_dataset (const char *dir,
               guint       n_rows)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char *path = g_build_filename (dir, "rows.jsonl", NULL);

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "{\"task\":\"task %u\",\"student_solution\":\"solution  number %u\"}\n", i, i);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  return path;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
wait_for_requests (ClairTestServer *server,
                   gint64  n)
{
  for (;;)
    {
      g_autoptr(JsonObject) now = clair_test_server_stats (server->url);

      if (json_object_get_int_member (now, "chat_requests") >= n)
        return;
      g_usleep (5000);
    }
}

/* A second `clair run` of a project while one goes: refused, naming the first's pid, before it
 * changes any setting; every row is paid for once. */
static void
test_cli_second_run_refused (void)
{
  const guint n_rows = 40;
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=300");
  g_autofree char *dir = g_dir_make_tmp ("clair-lock-XXXXXX", NULL);
  g_autofree char *dataset = write_dataset (dir, n_rows);
  g_autofree char *project_path = g_strconcat (dataset, ".clair", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  ClairGenParams params;

  /* 40 rows at 300 ms, 4 at a time: some 3 s. */
  first = spawn_clair (NULL, &error, dataset, "--base-url", server->url, "--model", "mock",
                       "--concurrency", "4", NULL);
  g_assert_no_error (error);
  expected = g_strdup_printf ("a run is already going on this project (pid %s)",
                              g_subprocess_get_identifier (first));
  wait_for_requests (server, 1);

  second = spawn_clair (NULL, &error, project_path, "--model", "other", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (finish_clair (second, &out, &err), ==, 1);
  g_test_message ("refused: %s", err);
  g_assert_nonnull (strstr (err, expected));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    /* The two runs did overlap: the first was not done when the second was turned away. */
    g_autoptr(JsonObject) stats = clair_test_server_stats (server->url);
    g_assert_cmpint (json_object_get_int_member (stats, "chat_requests"), <, n_rows);
  }

  g_assert_cmpint (finish_clair (first, &out, &err), ==, 0);
  summary = g_strdup_printf ("revised %u, parse-failed 0, failed 0, pending 0\n", n_rows);
  g_assert_cmpstr (out, ==, summary);
  {
    g_autoptr(JsonObject) stats = clair_test_server_stats (server->url);
    g_assert_cmpint (json_object_get_int_member (stats, "chat_requests"), ==, n_rows);
  }

  /* The refused run left the model of the run going alone. */
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  clair_gen_params_init (&params);
  g_assert_true (clair_project_load_params (project, &params, &error));
  g_assert_cmpstr (params.model, ==, "mock");
  clair_gen_params_clear (&params);

  g_clear_object (&project);
  remove_dir (dir);
}

/* kill -9 of a run holding the lock: the kernel drops it, the file stays behind with the dead
 * pid, and the next run starts and finishes the project. */
static void
test_cli_lock_released_by_kill (void)
{
  const guint n_rows = 40;
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=300");
  g_autofree char *dir = g_dir_make_tmp ("clair-lock-kill-XXXXXX", NULL);
  g_autofree char *dataset = write_dataset (dir, n_rows);
  g_autofree char *project_path = g_strconcat (dataset, ".clair", NULL);
  g_autofree char *lock_path = g_strconcat (project_path, "-run", NULL);
  g_autofree char *victim_pid = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *lock_contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) victim = NULL;
  g_autoptr(GSubprocess) refused = NULL;
  g_autoptr(GSubprocess) last = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(GError) error = NULL;
  gint64 requests;

  victim = spawn_clair (NULL, &error, dataset, "--base-url", server->url, "--model", "mock",
                        "--concurrency", "4", NULL);
  g_assert_no_error (error);
  victim_pid = g_strdup (g_subprocess_get_identifier (victim));
  wait_for_requests (server, 8);

  /* It does hold the lock… */
  refused = spawn_clair (NULL, &error, project_path, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (finish_clair (refused, &out, &err), ==, 1);
  expected = g_strdup_printf ("a run is already going on this project (pid %s)", victim_pid);
  g_assert_nonnull (strstr (err, expected));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* …until it dies without a chance to let go. */
  g_subprocess_send_signal (victim, SIGKILL);
  g_subprocess_wait (victim, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (victim));
  g_assert_true (g_file_get_contents (lock_path, &lock_contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (lock_contents, victim_pid));

  last = spawn_clair (NULL, &error, project_path, "--concurrency", "8", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (finish_clair (last, &out, &err), ==, 0);
  summary = g_strdup_printf ("revised %u, parse-failed 0, failed 0, pending 0\n", n_rows);
  g_assert_cmpstr (out, ==, summary);

  /* The refused run sent nothing; only the rows in flight at the kill, or answered and not yet
   * committed, were asked twice: at most twice the concurrency of 4 (see fill() in the runner). */
  stats = clair_test_server_stats (server->url);
  requests = json_object_get_int_member (stats, "chat_requests");
  g_test_message ("%" G_GINT64_FORMAT " requests for %u rows", requests, n_rows);
  g_assert_cmpint (requests, >=, n_rows);
  g_assert_cmpint (requests, <=, n_rows + 2 * 4);

  remove_dir (dir);
}

static void
test_cli_resume_after_kill (void)
{
  const guint n_rows = 400;
  const char *concurrency = "8";
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=20");
  g_autofree char *dir = g_dir_make_tmp ("clair-kill-XXXXXX", NULL);
  g_autofree char *dataset = write_dataset (dir, n_rows);
  g_autofree char *project_path = g_strconcat (dataset, ".clair", NULL);
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) victim = NULL;
  g_autoptr(GSubprocess) last = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *summary = NULL;
  ClairProjectCounts counts;
  guint committed_before_kill;
  gint64 extra = 0;

  /* A first, short run, and some decisions on its rows. */
  first = spawn_clair ("sk-kill", &error, dataset, "--base-url", server->url, "--model", "mock",
                       "--limit", "20", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (finish_clair (first, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "revised 20, parse-failed 0, failed 0, pending 380\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (clair_project_set_decision (project, 3, CLAIR_DECISION_ACCEPTED, "edited 3", "ok", &error));
  g_assert_true (clair_project_set_decision (project, 5, CLAIR_DECISION_REJECTED, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Killed with SIGKILL in the middle of the run. */
  victim = spawn_clair ("sk-kill", &error, project_path, "--concurrency", concurrency, NULL);
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(JsonObject) now = clair_test_server_stats (server->url);

      if (json_object_get_int_member (now, "chat_requests") >= 150)
        break;
      g_usleep (5000);
    }
  g_subprocess_send_signal (victim, SIGKILL);
  g_subprocess_wait (victim, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (victim));

  g_assert_true (clair_project_get_counts (project, &counts, &error));
  committed_before_kill = counts.by_status[CLAIR_ROW_REVISED];
  g_test_message ("%u rows committed before the kill", committed_before_kill);
  g_assert_cmpuint (committed_before_kill, >, 20);
  g_assert_cmpuint (committed_before_kill, <, n_rows);

  /* Run again: it finishes the rest. */
  last = spawn_clair ("sk-kill", &error, project_path, "--concurrency", concurrency, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (finish_clair (last, &out, &err), ==, 0);
  summary = g_strdup_printf ("revised %u, parse-failed 0, failed 0, pending 0\n", n_rows);
  g_assert_cmpstr (out, ==, summary);

  /* Every row answered; no committed row asked again. Asked twice at most: the rows in flight at
   * the kill and those answered but not yet committed, each bounded by the concurrency (fill() in
   * the runner), so twice the concurrency. */
  stats = clair_test_server_stats (server->url);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, i, &error);
      gint64 n = requests_for_row (stats, i);

      g_assert_no_error (error);
      g_assert_cmpint (record->attempt->status, ==, CLAIR_ROW_REVISED);
      g_assert_cmpuint (record->n_attempts, ==, 1);
      g_assert_cmpint (n, >=, 1);
      extra += n - 1;
    }
  g_test_message ("%" G_GINT64_FORMAT " rows asked twice", extra);
  g_assert_cmpint (extra, <=, 2 * atoi (concurrency));

  /* Decisions made before the crash are intact. */
  {
    g_autoptr(ClairRecord) accepted = clair_project_get_record (project, 3, NULL);
    g_autoptr(ClairRecord) rejected = clair_project_get_record (project, 5, NULL);

    g_assert_cmpint (accepted->decision, ==, CLAIR_DECISION_ACCEPTED);
    g_assert_cmpstr (accepted->edited_revision, ==, "edited 3");
    g_assert_cmpstr (accepted->note, ==, "ok");
    g_assert_cmpint (rejected->decision, ==, CLAIR_DECISION_REJECTED);
  }

  g_clear_object (&project);
  remove_dir (dir);
}

static void
test_cli_key_and_exit_codes (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=300");
  g_autofree char *dir = g_dir_make_tmp ("clair-cli-XXXXXX", NULL);
  g_autofree char *dataset = write_dataset (dir, 6);
  g_autofree char *key_path = g_build_filename (dir, "key.txt", NULL);
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  g_autoptr(GSubprocess) run_env = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len;

  /* The key from the environment: it reaches the server and never the command line. */
  run_env = spawn_clair ("sk-secret-env", &error, dataset, "--base-url", server->url, "--model",
                         "mock", NULL);
  g_assert_no_error (error);
  cmdline_path = g_strdup_printf ("/proc/%s/cmdline", g_subprocess_get_identifier (run_env));
  if (g_file_get_contents (cmdline_path, &cmdline, &len, NULL))
    {
      for (gsize i = 0; i < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      g_assert_null (strstr (cmdline, "sk-secret"));
    }
  g_assert_cmpint (finish_clair (run_env, &out, &err), ==, 0);
  g_assert_null (strstr (err, "sk-secret"));
  g_assert_null (strstr (out, "sk-secret"));
  {
    g_autoptr(JsonObject) stats = clair_test_server_stats (server->url);
    g_assert_cmpstr (json_object_get_string_member (stats, "last_authorization"), ==, "Bearer sk-secret-env");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* From a file; there is no option that takes the key itself. */
  g_assert_true (g_file_set_contents (key_path, "sk-secret-file\n", -1, NULL));
  {
    g_autoptr(GSubprocess) run_file = spawn_clair (NULL, &error, dataset, "--rerun", "all", "--force",
                                                   "--api-key-file", key_path, "--rows", "0-1", NULL);
    g_autoptr(JsonObject) stats = NULL;

    g_assert_cmpint (finish_clair (run_file, &out, &err), ==, 0);
    stats = clair_test_server_stats (server->url);
    g_assert_cmpstr (json_object_get_string_member (stats, "last_authorization"), ==, "Bearer sk-secret-file");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    g_autoptr(GSubprocess) bad = spawn_clair (NULL, &error, dataset, "--api-key", "sk-x", NULL);

    g_assert_cmpint (finish_clair (bad, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Some rows failing: exit 3; a fatal status: exit 1 and a reason. */
  {
    g_autoptr(GSubprocess) partial = spawn_clair (NULL, &error, dataset, "--rerun", "all", "--force",
                                                  "--model", "mock;status=400", "--rows", "2-3", NULL);

    g_assert_cmpint (finish_clair (partial, &out, &err), ==, 3);
    g_assert_cmpstr (out, ==, "revised 4, parse-failed 0, failed 2, pending 0\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    g_autoptr(GSubprocess) fatal_run = spawn_clair (NULL, &error, dataset, "--rerun", "failed",
                                                    "--model", "mock;status=401", NULL);

    g_assert_cmpint (finish_clair (fatal_run, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "API key"));
    g_assert_cmpstr (out, ==, "revised 4, parse-failed 0, failed 2, pending 0\n");
  }

  remove_dir (dir);
}

static void
test_cli_interrupt (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=300");
  g_autofree char *dir = g_dir_make_tmp ("clair-int-XXXXXX", NULL);
  g_autofree char *dataset = write_dataset (dir, 100);
  g_autoptr(GSubprocess) run_it = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint revised = 0, parse_failed = 0, failed = 0, pending = 0;

  run_it = spawn_clair (NULL, &error, dataset, "--base-url", server->url, "--model", "mock",
                        "--concurrency", "4", NULL);
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(JsonObject) now = clair_test_server_stats (server->url);

      if (json_object_get_int_member (now, "chat_requests") >= 10)
        break;
      g_usleep (5000);
    }
  /* Ctrl+C: a clean stop, the summary, and 130 so scripts know the run is unfinished. */
  g_subprocess_send_signal (run_it, SIGINT);
  g_assert_cmpint (finish_clair (run_it, &out, &err), ==, 130);
  g_assert_nonnull (strstr (err, "Stopping"));
  g_assert_cmpint (sscanf (out, "revised %u, parse-failed %u, failed %u, pending %u",
                           &revised, &parse_failed, &failed, &pending), ==, 4);
  g_assert_cmpuint (revised, >=, 4);
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpuint (revised + pending, ==, 100);
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/runner/run-all", test_run_all);
  g_test_add_func ("/runner/concurrency-reached", test_concurrency_reached);
  g_test_add_func ("/runner/retry-bounds", test_retry_bounds);
  g_test_add_func ("/runner/fail-row-statuses", test_fail_row_statuses);
  g_test_add_func ("/runner/fatal-statuses", test_fatal_statuses);
  g_test_add_func ("/runner/retry-after-respected", test_retry_after_respected);
  g_test_add_func ("/runner/stop-and-pause", test_stop_and_pause);
  g_test_add_func ("/runner/hash-skip-and-rerun", test_hash_skip_and_rerun);
  g_test_add_func ("/runner/streaming", test_streaming_run);
  g_test_add_func ("/runner/parse-failures", test_parse_failures);
  g_test_add_func ("/runner/unreachable-server", test_unreachable_server);
  g_test_add_func ("/runner/lock/second-runner-refused", test_lock_second_runner);
  g_test_add_func ("/run-cli/resume-after-kill", test_cli_resume_after_kill);
  g_test_add_func ("/run-cli/key-and-exit-codes", test_cli_key_and_exit_codes);
  g_test_add_func ("/run-cli/interrupt", test_cli_interrupt);
  g_test_add_func ("/run-cli/lock/second-run-refused", test_cli_second_run_refused);
  g_test_add_func ("/run-cli/lock/released-by-kill", test_cli_lock_released_by_kill);

  return g_test_run ();
}
