/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-diff.h"
#include "clair-enum-nick.h"
#include "clair-json.h"
#include "clair-metrics.h"

/* `clair diff A B`: the word diff of two files, as git's --word-diff prints it, and the metrics the
 * project stores for every result. */

#define COLOR_DELETE         "\033[31m"
#define COLOR_DELETE_STRONG  "\033[1;31;4m"
#define COLOR_INSERT         "\033[32m"
#define COLOR_INSERT_STRONG  "\033[1;32;4m"
#define COLOR_RESET          "\033[m"

static const char *kind_names[] = { "equal", "delete", "insert" };

/* g_utf8_validate() over the ASCII prefix eight bytes at a time: most texts are mostly ASCII. */
static gboolean
validate_utf8 (const char  *text,
               gsize        len,
               const char **end)
{
  gsize pos = 0;

  while (pos + 8 <= len)
    {
      guint64 word;

      memcpy (&word, text + pos, 8);
      if (word & G_GUINT64_CONSTANT (0x8080808080808080))
        break;
      /* A NUL byte is not valid text for g_utf8_validate() either. */
      if ((word - G_GUINT64_CONSTANT (0x0101010101010101)) & ~word & G_GUINT64_CONSTANT (0x8080808080808080))
        break;
      pos += 8;
    }
  return g_utf8_validate_len (text + pos, len - pos, end);
}

/* The contents of @path, mapped when it is a regular file (no copy, and the page cache maps in
 * many pages per fault), read otherwise (pipes, /dev/stdin); NULL after reporting the error. */
static GBytes *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr(GBytes) bytes = NULL;
  const char *text, *end = NULL;
  gsize length;

  if (mapped != NULL)
    bytes = g_mapped_file_get_bytes (mapped);
  else
    {
      char *contents = NULL;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          clair_cli_fail ("%s", error->message);
          return NULL;
        }
      bytes = g_bytes_new_take (contents, length);
    }
  text = g_bytes_get_data (bytes, &length);
  if (text != NULL && !validate_utf8 (text, length, &end))
    {
      g_autofree char *offset = g_strdup_printf ("%" G_GSIZE_FORMAT, (gsize) (end - text));

      /* Translators: the first %s is a file name, the second a byte offset in that file. */
      clair_cli_fail (_("“%s” is not UTF-8 text (invalid byte at offset %s); "
                        "convert it first, for example with iconv"),
                      path, offset);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static void
append_stats_json (GString              *out,
                   const ClairDiffStats *stats)
{
  const struct { const char *name; guint value; } fields[] = {
    { "original", stats->tokens_a },
    { "revision", stats->tokens_b },
    { "deleted", stats->deleted },
    { "inserted", stats->inserted },
    { "changes", stats->n_changes },
  };

  g_string_append_c (out, '{');
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      clair_json_append_key (out, fields[i].name, i == 0);
      clair_json_append_int (out, fields[i].value);
    }
  g_string_append_c (out, '}');
}

/* The JSON goes out a piece at a time, as the text diff does: the ops of a 50,000-word diff
 * repeat both texts, and one string holding them all would be faulted in page by page. */
#define JSON_CHUNK (64 * 1024)

static void
json_flush (GString  *out,
            gboolean *failed)
{
  if (out->len > 0 && fwrite (out->str, 1, out->len, stdout) != out->len)
    *failed = TRUE;
  g_string_truncate (out, 0);
}

