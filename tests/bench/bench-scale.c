/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-scale"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "clair-enum-nick.h"
#include "clair-export.h"
#include "clair-json.h"
#include "clair-project.h"
#include "../test-util.h"

/* A 400k-row project end to end, through the public API only: import a generated JSONL dataset,
 * store a finished run (one attempt per row, in the runner's groups of 256), decide some rows, then
 * time what a session does — open, load the row summaries, filter them, read records at random,
 * search, export — and the peak RSS of each phase (VmHWM, reset between phases).
 *
 * Usage: bench-scale [N_ROWS] [DIR]   (default 400000 rows under /tmp; files are removed at the end)
 * The whole-process peak is printed at the end (resetting VmHWM hides it from `time -v`). */

#define N_RUNS 5

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Resets the peak RSS so the next reading belongs to one phase (Linux ≥ 4.0). */
static void
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f != NULL)
    {
      fputs ("5", f);
      fclose (f);
    }
}

/* The largest phase peak: resetting VmHWM also resets what `time -v` would report. */
static double overall_peak;

static void
report (const char *name,
        double     *times,
        guint       n,
        const char *extra)
{
  double peak = peak_rss_mb ();

  qsort (times, n, sizeof times[0], compare_doubles);
  overall_peak = MAX (overall_peak, peak);
  printf ("%-22s median %10.3f ms  (min %10.3f, max %10.3f)  peak RSS %7.1f MB  %s\n", name,
          times[n / 2] * 1e3, times[0] * 1e3, times[n - 1] * 1e3, peak, extra ? extra : "");
  fflush (stdout);
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
generate_dataset (const char *path,
                  guint       n_rows)
{
  g_autoptr(GString) line = g_string_new (NULL);
  FILE *f = fopen (path, "w");

  g_assert_nonnull (f);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *task = g_strdup_printf ("Question %u: explain why the sky looks blue at noon"
                                               " and red at sunset, in two paragraphs.", i);
      g_autoptr(GString) solution = g_string_new (NULL);

      for (guint k = 0; k < 10; k++)
        g_string_append_printf (solution, "Sentence %u of answer %u says something \"quoted\" "
                                "and plausible about light.\n", k, i);
      if (i % 997 == 0)
        g_string_append (solution, "Rayleigh scattering needle.");

      g_string_truncate (line, 0);
      g_string_append (line, "{\"id\":");
      clair_json_append_int (line, i);
      g_string_append (line, ",\"task\":");
      clair_json_append_string (line, task, -1);
      g_string_append (line, ",\"student_solution\":");
      clair_json_append_string (line, solution->str, solution->len);
      g_string_append (line, "}\n");
      fwrite (line->str, 1, line->len, f);
    }
  fclose (f);
}

static void
store_run (ClairProject *project,
           guint         n_rows)
{
  g_autoptr(GPtrArray) group = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_attempt_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(ClairRecord) record = NULL;
      ClairAttempt *attempt = clair_attempt_new ();

      attempt->row = i;
      if (i % 50 == 7)
        {
          attempt->status = CLAIR_ROW_FAILED;
          attempt->http_status = 503;
          attempt->error = g_strdup ("The server was unavailable (HTTP 503) after 6 attempts");
        }
      else
        {
          attempt->status = CLAIR_ROW_REVISED;
          attempt->revision = g_strdup_printf ("Revised answer %u: the sky is blue because of"
                                               " Rayleigh scattering.", i);
          attempt->rationale = g_strdup ("The original was vague.");
          attempt->raw_output = g_strdup_printf ("{teacher_reasoning}: vague\n"
                                                 "{corrected_student_solution}: %s",
                                                 attempt->revision);
          attempt->marker = g_strdup ("{corrected_student_solution}:");
          attempt->parse_status = g_strdup ("ok");
          attempt->finish_reason = g_strdup ("stop");
          attempt->has_metrics = TRUE;
          attempt->metrics.jaccard = (i % 100) / 100.0;
          attempt->metrics.levenshtein_norm = 1.0 - attempt->metrics.jaccard;
        }
      attempt->model_requested = g_strdup ("teacher");
      attempt->prompt_tokens = 500;
      attempt->completion_tokens = 300;
      g_ptr_array_add (group, attempt);

      if (group->len == 256 || i + 1 == n_rows)
        {
          clair_project_add_attempts (project, (ClairAttempt **) group->pdata, group->len, &error);
          g_assert_no_error (error);
          g_ptr_array_set_size (group, 0);
        }
    }
}

