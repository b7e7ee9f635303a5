/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-diff"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clair-diff.h"
#include "clair-diff-private.h"
#include "clair-metrics.h"
#include "test-reference.h"

/* Helpers */

/* Checks that the ops tile both inputs in order and rebuild them; returns the number of ops. */
static guint
assert_ops_rebuild (ClairDiff  *diff,
                    const char *a,
                    const char *b)
{
  g_autoptr(GString) ra = g_string_new (NULL);
  g_autoptr(GString) rb = g_string_new (NULL);
  const ClairDiffOp *ops;
  gsize a_pos = 0, b_pos = 0;
  gboolean ignore_space = (clair_diff_get_flags (diff) & CLAIR_DIFF_IGNORE_WHITESPACE) != 0;
  guint n_ops;

  ops = clair_diff_get_ops (diff, &n_ops);
  for (guint k = 0; k < n_ops; k++)
    {
      const ClairDiffOp *op = &ops[k];

      g_assert_cmpuint (op->a_start, ==, a_pos);
      g_assert_cmpuint (op->b_start, ==, b_pos);
      g_assert_cmpuint (op->a_end, >=, op->a_start);
      g_assert_cmpuint (op->b_end, >=, op->b_start);
      switch (op->kind)
        {
        case CLAIR_DIFF_EQUAL:
          g_assert_true (op->a_end > op->a_start || op->b_end > op->b_start);
          if (!ignore_space)
            {
              g_assert_cmpuint (op->a_end - op->a_start, ==, op->b_end - op->b_start);
              g_assert_true (memcmp (a + op->a_start, b + op->b_start, op->a_end - op->a_start) == 0);
            }
          g_string_append_len (ra, a + op->a_start, op->a_end - op->a_start);
          g_string_append_len (rb, b + op->b_start, op->b_end - op->b_start);
          break;
        case CLAIR_DIFF_DELETE:
          g_assert_cmpuint (op->b_end, ==, op->b_start);
          g_assert_cmpuint (op->a_end, >, op->a_start);
          g_string_append_len (ra, a + op->a_start, op->a_end - op->a_start);
          break;
        case CLAIR_DIFF_INSERT:
          g_assert_cmpuint (op->a_end, ==, op->a_start);
          g_assert_cmpuint (op->b_end, >, op->b_start);
          g_string_append_len (rb, b + op->b_start, op->b_end - op->b_start);
          /* In a replaced run the delete comes first, never an insert before a delete. */
          if (k + 1 < n_ops)
            g_assert_cmpint (ops[k + 1].kind, !=, CLAIR_DIFF_DELETE);
          break;
        default:
          g_assert_not_reached ();
        }
      if (k > 0)
        g_assert_false (ops[k - 1].kind == op->kind);
      a_pos = op->a_end;
      b_pos = op->b_end;
    }
  g_assert_cmpstr (ra->str, ==, a);
  g_assert_cmpstr (rb->str, ==, b);
  return n_ops;
}

/* The ops as a compact string: "=the |-cat|+dog|= sat". */
static char *
ops_to_string (ClairDiff  *diff,
               const char *a,
               const char *b)
{
  GString *out = g_string_new (NULL);
  const ClairDiffOp *ops;
  guint n_ops;

  ops = clair_diff_get_ops (diff, &n_ops);
  for (guint k = 0; k < n_ops; k++)
    {
      const ClairDiffOp *op = &ops[k];

      if (k > 0)
        g_string_append_c (out, '|');
      if (op->kind == CLAIR_DIFF_INSERT)
        g_string_append_printf (out, "+%.*s", (int) (op->b_end - op->b_start), b + op->b_start);
      else
        g_string_append_printf (out, "%c%.*s", op->kind == CLAIR_DIFF_EQUAL ? '=' : '-',
                                (int) (op->a_end - op->a_start), a + op->a_start);
    }
  return g_string_free (out, FALSE);
}

static char *
refined_to_string (ClairDiff  *diff,
                   const char *a,
                   const char *b)
{
  GString *out = g_string_new (NULL);
  const ClairDiffOp *spans;
  guint n;

  spans = clair_diff_get_refined (diff, &n);
  for (guint k = 0; k < n; k++)
    {
      if (k > 0)
        g_string_append_c (out, '|');
      if (spans[k].kind == CLAIR_DIFF_DELETE)
        g_string_append_printf (out, "-%.*s", (int) (spans[k].a_end - spans[k].a_start), a + spans[k].a_start);
      else
        g_string_append_printf (out, "+%.*s", (int) (spans[k].b_end - spans[k].b_start), b + spans[k].b_start);
    }
  return g_string_free (out, FALSE);
}

static void
assert_diff (const char     *a,
             const char     *b,
             ClairDiffFlags  flags,
             const char     *expected)
{
  g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, flags);
  g_autofree char *got = NULL;

  assert_ops_rebuild (diff, a, b);
  got = ops_to_string (diff, a, b);
  g_assert_cmpstr (got, ==, expected);
}

/* ASCII tokeniser for the brute-force checks: letter runs, space runs, single punctuation. */
static GPtrArray *
test_tokens (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (*p)
    {
      const char *q = p + 1;

      if (g_ascii_isalnum (*p))
        while (g_ascii_isalnum (*q))
          q++;
      else if (g_ascii_isspace (*p))
        while (g_ascii_isspace (*q))
          q++;
      g_ptr_array_add (tokens, g_strndup (p, q - p));
      p = q;
    }
  return tokens;
}

static void
drop_spaces (GPtrArray *tokens)
{
  for (guint t = tokens->len; t > 0; t--)
    if (g_ascii_isspace (((char *) tokens->pdata[t - 1])[0]))
      g_ptr_array_remove_index (tokens, t - 1);
}

static guint
brute_lcs (GPtrArray *x,
           GPtrArray *y)
{
  guint n = x->len, m = y->len, result;
  guint *table = g_new0 (guint, (n + 1) * (m + 1));

  for (guint i = 1; i <= n; i++)
    for (guint j = 1; j <= m; j++)
      {
        if (strcmp (x->pdata[i - 1], y->pdata[j - 1]) == 0)
          table[i * (m + 1) + j] = table[(i - 1) * (m + 1) + j - 1] + 1;
        else
          table[i * (m + 1) + j] = MAX (table[(i - 1) * (m + 1) + j], table[i * (m + 1) + j - 1]);
      }
  result = table[n * (m + 1) + m];
  g_free (table);
  return result;
}

static guint
equal_tokens (ClairDiff  *diff,
              const char *a)
{
  const ClairDiffOp *ops;
  guint n_ops, total = 0;

  ops = clair_diff_get_ops (diff, &n_ops);
  for (guint k = 0; k < n_ops; k++)
    if (ops[k].kind == CLAIR_DIFF_EQUAL)
      {
        g_autofree char *text = g_strndup (a + ops[k].a_start, ops[k].a_end - ops[k].a_start);
        g_autoptr(GPtrArray) tokens = test_tokens (text);

        for (guint t = 0; t < tokens->len; t++)
          total += !g_ascii_isspace (((char *) tokens->pdata[t])[0]);
      }
  return total;
}

