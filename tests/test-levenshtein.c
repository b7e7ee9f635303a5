/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "clair-diff-private.h"

#include "test-reference.h"

/* The character Levenshtein distance of _clair_diff_levenshtein_cps() against the full-matrix
 * reference (_clair_diff_levenshtein_cps_reference(), itself checked against the textbook table on
 * small inputs), with the AVX2 kernel and without it: random strings over small and large
 * alphabets, code points outside ASCII and outside Unicode, lengths at the 64-bit block boundaries,
 * similar pairs (random edits of a text, the real fixture answers among them), empty strings, the
 * budget, and several threads at once (the tables are per thread). */

static guint n_checked;

/* Both kernels against the reference, both ways round; the table too when small. */
static void
check_pair (const gunichar *a,
            gsize           m,
            const gunichar *b,
            gsize           n)
{
  gsize expected = G_MAXSIZE, got;

  g_assert_true (_clair_diff_levenshtein_cps_reference (a, m, b, n, G_MAXUINT64, &expected));
  if ((guint64) m * n <= 300 * 300)
    g_assert_cmpuint (expected, ==, reference_levenshtein (a, m, b, n));
  for (int simd = 0; simd < 2; simd++)
    {
      _clair_diff_levenshtein_use_simd (simd);
      got = G_MAXSIZE;
      g_assert_true (_clair_diff_levenshtein_cps (a, m, b, n, G_MAXUINT64, &got));
      g_assert_cmpuint (got, ==, expected);
      got = G_MAXSIZE;
      g_assert_true (_clair_diff_levenshtein_cps (b, n, a, m, G_MAXUINT64, &got));
      g_assert_cmpuint (got, ==, expected);
    }
  _clair_diff_levenshtein_use_simd (TRUE);
  n_checked++;
}

/* An alphabet of @size symbols: ASCII letters, or code points from all over (outside ASCII, and
 * the 0x110000 + byte values invalid UTF-8 turns into) when @wide. */
static gunichar *
make_alphabet (guint    size,
               gboolean wide,
               GRand   *rand)
{
  gunichar *alphabet = g_new (gunichar, size);

  for (guint i = 0; i < size; i++)
    {
      if (!wide)
        alphabet[i] = 'a' + i % 26 + (i >= 26 ? 'A' - 'a' : 0) * (i / 26 % 2) + i / 52;
      else
        switch (g_rand_int_range (rand, 0, 4))
          {
          case 0: alphabet[i] = g_rand_int_range (rand, 1, 128); break;
          case 1: alphabet[i] = g_rand_int_range (rand, 128, 0x800); break;
          case 2: alphabet[i] = g_rand_int_range (rand, 0x800, 0x110000); break;
          default: alphabet[i] = 0x110000 + g_rand_int_range (rand, 0x80, 0x100); break;
          }
    }
  return alphabet;
}

static gunichar *
random_string (gsize           len,
               const gunichar *alphabet,
               guint           size,
               GRand          *rand)
{
  gunichar *s = g_new (gunichar, len + 1);

  for (gsize i = 0; i < len; i++)
    s[i] = alphabet[g_rand_int_range (rand, 0, size)];
  return s;
}

/* @text with @edits random one-character substitutions, deletions and insertions. */
static gunichar *
edit_string (const gunichar *text,
             gsize           len,
             guint           edits,
             const gunichar *alphabet,
             guint           size,
             GRand          *rand,
             gsize          *len_out)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (gunichar), len + edits + 1);

  g_array_append_vals (out, text, len);
  for (guint e = 0; e < edits; e++)
    {
      gunichar c = alphabet[g_rand_int_range (rand, 0, size)];
      guint at = out->len > 0 ? g_rand_int_range (rand, 0, out->len) : 0;

      switch (out->len > 0 ? g_rand_int_range (rand, 0, 3) : 2)
        {
        case 0: g_array_index (out, gunichar, at) = c; break;
        case 1: g_array_remove_index (out, at); break;
        default: g_array_insert_val (out, g_rand_int_range (rand, 0, out->len + 1), c); break;
        }
    }
  *len_out = out->len;
  return (gunichar *) g_array_free (out, FALSE);
}

static gsize
random_length (GRand *rand,
               gsize  max)
{
  static const gsize boundaries[] = { 0, 1, 2, 7, 8, 9, 63, 64, 65, 127, 128, 129, 191, 192, 193,
                                      255, 256, 257, 511, 512, 513, 575, 576, 577 };

  if (g_rand_boolean (rand))
    {
      gsize len = boundaries[g_rand_int_range (rand, 0, G_N_ELEMENTS (boundaries))];

      if (len <= max)
        return len;
    }
  return g_rand_int_range (rand, 0, max + 1);
}

static void
test_empty (void)
{
  static const gunichar abc[] = { 'a', 'b', 'c' };

  check_pair (NULL, 0, NULL, 0);
  check_pair (abc, 3, NULL, 0);
  check_pair (abc, 3, abc, 3);
  check_pair (abc, 0, abc, 3);
  g_assert_cmpuint (clair_levenshtein ("", 0, "", 0), ==, 0);
  g_assert_cmpuint (clair_levenshtein ("kitten", -1, "sitting", -1), ==, 3);
  g_assert_cmpuint (clair_levenshtein ("café au lait", -1, "cafe au lait", -1), ==, 1);
}

/* Unrelated strings: small alphabets (many matches), large ones, non-ASCII, lengths at the
 * block boundaries on either side. */
