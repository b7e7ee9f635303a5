/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-endpoint.h"
#include "clair-hub.h"
#include "clair-project.h"
#include "clair-runner.h"

/* clair run: the runner on a terminal. Progress goes to stderr (a live line on a terminal, a line
 * every few seconds otherwise), the summary line to stdout. */

#define TTY_INTERVAL_MS   200
#define LOG_INTERVAL_MS   5000

typedef struct
{
  ClairRunner *runner;
  GMainLoop   *loop;
  gboolean     tty;
  guint        n_interrupts;
  gboolean     line_shown;
} RunState;

static void
format_duration (char   *buf,
                 gsize   size,
                 double  seconds)
{
  if (seconds < 0 || !isfinite (seconds))
    g_snprintf (buf, size, "?");
  else if (seconds < 60)
    g_snprintf (buf, size, "%.0fs", seconds);
  else if (seconds < 3600)
    g_snprintf (buf, size, "%dm%02ds", (int) seconds / 60, (int) seconds % 60);
  else
    g_snprintf (buf, size, "%dh%02dm", (int) seconds / 3600, ((int) seconds % 3600) / 60);
}

static void
print_progress (RunState *state)
{
  ClairRunProgress p;
  char eta[32];
  char elapsed[32];

  clair_runner_get_progress (state->runner, &p);
  format_duration (eta, sizeof eta, p.eta);
  format_duration (elapsed, sizeof elapsed, p.elapsed);
  if (state->tty)
    fprintf (stderr, "\r\033[K");
  fprintf (stderr, _("%u/%u done, %u failed, %u in flight, %.0f rows/s, %.0f tokens/s, %s elapsed, ETA %s"),
           p.done, p.total, p.failed, p.in_flight, p.rows_per_second, p.tokens_per_second,
           elapsed, eta);
  if (clair_runner_get_state (state->runner) == CLAIR_RUNNER_STOPPING)
    /* Translators: appended to the progress line above once Ctrl+C asked the run to stop. */
    fprintf (stderr, _(" — stopping"));
  if (!state->tty)
    fputc ('\n', stderr);
  fflush (stderr);
  state->line_shown = state->tty;
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  print_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static void
clear_line (RunState *state)
{
  if (state->line_shown)
    {
      fprintf (stderr, "\r\033[K");
      state->line_shown = FALSE;
    }
}

static void
row_failed_cb (ClairRunner *runner,
               guint        row,
               const char  *message,
               RunState    *state)
{
  g_autofree char *escaped = clair_cli_escape (message);

  clear_line (state);
  fprintf (stderr, _("row %u failed: %s\n"), row, escaped);
}

static void
state_changed_cb (ClairRunner *runner,
                  int          new_state,
                  RunState    *state)
{
  if (new_state == CLAIR_RUNNER_FINISHED || new_state == CLAIR_RUNNER_STOPPED ||
      new_state == CLAIR_RUNNER_FAILED)
    g_main_loop_quit (state->loop);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  RunState *state = user_data;

  if (++state->n_interrupts >= 2)
    {
      /* Everything committed so far is safe: the project is a WAL database. */
      clear_line (state);
      fprintf (stderr, _("Aborted.\n"));
      _exit (130);
    }
  clear_line (state);
  fprintf (stderr, _("Stopping: rows in flight go back to pending (Ctrl+C again to abort)…\n"));
  clair_runner_stop (state->runner);
  return G_SOURCE_CONTINUE;
}

static char *
read_key_file (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  g_strstrip (contents);
  if (contents[0] == '\0')
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("The key file “%s” is empty"), path);
      return NULL;
    }
  if (strchr (contents, '\n') != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("The key file “%s” holds more than one line; put only the key in it"), path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static gboolean
parse_double (const char *text,
              double     *value)
{
  char *end = NULL;

  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

int
clair_cmd_run (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *project_path = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *model = NULL;
  g_autofree char *temperature = NULL;
  g_autofree char *top_p = NULL;
  g_autofree char *max_tokens_field = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *rerun = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *task_column = NULL;
  g_autofree char *solution_column = NULL;
  g_autofree char *hub_revision = NULL;
  g_autofree char *hub_config = NULL;
  g_autofree char *hub_split = NULL;
  g_autofree char *stored_url = NULL;
  g_auto(GStrv) stop = NULL;
  g_auto(GStrv) headers = NULL;
  int concurrency = CLAIR_RUNNER_DEFAULT_CONCURRENCY;
  int max_tokens = -1;
  int retries = CLAIR_RUNNER_DEFAULT_ATTEMPTS - 1;
  int limit = 0;
  double timeout = 600;
  gboolean stream = FALSE;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "project", 'p', 0, G_OPTION_ARG_FILENAME, &project_path,
      N_("Project to create or continue (default: DATASET.clair)"), N_("PROJECT") },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url,
      N_("Server address, the part before /chat/completions (kept in the project)"), N_("URL") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, N_("Model to ask (kept in the project)"), N_("NAME") },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency,
      N_("Requests in flight (default 16, at most 512)"), N_("N") },
    { "temperature", 0, 0, G_OPTION_ARG_STRING, &temperature, N_("Sampling temperature"), N_("T") },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT, &max_tokens, N_("Longest answer in tokens"), N_("N") },
    { "max-tokens-field", 0, 0, G_OPTION_ARG_STRING, &max_tokens_field,
      N_("Name of that field: max_tokens (default) or max_completion_tokens"), N_("NAME") },
    { "top-p", 0, 0, G_OPTION_ARG_STRING, &top_p, N_("Nucleus sampling"), N_("P") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, N_("Sampling seed"), N_("S") },
    { "stop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stop, N_("Stop sequence (repeat for up to 4)"), N_("TEXT") },
    { "stream", 0, 0, G_OPTION_ARG_NONE, &stream, N_("Stream answers as they are written"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout,
      N_("Deadline for one request in seconds (default 600)"), N_("SECONDS") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries,
      N_("Retries of a failed request (default 5)"), N_("N") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Run at most N rows"), N_("N") },
    { "rows", 0, 0, G_OPTION_ARG_STRING, &rows, N_("Only rows A to B (0-based, inclusive)"), N_("A-B") },
    { "rerun", 0, 0, G_OPTION_ARG_STRING, &rerun,
      N_("Also run rows that failed, or all rows whose request changed"), N_("failed|all") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("With --rerun all, ask again even when the request did not change"), NULL },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Read the API key from FILE (else from CLAIR_API_KEY)"), N_("FILE") },
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &headers,
      N_("Extra request header (repeatable)"), N_("“NAME: VALUE”") },
    { "task-column", 0, 0, G_OPTION_ARG_STRING, &task_column,
      N_("Column holding the task, when importing (default: guessed)"), N_("NAME") },
    { "solution-column", 0, 0, G_OPTION_ARG_STRING, &solution_column,
      N_("Column holding the answer, when importing (default: guessed)"), N_("NAME") },
    { "revision", 0, 0, G_OPTION_ARG_STRING, &hub_revision,
      N_("hf:// datasets: branch, tag or commit (default: main)"), N_("REVISION") },
    { "config", 0, 0, G_OPTION_ARG_STRING, &hub_config,
      N_("hf:// datasets: the config (default: “default” or the only one)"), N_("NAME") },
    { "split", 0, 0, G_OPTION_ARG_STRING, &hub_split,
      N_("hf:// datasets: the split (default: “train” or the only one)"), N_("NAME") },
    { NULL }
  };
  ClairRunOptions options;
  ClairGenParams params;
  ClairProjectCounts counts;
  ClairRunnerState final;
  RunState state = { 0 };
  const char *key_env;
  guint signal_int, signal_term, tick;
  int rc;

  context = g_option_context_new (_("DATASET|PROJECT — ask a model to revise every pending row"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
      _("The API key is read from the environment variable CLAIR_API_KEY or from --api-key-file, "
        "never from the command line.\nExit status: 0 when no row failed, 3 when some rows failed, "
        "1 when the run stopped on a fatal error, 130 when stopped by Ctrl+C (run again to continue)."));
  if ((rc = clair_cli_parse (context, "run", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("run", _("expected one DATASET or PROJECT"));

  /* Check every option before touching any file. */
  if (concurrency < 1 || concurrency > CLAIR_RUNNER_MAX_CONCURRENCY)
    return clair_cli_usage_error ("run", _("--concurrency must be between 1 and %d"),
                                  CLAIR_RUNNER_MAX_CONCURRENCY);
  if (retries < 0 || retries > 100)
    return clair_cli_usage_error ("run", _("--retries must be between 0 and 100"));
  if (limit < 0)
    return clair_cli_usage_error ("run", _("--limit must not be negative"));
  if (timeout <= 0 || !isfinite (timeout))
    return clair_cli_usage_error ("run", _("--timeout must be a positive number of seconds"));
  if (max_tokens_field != NULL && !g_str_equal (max_tokens_field, "max_tokens") &&
      !g_str_equal (max_tokens_field, "max_completion_tokens"))
    return clair_cli_usage_error ("run", _("--max-tokens-field must be max_tokens or max_completion_tokens"));
  if (rerun != NULL && !g_str_equal (rerun, "failed") && !g_str_equal (rerun, "all"))
    return clair_cli_usage_error ("run", _("--rerun must be failed or all"));
  if (stop != NULL && g_strv_length (stop) > 4)
    return clair_cli_usage_error ("run", _("at most 4 --stop sequences (servers refuse more)"));

  clair_run_options_init (&options);
  if (rows != NULL && !clair_cli_parse_range (rows, &options.first, &options.last))
    return clair_cli_usage_error ("run", _("--rows takes N, A-B, A- or -B, not “%s”"), rows);

  clair_gen_params_init (&params);
  {
    double value;

    if (temperature != NULL)
      {
        if (!parse_double (temperature, &value) || value < 0 || value > 2)
          return clair_cli_usage_error ("run", _("--temperature must be a number from 0 to 2"));
        params.temperature = value;
      }
    if (top_p != NULL)
      {
        if (!parse_double (top_p, &value) || value <= 0 || value > 1)
          return clair_cli_usage_error ("run", _("--top-p must be a number above 0 and at most 1"));
        params.top_p = value;
      }
    if (seed != NULL)
      {
        char *end = NULL;

        params.seed = g_ascii_strtoll (seed, &end, 10);
        if (end == seed || *end != '\0')
          return clair_cli_usage_error ("run", _("--seed must be an integer"));
        params.has_seed = TRUE;
      }
  }

  if (key_file != NULL)
    {
      options.api_key = read_key_file (key_file, &error);
      if (options.api_key == NULL)
        return clair_cli_fail ("%s", error->message);
    }
  else if ((key_env = g_getenv ("CLAIR_API_KEY")) != NULL && key_env[0] != '\0')
    options.api_key = g_strdup (key_env);

  /* A project to continue, or a dataset to import first. */
  if (project_path == NULL && clair_cli_is_project_file (argv[1]))
    project_path = g_strdup (argv[1]);
  else
    {
      if (project_path == NULL)
        project_path = clair_hub_is_uri (argv[1])
                       ? clair_cli_hub_default_project (argv[1], hub_config, hub_split)
                       : clair_cli_default_project (argv[1]);
      if (!g_file_test (project_path, G_FILE_TEST_EXISTS) &&
          !clair_cli_import_source (argv[1], hub_revision, hub_config, hub_split, project_path,
                                    task_column, solution_column, &error))
        {
          if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED))
            return clair_cli_usage_error ("run", "%s", error->message);
          return clair_cli_fail ("%s", error->message);
        }
    }

  project = clair_cli_open_project (project_path, TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  /* A run refused for another one going on must not have rewritten that run's settings first.
   * The runner takes the lock itself when it starts; this only refuses earlier. */
  if (!clair_project_check_run_lock (project, &error))
    return clair_cli_fail ("%s", error->message);

  /* The settings given here replace the stored ones and are kept for the next run. */
  {
    ClairGenParams stored;

    clair_gen_params_init (&stored);
    if (!clair_project_load_params (project, &stored, &error))
      return clair_cli_fail ("%s", error->message);
    if (model != NULL)
      (g_free (stored.model), stored.model = g_strdup (model));
    if (temperature != NULL)
      stored.temperature = params.temperature;
    if (top_p != NULL)
      stored.top_p = params.top_p;
    if (seed != NULL)
      (stored.has_seed = TRUE, stored.seed = params.seed);
    if (max_tokens > 0)
      stored.max_tokens = max_tokens;
    if (max_tokens_field != NULL)
      (g_free (stored.max_tokens_field), stored.max_tokens_field = g_strdup (max_tokens_field));
    if (stop != NULL)
      (g_strfreev (stored.stop), stored.stop = g_strdupv (stop));
    if (stored.model == NULL)
      return clair_cli_usage_error ("run", _("no model set for %s: give --model"), project_path);
    if (!clair_project_save_params (project, &stored, &error))
      return clair_cli_fail ("%s", error->message);
    clair_gen_params_clear (&stored);
    clair_gen_params_clear (&params);
  }
  if (base_url != NULL)
    {
      if (!clair_project_set_setting (project, "run.base_url", base_url, &error))
        return clair_cli_fail ("%s", error->message);
    }
  else if ((stored_url = clair_project_get_setting (project, "run.base_url")) == NULL)
    return clair_cli_usage_error ("run", _("no server set for %s: give --base-url"), project_path);

  {
    g_autofree char *url = clair_project_get_setting (project, "run.base_url");

    if (options.api_key != NULL && clair_endpoint_is_insecure (url))
      {
        g_autofree char *escaped = clair_cli_escape (url);

        fprintf (stderr,
                 _("clair: warning: %s is plain HTTP to another machine; the API key and the "
                   "data travel unencrypted\n"), escaped);
      }
  }

  options.concurrency = concurrency;
  options.timeout = timeout;
  options.max_attempts = retries + 1;
  options.stream = stream;
  options.limit = limit;
  options.force = force;
  options.headers = g_steal_pointer (&headers);
  options.selection = rerun == NULL ? CLAIR_SELECT_PENDING
                    : g_str_equal (rerun, "failed") ? CLAIR_SELECT_FAILED : CLAIR_SELECT_ALL;

  runner = clair_runner_new (project, &options, &error);
  clair_run_options_clear (&options);
  if (runner == NULL)
    return clair_cli_fail ("%s", error->message);

  loop = g_main_loop_new (NULL, FALSE);
  state.runner = runner;
  state.loop = loop;
  state.tty = isatty (STDERR_FILENO);
  g_signal_connect (runner, "row-failed", G_CALLBACK (row_failed_cb), &state);
  g_signal_connect (runner, "state-changed", G_CALLBACK (state_changed_cb), &state);
  signal_int = g_unix_signal_add (SIGINT, interrupt_cb, &state);
  signal_term = g_unix_signal_add (SIGTERM, interrupt_cb, &state);

  if (!clair_runner_start (runner, &error))
    return clair_cli_fail ("%s", error->message);
  tick = g_timeout_add (state.tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS, progress_tick_cb, &state);
  g_main_loop_run (loop);
  g_source_remove (tick);
  g_source_remove (signal_int);
  g_source_remove (signal_term);

  print_progress (&state);
  if (state.tty)
    fputc ('\n', stderr);

  final = clair_runner_get_state (runner);
  if (final == CLAIR_RUNNER_FAILED)
    clair_cli_fail ("%s", clair_runner_get_error (runner));
  else if (final == CLAIR_RUNNER_STOPPED)
    fprintf (stderr, _("Stopped; run the same command again to continue.\n"));

  if (!clair_project_get_counts (project, &counts, &error))
    return clair_cli_fail ("%s", error->message);
  printf ("revised %u, parse-failed %u, failed %u, pending %u\n",
          counts.by_status[CLAIR_ROW_REVISED], counts.by_status[CLAIR_ROW_PARSE_FAILED],
          counts.by_status[CLAIR_ROW_FAILED], counts.by_status[CLAIR_ROW_PENDING]);
  fflush (stdout);

  if (final == CLAIR_RUNNER_FAILED)
    return CLAIR_EXIT_FAILURE;
  /* Stopped by Ctrl+C or SIGTERM: the shell's convention, so scripts see the run is unfinished. */
  if (final == CLAIR_RUNNER_STOPPED)
    return 128 + SIGINT;
  if (counts.by_status[CLAIR_ROW_FAILED] > 0)
    return CLAIR_EXIT_PARTIAL;
  return CLAIR_EXIT_OK;
}