static char *
random_text (guint         n_tokens,
             const char  **vocab,
             guint         n_vocab)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n_tokens; i++)
    g_string_append (out, vocab[g_test_rand_int_range (0, n_vocab)]);
  return g_string_free (out, FALSE);
}

/* Edits about @percent of the words of @text: substitutions, deletions and insertions. */
static char *
mutate (const char  *text,
        int          percent,
        const char **vocab,
        guint        n_vocab)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      int roll = g_test_rand_int_range (0, 100 * 3);

      if (roll < percent)
        g_string_append (out, vocab[g_test_rand_int_range (0, n_vocab)]);
      else if (roll < 2 * percent)
        continue;
      else if (roll < 3 * percent)
        {
          g_string_append (out, vocab[g_test_rand_int_range (0, n_vocab)]);
          g_string_append_c (out, ' ');
          g_string_append (out, words[i]);
        }
      else
        g_string_append (out, words[i]);
      if (words[i + 1] != NULL)
        g_string_append_c (out, ' ');
    }
  return g_string_free (out, FALSE);
}

/* Basic shapes */

static void
test_empty_identical_disjoint (void)
{
  g_autoptr(ClairDiff) empty = clair_diff_compute ("", 0, "", 0, CLAIR_DIFF_FLAGS_NONE);
  g_autoptr(ClairDiff) nulls = clair_diff_compute (NULL, 0, NULL, 0, CLAIR_DIFF_FLAGS_NONE);
  ClairDiffStats stats;
  guint n;

  clair_diff_get_ops (empty, &n);
  g_assert_cmpuint (n, ==, 0);
  clair_diff_get_ops (nulls, &n);
  g_assert_cmpuint (n, ==, 0);
  clair_diff_get_stats (empty, &stats);
  g_assert_cmpuint (stats.n_changes, ==, 0);

  assert_diff ("", "new text", 0, "+new text");
  assert_diff ("old text", "", 0, "-old text");
  assert_diff ("same words here.", "same words here.", 0, "=same words here.");
  assert_diff ("alpha beta", "gamma delta", 0, "-alpha beta|+gamma delta");

  {
    g_autoptr(ClairDiff) same = clair_diff_compute ("x y", -1, "x y", -1, 0);
    g_autoptr(ClairDiff) disjoint = clair_diff_compute ("one two three", -1, "four five", -1, 0);

    clair_diff_get_stats (same, &stats);
    g_assert_cmpuint (stats.tokens_a, ==, 2);
    g_assert_cmpuint (stats.deleted + stats.inserted + stats.n_changes, ==, 0);
    clair_diff_get_stats (disjoint, &stats);
    g_assert_cmpuint (stats.tokens_a, ==, 3);
    g_assert_cmpuint (stats.tokens_b, ==, 2);
    g_assert_cmpuint (stats.deleted, ==, 3);
    g_assert_cmpuint (stats.inserted, ==, 2);
    g_assert_cmpuint (stats.n_changes, ==, 1);
  }
}

static void
test_words (void)
{
  assert_diff ("The cat sat on the mat.", "The dog sat on the mat.", 0,
               "=The |-cat|+dog|= sat on the mat.");
  /* Punctuation is its own token: only the comma goes. */
  assert_diff ("a sunny day, and", "a sunny day and", 0, "=a sunny day|-,|= and");
  /* An insertion lands as "word " after a space, not " word". */
  assert_diff ("a big cat", "a very big cat", 0, "=a |+very |=big cat");
  assert_diff ("one two", "one two three", 0, "=one two|+ three");
  assert_diff ("keep this. drop this.", "keep this.", 0, "=keep this.|- drop this.");
  /* Rewrapping moves line breaks; the words stay matched. */
  assert_diff ("roka\nnesaun fi", "roka nesaun\nfi", 0, "=roka|-\n|+ |=nesaun|- |+\n|=fi");
}

static void
test_semantic_cleanup (void)
{
  /* Single spaces between changed words do not chop the change into confetti... */
  assert_diff ("the cat sat here", "a dog ran here", 0, "-the cat sat|+a dog ran|= here");
  /* ...unless asked for the minimal diff. */
  assert_diff ("the cat sat here", "a dog ran here", CLAIR_DIFF_NO_CLEANUP,
               "-the|+a|= |-cat|+dog|= |-sat|+ran|= here");
  /* Longer common stretches stay. */
  assert_diff ("The cat sat on the mat", "The dog sat on the rug", 0,
               "=The |-cat|+dog|= sat on the |-mat|+rug");
}

static void
test_refinement (void)
{
  g_autoptr(ClairDiff) diff = NULL;
  g_autofree char *spans = NULL;
  const char *a = "the colour grey", *b = "the color gray";

  diff = clair_diff_compute (a, -1, b, -1, 0);
  spans = refined_to_string (diff, a, b);
  /* "colour grey" → "color gray": the u goes, e becomes a. */
  g_assert_cmpstr (spans, ==, "-u|-e|+a");
  {
    /* Deletions of a run come before its insertions, each in order. */
    g_autoptr(ClairDiff) two = clair_diff_compute ("abcdefgh", -1, "abXdeYgh", -1, 0);
    g_autofree char *order = refined_to_string (two, "abcdefgh", "abXdeYgh");

    g_assert_cmpstr (order, ==, "-c|-f|+X|+Y");
  }

  {
    g_autoptr(ClairDiff) unrelated = clair_diff_compute ("cat", -1, "dog", -1, 0);
    g_autofree char *whole = refined_to_string (unrelated, "cat", "dog");

    g_assert_cmpstr (whole, ==, "-cat|+dog");
  }
  {
    g_autoptr(ClairDiff) plain = clair_diff_compute (a, -1, b, -1, CLAIR_DIFF_NO_REFINE);
    guint n;

    clair_diff_get_refined (plain, &n);
    g_assert_cmpuint (n, ==, 0);
  }
}

static void
test_refined_inside_ops (void)
{
  const char *vocab[] = { "alpha", "alpine", "beta", "bet", "gamma", "gamut", ",", ".", " ", " ", " " };

  for (guint round = 0; round < 200; round++)
    {
      g_autofree char *a = random_text (g_test_rand_int_range (0, 40), vocab, G_N_ELEMENTS (vocab));
      g_autofree char *b = mutate (a, 20, vocab, G_N_ELEMENTS (vocab));
      g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, 0);
      const ClairDiffOp *ops, *spans;
      guint n_ops, n_spans;

      ops = clair_diff_get_ops (diff, &n_ops);
      spans = clair_diff_get_refined (diff, &n_spans);
      for (guint s = 0; s < n_spans; s++)
        {
          gboolean inside = FALSE;

          for (guint k = 0; k < n_ops && !inside; k++)
            {
              if (spans[s].kind != ops[k].kind)
                continue;
              if (spans[s].kind == CLAIR_DIFF_DELETE)
                inside = ops[k].a_start <= spans[s].a_start && spans[s].a_end <= ops[k].a_end;
              else
                inside = ops[k].b_start <= spans[s].b_start && spans[s].b_end <= ops[k].b_end;
            }
          g_assert_true (inside);
        }
    }
}

