/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-export"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "clair-enum-nick.h"
#include "clair-export.h"
#include "clair-project.h"

/* Exports 400k revised rows in every preset and prints the median wall time of 5 runs per preset
 * and the peak RSS. Usage: bench-export [N_ROWS] (default 400000). The project is built once under
 * /tmp and reused. */

static void
build_project (const char *path,
               guint       n_rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *row_stmt = NULL;
  sqlite3_stmt *attempt_stmt = NULL;
  g_autoptr(GString) solution = g_string_new (NULL);

  project = clair_project_open (path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_clear_object (&project);

  for (guint i = 0; i < 40; i++)
    g_string_append (solution, "The quick brown fox jumps over the lazy dog, \"quoted\" and\n ");

  /* Rows and attempts straight into SQLite: this measures export, not import. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO rows (idx, line, task, solution, extra, status, latest_attempt,"
                          " n_attempts, jaccard, levenshtein_norm) VALUES (?1, ?1 + 1, ?2, ?3,"
                          " '{\"id\":\"x\"}', 1, ?1 + 1, 1, 0.9, 0.1)", -1, &row_stmt, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO attempts (id, row_idx, status, raw_output, revision, rationale,"
                          " model_requested, prompt_tokens, completion_tokens, has_metrics, jaccard)"
                          " VALUES (?1 + 1, ?1, 1, ?2, ?2 || ' Revised.', 'Because.', 'm', 500, 600, 1, 0.9)",
                      -1, &attempt_stmt, NULL);
  for (guint i = 0; i < n_rows; i++)
    {
      char task[64];

      g_snprintf (task, sizeof task, "Task number %u: explain something.", i);
      sqlite3_bind_int64 (row_stmt, 1, i);
      sqlite3_bind_text (row_stmt, 2, task, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (row_stmt, 3, solution->str, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (row_stmt), ==, SQLITE_DONE);
      sqlite3_reset (row_stmt);
      sqlite3_bind_int64 (attempt_stmt, 1, i);
      sqlite3_bind_text (attempt_stmt, 2, solution->str, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (attempt_stmt), ==, SQLITE_DONE);
      sqlite3_reset (attempt_stmt);
    }
  sqlite3_finalize (row_stmt);
  sqlite3_finalize (attempt_stmt);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);

  /* Every third row accepted, through the project, as the window does it. */
  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GArray) states = g_array_new (FALSE, TRUE, sizeof (ClairDecisionState));

    for (guint i = 0; i < n_rows; i += 3)
      {
        ClairDecisionState state = { i, CLAIR_DECISION_ACCEPTED, NULL, NULL, FALSE };

        g_array_append_val (states, state);
      }
    g_assert_true (clair_project_write_decisions (project, (ClairDecisionState *) states->data, states->len,
                                                  NULL, NULL, &error));
    g_assert_no_error (error);
  }
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;
  guint n_rows = argc > 1 ? (guint) atoi (argv[1]) : 400000;
  /* Per schema version: a file built by another version is not reused. */
  g_autofree char *path = g_strdup_printf ("/tmp/clair-bench-export-v%d-%u.clair",
                                           CLAIR_PROJECT_SCHEMA_VERSION, n_rows);
  const char *out = "/tmp/clair-bench-export.jsonl";
  struct rusage usage;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      printf ("building %s with %u rows…\n", path, n_rows);
      build_project (path, n_rows);
    }

  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  for (ClairExportFormat format = CLAIR_EXPORT_TRL; format <= CLAIR_EXPORT_DISTILABEL; format++)
    {
      ClairExportOptions options = { format, CLAIR_EXPORT_SELECT_ALL, FALSE, NULL, NULL };
      double times[5];
      ClairExportSummary summary = { 0 };

      for (guint run = 0; run < G_N_ELEMENTS (times); run++)
        {
          gint64 start = g_get_monotonic_time ();

          clair_export_summary_clear (&summary);
          clair_export_to_file (project, &options, out, NULL, NULL, NULL, &summary, &error);
          g_assert_no_error (error);
          times[run] = (g_get_monotonic_time () - start) / 1e6;
        }
      qsort (times, G_N_ELEMENTS (times), sizeof times[0], compare_doubles);
      printf ("%-12s %" G_GUINT64_FORMAT " lines: median %.3f s (min %.3f, max %.3f)\n",
              clair_enum_to_nick (CLAIR_TYPE_EXPORT_FORMAT, format), summary.n_lines, times[2],
              times[0], times[4]);
      clair_export_summary_clear (&summary);
    }
  g_unlink (out);

  getrusage (RUSAGE_SELF, &usage);
  printf ("peak RSS %.1f MB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