static void
decide_some (ClairProject *project,
             guint         n_rows,
             guint         n_decisions)
{
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < n_decisions; k++)
    {
      guint i = (guint) (((guint64) k * 7919) % n_rows);

      clair_project_set_decision (project, i, k % 3 == 2 ? CLAIR_DECISION_REJECTED
                                                         : CLAIR_DECISION_ACCEPTED,
                                  k % 5 == 0 ? "An edited revision." : NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  guint n_rows = argc > 1 ? (guint) atoi (argv[1]) : 400000;
  const char *dir = argc > 2 ? argv[2] : g_get_tmp_dir ();
  g_autofree char *dataset_path = g_strdup_printf ("%s/clair-bench-scale-%u.jsonl", dir, n_rows);
  g_autofree char *project_path = g_strdup_printf ("%s/clair-bench-scale-%u.clair", dir, n_rows);
  g_autofree char *export_path = g_strdup_printf ("%s/clair-bench-scale-export.jsonl", dir);
  g_autofree char *wal = g_strconcat (project_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (project_path, "-shm", NULL);
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  double times[N_RUNS], t;
  char extra[128];

  printf ("bench-scale: %u rows in %s\n", n_rows, dir);
  g_unlink (project_path);
  g_unlink (wal);
  g_unlink (shm);
  generate_dataset (dataset_path, n_rows);

  /* Building the project: once each, these are setup costs a user pays once. */
  {
    g_autoptr(ClairDataset) dataset = NULL;
    g_autoptr(ClairProject) project = NULL;
    ClairImportReport import_report = { 0, NULL };
    struct stat st;

    reset_peak_rss ();
    t = now ();
    dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_JSONL, &error);
    g_assert_no_error (error);
    project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
    g_assert_no_error (error);
    clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &import_report,
                                  &error);
    g_assert_no_error (error);
    g_assert_cmpuint (import_report.n_imported, ==, n_rows);
    times[0] = now () - t;
    g_stat (dataset_path, &st);
    g_snprintf (extra, sizeof extra, "(%.0f MB of JSONL, once)", st.st_size / 1048576.0);
    report ("import", times, 1, extra);
    clair_import_report_clear (&import_report);

    reset_peak_rss ();
    t = now ();
    store_run (project, n_rows);
    times[0] = now () - t;
    g_snprintf (extra, sizeof extra, "(%.0f results/s committed in groups of 256, once)",
                n_rows / times[0]);
    report ("store run results", times, 1, extra);

    reset_peak_rss ();
    t = now ();
    decide_some (project, n_rows, 2000);
    times[0] = (now () - t) / 2000;
    report ("decision (each)", times, 1, "(2000 decisions, each committed at once)");
  }

  /* Opening a saved project. */
  reset_peak_rss ();
  for (guint r = 0; r < N_RUNS; r++)
    {
      g_autoptr(ClairProject) project = NULL;

      t = now ();
      project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (clair_project_get_n_rows (project), ==, n_rows);
      times[r] = now () - t;
    }
  report ("open", times, N_RUNS, NULL);

  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT,
                                                          &error);
    g_autoptr(GArray) summaries = NULL;
    ClairProjectCounts counts;
    guint n_match = 0;

    g_assert_no_error (error);

    /* What the row list loads. */
    reset_peak_rss ();
    for (guint r = 0; r < N_RUNS; r++)
      {
        g_clear_pointer (&summaries, g_array_unref);
        t = now ();
        summaries = clair_project_get_summaries (project, &error);
        g_assert_no_error (error);
        times[r] = now () - t;
      }
    g_assert_cmpuint (summaries->len, ==, n_rows);
    g_snprintf (extra, sizeof extra, "(%u summaries of %zu bytes)", summaries->len,
                sizeof (ClairRowSummary));
    report ("summaries", times, N_RUNS, extra);

    reset_peak_rss ();
    for (guint r = 0; r < N_RUNS; r++)
      {
        t = now ();
        clair_project_get_counts (project, &counts, &error);
        g_assert_no_error (error);
        times[r] = now () - t;
      }
    report ("counts", times, N_RUNS, NULL);

    /* A status filter over the loaded summaries, as the list filter does ("Revised, not decided,
     * similarity below 0.5"). */
    reset_peak_rss ();
    for (guint r = 0; r < N_RUNS; r++)
      {
        t = now ();
        n_match = 0;
        for (guint i = 0; i < summaries->len; i++)
          {
            const ClairRowSummary *s = &g_array_index (summaries, ClairRowSummary, i);

            n_match += s->status == CLAIR_ROW_REVISED && s->decision == CLAIR_DECISION_NONE &&
                       s->jaccard < 0.5f;
          }
        times[r] = now () - t;
      }
    g_snprintf (extra, sizeof extra, "(%u rows match)", n_match);
    report ("filter (in memory)", times, N_RUNS, extra);

    reset_peak_rss ();
    for (guint r = 0; r < N_RUNS; r++)
      {
        g_autoptr(GArray) rows = NULL;

        t = now ();
        rows = clair_project_list_rows_to_run (project, CLAIR_SELECT_FAILED, 0, G_MAXUINT, 0, &error);
        g_assert_no_error (error);
        times[r] = now () - t;
        n_match = rows->len;
      }
    g_snprintf (extra, sizeof extra, "(%u failed rows)", n_match);
    report ("filter failed (SQL)", times, N_RUNS, extra);

    /* Clicking through rows: one record with its latest attempt. */
    reset_peak_rss ();
    for (guint r = 0; r < N_RUNS; r++)
      {
        t = now ();
        for (guint k = 0; k < 1000; k++)
          {
            g_autoptr(ClairRecord) record = NULL;

            record = clair_project_get_record (project, (guint) (((guint64) k * 104729) % n_rows),
                                               &error);
            g_assert_no_error (error);
          }
        times[r] = (now () - t) / 1000;
      }
    report ("record (each)", times, N_RUNS, "(1000 random rows)");

    reset_peak_rss ();
    for (guint r = 0; r < 3; r++)
      {
        g_autoptr(GArray) hits = NULL;

        t = now ();
        hits = clair_project_search (project, "rayleigh scattering needle", NULL, &error);
        g_assert_no_error (error);
        times[r] = now () - t;
        n_match = hits->len;
      }
    g_snprintf (extra, sizeof extra, "(%u hits)", n_match);
    report ("search rare", times, 3, extra);

    reset_peak_rss ();
    for (guint r = 0; r < 3; r++)
      {
        g_autoptr(GArray) hits = NULL;

        t = now ();
        hits = clair_project_search (project, "Revised answer 1", NULL, &error);
        g_assert_no_error (error);
        times[r] = now () - t;
        n_match = hits->len;
      }
    g_snprintf (extra, sizeof extra, "(%u hits)", n_match);
    report ("search common", times, 3, extra);

    for (ClairExportFormat format = CLAIR_EXPORT_TRL; format <= CLAIR_EXPORT_DISTILABEL; format++)
      {
        ClairExportOptions options = { format, CLAIR_EXPORT_SELECT_REVISED, TRUE, NULL, NULL };
        ClairExportSummary summary = { 0 };
        g_autofree char *name = g_strdup_printf ("export %s",
                                                 clair_enum_to_nick (CLAIR_TYPE_EXPORT_FORMAT,
                                                                     format));

        reset_peak_rss ();
        for (guint r = 0; r < 3; r++)
          {
            t = now ();
            clair_export_summary_clear (&summary);
            clair_export_to_file (project, &options, export_path, NULL, NULL, NULL, &summary, &error);
            g_assert_no_error (error);
            times[r] = now () - t;
          }
        g_snprintf (extra, sizeof extra, "(%" G_GUINT64_FORMAT " lines)", summary.n_lines);
        clair_export_summary_clear (&summary);
        report (name, times, 3, extra);
      }
  }

  printf ("peak RSS of the whole run %.1f MB\n", overall_peak);
  g_unlink (export_path);
  g_unlink (project_path);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (dataset_path);
  return 0;
}