/* Unicode */

static void
test_unicode (void)
{
  g_autoptr(ClairDiff) diff = NULL;
  g_autofree char *spans = NULL;
  /* "café" with a combining acute accent, and the same without it. */
  const char *a = "un cafe\xcc\x81 noir", *b = "un cafe noir";

  assert_diff (a, b, 0, "=un |-cafe\xcc\x81|+cafe|= noir");
  diff = clair_diff_compute (a, -1, b, -1, 0);
  spans = refined_to_string (diff, a, b);
  /* The accent never comes apart from its e. */
  g_assert_cmpstr (spans, ==, "-e\xcc\x81|+e");

  /* Emoji ZWJ sequences are one token: man‍woman‍girl versus man‍woman‍boy. */
  assert_diff ("family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 here",
               "family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa6 here", 0,
               "=family |-\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"
               "|+\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa6|= here");
  /* A thumbs-up with a skin tone is one token; so is a flag (two regional indicators). */
  assert_diff ("ok \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd!", "ok \xf0\x9f\x91\x8d!", 0,
               "=ok |-\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd|+\xf0\x9f\x91\x8d|=!");
  assert_diff ("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa",
               "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7", 0,
               "=\xf0\x9f\x87\xab\xf0\x9f\x87\xb7|-\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa");

  /* CJK: one token per ideograph, so only the changed character changes. */
  assert_diff ("我喜欢猫和狗", "我喜欢猫和鸟", 0, "=我喜欢猫和|-狗|+鸟");
  assert_diff ("日本語のテキスト", "日本語テキスト", 0, "=日本語|-の|=テキスト");

  /* Right-to-left text diffs in logical order. */
  assert_diff ("שלום עולם יפה", "שלום לכולם יפה", 0, "=שלום |-עולם|+לכולם|= יפה");
  assert_diff ("مرحبا بالعالم", "مرحبا بالجميع", 0, "=مرحبا |-بالعالم|+بالجميع");

  /* Invalid UTF-8 still rebuilds byte for byte. */
  {
    const char bad_a[] = "ok \xff\xfe bytes";
    const char bad_b[] = "ok \xfe bytes";
    g_autoptr(ClairDiff) bad = clair_diff_compute (bad_a, -1, bad_b, -1, 0);

    assert_ops_rebuild (bad, bad_a, bad_b);
  }
}

static void
test_ignore_whitespace (void)
{
  const char *a = "a  paragraph\nthat was\twrapped", *b = "a paragraph that was wrapped";
  g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, CLAIR_DIFF_IGNORE_WHITESPACE);
  g_autoptr(ClairDiff) strict = clair_diff_compute (a, -1, b, -1, 0);
  ClairDiffStats stats;
  guint n;

  assert_ops_rebuild (diff, a, b);
  clair_diff_get_stats (diff, &stats);
  g_assert_cmpuint (stats.n_changes, ==, 0);
  clair_diff_get_ops (diff, &n);
  g_assert_cmpuint (n, ==, 1);

  clair_diff_get_stats (strict, &stats);
  g_assert_cmpuint (stats.n_changes, >, 0);
  /* Whitespace changes change no word. */
  g_assert_cmpuint (stats.deleted + stats.inserted, ==, 0);
}

static void
test_lines (void)
{
  const char *a = "line one\nline two\nline three\n", *b = "line one\nline 2\nline three\n";
  g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, CLAIR_DIFF_FORCE_LINES);
  g_autofree char *got = NULL;

  g_assert_cmpint (clair_diff_get_granularity (diff), ==, CLAIR_DIFF_GRANULARITY_LINE);
  assert_ops_rebuild (diff, a, b);
  got = ops_to_string (diff, a, b);
  /* Lines align the texts; a replaced run of lines is then diffed by words. */
  g_assert_cmpstr (got, ==, "=line one\nline |-two|+2|=\nline three\n");

  {
    g_autoptr(ClairDiff) words = clair_diff_compute (a, -1, b, -1, 0);

    g_assert_cmpint (clair_diff_get_granularity (words), ==, CLAIR_DIFF_GRANULARITY_WORD);
  }
}

static void
test_huge_falls_back_to_lines (void)
{
  GString *a = g_string_new (NULL);
  g_autofree char *b = NULL;
  g_autoptr(ClairDiff) diff = NULL;
  ClairDiffStats stats;

  while (a->len <= CLAIR_DIFF_LINE_THRESHOLD / 2 + 1)
    g_string_append_printf (a, "Line %u of a long document, with words in it.\n", (guint) a->len);
  b = g_strdup (a->str);
  {
    gsize middle = a->len / 2;

    while (!g_ascii_isalpha (b[middle]))
      middle++;
    b[middle] = 'Q';
  }
  diff = clair_diff_compute (a->str, a->len, b, -1, 0);
  g_assert_cmpint (clair_diff_get_granularity (diff), ==, CLAIR_DIFF_GRANULARITY_LINE);
  assert_ops_rebuild (diff, a->str, b);
  clair_diff_get_stats (diff, &stats);
  g_assert_cmpuint (stats.n_changes, ==, 1);
  g_assert_cmpuint (stats.deleted, ==, 1);
  g_assert_cmpuint (stats.inserted, ==, 1);
  g_string_free (a, TRUE);
}

/* Properties */

static void
test_random_rebuild (void)
{
  const char *vocab[] = { "a", "b", "c", "the", "cat", " ", " ", " ", "\n", ",", ".", "é", "猫", "  " };

  for (guint round = 0; round < 500; round++)
    {
      g_autofree char *a = random_text (g_test_rand_int_range (0, 60), vocab, G_N_ELEMENTS (vocab));
      g_autofree char *b = NULL;
      ClairDiffFlags flags = g_test_rand_int_range (0, 8);

      if (g_test_rand_bit ())
        b = random_text (g_test_rand_int_range (0, 60), vocab, G_N_ELEMENTS (vocab));
      else
        b = mutate (a, 15, vocab, G_N_ELEMENTS (vocab));
      {
        g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, flags);
        g_autoptr(ClairDiff) again = clair_diff_compute (a, -1, b, -1, flags);
        g_autofree char *first = ops_to_string (diff, a, b);
        g_autofree char *second = ops_to_string (again, a, b);

        assert_ops_rebuild (diff, a, b);
        /* Deterministic. */
        g_assert_cmpstr (first, ==, second);
      }
    }
}

