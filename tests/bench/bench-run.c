/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-run"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "clair-project.h"
#include "clair-runner.h"

/* Runs the runner end to end: a project of N rows (realistic sizes: a 200-byte task, a 1.5 KB
 * answer) against a server, every result parsed, measured and committed. Prints the wall time of
 * each repetition (from start to the last commit), the median, rows/s and peak RSS.
 *
 *   bench-run --rows 1000 --latency 250 --concurrency 64 --repeat 5
 *       spawns clair-test-server with that latency (the latency-bound case);
 *   bench-run --url http://127.0.0.1:8089/v1 --rows 20000 --concurrency 128
 *       any server, e.g. nginx returning a fixed reply (bench-run-nginx.sh);
 *   --rss-every N prints the resident size every N rows (memory over long runs);
 *   --fixture FILE --fixture-row N takes the task and the answer of every row from line N of a
 *       fixture file of real replies (bench-run-nginx.sh serves that line's reply), so the metrics
 *       measure a real revision against the answer it revised. */

static char *url;
static int n_rows = 1000;
static int latency = 250;
static int concurrency = 64;
static int repeat = 5;
static int rss_every = 0;
static gboolean stream;
static gboolean dissimilar;
static char *fixture;
static int fixture_row;

static gsize
rss_kib (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%lu %lu", &size, &resident);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

/* Line @fixture_row of the fixture file, as one dataset line holding its task and answer. */
static char *
fixture_dataset_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *object;

  if (!g_file_get_contents (fixture, &contents, NULL, &error))
    g_error ("bench-run: %s", error->message);
  lines = g_strsplit (contents, "\n", -1);
  if (fixture_row < 0 || (guint) fixture_row >= g_strv_length (lines)
      || !json_parser_load_from_data (parser, lines[fixture_row], -1, &error))
    g_error ("bench-run: line %d of %s is not a fixture", fixture_row, fixture);
  object = json_node_get_object (json_parser_get_root (parser));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "task");
  json_builder_add_string_value (builder, json_object_get_string_member (object, "task"));
  json_builder_set_member_name (builder, "student_solution");
  json_builder_add_string_value (builder, json_object_get_string_member (object, "student_solution"));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
make_dataset (const char *dir)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) solution = g_string_new (NULL);
  char *path = g_build_filename (dir, "bench.jsonl", NULL);
  FILE *file = fopen (path, "w");

  if (fixture != NULL)
    {
      g_autofree char *line = fixture_dataset_line ();

      for (int i = 0; i < n_rows; i++)
        fprintf (file, "%s\n", line);
      fclose (file);
      return path;
    }

  /* By default the answer is what a CLAIR revision minimally edits: the fixed reply of
   * bench-run-nginx.sh with a few flaws. --dissimilar makes it unrelated text of the same size,
   * the worst case for the character Levenshtein metric. */
  for (int i = 0; i < 30; i++)
    {
      if (dissimilar)
        g_string_append (solution, "a completely different answer about cooking pasta in salty water ");
      else if (i == 7)
        g_string_append (solution, "The answer is that plants make food from light  and water, and leaves "
                         "looks green because chlorophyl reflects green light. ");
      else
        g_string_append (solution, "The answer is that plants make food from light and water, and leaves "
                         "look green because chlorophyll reflects green light. ");
    }
  g_strchomp (solution->str);
  solution->len = strlen (solution->str);
  for (int i = 0; i < n_rows; i++)
    fprintf (file, "{\"task\":\"Explain photosynthesis to a child, in simple words, and say why "
             "leaves are green; keep it short and friendly, please. Question number %d of the "
             "benchmark set, with a little more text to reach a realistic size.\","
             "\"student_solution\":\"%s\"}\n", i, solution->str);
  fclose (file);
  return path;
}

static ClairProject *
make_project (const char *dir,
              const char *dataset_path,
              int         index)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("bench-%d.clair", index);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  ClairProject *project;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0 };
  ClairGenParams params;

  project = clair_project_open (path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  clair_dataset_index (dataset, NULL, &error);
  g_assert_no_error (error);
  clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  clair_import_report_clear (&report);

  clair_gen_params_init (&params);
  params.model = g_strdup ("mock");
  params.temperature = 0.7;
  params.max_tokens = 4096;
  clair_project_save_params (project, &params, &error);
  g_assert_no_error (error);
  clair_gen_params_clear (&params);
  return project;
}

static void
progress_cb (ClairRunner *runner,
             gpointer     user_data)
{
  guint *next = user_data;
  ClairRunProgress p;

  if (rss_every <= 0)
    return;
  clair_runner_get_progress (runner, &p);
  if (p.done >= *next)
    {
      printf ("  %7u rows: RSS %6zu KiB, %.0f rows/s\n", p.done, rss_kib (), p.rows_per_second);
      fflush (stdout);
      while (*next <= p.done)
        *next += rss_every;
    }
}

/* CLAIR_BENCH_PHASES=1: where the jobs in flight are, ten times a second (to find what holds the
 * run back when no thread is busy). */
