/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-app-scale"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "clair-export-dialog.h"
#include "clair-mapping-dialog.h"
#include "clair-json.h"
#include "clair-row-item.h"
#include "clair-stats.h"

/* Poll the main loop often: the phases' times are read from it. */
#define UI_TEST_ITERATE_PAUSE_US 200
#define UI_TEST_WAIT_PAUSE_US    200
#include "ui-test-util.h"

/* The main window at 400k rows under a main-loop watchdog: no work that grows with the rows on
 * the main thread.
 *
 * The watchdog is a 5 ms timeout at G_PRIORITY_HIGH. It runs whenever the main loop gets a chance
 * to dispatch, so the longest gap between two of its ticks is the longest time the loop was held:
 * by one callback (a signal handler, an idle, a frame's layout and snapshot) or by the code the
 * test itself runs in place of an event handler (activating an action, setting a filter). Work
 * in worker threads does not count, which is the point: it does not freeze the window.
 *
 * The test imports a 400k-row dataset through the mapping step (the window shows the rows as they
 * come in), then opens a 400k-row project (short, varied texts; a finished run with metrics,
 * failures and a few decisions) and goes through what an annotator does: open, scroll top to
 * bottom, switch the status filter, search, sort by a metric, select rows, show the statistics,
 * bulk-accept a filtered list, export through the dialog. Each phase's time and largest gap is
 * printed (with peak RSS). The watchdog runs from the window's first frame to the end: the steps
 * between phases (clearing a sort and searching while the list is scrolled far down, say) are
 * held to the same limits.
 *
 * A gap is measured three ways: in wall-clock time; in CPU time the main thread spent in it
 * (its CLOCK_THREAD_CPUTIME_ID), the work the app did while holding the loop; and in wall-clock
 * time less the time the thread was ready to run but waiting for a CPU (its schedstat run
 * delay), which is the work plus any time it was blocked (a lock, a file, the X server).
 *
 * The test fails when the main thread worked 100 ms or more in one gap (MAX_GAP_MS). Measured
 * on the two-core virtual machine, in 12 runs (alone, and beside the rest of the suite as CI
 * runs it), the most in one gap was: import 48–88 ms, open 17–56, scroll 23–38, filter 32–63,
 * search 26–46, sort 24–37, select 23–40, statistics 24–41, bulk accept 21–43, export 6–19,
 * between phases 53–66. The nearest to the limit is the frame that lays out the list's first
 * screenful of row widgets, made when an import first shows rows.
 *
 * A plain wall-clock limit cannot be held there: with other work on the two cores, gaps of
 * 1.5–2.7 s were seen in which the main thread worked under 100 ms and spent the rest waiting
 * for a CPU. So the time limit is on the gap less that wait, at 400 ms (MAX_HELD_MS): four times
 * the work allowed, for blocking that would freeze the window on any machine (the most seen was
 * 119 ms, in the turn that opens a project, which closes and opens SQLite files).
 *
 * What keeps GTK 4.8's list within that at 400k rows: its list views keep widgets for 200 rows
 * around the top one shown, made when the list first shows rows and pointed at other rows as it
 * scrolls. The row list never has them made for nothing: when the whole list changes (filter,
 * search, sort) its widgets are pointed at other rows (ClairRowView's slots), and so they are
 * when one project replaces another (the view is held meanwhile); a list that grows from nothing
 * grows 64 rows a turn; one that shrinks past the rows on screen starts over from its top
 * instead of building them at its new end first; the text cells are sized from the font, not
 * their text, and share one PangoContext (ClairCellText); and the tasks, the costly text, are
 * read only for the rows on screen.
 *
 * CLAIR_SCALE_ROWS=N runs it at another size (e.g. 20000 for a quick check). */

#define MAX_GAP_MS      100   /* CPU time the main thread spent in one gap */
#define MAX_HELD_MS     400   /* wall-clock time of one gap, less the time spent waiting for a CPU */

static guint n_rows = 400000;

/* ------------------------------------------------------------------------------------------------
 * The watchdog */