static void
test_adversarial (void)
{
  const char *cases[][2] = {
    { "a a a a a a a a a a", "a a a a a" },
    { "a b a b a b a b", "b a b a b a b a" },
    { "x", "x x x x x x x x x x x x x x x x" },
    { ".........", ".,.,.,.,." },
    { "   ", "\n\n\t" },
    { "word", "word word" },
  };
  const char *two[] = { "a ", "b " };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (ClairDiffFlags flags = 0; flags < 4; flags++)
      {
        g_autoptr(ClairDiff) diff = clair_diff_compute (cases[i][0], -1, cases[i][1], -1, flags);
        g_autoptr(ClairDiff) back = clair_diff_compute (cases[i][1], -1, cases[i][0], -1, flags);

        assert_ops_rebuild (diff, cases[i][0], cases[i][1]);
        assert_ops_rebuild (back, cases[i][1], cases[i][0]);
      }

  /* Two long random texts over a two-word alphabet: many equal candidates, a large D. */
  {
    g_autofree char *a = random_text (6000, two, 2);
    g_autofree char *b = random_text (6000, two, 2);
    g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, 0);

    assert_ops_rebuild (diff, a, b);
  }
}

static void
test_minimal (void)
{
  const char *vocab[] = { "a", "b", "c", "d", " ", " ", ",", "." };

  for (guint round = 0; round < 400; round++)
    {
      g_autofree char *a = random_text (g_test_rand_int_range (0, 30), vocab, G_N_ELEMENTS (vocab));
      g_autofree char *b = g_test_rand_bit ()
                             ? random_text (g_test_rand_int_range (0, 30), vocab, G_N_ELEMENTS (vocab))
                             : mutate (a, 25, vocab, G_N_ELEMENTS (vocab));
      g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, CLAIR_DIFF_NO_CLEANUP);
      g_autoptr(GPtrArray) ta = test_tokens (a);
      g_autoptr(GPtrArray) tb = test_tokens (b);

      assert_ops_rebuild (diff, a, b);
      /* Words and punctuation are aligned first, minimally; whitespace fills in between. */
      drop_spaces (ta);
      drop_spaces (tb);
      g_assert_cmpuint (equal_tokens (diff, a), ==, brute_lcs (ta, tb));
    }
}

static void
test_large_anchored (void)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(ClairDiff) diff = NULL;
  ClairDiffStats stats;
  const char **vocab;

  /* A Zipf-like vocabulary: a few frequent words and many rare ones, as in prose. */
  for (guint i = 0; i < 3000; i++)
    g_ptr_array_add (words, g_strdup_printf ("w%u ", i));
  vocab = (const char **) words->pdata;
  {
    GString *text = g_string_new (NULL);

    for (guint i = 0; i < 20000; i++)
      {
        guint r = g_test_rand_int_range (0, 3000);

        g_string_append (text, vocab[(r * r) / 3000]);
      }
    a = g_string_free (text, FALSE);
  }
  b = mutate (a, 3, vocab, 3000);
  diff = clair_diff_compute (a, -1, b, -1, 0);
  assert_ops_rebuild (diff, a, b);
  clair_diff_get_stats (diff, &stats);
  /* About 3 % of 20,000 words are substituted, deleted or inserted: each costs one or two. */
  g_assert_cmpuint (stats.deleted + stats.inserted, <, 20000 * 2 * 3 / 100 * 3 / 2);
  g_assert_cmpuint (stats.deleted + stats.inserted, >, 0);
  g_ptr_array_unref (words);
}

/* Async */

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ClairDiff **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = clair_diff_compute_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  ClairDiff *diff = NULL;
  g_autofree char *got = NULL;

  clair_diff_compute_async ("red fish", "blue fish", 0, NULL, async_done_cb, &diff);
  while (diff == NULL)
    g_main_context_iteration (NULL, TRUE);
  got = ops_to_string (diff, "red fish", "blue fish");
  g_assert_cmpstr (got, ==, "-red|+blue|= fish");
  clair_diff_unref (diff);
}

/* Metrics */

static guint
levenshtein_table (const char *a,
                   const char *b)
{
  glong n, m;
  g_autofree gunichar *ua = g_utf8_to_ucs4_fast (a, -1, &n);
  g_autofree gunichar *ub = g_utf8_to_ucs4_fast (b, -1, &m);

  return reference_levenshtein (ua, n, ub, m);
}

static void
test_levenshtein (void)
{
  const char *alphabet[] = { "a", "b", "c", "é", "猫", " " };

  g_assert_cmpuint (clair_levenshtein ("kitten", -1, "sitting", -1), ==, 3);
  g_assert_cmpuint (clair_levenshtein ("", -1, "abc", -1), ==, 3);
  g_assert_cmpuint (clair_levenshtein ("abc", -1, "", -1), ==, 3);
  g_assert_cmpuint (clair_levenshtein ("flaw", -1, "lawn", -1), ==, 2);
  /* Code points, not bytes: é → e is one edit. */
  g_assert_cmpuint (clair_levenshtein ("café", -1, "cafe", -1), ==, 1);

  /* Against the table, across block sizes (one, two and several 64-bit words). */
  for (guint round = 0; round < 300; round++)
    {
      guint len_a = g_test_rand_int_range (0, round < 100 ? 70 : 300);
      g_autofree char *a = random_text (len_a, alphabet, G_N_ELEMENTS (alphabet));
      g_autofree char *b = g_test_rand_bit ()
                             ? random_text (g_test_rand_int_range (0, 300), alphabet, G_N_ELEMENTS (alphabet))
                             : mutate (a, 30, alphabet, G_N_ELEMENTS (alphabet));

      g_assert_cmpuint (clair_levenshtein (a, -1, b, -1), ==, levenshtein_table (a, b));
    }
}

/* The fixture file of real replies, or NULL (with the test skipped) when it is absent. */
static char *
fixture_path (void)
{
  const char *shared = g_getenv ("CLAIR_SHARED_DIR");
  char *path = shared ? g_build_filename (shared, "fixtures", "ultrafeedback-gpt4-clair-20.jsonl", NULL) : NULL;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_free (path);
      g_test_skip ("the shared fixtures (../shared/fixtures) are absent");
      return NULL;
    }
  return path;
}

/* Each fixture line's answer and the revision the real reply gives (strings of @pairs, two a line). */
static GPtrArray *
fixture_pairs (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *pairs = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object, *expected;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      object = json_node_get_object (json_parser_get_root (parser));
      expected = json_object_get_object_member (object, "expected");
      g_ptr_array_add (pairs, g_strdup (json_object_get_string_member (object, "student_solution")));
      g_ptr_array_add (pairs, g_strdup (json_object_get_string_member_with_default (expected, "revision", "")));
    }
  g_assert_cmpuint (pairs->len, >=, 2);
  return pairs;
}

/* Real revisions rewrite much of the answer (distances of 40 to 80 % of the length): the
 * bit-parallel distance agrees with the table on every fixture pair, and on the answer against
 * itself cut at block boundaries. */
static void
test_levenshtein_fixtures (void)
{
  g_autofree char *path = fixture_path ();
  g_autoptr(GPtrArray) pairs = NULL;

  if (path == NULL)
    return;
  pairs = fixture_pairs (path);
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      const char *a = pairs->pdata[i], *b = pairs->pdata[i + 1];
      g_autofree char *cut = g_utf8_substring (a, 0, MIN (g_utf8_strlen (a, -1), 64 * (i / 2 + 1)));

      g_assert_cmpuint (clair_levenshtein (a, -1, b, -1), ==, levenshtein_table (a, b));
      g_assert_cmpuint (clair_levenshtein (cut, -1, a, -1), ==, levenshtein_table (cut, a));
    }
}

