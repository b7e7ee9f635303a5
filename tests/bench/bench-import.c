/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-import"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "clair-project.h"

/* Imports a large JSONL dataset into a new project, in one transaction and in batches (as the
 * app does, so its list fills while the import runs), and prints the time of each and, for
 * batches, when the first rows could be read by another connection.
 *
 * Usage: bench-import [PATH [BATCH]]   (default /tmp/clair-bench-400k.jsonl from gen-dataset, 8192) */

typedef struct
{
  gint64  start;
  gint64  first_rows;
  guint   batch;
} Timing;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Timing *timing = user_data;

  /* Reported after the batch before it is committed. */
  if (timing->batch > 0 && timing->first_rows == 0 && done >= timing->batch)
    timing->first_rows = g_get_monotonic_time ();
}

static void
import_once (const char *dataset_path,
             guint       batch)
{
  g_autofree char *project_path = g_strdup_printf ("%s.bench-%u.clair", dataset_path, batch);
  g_autofree char *wal = g_strconcat (project_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (project_path, "-shm", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  ClairMapping mapping = { NULL, NULL };
  ClairImportReport report = { 0, NULL };
  Timing timing = { 0, 0, batch };

  g_unlink (project_path);
  g_unlink (wal);
  g_unlink (shm);
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert (clair_dataset_index (dataset, NULL, &error));
  g_assert (clair_mapping_guess (clair_dataset_get_columns (dataset), &mapping));
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_set_import_batch (project, batch);
  timing.start = g_get_monotonic_time ();
  g_assert (clair_project_import_dataset (project, dataset, &mapping, NULL, progress_cb, &timing,
                                          &report, &error));
  printf ("%-22s %u rows in %.2f s", batch ? "in batches" : "one transaction", report.n_imported,
          (g_get_monotonic_time () - timing.start) / 1e6);
  if (batch > 0)
    printf (" (first %u rows readable after %.0f ms)", batch, (timing.first_rows - timing.start) / 1e3);
  printf ("\n");
  clair_import_report_clear (&report);
  clair_mapping_clear (&mapping);
  g_clear_object (&project);
  g_unlink (project_path);
  g_unlink (wal);
  g_unlink (shm);
}

int
main (int   argc,
      char *argv[])
{
  const char *path = argc > 1 ? argv[1] : "/tmp/clair-bench-400k.jsonl";
  guint batch = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 8192;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "%s is missing: make it with gen-dataset\n", path);
      return 1;
    }
  for (guint i = 0; i < 2; i++)
    {
      import_once (path, 0);
      import_once (path, batch);
    }
  return 0;
}