/* Writes the JSON of @diff to standard output; FALSE if that failed. */
static gboolean
write_diff_json (ClairDiff          *diff,
                 const char         *a,
                 const char         *b,
                 const ClairMetrics *metrics,
                 gboolean            levenshtein_exact,
                 gboolean            with_ops)
{
  g_autoptr(GString) out = g_string_sized_new (JSON_CHUNK + 4096);
  ClairDiffStats stats;
  gboolean first = TRUE, failed = FALSE;

  g_string_append_c (out, '{');

  if (with_ops)
    {
      const ClairDiffOp *ops;
      guint n_ops;

      ops = clair_diff_get_ops (diff, &n_ops);
      clair_json_append_key (out, "ops", first);
      first = FALSE;
      g_string_append_c (out, '[');
      for (guint k = 0; k < n_ops; k++)
        {
          const ClairDiffOp *op = &ops[k];

          if (k > 0)
            g_string_append_c (out, ',');
          clair_json_append_len (out, "{\"op\":\"", 7);
          clair_json_append_len (out, kind_names[op->kind], strlen (kind_names[op->kind]));
          clair_json_append_len (out, "\",\"text\":", 9);
          if (op->kind == CLAIR_DIFF_INSERT)
            clair_json_append_string (out, b + op->b_start, op->b_end - op->b_start);
          else
            clair_json_append_string (out, a + op->a_start, op->a_end - op->a_start);
          g_string_append_c (out, '}');
          if (out->len >= JSON_CHUNK)
            json_flush (out, &failed);
        }
      g_string_append_c (out, ']');
    }

  clair_json_append_key (out, "metrics", first);
  clair_metrics_append_json (out, metrics);
  clair_json_append_key (out, "levenshtein_exact", FALSE);
  g_string_append (out, levenshtein_exact ? "true" : "false");
  clair_json_append_key (out, "granularity", FALSE);
  clair_json_append_string (out, clair_enum_to_nick (CLAIR_TYPE_DIFF_GRANULARITY,
                                                     clair_diff_get_granularity (diff)), -1);
  clair_diff_get_stats (diff, &stats);
  clair_json_append_key (out, "tokens", FALSE);
  append_stats_json (out, &stats);
  g_string_append (out, "}\n");
  json_flush (out, &failed);
  return !failed && fflush (stdout) == 0;
}

/* The text diff goes out through one fixed buffer: a 50,000-word diff never sits in memory
 * twice, and standard output gets a few large writes. */
typedef struct
{
  gsize    len;
  gsize    total;
  char     last;
  gboolean failed;
  char     buf[64 * 1024];
} Writer;

static void
writer_flush (Writer *w)
{
  if (w->len > 0 && fwrite (w->buf, 1, w->len, stdout) != w->len)
    w->failed = TRUE;
  w->len = 0;
}

static void
writer_append (Writer     *w,
               const char *text,
               gsize       len)
{
  if (len == 0)
    return;
  w->total += len;
  w->last = text[len - 1];
  if (w->len + len > sizeof w->buf)
    {
      writer_flush (w);
      if (len > sizeof w->buf)
        {
          if (fwrite (text, 1, len, stdout) != len)
            w->failed = TRUE;
          return;
        }
    }
  memcpy (w->buf + w->len, text, len);
  w->len += len;
}

static inline void
writer_append_str (Writer     *w,
                   const char *text)
{
  writer_append (w, text, strlen (text));
}

/* Appends text[start, end) of one side, with the refined spans of that side in @strong. */
static void
append_side (Writer            *out,
             const char        *text,
             gsize              start,
             gsize              end,
             gboolean           color,
             gboolean           is_delete,
             const ClairDiffOp *refined,
             guint              n_refined,
             guint             *cursor)
{
  const char *weak = is_delete ? COLOR_DELETE : COLOR_INSERT;
  const char *strong = is_delete ? COLOR_DELETE_STRONG : COLOR_INSERT_STRONG;
  ClairDiffKind kind = is_delete ? CLAIR_DIFF_DELETE : CLAIR_DIFF_INSERT;
  gsize pos = start;

  if (!color)
    {
      writer_append (out, is_delete ? "[-" : "{+", 2);
      writer_append (out, text + start, end - start);
      writer_append (out, is_delete ? "-]" : "+}", 2);
      return;
    }

  writer_append_str (out, weak);
  for (; *cursor < n_refined; (*cursor)++)
    {
      const ClairDiffOp *span = &refined[*cursor];
      gsize s = is_delete ? span->a_start : span->b_start;
      gsize e = is_delete ? span->a_end : span->b_end;

      if (span->kind != kind)
        continue;
      if (s >= end)
        break;
      /* Whole-run spans would only repeat the weak colour in bold: keep them weak. */
      if (s == start && e == end)
        continue;
      writer_append (out, text + pos, s - pos);
      writer_append_str (out, strong);
      writer_append (out, text + s, e - s);
      writer_append_str (out, COLOR_RESET);
      writer_append_str (out, weak);
      pos = e;
    }
  writer_append (out, text + pos, end - pos);
  writer_append_str (out, COLOR_RESET);
}