/* Word and punctuation tokens of an ASCII text, as the diff cuts them (letter and digit runs,
 * other characters one each, whitespace left out). */
static GPtrArray *
ascii_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  for (const char *p = text; *p != '\0';)
    {
      const char *start = p;

      if (g_ascii_isspace (*p))
        {
          p++;
          continue;
        }
      if (g_ascii_isalnum (*p))
        while (g_ascii_isalnum (*p))
          p++;
      else
        p++;
      g_ptr_array_add (words, g_strndup (start, p - start));
    }
  return words;
}

static guint
lcs_table (GPtrArray *a,
           GPtrArray *b)
{
  g_autofree guint *row = g_new0 (guint, b->len + 1);

  for (guint i = 1; i <= a->len; i++)
    {
      guint diag = 0;

      for (guint j = 1; j <= b->len; j++)
        {
          guint up = row[j];

          row[j] = strcmp (a->pdata[i - 1], b->pdata[j - 1]) == 0 ? diag + 1 : MAX (row[j], row[j - 1]);
          diag = up;
        }
    }
  return row[b->len];
}

static gboolean
is_ascii_text (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

static void
assert_matched_tokens (const char *a,
                       const char *b)
{
  g_autoptr(GPtrArray) wa = ascii_words (a);
  g_autoptr(GPtrArray) wb = ascii_words (b);
  guint total = wa->len + wb->len;
  guint lcs = lcs_table (wa, wb);
  ClairMetrics m;

  clair_metrics_compute (a, b, &m);
  g_assert_cmpfloat_with_epsilon (m.similarity_ratio, total > 0 ? 2.0 * lcs / total : 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.changed_share, total > 0 ? (double) (total - 2 * lcs) / total : 0.0, 1e-12);
}

/* The tokens the metrics count as kept are a longest common subsequence: random texts across
 * 64-token block sizes (repeated tokens, whole rewrites, small edits) and the real fixture pairs,
 * against the textbook table. */
static void
test_metrics_matched (void)
{
  const char *vocab[] = { "a ", "b ", "c ", "dd ", "e, ", "f. ", "g\n" };
  g_autofree char *path = NULL;

  for (guint round = 0; round < 200; round++)
    {
      guint n = g_test_rand_int_range (0, round < 100 ? 80 : 700);
      g_autofree char *a = random_text (n, vocab, G_N_ELEMENTS (vocab));
      g_autofree char *b = g_test_rand_bit ()
                             ? random_text (g_test_rand_int_range (0, 700), vocab, G_N_ELEMENTS (vocab))
                             : mutate (a, 20, vocab, G_N_ELEMENTS (vocab));

      assert_matched_tokens (a, b);
    }

  path = fixture_path ();
  if (path != NULL)
    {
      g_autoptr(GPtrArray) pairs = fixture_pairs (path);
      guint checked = 0;

      for (guint i = 0; i + 1 < pairs->len; i += 2)
        if (is_ascii_text (pairs->pdata[i]) && is_ascii_text (pairs->pdata[i + 1]))
          {
            assert_matched_tokens (pairs->pdata[i], pairs->pdata[i + 1]);
            checked++;
          }
      g_assert_cmpuint (checked, >, 0);
    }
}

/* Past the anchoring size the diff is cut at unique tokens first, so it is no longer minimal by
 * construction: it must still be an edit script from A to B, and change few more words than a
 * longest common subsequence leaves (the oracle here is the textbook table). */
static void
test_anchored_near_minimal (void)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) wa = NULL;
  g_autoptr(GPtrArray) wb = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  const char **vocab;
  guint lcs, optimal;

  for (guint i = 0; i < 2000; i++)
    g_ptr_array_add (words, g_strdup_printf ("w%u ", i));
  vocab = (const char **) words->pdata;
  {
    GString *text = g_string_new (NULL);

    for (guint i = 0; i < 6000; i++)
      {
        guint r = g_test_rand_int_range (0, 2000);

        g_string_append (text, vocab[(r * r) / 2000]);
      }
    a = g_string_free (text, FALSE);
  }
  b = mutate (a, 5, vocab, 2000);
  wa = ascii_words (a);
  wb = ascii_words (b);
  g_assert_cmpuint (wa->len + wb->len, >, 4096);  /* anchored */
  lcs = lcs_table (wa, wb);
  optimal = wa->len + wb->len - 2 * lcs;

  for (guint k = 0; k < 2; k++)
    {
      ClairDiffFlags flags = k == 0 ? CLAIR_DIFF_NO_CLEANUP : 0;
      g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, flags);
      ClairDiffStats stats;
      guint changed;

      assert_ops_rebuild (diff, a, b);
      clair_diff_get_stats (diff, &stats);
      changed = stats.deleted + stats.inserted;
      g_test_message ("anchored: %u changed words, %u at least (%s)", changed, optimal,
                      k == 0 ? "no cleanup" : "cleanup");
      g_assert_cmpuint (changed, >=, optimal);
      /* The token diff itself within 2 %; the semantic cleanup may merge a few more. */
      g_assert_cmpuint (changed, <=, optimal + optimal / (k == 0 ? 50 : 10) + 2);
    }
}

static void
tokenize_words (Side       *side,
                const char *text,
                gsize       len,
                gboolean    ignore_space)
{
  Interner interner;

  _clair_diff_interner_init (&interner, 0, 1, FALSE);
  _clair_diff_side_tokenize (side, text, len, SPLIT_WORDS, &interner, ignore_space);
  _clair_diff_interner_clear (&interner);
}

/* Plain ASCII is cut sixteen bytes at a time: the tokens (starts, classes, ids) must be those of
 * the byte by byte loop, whatever the bytes (every ASCII byte, NUL and \v included), whatever
 * non-ASCII text, joiners and broken sequences interrupt the blocks, at every alignment. */
