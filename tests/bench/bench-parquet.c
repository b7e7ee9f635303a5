/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-parquet"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clair-dataset.h"

/* Reads a Parquet dataset as the app and `clair import` do, and reports:
 *   first rows: open + index + the first 50 rows read (what the list shows first), median of runs;
 *   a full sequential read of every row with the mapping (the reading half of an import);
 *   the peak RSS of this process.
 *
 * Usage: bench-parquet PATH [TASK_COLUMN SOLUTION_COLUMN] [RUNS]
 * tests/bench/bench-parquet.sh makes the files and runs this beside `clair import` and DuckDB. */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

static ClairDataset *
open_and_read_first (const char         *path,
                     const ClairMapping *mapping,
                     double             *seconds)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);

  if (dataset == NULL || !clair_dataset_index (dataset, NULL, &error))
    {
      fprintf (stderr, "bench-parquet: %s\n", error->message);
      exit (1);
    }
  for (guint i = 0; i < 50 && i < clair_dataset_get_n_rows (dataset); i++)
    {
      g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, i, mapping, &error);

      if (row == NULL)
        {
          fprintf (stderr, "bench-parquet: %s\n", error->message);
          exit (1);
        }
    }
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  return g_steal_pointer (&dataset);
}

int
main (int   argc,
      char *argv[])
{
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  guint runs = 5;
  double first[32];
  g_autoptr(ClairDataset) dataset = NULL;
  gint64 start;
  guint64 bytes = 0;
  guint n_rows;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s PATH [TASK_COLUMN SOLUTION_COLUMN] [RUNS]\n", argv[0]);
      return 2;
    }
  if (argc >= 4)
    {
      mapping.task_column = argv[2];
      mapping.solution_column = argv[3];
    }
  if (argc >= 5)
    runs = CLAMP ((guint) atoi (argv[4]), 1, G_N_ELEMENTS (first));

  for (guint r = 0; r < runs; r++)
    g_object_unref (open_and_read_first (argv[1], &mapping, &first[r]));
  qsort (first, runs, sizeof first[0], compare_doubles);
  printf ("first rows (open, index, 50 rows): median %.3f s, min %.3f s, max %.3f s over %u runs\n",
          first[runs / 2], first[0], first[runs - 1], runs);

  dataset = open_and_read_first (argv[1], &mapping, &first[0]);
  n_rows = clair_dataset_get_n_rows (dataset);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, i, &mapping, &error);

      if (row == NULL)
        {
          fprintf (stderr, "bench-parquet: %s\n", error->message);
          return 1;
        }
      bytes += strlen (row->task) + strlen (row->solution) + strlen (row->extra_json);
    }
  printf ("read all %u rows: %.2f s (%.0f MB of text), peak RSS %.0f MB\n", n_rows,
          (g_get_monotonic_time () - start) / 1e6, bytes / 1e6, peak_rss_mb ());
  return 0;
}
