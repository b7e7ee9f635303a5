/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-index"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "clair-dataset.h"

/* Opens, indexes and reads every row of a large JSONL dataset, 5 times, and prints medians:
 *   first rows: from the start of open() until 50 rows are readable (indexing in a thread),
 *   index:      from the start of open() until the index is complete,
 *   read all:   clair_dataset_read_row() over every row, in order, as the importer does.
 * The dataset (400k rows, about 1 GB) is generated with gen-dataset when missing.
 *
 * Usage: bench-index [PATH]   (default /tmp/clair-bench-400k.jsonl)
 * Peak RSS: /usr/bin/time -v bench-index */

#define N_RUNS 5

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values)
{
  qsort (values, N_RUNS, sizeof (double), compare_doubles);
  return values[N_RUNS / 2];
}

static gpointer
index_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!clair_dataset_index (data, NULL, &error))
    g_error ("index: %s", error->message);
  return NULL;
}

static void
ensure_dataset (const char *path,
                const char *self_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *generator = NULL;
  int status;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  dir = g_path_get_dirname (self_path);
  generator = g_build_filename (dir, "gen-dataset", NULL);
  fprintf (stderr, "Generating %s…\n", path);
  {
    const char *argv[] = { generator, path, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                       NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("%s: %s", generator, error->message);
  }
}

static long
current_rss_kb (void)
{
  g_autofree char *statm = NULL;
  long pages = 0;
  long resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%ld %ld", &pages, &resident);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

int
main (int    argc,
      char **argv)
{
  const char *path = argc > 1 ? argv[1] : "/tmp/clair-bench-400k.jsonl";
  double first[N_RUNS];
  double indexed[N_RUNS];
  double read_all[N_RUNS];
  guint n_rows = 0;
  guint64 size = 0;
  long rss_after_index = 0;
  long rss_after_read = 0;
  struct rusage usage;

  ensure_dataset (path, argv[0]);

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairDataset) dataset = NULL;
      ClairMapping mapping = { 0 };
      GThread *thread;
      gint64 start = g_get_monotonic_time ();
      gint64 t_first;
      gint64 t_read;
      guint n_failed = 0;
      guint64 text_bytes = 0;

      dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
      if (dataset == NULL)
        g_error ("open: %s", error->message);
      thread = g_thread_new ("index", index_thread, dataset);
      while (clair_dataset_get_n_rows (dataset) < 50 && !clair_dataset_is_indexed (dataset))
        g_usleep (50);
      t_first = g_get_monotonic_time ();
      {
        /* What the app does next: show the first rows. */
        g_autofree char *json = clair_dataset_read_row_json (dataset, 0, &error);
        g_assert_no_error (error);
      }
      g_thread_join (thread);
      indexed[run] = (g_get_monotonic_time () - start) / 1e6;
      first[run] = (t_first - start) / 1e6;
      rss_after_index = current_rss_kb ();

      n_rows = clair_dataset_get_n_rows (dataset);
      size = clair_dataset_get_size (dataset);
      if (!clair_mapping_guess (clair_dataset_get_columns (dataset), &mapping))
        g_error ("no task/solution columns in %s", path);

      t_read = g_get_monotonic_time ();
      for (guint i = 0; i < n_rows; i++)
        {
          g_autoptr(GError) row_error = NULL;
          g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, i, &mapping, &row_error);

          if (row == NULL)
            n_failed++;
          else
            text_bytes += strlen (row->task) + strlen (row->solution) + strlen (row->extra_json);
        }
      read_all[run] = (g_get_monotonic_time () - t_read) / 1e6;
      rss_after_read = current_rss_kb ();
      clair_mapping_clear (&mapping);

      fprintf (stderr, "run %u: first rows %.4f s, index %.3f s, read all %.3f s "
               "(%u rows, %u failed, %" G_GUINT64_FORMAT " bytes of text)\n",
               run + 1, first[run], indexed[run], read_all[run], n_rows, n_failed, text_bytes);
    }

  getrusage (RUSAGE_SELF, &usage);
  printf ("dataset: %s, %u rows, %.2f GB\n", path, n_rows, size / 1e9);
  printf ("median of %d runs: first 50 rows %.4f s, full index %.3f s, read_row over all rows %.3f s\n",
          N_RUNS, median (first), median (indexed), median (read_all));
  printf ("RSS after index %ld MB, after reading all %ld MB, peak %ld MB\n",
          rss_after_index / 1024, rss_after_read / 1024, usage.ru_maxrss / 1024);
  return 0;
}