static void
test_tokens_blocks (void)
{
  const char *pieces[] = { "word", "Lorem", "ipsum42", " ", "  ", "\n", "\n\n", "\t", "\v", "\r\n",
                           "\f", ".", ",", "--", "é", "e\xcc\x81", "\xe7\x8c\xab", "x\xe2\x80\x8dy",
                           "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa",
                           "\xe2\x80\x8d", "\xff", "\xc3", "\xc2\xa0", "abcdefghijklmnopqrstuvwxyz" };

  for (guint round = 0; round < 400; round++)
    {
      GString *text = g_string_new (NULL);
      gboolean ignore_space = g_test_rand_bit ();
      guint n = g_test_rand_int_range (0, 120);

      for (guint i = 0; i < n; i++)
        {
          if (g_test_rand_int_range (0, 4) == 0)
            g_string_append_c (text, (char) g_test_rand_int_range (0, 128));
          else
            g_string_append (text, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
        }
      for (guint offset = 0; offset < MIN (16, text->len + 1); offset++)
        {
          Side blocks = { 0 }, bytes = { 0 };
          gboolean was;

          tokenize_words (&blocks, text->str + offset, text->len - offset, ignore_space);
          was = _clair_diff_tokens_use_blocks (FALSE);
          tokenize_words (&bytes, text->str + offset, text->len - offset, ignore_space);
          _clair_diff_tokens_use_blocks (was);
          g_assert_cmpuint (blocks.n, ==, bytes.n);
          g_assert_cmpmem (blocks.starts, (blocks.n + 1) * sizeof (guint32),
                           bytes.starts, (bytes.n + 1) * sizeof (guint32));
          g_assert_cmpmem (blocks.ids, blocks.n * sizeof (guint32), bytes.ids, bytes.n * sizeof (guint32));
          _clair_diff_side_clear (&blocks);
          _clair_diff_side_clear (&bytes);
        }
      g_string_free (text, TRUE);
    }
}

/* Large scratch buffers come from mappings of their own: every byte is usable, below and above
 * the size where that starts, and sides that outgrow their first guess keep their tokens. */
static void
test_big_buffers (void)
{
  const gsize sizes[] = { 1, 4096, 512 * 1024 - 1, 512 * 1024, 2 << 20, (3 << 20) + 5 };
  GString *text = g_string_new (NULL);
  Side side = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint8 *mem = _clair_diff_big_alloc (sizes[i]);

      for (gsize k = 0; k < sizes[i]; k++)
        mem[k] = (guint8) (k * 7 + i);
      for (gsize k = 0; k < sizes[i]; k++)
        g_assert_cmpuint (mem[k], ==, (guint8) (k * 7 + i));
      _clair_diff_big_free (mem, sizes[i]);
    }
  /* "a." is two tokens in two bytes: more than the first guess of one token per two bytes. */
  for (guint i = 0; i < 200000; i++)
    g_string_append (text, "a.");
  tokenize_words (&side, text->str, text->len, FALSE);
  g_assert_cmpuint (side.n, ==, 400000);
  for (guint i = 0; i < side.n; i++)
    {
      g_assert_cmpuint (tok_start (&side, i), ==, i);
      g_assert_cmpuint (tok_cls (&side, i), ==, i % 2 ? CLS_PUNCT : CLS_WORD);
      g_assert_cmpuint (side.ids[i], ==, side.ids[i % 2]);
    }
  g_assert_cmpuint (side.ids[0], !=, side.ids[1]);
  g_assert_cmpuint (tok_start (&side, side.n), ==, text->len);
  _clair_diff_side_clear (&side);
  g_string_free (text, TRUE);
}

static void
assert_shared_metrics (const char     *a,
                       gssize          a_len,
                       const char     *b,
                       gssize          b_len,
                       ClairDiffFlags  flags)
{
  g_autoptr(ClairDiff) alone = clair_diff_compute (a, a_len, b, b_len, flags);
  g_autoptr(ClairDiff) shared = NULL;
  ClairMetrics apart, together;
  gboolean exact_apart = FALSE, exact_together = FALSE;
  ClairDiffStats s1, s2;
  const ClairDiffOp *ops1, *ops2;
  guint n1, n2;

  clair_metrics_compute_len (a, a_len, b, b_len, &apart, &exact_apart);
  shared = clair_diff_compute_with_metrics (a, a_len, b, b_len, flags, &together, &exact_together);
  /* Bit for bit: the shared path must store what the separate one stores. */
  g_assert_true (memcmp (&apart, &together, sizeof apart) == 0);
  g_assert_cmpint (exact_apart, ==, exact_together);
  /* And the diff is the diff. */
  ops1 = clair_diff_get_ops (alone, &n1);
  ops2 = clair_diff_get_ops (shared, &n2);
  g_assert_cmpuint (n1, ==, n2);
  for (guint k = 0; k < n1; k++)
    {
      g_assert_cmpint (ops1[k].kind, ==, ops2[k].kind);
      g_assert_cmpuint (ops1[k].a_start, ==, ops2[k].a_start);
      g_assert_cmpuint (ops1[k].a_end, ==, ops2[k].a_end);
      g_assert_cmpuint (ops1[k].b_start, ==, ops2[k].b_start);
      g_assert_cmpuint (ops1[k].b_end, ==, ops2[k].b_end);
    }
  clair_diff_get_stats (alone, &s1);
  clair_diff_get_stats (shared, &s2);
  g_assert_true (memcmp (&s1, &s2, sizeof s1) == 0);
}

/* The diff and the metrics computed together give what they give apart: random texts with
 * whitespace of every kind and Unicode, the fixture pairs, texts past the anchoring size, past
 * the Levenshtein budget, and in line mode. */
static void
test_metrics_with_diff (void)
{
  const char *vocab[] = { "a ", "b ", "cat ", "é ", "猫 ", ", ", ".\n", "  ", "\t", "dog\n\n" };
  g_autofree char *path = NULL;
  GString *big = g_string_new (NULL);
  g_autofree char *big_b = NULL;

  for (guint round = 0; round < 150; round++)
    {
      g_autofree char *a = random_text (g_test_rand_int_range (0, 400), vocab, G_N_ELEMENTS (vocab));
      g_autofree char *b = g_test_rand_bit ()
                             ? random_text (g_test_rand_int_range (0, 400), vocab, G_N_ELEMENTS (vocab))
                             : mutate (a, 15, vocab, G_N_ELEMENTS (vocab));

      assert_shared_metrics (a, -1, b, -1, 0);
      assert_shared_metrics (a, -1, b, -1, CLAIR_DIFF_IGNORE_WHITESPACE | CLAIR_DIFF_NO_REFINE);
      assert_shared_metrics (a, -1, b, -1, CLAIR_DIFF_FORCE_LINES);
    }
  path = fixture_path ();
  if (path != NULL)
    {
      g_autoptr(GPtrArray) pairs = fixture_pairs (path);

      for (guint i = 0; i + 1 < pairs->len; i += 2)
        assert_shared_metrics (pairs->pdata[i], -1, pairs->pdata[i + 1], -1, 0);
    }
  /* 30,000 words with scattered edits: anchored, and over the Levenshtein budget. */
  for (guint i = 0; i < 30000; i++)
    g_string_append_printf (big, "w%u%s", g_test_rand_int_range (0, 3000), i % 13 == 12 ? ".\n" : " ");
  big_b = mutate (big->str, 5, vocab, G_N_ELEMENTS (vocab));
  assert_shared_metrics (big->str, big->len, big_b, -1, 0);
  /* Past the size from which the metrics run on a thread of their own, and exact. */
  g_free (big_b);
  big_b = g_strdup (big->str);
  big_b[10] = 'x';
  big_b[big->len / 2] = 'y';
  assert_shared_metrics (big->str, big->len, big_b, -1, 0);
  assert_shared_metrics (big->str, big->len, big_b, -1, CLAIR_DIFF_IGNORE_WHITESPACE);
  g_string_free (big, TRUE);
}