static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  static const guint sizes[] = { 1, 2, 4, 26, 90, 1000 };

  for (guint round = 0; round < 1500; round++)
    {
      guint size = sizes[round % G_N_ELEMENTS (sizes)];
      gboolean wide = round / G_N_ELEMENTS (sizes) % 2;
      g_autofree gunichar *alphabet = make_alphabet (size, wide, rand);
      gsize m = random_length (rand, round < 1000 ? 300 : 1200);
      gsize n = random_length (rand, round < 1000 ? 300 : 1200);
      g_autofree gunichar *a = random_string (m, alphabet, size, rand);
      g_autofree gunichar *b = random_string (n, alphabet, size, rand);

      check_pair (a, m, b, n);
    }
}

/* A text and a revision of it: from one edit to as many as characters, so the distance runs from
 * tiny to most of the length, and the lengths differ by up to hundreds. */
static void
test_similar (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint round = 0; round < 1500; round++)
    {
      guint size = round % 3 == 0 ? 4 : round % 3 == 1 ? 40 : 400;
      g_autofree gunichar *alphabet = make_alphabet (size, round % 2, rand);
      gsize m = random_length (rand, round < 1000 ? 600 : 3000), n;
      guint edits = g_rand_int_range (rand, 0, 5) == 0 ? g_rand_int_range (rand, 0, m + 2)
                                                        : g_rand_int_range (rand, 0, m / 10 + 3);
      g_autofree gunichar *a = random_string (m, alphabet, size, rand);
      g_autofree gunichar *b = edit_string (a, m, edits, alphabet, size, rand, &n);

      check_pair (a, m, b, n);
    }
}

/* The budget: FALSE exactly when the reference says FALSE. */
static void
test_budget (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autofree gunichar *alphabet = make_alphabet (30, FALSE, rand);

  for (guint round = 0; round < 300; round++)
    {
      gsize m = random_length (rand, 700), n = random_length (rand, 700);
      g_autofree gunichar *a = random_string (m, alphabet, 30, rand);
      g_autofree gunichar *b = random_string (n, alphabet, 30, rand);
      guint64 budget = g_rand_int_range (rand, 0, 2000);
      gsize expected = 0, got = 0;
      gboolean ok = _clair_diff_levenshtein_cps_reference (a, m, b, n, budget, &expected);

      g_assert_cmpint (_clair_diff_levenshtein_cps (a, m, b, n, budget, &got), ==, ok);
      if (ok)
        g_assert_cmpuint (got, ==, expected);
    }
}

/* The real answers and revisions of the fixture file, and each answer against random edits of
 * itself and cut at block boundaries. */
static void
test_fixtures (void)
{
  const char *shared = g_getenv ("CLAIR_SHARED_DIR");
  g_autofree char *path = shared ? g_build_filename (shared, "fixtures", "ultrafeedback-gpt4-clair-20.jsonl", NULL) : NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autofree gunichar *alphabet = make_alphabet (60, TRUE, rand);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint pairs = 0;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_test_skip ("the shared fixtures (../shared/fixtures) are absent");
      return;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree gunichar *a = NULL;
      g_autofree gunichar *b = NULL;
      JsonObject *object;
      gsize m, n;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      object = json_node_get_object (json_parser_get_root (parser));
      a = _clair_diff_to_code_points (json_object_get_string_member (object, "student_solution"),
                                      strlen (json_object_get_string_member (object, "student_solution")), &m);
      {
        const char *revision = json_object_get_string_member_with_default (
          json_object_get_object_member (object, "expected"), "revision", "");

        b = _clair_diff_to_code_points (revision, strlen (revision), &n);
      }
      check_pair (a, m, b, n);
      for (guint k = 0; k < 12; k++)
        {
          guint edits = k < 4 ? k : (guint) g_rand_int_range (rand, 0, k < 8 ? 40 : m / 2 + 1);
          /* MIN evaluates its arguments twice: the random length is drawn once, before. */
          gsize around_block = 64 * (gsize) g_rand_int_range (rand, 1, 8) + (gsize) g_rand_int_range (rand, 0, 3) - 1;
          gsize n_edited, cut = MIN (m, around_block);
          g_autofree gunichar *edited = edit_string (a, m, edits, alphabet, 60, rand, &n_edited);

          check_pair (a, m, edited, n_edited);
          check_pair (a, cut, a + m - cut, cut);
          check_pair (a, cut, edited, n_edited);
        }
      pairs++;
    }
  g_assert_cmpuint (pairs, >, 0);
}

static gpointer
thread_func (gpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (GPOINTER_TO_UINT (data));
  g_autofree gunichar *alphabet = make_alphabet (50, TRUE, rand);

  for (guint round = 0; round < 200; round++)
    {
      gsize m = random_length (rand, 900), n;
      g_autofree gunichar *a = random_string (m, alphabet, 50, rand);
      g_autofree gunichar *b = edit_string (a, m, g_rand_int_range (rand, 0, m + 1), alphabet, 50, rand, &n);
      gsize expected = 0, got = 1;

      _clair_diff_levenshtein_cps_reference (a, m, b, n, G_MAXUINT64, &expected);
      _clair_diff_levenshtein_cps (a, m, b, n, G_MAXUINT64, &got);
      if (got != expected)
        return GUINT_TO_POINTER (1);
    }
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("levenshtein", thread_func, GUINT_TO_POINTER (g_test_rand_int () + i));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_null (g_thread_join (threads[i]));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/levenshtein/empty", test_empty);
  g_test_add_func ("/levenshtein/random", test_random);
  g_test_add_func ("/levenshtein/similar", test_similar);
  g_test_add_func ("/levenshtein/budget", test_budget);
  g_test_add_func ("/levenshtein/fixtures", test_fixtures);
  g_test_add_func ("/levenshtein/threads", test_threads);
  status = g_test_run ();
  g_test_message ("%u pairs checked against the reference", n_checked);
  return status;
}
