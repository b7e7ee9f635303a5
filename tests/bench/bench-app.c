/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "clair-diff-view.h"
#include "clair-json.h"
#include "clair-window-private.h"

/* Two figures of the desktop app, under Xvfb:
 *   launch: from spawning clair-studio PROJECT to its first frame (goal < 500 ms);
 *   switch: from selecting a row to the frame that shows its 5,000-word diff (goal < 50 ms).
 * Usage: xvfb-run -a dbus-run-session -- bench-app [RUNS]  (GSETTINGS_SCHEMA_DIR=BUILDDIR/data) */

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

static char *
words (guint n,
       guint seed,
       gboolean revise)
{
  static const char * const vocabulary[] = { "the", "model", "answer", "revision", "minimal", "token",
                                             "student", "teacher", "correct", "improve", "data", "pair",
                                             "function", "returns", "value", "because", "error", "step" };
  GString *out = g_string_new (NULL);
  GRand *rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    {
      const char *word = vocabulary[g_rand_int_range (rand, 0, G_N_ELEMENTS (vocabulary))];

      if (revise && i % 50 == 7)
        word = "changed";
      g_string_append (out, word);
      g_string_append_c (out, i % 17 == 16 ? '\n' : ' ');
    }
  g_rand_free (rand);
  return g_string_free (out, FALSE);
}

static char *
make_project (const char *dir)
{
  g_autofree char *dataset = g_build_filename (dir, "long.jsonl", NULL);
  char *project_path = g_build_filename (dir, "long.clair", NULL);
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(ClairDataset) ds = NULL;
  g_autoptr(ClairProject) project = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "answer" };
  ClairImportReport report = { 0 };

  for (guint row = 0; row < 2; row++)
    {
      g_autofree char *answer = words (5000, row + 1, FALSE);

      g_string_append (lines, "{\"task\":\"Explain the following at length.\",\"answer\":");
      clair_json_append_string (lines, answer, -1);
      g_string_append (lines, "}\n");
    }
  g_assert (g_file_set_contents (dataset, lines->str, lines->len, NULL));
  ds = clair_dataset_open (dataset, CLAIR_FORMAT_UNKNOWN, NULL);
  g_assert (ds && clair_dataset_index (ds, NULL, NULL));
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, NULL);
  g_assert (clair_project_import_dataset (project, ds, &mapping, NULL, NULL, NULL, &report, NULL));
  clair_import_report_clear (&report);
  for (guint row = 0; row < 2; row++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, row, NULL);
      ClairAttempt *attempt = clair_attempt_new ();

      attempt->row = row;
      attempt->status = CLAIR_ROW_REVISED;
      attempt->revision = words (5000, row + 1, TRUE);
      attempt->raw_output = g_strdup (attempt->revision);
      attempt->rationale = g_strdup ("Every fiftieth word was wrong.");
      attempt->parse_status = g_strdup ("ok");
      clair_metrics_compute (record->solution, attempt->revision, &attempt->metrics);
      attempt->has_metrics = TRUE;
      g_assert (clair_project_add_attempts (project, &attempt, 1, NULL));
      clair_attempt_free (attempt);
    }
  return project_path;
}

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  painted = TRUE;
}

static void
wait_paint (void)
{
  painted = FALSE;
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
loaded (ClairWindow *window)
{
  return clair_window_get_project (window) && !clair_window_get_busy (window) &&
         g_list_model_get_n_items (clair_window_get_rows (window)) == 2;
}

static void
bench_switch (const char *project_path,
              guint       runs)
{
  ClairWindow *window = clair_window_new (NULL);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  clair_window_open_project (window, project_path);
  while (!loaded (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  wait_paint ();
  for (guint i = 0; i < runs * 2; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      clair_window_select_row (window, (i + 1) % 2);
      /* The frame that shows the diff: long texts are diffed on a worker thread first. */
      while (clair_diff_view_get_computing (CLAIR_DIFF_VIEW (clair_window_get_diff_view (window))))
        g_main_context_iteration (NULL, TRUE);
      wait_paint ();
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_assert (clair_window_get_current_row (window) == (int) ((i + 1) % 2));
      if (i >= 2)   /* the first switches warm the caches */
        g_array_append_val (times, ms);
    }
  g_array_sort (times, compare_double);
  {
    /* What any frame of this window costs with this renderer, for comparison. */
    g_autoptr(GArray) redraws = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < runs * 2; i++)
      {
        gint64 start = g_get_monotonic_time ();
        double ms;

        gtk_widget_queue_draw (GTK_WIDGET (window));
        wait_paint ();
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (redraws, ms);
      }
    printf ("full redraw of the same window (%s renderer): median %.1f ms\n",
            G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))), median (redraws));
  }
  printf ("row switch with a 5,000-word diff: median %.1f ms, max %.1f ms over %u switches (%u changes shown)\n",
          median (times), g_array_index (times, double, times->len - 1), times->len,
          clair_diff_view_get_n_changes (CLAIR_DIFF_VIEW (clair_window_get_diff_view (window))));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
bench_launch (const char *binary,
              const char *project_path,
              guint       runs)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                          G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) in = NULL;
      g_autofree char *line = NULL;
      gint64 start = g_get_monotonic_time ();

      g_subprocess_launcher_setenv (launcher, "CLAIR_PROFILE_FIRST_FRAME", "exit", TRUE);
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
      process = g_subprocess_launcher_spawn (launcher, NULL, binary, project_path, NULL);
      g_assert (process != NULL);
      in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL &&
             !g_str_equal (line, "first-frame"))
        g_clear_pointer (&line, g_free);
      g_assert (line != NULL);
      {
        double ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (times, ms);
      }
      g_subprocess_wait (process, NULL, NULL);
    }
  g_array_sort (times, compare_double);
  printf ("launch to first frame (clair-studio PROJECT): median %.0f ms, min %.0f ms, max %.0f ms over %u runs\n",
          median (times), g_array_index (times, double, 0), g_array_index (times, double, times->len - 1), runs);
}

int
main (int   argc,
      char *argv[])
{
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 10;
  g_autofree char *dir = g_dir_make_tmp ("bench-app-XXXXXX", NULL);
  g_autofree char *project_path = NULL;

  gtk_init ();
  adw_init ();
  project_path = make_project (dir);
  bench_launch (CLAIR_STUDIO_PATH, project_path, runs);
  bench_switch (project_path, runs);
  return 0;
}
