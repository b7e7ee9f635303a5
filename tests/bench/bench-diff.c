/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-diff"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clair-diff.h"
#include "clair-enum-nick.h"

/* Benchmarks of the diff engine and the metrics.
 *
 *   bench-diff gen DIR   writes DIR/a.txt and DIR/b.txt (50,000 words, 5 % scattered edits) and
 *                        DIR/huge-a.txt, DIR/huge-b.txt (10 MB each) for run-diff-vs-git.sh
 *   bench-diff           in-process medians: 500-word answers (diff, metrics), 50,000 words,
 *                        10 MB inputs (similar and unrelated)
 *
 * The text is synthetic prose: words drawn from a Zipf distribution over 8,000 made-up words,
 * sentences, commas, lines wrapped near 80 columns and paragraphs, so the token statistics (many
 * frequent words, many rare ones) look like real answers. Deterministic for a given seed. */

#define VOCABULARY 8000

static char **vocabulary;
static double *zipf_cdf;

static void
init_vocabulary (GRand *rand)
{
  static const char *syllables[] = { "ka", "lo", "mi", "ne", "tra", "ver", "sa", "po", "di", "an",
                                     "el", "qu", "ro", "te", "un", "is", "cha", "bel", "dor", "fi" };
  double total = 0;

  vocabulary = g_new0 (char *, VOCABULARY + 1);
  zipf_cdf = g_new (double, VOCABULARY);
  for (guint i = 0; i < VOCABULARY; i++)
    {
      GString *word = g_string_new (NULL);
      guint n = 1 + g_rand_int_range (rand, 0, 3) + (i > 200);

      for (guint s = 0; s < n; s++)
        g_string_append (word, syllables[g_rand_int_range (rand, 0, G_N_ELEMENTS (syllables))]);
      vocabulary[i] = g_string_free (word, FALSE);
      total += 1.0 / (i + 1);
      zipf_cdf[i] = total;
    }
  for (guint i = 0; i < VOCABULARY; i++)
    zipf_cdf[i] /= total;
}

static const char *
random_word (GRand *rand)
{
  double r = g_rand_double (rand);
  guint lo = 0, hi = VOCABULARY - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (zipf_cdf[mid] < r)
        lo = mid + 1;
      else
        hi = mid;
    }
  return vocabulary[lo];
}

/* @n_words of prose; with @edit_percent > 0 it is a revision of the text that @seed gives with 0:
 * the same words, with that share of them substituted, deleted, or preceded by an inserted word. */
static char *
make_text (guint32 seed,
           guint   n_words,
           int     edit_percent,
           guint32 edit_seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GRand) edits = g_rand_new_with_seed (edit_seed);
  GString *out = g_string_sized_new (n_words * 7);
  guint column = 0, in_sentence = 0, in_paragraph = 0;

  for (guint i = 0; i < n_words; i++)
    {
      const char *word = random_word (rand);
      int roll = edit_percent > 0 ? g_rand_int_range (edits, 0, 300) : 300;
      gboolean end_sentence = g_rand_int_range (rand, 0, 14) == 0;
      gboolean comma = !end_sentence && g_rand_int_range (rand, 0, 10) == 0;

      if (roll < edit_percent)
        word = random_word (edits);
      else if (roll < 2 * edit_percent)
        word = NULL;
      else if (roll < 3 * edit_percent)
        {
          g_string_append (out, random_word (edits));
          g_string_append_c (out, ' ');
        }
      if (word != NULL)
        {
          if (in_sentence == 0)
            {
              g_string_append_c (out, g_ascii_toupper (word[0]));
              g_string_append (out, word + 1);
            }
          else
            g_string_append (out, word);
          column += strlen (word) + 1;
        }
      in_sentence++;
      if (end_sentence)
        {
          g_string_append_c (out, '.');
          in_sentence = 0;
          in_paragraph++;
        }
      else if (comma)
        g_string_append_c (out, ',');
      if (in_paragraph >= 6)
        {
          g_string_append (out, "\n\n");
          column = 0;
          in_paragraph = 0;
        }
      else if (column > 72)
        {
          g_string_append_c (out, '\n');
          column = 0;
        }
      else
        g_string_append_c (out, ' ');
    }
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