typedef struct
{
  const char *name;
  double      ms;          /* how long the phase took, to its end condition */
  double      max_gap_ms;  /* the longest the main loop was held during it */
  double      max_cpu_gap_ms; /* the most CPU time the main thread spent in one gap */
  double      max_held_ms; /* the longest gap less the time the thread waited for a CPU */
  double      cpu_ms;      /* the main thread's CPU time over the whole phase */
  double      rss_mb;      /* VmHWM at its end */
  gboolean    unfinished;  /* gave up waiting for its end */
} Phase;

static struct
{
  gint64  last_tick;
  gint64  max_gap;
  gint64  last_cpu;      /* the main thread's CPU time at the last tick, µs */
  gint64  max_cpu_gap;
  gint64  last_delay;    /* the main thread's time waiting for a CPU at the last tick, µs */
  gint64  max_held;
  gint64  started;
  gint64  started_cpu;
  Phase   phases[32];
  guint   n_phases;
  gboolean in_phase;
  /* Between phases (the steps that set one up: clearing a sort, a search), measured alike */
  gint64  between_max_gap;
  gint64  between_max_cpu_gap;
  gint64  between_max_held;
  const char *between_where; /* the phase before the longest of them */
} dog;

/* CLAIR_SCALE_TRACE=1 prints every long gap and the frame-clock stages of slow frames. */
static gboolean trace;
static gint64 stage_start;

static void
frame_stage_cb (GdkFrameClock *clock,
                gpointer       name)
{
  gint64 now = g_get_monotonic_time ();

  if (stage_start != 0 && now - stage_start > 20000)
    g_printerr ("  frame: %s after %.1f ms\n", (const char *) name, (now - stage_start) / 1000.0);
  stage_start = now;
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  g_assert_cmpint (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts), ==, 0);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The main thread's schedstat (its time on a CPU, its time runnable but waiting for one), opened
 * from the main thread; -1 where the kernel has none. */
static int schedstat_fd = -1;

/* The time the main thread spent waiting for a CPU, µs (0 without schedstat). */
static gint64
thread_run_delay_us (void)
{
  char buf[128];
  ssize_t len;
  guint64 on_cpu, waiting;

  if (schedstat_fd < 0 || (len = pread (schedstat_fd, buf, sizeof buf - 1, 0)) <= 0)
    return 0;
  buf[len] = '\0';
  if (sscanf (buf, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &on_cpu, &waiting) != 2)
    return 0;
  return waiting / 1000;
}

static void
note_gap (gint64 now,
          gint64 cpu)
{
  gint64 delay = thread_run_delay_us ();
  gint64 held = (now - dog.last_tick) - (delay - dog.last_delay);

  if (trace && now - dog.last_tick > 50000)
    g_printerr ("gap %.1f ms (%.1f ms of CPU, %.1f ms not waiting for one)  [%.6f,%.6f]\n",
                (now - dog.last_tick) / 1000.0, (cpu - dog.last_cpu) / 1000.0, held / 1000.0,
                dog.last_tick / 1e6, now / 1e6);
  dog.max_gap = MAX (dog.max_gap, now - dog.last_tick);
  dog.max_cpu_gap = MAX (dog.max_cpu_gap, cpu - dog.last_cpu);
  dog.max_held = MAX (dog.max_held, held);
  if (!dog.in_phase && (now - dog.last_tick > dog.between_max_gap || cpu - dog.last_cpu > dog.between_max_cpu_gap ||
                        held > dog.between_max_held))
    {
      dog.between_max_gap = MAX (dog.between_max_gap, now - dog.last_tick);
      dog.between_max_cpu_gap = MAX (dog.between_max_cpu_gap, cpu - dog.last_cpu);
      dog.between_max_held = MAX (dog.between_max_held, held);
      dog.between_where = dog.n_phases > 0 ? dog.phases[dog.n_phases - 1].name : "the start";
    }
  dog.last_tick = now;
  dog.last_cpu = cpu;
  dog.last_delay = delay;
}

static gboolean
watchdog_tick (gpointer user_data)
{
  note_gap (g_get_monotonic_time (), thread_cpu_us ());
  return G_SOURCE_CONTINUE;
}