/* Writes the text diff to standard output; FALSE if that failed. */
static gboolean
write_diff_text (ClairDiff  *diff,
                 const char *a,
                 const char *b,
                 gboolean    color)
{
  g_autofree Writer *out = g_new (Writer, 1);
  const ClairDiffOp *ops, *refined;
  guint n_ops, n_refined, cursor_a = 0, cursor_b = 0;

  out->len = 0;
  out->total = 0;
  out->last = 0;
  out->failed = FALSE;
  ops = clair_diff_get_ops (diff, &n_ops);
  refined = clair_diff_get_refined (diff, &n_refined);
  for (guint k = 0; k < n_ops; k++)
    {
      const ClairDiffOp *op = &ops[k];

      switch (op->kind)
        {
        case CLAIR_DIFF_EQUAL:
          writer_append (out, a + op->a_start, op->a_end - op->a_start);
          break;
        case CLAIR_DIFF_DELETE:
          append_side (out, a, op->a_start, op->a_end, color, TRUE, refined, n_refined, &cursor_a);
          break;
        case CLAIR_DIFF_INSERT:
          append_side (out, b, op->b_start, op->b_end, color, FALSE, refined, n_refined, &cursor_b);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (out->total > 0 && out->last != '\n')
    writer_append (out, "\n", 1);
  writer_flush (out);
  return !out->failed && fflush (stdout) == 0;
}

static void
print_stats (ClairDiff          *diff,
             const ClairMetrics *metrics,
             gboolean            levenshtein_exact)
{
  ClairDiffStats stats;

  clair_diff_get_stats (diff, &stats);
  printf (_("Tokens:            %u → %u (%u deleted, %u inserted, in %u changes)\n"),
          stats.tokens_a, stats.tokens_b, stats.deleted, stats.inserted, stats.n_changes);
  printf (_("Jaccard:           %.4f\n"), metrics->jaccard);
  if (levenshtein_exact)
    printf (_("Levenshtein:       %.0f (%.4f of the longer text)\n"),
            metrics->levenshtein, metrics->levenshtein_norm);
  else
    /* Translators: the texts were too long and far apart for the exact distance: an upper bound. */
    printf (_("Levenshtein:       %.0f at most (%.4f of the longer text)\n"),
            metrics->levenshtein, metrics->levenshtein_norm);
  printf (_("Changed tokens:    %.4f\n"), metrics->changed_share);
  printf (_("Similarity (2M/T): %.4f\n"), metrics->similarity_ratio);
  printf (_("Length ratio:      %.4f\n"), metrics->length_ratio);
  printf (_("Granularity:       %s\n"),
          clair_enum_to_nick (CLAIR_TYPE_DIFF_GRANULARITY, clair_diff_get_granularity (diff)));
}

static gboolean
want_color (const char *when)
{
  if (g_strcmp0 (when, "always") == 0)
    return TRUE;
  if (g_strcmp0 (when, "never") == 0)
    return FALSE;
  return isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL
         && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
}

int
clair_cmd_diff (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairDiff) diff = NULL;
  g_autoptr(GBytes) a_bytes = NULL;
  g_autoptr(GBytes) b_bytes = NULL;
  const char *a, *b;
  g_autofree char *color = NULL;
  gsize a_len = 0, b_len = 0;
  gboolean json = FALSE, stats = FALSE, ignore_space = FALSE, exact = TRUE, colored;
  ClairDiffFlags flags = CLAIR_DIFF_FLAGS_NONE;
  ClairMetrics metrics;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object: ops (equal, delete, insert with their text), metrics, tokens"), NULL },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &stats,
      N_("Print the metrics instead of the diff (with --json: leave out the ops)"), NULL },
    { "ignore-whitespace", 'w', 0, G_OPTION_ARG_NONE, &ignore_space,
      N_("Treat all runs of whitespace as equal"), NULL },
    { "color", 0, 0, G_OPTION_ARG_STRING, &color,
      N_("Colour the diff: auto (on a terminal), always, never"), N_("WHEN") },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("A B — word diff and contrastiveness metrics of two text files"));
  g_option_context_set_description (context,
    _("Without --json, deletions print as [-old-] and insertions as {+new+}, as git diff --word-diff\n"
      "does, or in colour on a terminal. With --json, the equal and delete texts concatenate to A\n"
      "and the equal and insert texts to B. Inputs over 4 MiB together are aligned by lines, not\n"
      "words; a note on stderr says so. Exit status: 0 success, 1 failure, 2 usage error."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((rc = clair_cli_parse (context, "diff", &argc, &argv)) >= 0)
    return rc;
  if (argc != 3)
    return clair_cli_usage_error ("diff", _("expected two files, A and B"));
  if (color != NULL && g_strcmp0 (color, "auto") != 0 && g_strcmp0 (color, "always") != 0
      && g_strcmp0 (color, "never") != 0)
    return clair_cli_usage_error ("diff", _("--color takes auto, always or never, not “%s”"), color);
  if (ignore_space && json && !stats)
    return clair_cli_usage_error ("diff", _("--ignore-whitespace cannot be combined with the ops of --json: "
                                             "their equal texts would no longer concatenate to A"));

#ifdef __GLIBC__
  /* One short-lived process: keep freed memory in the heap for the next stage instead of handing
   * it back to the kernel and faulting fresh pages in again (a quarter of the run time on
   * 50,000-word inputs went to page faults). */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
  if ((a_bytes = read_text (argv[1])) == NULL || (b_bytes = read_text (argv[2])) == NULL)
    return CLAIR_EXIT_FAILURE;
  a = g_bytes_get_data (a_bytes, &a_len);
  b = g_bytes_get_data (b_bytes, &b_len);
  if (a == NULL)
    a = "";
  if (b == NULL)
    b = "";

  if (ignore_space)
    flags |= CLAIR_DIFF_IGNORE_WHITESPACE;
  /* The JSON, the statistics and the text diff without colour show no character spans. */
  colored = !json && !stats && want_color (color);
  if (!colored)
    flags |= CLAIR_DIFF_NO_REFINE;
  /* The metrics share the diff's tokens and word alignment instead of cutting and aligning the
   * texts a second time. */
  if (json || stats)
    diff = clair_diff_compute_with_metrics (a, a_len, b, b_len, flags, &metrics, &exact);
  else
    diff = clair_diff_compute (a, a_len, b, b_len, flags);
  if (clair_diff_get_granularity (diff) == CLAIR_DIFF_GRANULARITY_LINE)
    fprintf (stderr, _("clair diff: the inputs are over %d MiB together, so they were aligned by "
                       "lines rather than words\n"), CLAIR_DIFF_LINE_THRESHOLD / (1024 * 1024));

  if (stats && !json)
    {
      print_stats (diff, &metrics, exact);
      return CLAIR_EXIT_OK;
    }
  if (json)
    {
      if (!write_diff_json (diff, a, b, &metrics, exact, !stats))
        return clair_cli_fail (_("could not write the diff to standard output"));
    }
  else if (!write_diff_text (diff, a, b, colored))
    return clair_cli_fail (_("could not write the diff to standard output"));
  return CLAIR_EXIT_OK;
}