static void
assert_metrics (const char *a,
                const char *b,
                double      jaccard,
                double      levenshtein,
                double      levenshtein_norm,
                double      changed_share,
                double      length_ratio,
                double      similarity_ratio)
{
  ClairMetrics m;

  clair_metrics_compute (a, b, &m);
  g_assert_cmpfloat_with_epsilon (m.jaccard, jaccard, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.levenshtein, levenshtein, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.levenshtein_norm, levenshtein_norm, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.changed_share, changed_share, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.length_ratio, length_ratio, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.similarity_ratio, similarity_ratio, 1e-9);
}

static void
test_metrics (void)
{
  /* the cat sat → the dog sat: 4 distinct tokens, 2 shared; 3 edits over 11 characters;
   * 2 of 6 tokens changed; 2·2 matched of 6. */
  assert_metrics ("the cat sat", "the dog sat", 2.0 / 4, 3, 3.0 / 11, 2.0 / 6, 1.0, 4.0 / 6);
  /* kitten → sitting: nothing shared, 3 edits over 7 characters. */
  assert_metrics ("kitten", "sitting", 0.0, 3, 3.0 / 7, 1.0, 7.0 / 6, 0.0);
  assert_metrics ("", "", 1.0, 0, 0.0, 0.0, 1.0, 1.0);
  assert_metrics (NULL, "abc", 0.0, 3, 1.0, 1.0, 3.0, 0.0);
  assert_metrics ("abc", "", 0.0, 3, 1.0, 1.0, 0.0, 0.0);
  /* Whitespace is not a token: rewrapping changes no token, but it is a character edit. */
  assert_metrics ("a b", "a\nb", 1.0, 1, 1.0 / 3, 0.0, 1.0, 1.0);
  /* Repeated tokens: sets for Jaccard, sequences for the rest. "a a b" → "a b": the sets agree,
   * one of five tokens goes, two characters ("a ") go. */
  assert_metrics ("a a b", "a b", 1.0, 2, 2.0 / 5, 1.0 / 5, 3.0 / 5, 4.0 / 5);
  /* Unicode: characters are code points. */
  assert_metrics ("naïve café", "naive café", 1.0 / 3, 1, 1.0 / 10, 2.0 / 4, 1.0, 2.0 / 4);
}

/* A text of numbered words (@prefix, a number, @suffix) at least @min_len bytes long in @a, and
 * in the result the same text with 20 edits @stride bytes apart: the first letter (or @edited)
 * at or after each place becomes 'Z'. */
static char *
spaced_edits (GString    *a,
              const char *prefix,
              const char *suffix,
              gsize       min_len,
              gsize       stride,
              char        edited)
{
  char *b;

  for (guint i = 0; a->len < min_len; i++)
    g_string_append_printf (a, "%s%u%s", prefix, i, suffix);
  b = g_strdup (a->str);
  for (guint k = 1; k <= 20; k++)
    {
      gsize pos = k * stride;

      while (edited != '\0' ? b[pos] != edited : !g_ascii_isalpha (b[pos]))
        pos++;
      b[pos] = 'Z';
    }
  return b;
}

/* Past the bit-parallel budget the distance follows the token alignment: an upper bound, exact
 * here since the edits are far apart. */
static void
test_metrics_inexact (void)
{
  g_autoptr(GString) a = g_string_new (NULL);
  g_autofree char *b = spaced_edits (a, "word", " ", 130000, 6000, '\0');
  ClairMetrics m;
  gboolean exact = TRUE;

  clair_metrics_compute_len (a->str, a->len, b, -1, &m, &exact);
  g_assert_false (exact);
  g_assert_cmpfloat (m.levenshtein, ==, 20);
  g_assert_cmpfloat_with_epsilon (m.changed_share, 40.0 / (2.0 * a->len / 10), 0.01);
}

/* The distance along the alignment counts code points: with multi-byte characters before every
 * edit, a gap read at byte offsets would compare the wrong characters and cost more. */
static void
test_metrics_inexact_unicode (void)
{
  g_autoptr(GString) a = g_string_new (NULL);
  g_autofree char *b = spaced_edits (a, "wörd", " 猫e\xcc\x81 ", 160000, 7000, 'w');
  ClairMetrics m;
  gboolean exact = TRUE;

  clair_metrics_compute_len (a->str, a->len, b, -1, &m, &exact);
  g_assert_false (exact);
  g_assert_cmpfloat (m.levenshtein, ==, 20);
  assert_shared_metrics (a->str, a->len, b, -1, 0);
}

static void
test_metrics_large (void)
{
  GString *a = g_string_new (NULL);
  g_autofree char *b = NULL;
  ClairMetrics m;
  gboolean exact = FALSE;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (a, "word%u ", i % 700);
  b = g_strdup (a->str);
  b[100] = 'X';
  b[5000] = 'Y';
  clair_metrics_compute_len (a->str, a->len, b, -1, &m, &exact);
  g_assert_true (exact);
  g_assert_cmpfloat (m.levenshtein, ==, 2);
  g_assert_cmpfloat (m.length_ratio, ==, 1.0);
  g_string_free (a, TRUE);
}

/* Inputs above 128 KiB are tokenised on two threads with two interners whose ids are then
 * translated, and many replaced runs are refined on two threads: the ids must agree across the
 * two (an identical copy is one equality, an appended word one insertion) and the result must not
 * depend on the timing. */
static void
test_large_parallel (void)
{
  static const char *vocab[] = {
    "the ", "cat ", "sat ", "on ", "a ", "mat, ", "café ", "naïve ", "日本語 ", "中 ", "👍 ", "👩‍💻 ",
    "🇫🇷 ", "e\xcc\x81 ", "שלום ", "straße. ", "x1 ", "42 ", "!\n", "\n\n", "über ", "Ünïcödé ",
  };
  g_autofree char *a = random_text (60000, vocab, G_N_ELEMENTS (vocab));
  g_autofree char *copy = g_strdup (a);
  g_autofree char *longer = g_strconcat (a, "appended", NULL);
  g_autofree char *b = mutate (a, 5, vocab, G_N_ELEMENTS (vocab));
  g_autoptr(ClairDiff) same = NULL;
  g_autoptr(ClairDiff) appended = NULL;
  g_autofree char *first_ops = NULL;
  g_autofree char *first_refined = NULL;
  ClairDiffStats stats;
  const ClairDiffOp *ops;
  guint n_ops, n_refined;

  g_assert_cmpuint (strlen (a), >, 256 * 1024);

  same = clair_diff_compute (a, -1, copy, -1, 0);
  ops = clair_diff_get_ops (same, &n_ops);
  g_assert_cmpuint (n_ops, ==, 1);
  g_assert_cmpint (ops[0].kind, ==, CLAIR_DIFF_EQUAL);
  clair_diff_get_stats (same, &stats);
  g_assert_cmpuint (stats.deleted + stats.inserted, ==, 0);

  appended = clair_diff_compute (a, -1, longer, -1, 0);
  ops = clair_diff_get_ops (appended, &n_ops);
  g_assert_cmpuint (n_ops, ==, 2);
  g_assert_cmpint (ops[1].kind, ==, CLAIR_DIFF_INSERT);
  g_assert_cmpstr (longer + ops[1].b_start, ==, "appended");

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(ClairDiff) diff = clair_diff_compute (a, -1, b, -1, 0);
      g_autofree char *got_ops = ops_to_string (diff, a, b);
      g_autofree char *got_refined = refined_to_string (diff, a, b);

      assert_ops_rebuild (diff, a, b);
      clair_diff_get_refined (diff, &n_refined);
      clair_diff_get_stats (diff, &stats);
      g_assert_cmpuint (stats.n_changes, >=, 512);
      g_assert_cmpuint (n_refined, >=, 2 * 512);
      if (round == 0)
        {
          first_ops = g_steal_pointer (&got_ops);
          first_refined = g_steal_pointer (&got_refined);
        }
      else
        {
          g_assert_cmpstr (got_ops, ==, first_ops);
          g_assert_cmpstr (got_refined, ==, first_refined);
        }
    }
}