static void
phase_begin (void)
{
  /* The time since the last tick counts for the steps before. */
  note_gap (g_get_monotonic_time (), thread_cpu_us ());
  dog.in_phase = TRUE;
  dog.started = dog.last_tick = g_get_monotonic_time ();
  dog.started_cpu = dog.last_cpu = thread_cpu_us ();
  dog.last_delay = thread_run_delay_us ();
  dog.max_gap = 0;
  dog.max_cpu_gap = 0;
  dog.max_held = 0;
}

/* Ends the phase: the time since the last tick counts too (work the phase ended with). */
static Phase *
phase_end (const char *name)
{
  gint64 now = g_get_monotonic_time ();
  Phase *phase;

  g_assert_cmpuint (dog.n_phases, <, G_N_ELEMENTS (dog.phases));
  phase = &dog.phases[dog.n_phases++];
  note_gap (now, thread_cpu_us ());
  dog.in_phase = FALSE;
  phase->name = name;
  phase->ms = (now - dog.started) / 1000.0;
  phase->max_gap_ms = dog.max_gap / 1000.0;
  phase->max_cpu_gap_ms = dog.max_cpu_gap / 1000.0;
  phase->max_held_ms = dog.max_held / 1000.0;
  phase->cpu_ms = (dog.last_cpu - dog.started_cpu) / 1000.0;
  phase->rss_mb = peak_rss_mb ();
  if (trace)
    g_printerr ("-- %s [%.6f,%.6f]\n", name, dog.started / 1e6, now / 1e6);
  g_test_message ("%-16s %9.1f ms   longest main-loop gap %7.1f ms (most CPU in one %5.1f ms, "
                  "longest not waiting for a CPU %5.1f ms)   main-thread CPU %7.1f ms   peak RSS %6.1f MB",
                  name, phase->ms, phase->max_gap_ms, phase->max_cpu_gap_ms, phase->max_held_ms,
                  phase->cpu_ms, phase->rss_mb);
  return phase;
}

static double
phase_ms (const char *name)
{
  for (guint i = 0; i < dog.n_phases; i++)
    if (g_str_equal (dog.phases[i].name, name))
      return dog.phases[i].ms;
  return NAN;
}

/* ------------------------------------------------------------------------------------------------
 * The project: short texts from a small vocabulary, a needle in every 1000th row, a finished run
 * (95 % revised with spread-out metrics, 1 % failed, the rest pending) and a few decisions. */

static const char * const vocabulary[] = {
  "the", "answer", "value", "number", "because", "first", "second", "result", "equation", "memory",
  "string", "market", "history", "energy", "climate", "protein", "theorem", "proof", "triangle",
  "recipe", "minutes", "however", "consider", "explain", "compare", "several", "between", "café",
  "Zürich", "東京", "“quoted”", "it’s", "½", "→", "😀", "function", "returns", "list", "sorted",
};

static void
append_words (GString *out,
              GRand   *rand,
              guint    n)
{
  for (guint w = 0; w < n; w++)
    {
      if (w > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, vocabulary[g_rand_int_range (rand, 0, G_N_ELEMENTS (vocabulary))]);
    }
}

