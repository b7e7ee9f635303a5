/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "gen-dataset"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* Writes a deterministic JSONL dataset for benchmarks: rows of task/student_solution text with
 * the escapes and unicode real datasets have (quotes, backslashes and newlines in code, literal
 * UTF-8 and \uXXXX escapes, emoji as surrogate pairs), plus a few extra columns of every JSON
 * type. Default: 400,000 rows, about 1 GB.
 *
 * Usage: gen-dataset PATH [N_ROWS] */

static guint64 rng_state = 0x9e3779b97f4a7c15ull;

static guint32
rng (void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (guint32) ((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static guint
rng_range (guint low,
           guint high)
{
  return low + rng () % (high - low + 1);
}

static const char * const words[] = {
  "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "was", "on", "be", "by",
  "this", "are", "or", "from", "at", "which", "an", "but", "not", "have", "has", "can", "will",
  "function", "value", "number", "answer", "question", "example", "because", "therefore", "first",
  "second", "result", "equation", "variable", "algorithm", "complexity", "memory", "string",
  "customer", "market", "history", "country", "population", "energy", "climate", "protein",
  "molecule", "theorem", "proof", "triangle", "probability", "distribution", "sentence",
  "translation", "summary", "paragraph", "recipe", "temperature", "minutes", "approximately",
  "however", "although", "consider", "suppose", "calculate", "explain", "describe", "compare",
  "important", "different", "following", "several", "another", "between", "through", "during",
  "café", "naïve", "Zürich", "São Paulo", "Kraków", "東京", "数据集", "Привет", "ελληνικά", "—",
  "“quoted”", "it’s", "½", "→", "×", "°C", "😀", "🚀", "✓", "Ω",
};

static const char * const snippets[] = {
  "printf(\"%d\\n\", x);",
  "if (a[i] == '\"') { count++; }",
  "path = \"C:\\\\Users\\\\data\\\\file.txt\"",
  "def f(x):\n\treturn x ** 2",
  "SELECT name FROM users WHERE id = 'x';",
  "$ grep -E \"^[a-z]+\\s\" input.txt",
};

static const char * const sources[] = {
  "evol_instruct", "false_qa", "flan_v2_niv2", "sharegpt", "ultrachat", "truthful_qa",
};

/* Appends UTF-8 @text to @out as the inside of a JSON string. About one non-ASCII character in
 * eight is written as a \u escape (a surrogate pair above U+FFFF), as some exporters do. */
static void
append_escaped (GString    *out,
                const char *text,
                gsize       len)
{
  const char *end = text + len;
  const char *p = text;

  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c >= 0x80)
        {
          gunichar u = g_utf8_get_char (p);
          const char *next = g_utf8_next_char (p);

          if (rng () % 8 == 0)
            {
              if (u > 0xffff)
                g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + ((u - 0x10000) >> 10),
                                        0xdc00 + ((u - 0x10000) & 0x3ff));
              else
                g_string_append_printf (out, "\\u%04x", u);
            }
          else
            g_string_append_len (out, p, next - p);
          p = next;
          continue;
        }
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
          break;
        }
      p++;
    }
}

/* Prose of about @target bytes: sentences, paragraphs, now and then a line of code. */
static void
make_text (GString *text,
           gsize    target)
{
  g_string_truncate (text, 0);
  while (text->len < target)
    {
      guint n_words = rng_range (6, 22);

      for (guint i = 0; i < n_words; i++)
        {
          const char *word = words[rng () % G_N_ELEMENTS (words)];

          if (i > 0)
            g_string_append_c (text, ' ');
          if (i == 0)
            {
              g_string_append_c (text, g_ascii_toupper (word[0]));
              g_string_append (text, word + 1);
            }
          else
            g_string_append (text, word);
        }
      switch (rng () % 16)
        {
        case 0: g_string_append (text, "?\n\n"); break;
        case 1: g_string_append (text, ":\n\n    "); g_string_append (text, snippets[rng () % G_N_ELEMENTS (snippets)]);
                g_string_append (text, "\n\n"); break;
        case 2: g_string_append (text, ".\n- "); break;
        case 3: g_string_append (text, " (see \"note\")."); break;
        default: g_string_append (text, ". "); break;
        }
    }
}

int
main (int    argc,
      char **argv)
{
  const char *path;
  guint n_rows = 400000;
  FILE *file;
  g_autoptr(GString) line = g_string_sized_new (16384);
  g_autoptr(GString) text = g_string_sized_new (8192);
  guint64 total = 0;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s PATH [N_ROWS]\n", argv[0]);
      return 2;
    }
  path = argv[1];
  if (argc > 2)
    n_rows = (guint) g_ascii_strtoull (argv[2], NULL, 10);

  file = fopen (path, "wb");
  if (file == NULL)
    {
      perror (path);
      return 1;
    }

  for (guint i = 0; i < n_rows; i++)
    {
      g_string_truncate (line, 0);
      g_string_append_printf (line, "{\"id\": \"gen-%07u\", \"task\": \"", i);
      make_text (text, rng_range (130, 900));
      append_escaped (line, text->str, text->len);
      g_string_append (line, "\", \"student_solution\": \"");
      make_text (text, rng_range (800, 2600));
      append_escaped (line, text->str, text->len);
      g_string_append_printf (line, "\", \"source\": \"%s\", \"score\": %u.%02u, "
                              "\"tags\": [\"%s\", \"%s\"], "
                              "\"meta\": {\"lang\": \"en\", \"turns\": %u, \"reviewed\": %s}}\n",
                              sources[rng () % G_N_ELEMENTS (sources)], rng () % 10, rng () % 100,
                              words[rng () % 30], words[rng () % 30], rng_range (1, 6),
                              rng () % 2 ? "true" : "false");
      if (fwrite (line->str, 1, line->len, file) != line->len)
        {
          perror (path);
          fclose (file);
          return 1;
        }
      total += line->len;
    }

  if (fclose (file) != 0)
    {
      perror (path);
      return 1;
    }
  fprintf (stderr, "Wrote %u rows, %" G_GUINT64_FORMAT " bytes, to %s\n", n_rows, total, path);
  return 0;
}