typedef struct
{
  int   status;
  char *out;
  char *err;
} ProgramRun;

static void
run_clear (ProgramRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ProgramRun, run_clear)

static void
run_program (ProgramRun *run,
             const char *program,
             const char *color,
             const char *a,
             const char *b)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { program, "diff", color, a, b, NULL };
  int wait_status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

/* `clair diff` runs in the launcher, which has its own copies of the CLI helpers it needs: it
 * must print exactly what the full tool prints, for results and for errors alike. */
static void
test_cli_launcher (void)
{
  const char *clair = g_getenv ("CLAIR_CLI");
  g_autofree char *dir = NULL;
  g_autofree char *full = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *pa = NULL;
  g_autofree char *pb = NULL;
  g_autofree char *bad = NULL;
  const char *cases[][2] = {
    { NULL, NULL },            /* A and B */
    { NULL, "only-one" },      /* a usage error */
    { "/nonexistent/a", NULL }, /* a missing file */
    { NULL, "bad" },           /* not UTF-8 */
  };
  g_autoptr(GError) error = NULL;

  if (clair == NULL)
    {
      g_test_skip ("CLAIR_CLI is not set");
      return;
    }
  dir = g_path_get_dirname (clair);
  full = g_build_filename (dir, "clair-full", NULL);
  if (!g_file_test (full, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no clair-full next to CLAIR_CLI");
      return;
    }
  tmp = g_dir_make_tmp ("test-diff-XXXXXX", &error);
  g_assert_no_error (error);
  pa = g_build_filename (tmp, "a.txt", NULL);
  pb = g_build_filename (tmp, "b.txt", NULL);
  bad = g_build_filename (tmp, "bad.txt", NULL);
  g_assert_true (g_file_set_contents (pa, "the colour was grey\n", -1, NULL));
  g_assert_true (g_file_set_contents (pb, "the color was gray\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad, "caf\xe9\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(ProgramRun) lean = { 0 };
      g_auto(ProgramRun) whole = { 0 };
      const char *a = cases[i][0] != NULL ? cases[i][0] : pa;
      const char *b = pb;

      if (g_strcmp0 (cases[i][1], "bad") == 0)
        b = bad;
      if (g_strcmp0 (cases[i][1], "only-one") == 0)
        b = NULL;
      run_program (&lean, clair, "--color=never", a, b);
      run_program (&whole, full, "--color=never", a, b);
      g_assert_cmpint (lean.status, ==, whole.status);
      g_assert_cmpstr (lean.out, ==, whole.out);
      g_assert_cmpstr (lean.err, ==, whole.err);
      switch (i)
        {
        case 0:
          g_assert_cmpint (lean.status, ==, 0);
          g_assert_cmpstr (lean.out, ==, "the [-colour-]{+color+} was [-grey-]{+gray+}\n");
          break;
        case 1:
          g_assert_cmpint (lean.status, ==, 2);
          g_assert_nonnull (strstr (lean.err, "clair diff: "));
          g_assert_nonnull (strstr (lean.err, "--help"));
          break;
        case 2:
          g_assert_cmpint (lean.status, ==, 1);
          g_assert_nonnull (strstr (lean.err, "/nonexistent/a"));
          break;
        default:
          g_assert_cmpint (lean.status, ==, 1);
          g_assert_nonnull (strstr (lean.err, "UTF-8"));
          break;
        }
    }
  /* In colour the characters that changed inside a replaced word stand out (without colour the
   * diff skips refining them, since it would not show them). */
  {
    g_auto(ProgramRun) lean = { 0 };
    g_auto(ProgramRun) whole = { 0 };

    run_program (&lean, clair, "--color=always", pa, pb);
    run_program (&whole, full, "--color=always", pa, pb);
    g_assert_cmpint (lean.status, ==, 0);
    g_assert_cmpstr (lean.out, ==, whole.out);
    g_assert_nonnull (strstr (lean.out, "\033[31mcolo\033[1;31;4mu\033[m\033[31mr\033[m"));
  }
  g_unlink (pa);
  g_unlink (pb);
  g_unlink (bad);
  g_rmdir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diff/empty-identical-disjoint", test_empty_identical_disjoint);
  g_test_add_func ("/diff/words", test_words);
  g_test_add_func ("/diff/tokens-blocks", test_tokens_blocks);
  g_test_add_func ("/diff/big-buffers", test_big_buffers);
  g_test_add_func ("/diff/semantic-cleanup", test_semantic_cleanup);
  g_test_add_func ("/diff/refinement", test_refinement);
  g_test_add_func ("/diff/refined-inside-ops", test_refined_inside_ops);
  g_test_add_func ("/diff/unicode", test_unicode);
  g_test_add_func ("/diff/ignore-whitespace", test_ignore_whitespace);
  g_test_add_func ("/diff/lines", test_lines);
  g_test_add_func ("/diff/huge-falls-back-to-lines", test_huge_falls_back_to_lines);
  g_test_add_func ("/diff/random-rebuild", test_random_rebuild);
  g_test_add_func ("/diff/adversarial", test_adversarial);
  g_test_add_func ("/diff/minimal", test_minimal);
  g_test_add_func ("/diff/large-anchored", test_large_anchored);
  g_test_add_func ("/diff/anchored-near-minimal", test_anchored_near_minimal);
  g_test_add_func ("/diff/async", test_async);
  g_test_add_func ("/diff/large-parallel", test_large_parallel);
  g_test_add_func ("/diff/cli-launcher", test_cli_launcher);
  g_test_add_func ("/metrics/levenshtein", test_levenshtein);
  g_test_add_func ("/metrics/levenshtein-fixtures", test_levenshtein_fixtures);
  g_test_add_func ("/metrics/matched", test_metrics_matched);
  g_test_add_func ("/metrics/with-diff", test_metrics_with_diff);
  g_test_add_func ("/metrics/hand-computed", test_metrics);
  g_test_add_func ("/metrics/large", test_metrics_large);
  g_test_add_func ("/metrics/inexact", test_metrics_inexact);
  g_test_add_func ("/metrics/inexact-unicode", test_metrics_inexact_unicode);

  return g_test_run ();
}