static char *
make_project (const char *dir)
{
  g_autofree char *dataset_path = g_build_filename (dir, "scale.jsonl", NULL);
  char *project_path = g_build_filename (dir, "scale.clair", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) words = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GPtrArray) group = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_attempt_free);
  gint64 t0 = g_get_monotonic_time ();
  FILE *f;

  f = fopen (dataset_path, "w");
  g_assert_nonnull (f);
  for (guint i = 0; i < n_rows; i++)
    {
      g_string_truncate (line, 0);
      g_string_truncate (words, 0);
      g_string_append_printf (words, "Question %u: ", i);
      append_words (words, rand, g_rand_int_range (rand, 3, 10));
      if (i % 1000 == 3)
        g_string_append (words, " zebrafish");
      g_string_append (line, "{\"task\":");
      clair_json_append_string (line, words->str, words->len);
      g_string_truncate (words, 0);
      append_words (words, rand, g_rand_int_range (rand, 4, 16));
      g_string_append (line, ",\"student_solution\":");
      clair_json_append_string (line, words->str, words->len);
      g_string_append (line, "}\n");
      fwrite (line->str, 1, line->len, f);
    }
  g_assert_cmpint (fclose (f), ==, 0);

  project = import_jsonl (dataset_path, project_path, n_rows);

  for (guint i = 0; i < n_rows; i++)
    {
      ClairAttempt *attempt;

      if (i % 20 == 19)
        continue;   /* pending */
      attempt = clair_attempt_new ();
      attempt->row = i;
      if (i % 100 == 50)
        {
          attempt->status = CLAIR_ROW_FAILED;
          attempt->http_status = 503;
          attempt->error = g_strdup ("The server was unavailable (HTTP 503) after 6 attempts");
        }
      else
        {
          attempt->status = CLAIR_ROW_REVISED;
          attempt->revision = g_strdup_printf ("Revised answer %u.", i);
          attempt->raw_output = g_strdup_printf ("{corrected_student_solution}: Revised answer %u.", i);
          attempt->parse_status = g_strdup ("ok");
          attempt->has_metrics = TRUE;
          attempt->metrics.jaccard = g_rand_double (rand);
          attempt->metrics.levenshtein_norm = 1.0 - attempt->metrics.jaccard;
        }
      g_ptr_array_add (group, attempt);
      if (group->len == 1024)
        {
          g_assert_true (clair_project_add_attempts (project, (ClairAttempt **) group->pdata, group->len, &error));
          g_ptr_array_set_size (group, 0);
        }
    }
  if (group->len > 0)
    g_assert_true (clair_project_add_attempts (project, (ClairAttempt **) group->pdata, group->len, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n_rows; i += 997)
    if (i % 20 != 19 && i % 100 != 50)
      g_assert_true (clair_project_set_decision (project, i, i % 3 ? CLAIR_DECISION_ACCEPTED : CLAIR_DECISION_REJECTED,
                                                 NULL, NULL, &error));
  g_test_message ("built a %u-row project in %.1f s", n_rows, (g_get_monotonic_time () - t0) / 1e6);
  /* The dataset stays: the window imports it again, through the mapping step. */
  return project_path;
}

/* ------------------------------------------------------------------------------------------------
 * The walk through the window */

static gboolean
importing_with_rows (gpointer data)
{
  ClairWindow *window = data;

  return clair_run_bar_get_importing (run_bar (window)) && !clair_window_get_busy (window) &&
         clair_row_list_pane_get_n_rows (row_list (window)) > 0;
}

static gboolean
import_over (gpointer data)
{
  return !clair_run_bar_get_importing (run_bar (CLAIR_WINDOW (data)));
}

static gboolean
window_loaded (gpointer data)
{
  ClairWindow *window = data;

  return clair_window_get_project (window) != NULL && !clair_window_get_busy (window) &&
         clair_row_list_pane_get_n_rows (row_list (window)) > 0 && clair_window_get_current_row (window) >= 0;
}

/* Every row the list shows on screen has its task. */
static gboolean
tasks_on_screen (gpointer data)
{
  ClairWindow *window = data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (find_by_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW)));
  double rows_per_px = n_rows / gtk_adjustment_get_upper (adjustment);
  guint first = (guint) (gtk_adjustment_get_value (adjustment) * rows_per_px);
  guint last = (guint) ((gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)) * rows_per_px);

  for (guint i = first; i < last && i < n_rows; i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (clair_window_get_rows (window), i);

      if (clair_row_item_get_task (item) == NULL)
        return FALSE;
    }
  return last > first;
}

static gboolean
list_settled (gpointer data)
{
  ClairWindow *window = data;

  return !clair_row_list_pane_get_pending (row_list (window));
}

static gboolean
search_cleared (gpointer data)
{
  ClairWindow *window = data;

  return list_settled (window) && clair_row_list_pane_get_search_text (row_list (window)) == NULL;
}

static gboolean
search_done (gpointer data)
{
  ClairWindow *window = data;

  return list_settled (window) && clair_row_list_pane_get_search_text (row_list (window)) != NULL;
}

static gboolean
bulk_done (gpointer data)
{
  ClairWindow *window = data;

  return !clair_window_get_bulk_pending (window);
}

static guint
n_shown (ClairWindow *window)
{
  return g_list_model_get_n_items (clair_window_get_rows (window));
}