typedef void (*Work) (const char *a,
                      const char *b);

static void
work_diff (const char *a,
           const char *b)
{
  ClairDiff *diff = clair_diff_compute (a, -1, b, -1, CLAIR_DIFF_FLAGS_NONE);

  clair_diff_unref (diff);
}

static void
work_metrics (const char *a,
              const char *b)
{
  ClairMetrics metrics;

  clair_metrics_compute (a, b, &metrics);
}

static double
time_median (Work        work,
             const char *a,
             const char *b,
             guint       runs)
{
  g_autofree double *times = g_new (double, runs);

  for (guint i = 0; i < runs; i++)
    {
      gint64 start = g_get_monotonic_time ();

      work (a, b);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  return median (times, runs);
}

static void
report (const char *label,
        const char *a,
        const char *b,
        guint       runs)
{
  g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, CLAIR_DIFF_FLAGS_NONE);
  ClairDiffStats stats;
  double diff_ms = time_median (work_diff, a, b, runs);
  double metrics_ms = time_median (work_metrics, a, b, MAX (runs / 2, 3));

  clair_diff_get_stats (diff, &stats);
  printf ("%-28s %9.3f ms diff  %9.3f ms metrics   %7u → %7u tokens, %u deleted, %u inserted, "
          "%u changes, by %s (median of %u)\n",
          label, diff_ms, metrics_ms, stats.tokens_a, stats.tokens_b, stats.deleted, stats.inserted,
          stats.n_changes,
          clair_enum_to_nick (CLAIR_TYPE_DIFF_GRANULARITY, clair_diff_get_granularity (diff)), runs);
}

static gboolean
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    {
      g_printerr ("bench-diff: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  init_vocabulary (rand);

  if (argc == 3 && strcmp (argv[1], "gen") == 0)
    {
      g_autofree char *a = make_text (1, 50000, 5, 2);
      g_autofree char *b = NULL;
      g_autofree char *huge_a = make_text (3, 1700000, 0, 0);
      g_autofree char *huge_b = make_text (3, 1700000, 5, 4);

      /* The original is the text with no edits: make_text with edit_percent 0. */
      g_free (a);
      a = make_text (1, 50000, 0, 0);
      b = make_text (1, 50000, 5, 2);
      g_mkdir_with_parents (argv[2], 0755);
      if (!write_file (argv[2], "a.txt", a) || !write_file (argv[2], "b.txt", b)
          || !write_file (argv[2], "huge-a.txt", huge_a) || !write_file (argv[2], "huge-b.txt", huge_b))
        return 1;
      printf ("%s: a.txt %zu bytes, b.txt %zu bytes, huge-a.txt %zu bytes, huge-b.txt %zu bytes\n",
              argv[2], strlen (a), strlen (b), strlen (huge_a), strlen (huge_b));
      return 0;
    }
  if (argc != 1)
    {
      g_printerr ("usage: bench-diff [gen DIR]\n");
      return 2;
    }

  {
    g_autofree char *small_a = make_text (10, 500, 0, 0);
    g_autofree char *small_b = make_text (10, 500, 3, 11);
    g_autofree char *mid_a = make_text (1, 50000, 0, 0);
    g_autofree char *mid_b = make_text (1, 50000, 5, 2);
    g_autofree char *huge_a = make_text (3, 1700000, 0, 0);
    g_autofree char *huge_b = make_text (3, 1700000, 5, 4);
    g_autofree char *other = make_text (5, 1700000, 0, 0);

    report ("500 words, 3 % edits", small_a, small_b, 2001);
    report ("50,000 words, 5 % edits", mid_a, mid_b, 21);
    report ("10 MB, 5 % edits", huge_a, huge_b, 5);
    report ("10 MB, unrelated", huge_a, other, 3);
  }
  return 0;
}
