/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-levenshtein"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clair-diff.h"

/* Per-call cost of the character Levenshtein distance and of the whole metrics, on the real
 * answer/revision pairs of the fixture file (what the runner computes for every stored row).
 *
 *   bench-levenshtein [--fixture FILE] [--reps N] [--pair I] [--metrics-only]
 *
 * Prints, per pair, the lengths, the distance and the median µs of clair_levenshtein() and of
 * clair_metrics_compute_len() over N calls (default 200), then the sum of the medians. With
 * --pair only that pair is measured (for callgrind: --pair 0 --reps 1). With --near the revision
 * is instead the answer itself with 1 % of its characters edited and a 300-character paragraph
 * inserted in the middle: the minimal revision, a distance small against the length. */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *fixture = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree double *times = NULL;
  gboolean metrics_only = FALSE, near = FALSE;
  int reps = 200, only = -1;
  double sum_lev = 0, sum_metrics = 0;
  GOptionEntry entries[] = {
    { "fixture", 0, 0, G_OPTION_ARG_FILENAME, &fixture, "fixture file", "FILE" },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "calls per pair", "N" },
    { "pair", 0, 0, G_OPTION_ARG_INT, &only, "only this pair", "I" },
    { "metrics-only", 0, 0, G_OPTION_ARG_NONE, &metrics_only, "time only the metrics", NULL },
    { "near", 0, 0, G_OPTION_ARG_NONE, &near, "a minimal revision of the answer instead", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (fixture == NULL)
    fixture = g_strdup ("../shared/fixtures/ultrafeedback-gpt4-clair-20.jsonl");
  if (!g_file_get_contents (fixture, &contents, NULL, &error))
    g_error ("%s", error->message);
  reps = MAX (reps, 1);
  times = g_new (double, reps);
  lines = g_strsplit (contents, "\n", -1);
  printf ("pair  chars a  chars b  distance   lev µs  metrics µs   (median of %d)\n", reps);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object, *expected;
      const char *a, *b;
      gsize distance = 0;
      double lev_us = 0, metrics_us;

      if (lines[i][0] == '\0' || (only >= 0 && (guint) only != i))
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, &error))
        g_error ("%s", error->message);
      object = json_node_get_object (json_parser_get_root (parser));
      expected = json_object_get_object_member (object, "expected");
      a = json_object_get_string_member (object, "student_solution");
      b = json_object_get_string_member_with_default (expected, "revision", "");
      if (near)
        {
          g_autoptr(GRand) rand = g_rand_new_with_seed (i);
          GString *edited = g_string_new (a);
          gsize len = strlen (a);

          for (gsize e = 0; e < len / 100; e++)
            {
              gsize at = g_rand_int_range (rand, 0, edited->len);

              if (((guchar) edited->str[at]) < 0x80)
                edited->str[at] = 'a' + g_rand_int_range (rand, 0, 26);
            }
          for (guint c = 0; c < 300; c++)
            g_string_insert_c (edited, edited->len / 2, 'a' + c % 26);
          g_object_set_data_full (G_OBJECT (parser), "near", g_string_free (edited, FALSE), g_free);
          b = g_object_get_data (G_OBJECT (parser), "near");
        }

      if (!metrics_only)
        {
          for (int r = 0; r < reps; r++)
            {
              gint64 start = g_get_monotonic_time ();

              distance = clair_levenshtein (a, -1, b, -1);
              times[r] = g_get_monotonic_time () - start;
            }
          lev_us = median (times, reps);
        }
      for (int r = 0; r < reps; r++)
        {
          ClairMetrics metrics;
          gint64 start = g_get_monotonic_time ();

          clair_metrics_compute_len (a, -1, b, -1, &metrics, NULL);
          times[r] = g_get_monotonic_time () - start;
          distance = (gsize) metrics.levenshtein;
        }
      metrics_us = median (times, reps);
      printf ("%4u  %7ld  %7ld  %8zu  %7.1f  %10.1f\n", i, g_utf8_strlen (a, -1), g_utf8_strlen (b, -1),
              distance, lev_us, metrics_us);
      sum_lev += lev_us;
      sum_metrics += metrics_us;
    }
  printf ("sum               %18s  %7.1f  %10.1f\n", "", sum_lev, sum_metrics);
  return 0;
}