static void
set_filter (ClairWindow     *window,
            ClairFilterKind  kind)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_by_label (window, "Status filter")), kind);
  g_assert_true (wait_until (list_settled, window, 60000));
  iterate_for (50);
}

/* Types @text into the search field (after clearing it) and waits for the list to show the
 * matches: the search starts 150 ms after the last keystroke, runs in a thread, and ends in a
 * refilter. An empty @text clears the search. */
static void
search_for (ClairWindow *window,
            const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (get_by_label (window, "Search rows")), "");
  g_assert_true (wait_until (search_cleared, window, 60000));
  /* A few frames, as between two things a person does: what the test does next is not counted
   * in the same turn of the main loop as the list's layout. */
  iterate_for (50);
  if (*text == '\0')
    return;
  gtk_editable_set_text (GTK_EDITABLE (get_by_label (window, "Search rows")), text);
  g_assert_true (wait_until (search_done, window, 60000));
  iterate_for (50);
}

static void
test_scale (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-scale-XXXXXX");
  g_autofree char *project_path = NULL;
  g_autofree char *export_path = g_build_filename (dir, "export.jsonl", NULL);
  GtkAdjustment *vadjustment;
  ClairExportDialog *export;
  ClairWindow *window;
  guint watchdog_id;
  guint n_zebra;
  gboolean sorted;
  Phase *phase;
  GStatBuf st;

  /* CLAIR_SCALE_PROJECT=PATH keeps the project there (built when missing), for quick reruns. */
  if (g_getenv ("CLAIR_SCALE_PROJECT") != NULL)
    {
      project_path = g_strdup (g_getenv ("CLAIR_SCALE_PROJECT"));
      if (!g_file_test (project_path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *built = make_project (dir);
          g_assert_cmpint (g_rename (built, project_path), ==, 0);
        }
    }
  else
    project_path = make_project (dir);

  window = clair_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  iterate_for (300);
  trace = g_getenv ("CLAIR_SCALE_TRACE") != NULL;
  if (trace)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
      static const char * const stages[] = { "before-paint", "update", "layout", "paint", "after-paint" };

      for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
        g_signal_connect (clock, stages[i], G_CALLBACK (frame_stage_cb), (gpointer) stages[i]);
    }
  /* From here to the end, in the phases and between them. */
  schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  dog.last_tick = g_get_monotonic_time ();
  dog.last_cpu = thread_cpu_us ();
  dog.last_delay = thread_run_delay_us ();
  watchdog_id = g_timeout_add_full (G_PRIORITY_HIGH, 5, watchdog_tick, NULL, NULL);

  /* Import the dataset through the mapping step: the list fills as the rows come in, and the
   * import is over when every row is listed. */
  if (g_getenv ("CLAIR_SCALE_PROJECT") == NULL)
    {
      g_autofree char *dataset_path = g_build_filename (dir, "scale.jsonl", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (dataset_path);
      ClairMappingDialog *mapping;
      guint n_first = 0;
      gint64 took_over;

      phase_begin ();
      clair_window_open_file (window, file);
      mapping = find_window (CLAIR_TYPE_MAPPING_DIALOG, 10000);
      clair_mapping_dialog_import (mapping);
      g_assert_true (wait_until (importing_with_rows, window, 120000));
      took_over = g_get_monotonic_time ();
      n_first = clair_row_list_pane_get_n_rows (row_list (window));
      g_assert_true (wait_until (import_over, window, 120000));
      phase = phase_end ("import");
      g_test_message ("import: %u rows listed when the window took over, %.2f s after the start",
                      n_first, (took_over - dog.started) / 1e6);
      g_assert_cmpuint (clair_row_list_pane_get_n_rows (row_list (window)), ==, n_rows);
      g_assert_cmpuint (n_first, <, n_rows);
      iterate_for (300);
    }

  /* Open: from the call to the list showing rows and the first one selected. */
  phase_begin ();
  clair_window_open_project (window, project_path);
  g_assert_true (wait_until (window_loaded, window, 120000));
  g_assert_true (wait_until (list_settled, window, 120000));
  phase_end ("open");
  g_assert_cmpuint (n_shown (window), ==, n_rows);
  iterate_for (300);

  /* Scroll from top to bottom in 40 steps, letting each frame render and tasks load. */
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (find_by_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW)));
  g_assert_nonnull (vadjustment);
  phase_begin ();
  for (guint step = 0; step <= 40; step++)
    {
      double upper = gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment);

      gtk_adjustment_set_value (vadjustment, upper * step / 40.0);
      iterate_for (40);
    }
  phase_end ("scroll");
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >, 0);
  /* Tasks are read for the rows on screen only: those of a screenful far down are there soon
   * after it is shown, and a row a page away from it has none. */
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment) * 0.37);
  g_assert_true (wait_until (tasks_on_screen, window, 10000));
  {
    double rows_per_px = n_rows / gtk_adjustment_get_upper (vadjustment);
    guint far = (guint) ((gtk_adjustment_get_value (vadjustment) + 3 * gtk_adjustment_get_page_size (vadjustment)) * rows_per_px);

    g_autoptr(ClairRowItem) item = g_list_model_get_item (clair_window_get_rows (window), far);

    g_assert_null (clair_row_item_get_task (item));
  }
  gtk_adjustment_set_value (vadjustment, 0);
  iterate_for (200);

  /* Status filters, one after another. */
  phase_begin ();
  set_filter (window, CLAIR_FILTER_REVISED);
  g_assert_cmpuint (n_shown (window), >, n_rows * 9 / 10);
  set_filter (window, CLAIR_FILTER_FAILED);
  g_assert_cmpuint (n_shown (window), ==, (n_rows + 49) / 100);
  set_filter (window, CLAIR_FILTER_NOT_MINIMAL);
  set_filter (window, CLAIR_FILTER_ACCEPTED);
  set_filter (window, CLAIR_FILTER_ALL);
  g_assert_cmpuint (n_shown (window), ==, n_rows);
  phase_end ("filter");

  /* Search: a word in about half the rows, then a rare one. */
  phase_begin ();
  search_for (window, "protein");
  g_assert_cmpuint (n_shown (window), >, n_rows / 10);
  search_for (window, "zebrafish");
  n_zebra = n_shown (window);
  g_assert_cmpuint (n_zebra, ==, (n_rows + 996) / 1000);
  phase_end ("search");

  /* Sort the whole list by similarity, then by distance. */
  search_for (window, "");
  g_assert_cmpuint (n_shown (window), ==, n_rows);
  phase_begin ();
  clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_SIMILARITY, GTK_SORT_ASCENDING);
  sorted = wait_until (list_settled, window, 30000);
  if (sorted)
    {
      iterate_for (50);
      clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_DISTANCE, GTK_SORT_ASCENDING);
      sorted = wait_until (list_settled, window, 30000);
    }
  iterate_for (50);
  phase = phase_end ("sort");
  if (sorted)
    {
      g_autoptr(ClairRowItem) first = g_list_model_get_item (clair_window_get_rows (window), 0);
      g_autoptr(ClairRowItem) second = g_list_model_get_item (clair_window_get_rows (window), 1);

      g_assert_cmpfloat (clair_row_item_get_distance (first), <=, clair_row_item_get_distance (second));
    }
  else
    {
      /* Reported below; the walk goes on with the list unsorted. */
      phase->unfinished = TRUE;
      clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_NONE, GTK_SORT_ASCENDING);
      g_assert_true (wait_until (list_settled, window, 60000));
    }

  /* Select: a click on a row far down, the next rows by keyboard, a row by index (undo does it). */
  phase_begin ();
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (clair_window_get_rows (window)), n_rows / 2, TRUE);
  iterate_for (50);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-row", NULL));
      iterate_for (30);
    }
  g_assert_true (clair_window_select_row (window, n_rows - 2));
  iterate_for (50);
  phase_end ("select");
  g_assert_cmpint (clair_window_get_current_row (window), ==, (int) n_rows - 2);

  /* The statistics popover reads every row's similarity for its histogram. */
  phase_begin ();
  gtk_menu_button_popup (stats_button (window));
  iterate_for (200);
  gtk_menu_button_popdown (stats_button (window));
  iterate_for (50);
  phase_end ("statistics");

  /* Bulk-accept what a search shows. */
  clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_NONE, GTK_SORT_ASCENDING);
  search_for (window, "zebrafish");
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (clair_window_get_rows (window)), 0, TRUE);
  iterate_for (50);
  phase_begin ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.bulk-accept", NULL));
  g_assert_true (wait_until (bulk_done, window, 60000));
  iterate_for (100);
  phase_end ("bulk-accept");
  search_for (window, "");

  /* Export every row through the dialog. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  export = find_window (CLAIR_TYPE_EXPORT_DIALOG, 10000);
  iterate_for (100);
  clair_export_dialog_set_format (export, CLAIR_EXPORT_TRL);
  clair_export_dialog_set_selection (export, CLAIR_EXPORT_SELECT_ALL);
  clair_export_dialog_set_destination (export, export_path);
  g_object_add_weak_pointer (G_OBJECT (export), (gpointer *) &export);
  phase_begin ();
  clair_export_dialog_export (export);
  g_assert_true (wait_until (is_null, &export, 120000));
  phase_end ("export");
  g_assert_cmpint (g_stat (export_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, n_rows * 20);

  note_gap (g_get_monotonic_time (), thread_cpu_us ());
  g_source_remove (watchdog_id);

  /* The bulk decisions are in the file. Checked once the watchdog is off: counting every row's
   * decision here, on the main thread, is the test's work, not the window's (it held the loop
   * 100–145 ms between the bulk-accept and the export phases when it was done there). */
  {
    ClairProjectCounts counts;

    g_assert_true (clair_project_get_counts (clair_window_get_project (window), &counts, NULL));
    g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_ACCEPTED], >=, n_zebra * 9 / 10);
  }

  g_test_message ("%u rows: open %.0f ms, filter %.0f ms (5 switches), search %.0f ms (2 searches),"
                  " export %.0f ms; peak RSS %.0f MB", n_rows, phase_ms ("open"), phase_ms ("filter"),
                  phase_ms ("search"), phase_ms ("export"), peak_rss_mb ());

  /* Every phase kept the window responsive, and so did the steps between them. */
  g_test_message ("between phases: longest main-loop gap %.1f ms (most CPU in one %.1f ms, longest not "
                  "waiting for a CPU %.1f ms), after %s", dog.between_max_gap / 1000.0,
                  dog.between_max_cpu_gap / 1000.0, dog.between_max_held / 1000.0,
                  dog.between_where ? dog.between_where : "none");
  for (guint i = 0; i <= dog.n_phases; i++)
    {
      Phase between = { "the steps between phases", 0, dog.between_max_gap / 1000.0,
                        dog.between_max_cpu_gap / 1000.0, dog.between_max_held / 1000.0, 0, 0, FALSE };
      const Phase *p = i < dog.n_phases ? &dog.phases[i] : &between;

      if (p->unfinished)
        g_test_fail_printf ("%s did not finish within 30 s", p->name);
      else if (p->max_cpu_gap_ms >= MAX_GAP_MS)
        g_test_fail_printf ("%s worked %.1f ms in one turn of the main loop (limit %d ms)",
                            p->name, p->max_cpu_gap_ms, MAX_GAP_MS);
      else if (p->max_held_ms >= MAX_HELD_MS)
        g_test_fail_printf ("%s held the main loop for %.1f ms, not counting the time it waited for a "
                            "CPU (limit %d ms)", p->name, p->max_held_ms, MAX_HELD_MS);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (100);
  remove_tree (dir);
  if (schedstat_fd >= 0)
    close (schedstat_fd);
}

int
main (int   argc,
      char *argv[])
{
  const char *rows = g_getenv ("CLAIR_SCALE_ROWS");

  /* Under Xvfb the GL renderer is Mesa's llvmpipe: its frames cost a real GPU's nothing and
   * would dominate every figure (and take both CPUs of a small CI machine), so the test renders
   * with cairo unless told otherwise. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  if (rows != NULL)
    n_rows = MAX (1000, (guint) g_ascii_strtoull (rows, NULL, 10));

  g_test_add_func ("/ui/scale/watchdog", test_scale);
  return g_test_run ();
}