static gboolean
phases_cb (gpointer user_data)
{
  ClairRunner *runner = user_data;
  g_autofree char *jobs = clair_runner_describe_jobs (runner);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) parts = g_strsplit (jobs, "; ", -1);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *colon = strchr (parts[i], ':');
      const char *end = colon ? strstr (colon, " for ") : NULL;
      g_autofree char *phase = NULL;

      if (end == NULL)
        continue;
      phase = g_strndup (colon + 2, end - colon - 2);
      value = g_hash_table_lookup (counts, phase);
      g_hash_table_replace (counts, g_steal_pointer (&phase), GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
    }
  printf ("  in flight:");
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    printf (" %s %u,", (const char *) key, GPOINTER_TO_UINT (value));
  printf ("\n");
  return G_SOURCE_CONTINUE;
}

static double
run_once (ClairProject *project,
          const char   *base_url)
{
  g_autoptr(ClairRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  ClairRunOptions options;
  ClairProjectCounts counts;
  ClairRunProgress p;
  guint next = rss_every;
  guint phases = 0;
  gint64 start;
  double seconds;

  clair_run_options_init (&options);
  options.base_url = g_strdup (base_url);
  options.concurrency = concurrency;
  options.stream = stream;
  runner = clair_runner_new (project, &options, &error);
  g_assert_no_error (error);
  clair_run_options_clear (&options);
  g_signal_connect (runner, "progress", G_CALLBACK (progress_cb), &next);

  if (g_getenv ("CLAIR_BENCH_PHASES") != NULL)
    phases = g_timeout_add (100, phases_cb, runner);
  start = g_get_monotonic_time ();
  clair_runner_start (runner, &error);
  g_assert_no_error (error);
  while (clair_runner_get_state (runner) < CLAIR_RUNNER_FINISHED)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_clear_handle_id (&phases, g_source_remove);

  if (clair_runner_get_state (runner) != CLAIR_RUNNER_FINISHED)
    {
      g_printerr ("bench-run: the run did not finish: %s\n", clair_runner_get_error (runner));
      exit (1);
    }
  clair_runner_get_progress (runner, &p);
  clair_project_get_counts (project, &counts, &error);
  g_assert_no_error (error);
  /* Every result committed, and every reply parsed. */
  if (counts.by_status[CLAIR_ROW_REVISED] != (guint) n_rows)
    {
      g_printerr ("bench-run: %u of %d rows revised (%u parse-failed, %u failed)\n",
                  counts.by_status[CLAIR_ROW_REVISED], n_rows,
                  counts.by_status[CLAIR_ROW_PARSE_FAILED], counts.by_status[CLAIR_ROW_FAILED]);
      exit (1);
    }
  printf ("  %.3f s, %.0f rows/s, %u retries\n", seconds, n_rows / seconds, p.retries);
  fflush (stdout);
  return seconds;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *base_url = NULL;
  struct rusage usage;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Server base URL (default: spawn clair-test-server)", "URL" },
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Rows (default 1000)", "N" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &latency, "Test server latency in ms (default 250)", "MS" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency, "Requests in flight (default 64)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Repetitions (default 5)", "N" },
    { "rss-every", 0, 0, G_OPTION_ARG_INT, &rss_every, "Print RSS every N rows", "N" },
    { "stream", 0, 0, G_OPTION_ARG_NONE, &stream, "Stream the answers", NULL },
    { "dissimilar", 0, 0, G_OPTION_ARG_NONE, &dissimilar, "Answers unrelated to the replies", NULL },
    { "fixture", 0, 0, G_OPTION_ARG_FILENAME, &fixture, "Take task and answer from a fixture file", "FILE" },
    { "fixture-row", 0, 0, G_OPTION_ARG_INT, &fixture_row, "Line of the fixture file (default 0)", "N" },
    { NULL }
  };

  context = g_option_context_new ("- the runner end to end");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-run: %s\n", error->message);
      return 2;
    }

  if (url == NULL)
    {
      g_autofree char *self_dir = g_path_get_dirname (argv[0]);
      g_autofree char *server_path = g_build_filename (self_dir, "..", "clair-test-server", NULL);
      g_autofree char *set = g_strdup_printf ("latency=%d", latency);
      g_autoptr(GDataInputStream) out = NULL;
      const char *args[] = { server_path, "--exit-with-stdin", "--set", set, NULL };

      server = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                  &error);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
      base_url = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      printf ("clair-test-server at %s, latency %d ms\n", base_url, latency);
    }
  else
    base_url = g_strdup (url);

  dir = g_dir_make_tmp ("bench-run-XXXXXX", &error);
  g_assert_no_error (error);
  dataset = make_dataset (dir);
  printf ("%d rows, concurrency %d%s, %d repetitions\n", n_rows, concurrency,
          stream ? ", streaming" : "", repeat);

  for (int i = 0; i < repeat; i++)
    {
      g_autoptr(ClairProject) project = make_project (dir, dataset, i);
      g_autofree char *path = g_strdup (clair_project_get_path (project));
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      double seconds = run_once (project, base_url);

      g_array_append_val (times, seconds);
      g_clear_object (&project);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
    }

  g_array_sort (times, compare_double);
  getrusage (RUSAGE_SELF, &usage);
  printf ("median %.3f s, %.0f rows/s; peak RSS %ld KiB\n",
          g_array_index (times, double, times->len / 2),
          n_rows / g_array_index (times, double, times->len / 2), usage.ru_maxrss);
  if (url == NULL)
    printf ("ideal %.3f s (rows / concurrency × latency)\n",
            (double) n_rows / concurrency * latency / 1000.0);

  g_unlink (dataset);
  g_rmdir (dir);
  return 0;
}
