/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dataset"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "clair-dataset.h"
#include "clair-enum-nick.h"
#include "clair-error.h"
#include "clair-jscan.h"
#include "clair-read-ahead.h"

/* The dataset readers (JSONL, JSON, CSV, TSV), column mapping, the row index (progressive,
 * cancellable) and every malformed input, plus the JSON scanner they stand on. */

static char *tmp_dir;

static char *
write_file (const char *name,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static ClairDataset *
open_text (const char *name,
           const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file (name, contents, -1);
  ClairDataset *dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dataset);
  return dataset;
}

static ClairDataset *
open_indexed (const char *name,
              const char *contents)
{
  g_autoptr(GError) error = NULL;
  ClairDataset *dataset = open_text (name, contents);

  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (clair_dataset_is_indexed (dataset));
  return dataset;
}

static ClairRow *
read_row (ClairDataset *dataset,
          guint         index,
          const char   *task_column,
          const char   *solution_column)
{
  g_autoptr(GError) error = NULL;
  ClairMapping mapping = { (char *) task_column, (char *) solution_column };
  ClairRow *row = clair_dataset_read_row (dataset, index, &mapping, &error);

  g_assert_no_error (error);
  g_assert_nonnull (row);
  g_assert_cmpuint (row->index, ==, index);
  return row;
}

/* Reads a row that must fail; returns the error for the caller to inspect. */
static GError *
read_row_error (ClairDataset *dataset,
                guint         index,
                const char   *task_column,
                const char   *solution_column)
{
  GError *error = NULL;
  ClairMapping mapping = { (char *) task_column, (char *) solution_column };
  ClairRow *row = clair_dataset_read_row (dataset, index, &mapping, &error);

  g_assert_null (row);
  g_assert_nonnull (error);
  return error;
}

static void
assert_message_has (const GError *error,
                    const char   *part)
{
  if (strstr (error->message, part) == NULL)
    g_error ("expected “%s” in the message: %s", part, error->message);
}

static void
assert_columns (ClairDataset *dataset,
                const char   *expected)
{
  g_autofree char *joined = g_strjoinv (",", (char **) clair_dataset_get_columns (dataset));

  g_assert_cmpstr (joined, ==, expected);
}

/* Formats */

static void
test_format_strings (void)
{
  int value = -1;

  for (ClairFormat f = CLAIR_FORMAT_JSONL; f <= CLAIR_FORMAT_PARQUET; f++)
    {
      g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, clair_enum_to_nick (CLAIR_TYPE_FORMAT, f),
                                           &value));
      g_assert_cmpint (value, ==, f);
    }
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "NDJSON", &value));
  g_assert_cmpint (value, ==, CLAIR_FORMAT_JSONL);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "Parquet", &value));
  g_assert_cmpint (value, ==, CLAIR_FORMAT_PARQUET);
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "xlsx", &value));
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_FORMAT, NULL, &value));
  g_assert_cmpint (value, ==, CLAIR_FORMAT_PARQUET);
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_FORMAT, CLAIR_FORMAT_UNKNOWN), ==, "unknown");
}

static void
test_jsonl (void)
{
  /* A BOM, CRLF line ends, blank lines (not rows), escapes and unicode, extra columns of every
   * JSON type kept as written. */
  g_autoptr(ClairDataset) dataset = open_indexed ("basic.jsonl",
    "\xef\xbb\xbf{\"id\": 1, \"task\": \"Add \\\"2\\\" and 2.\\n\", \"student_solution\": \"5 \\u00e9 \\ud83d\\ude00 ✓\", \"meta\": {\"a\": [1, 2.5e3, null]}}\r\n"
    "\r\n"
    "   \n"
    "{\"task\":\"T1\",\"student_solution\":\"S1\"}\n"
    "\n"
    "  {\"student_solution\":\"S2\",\"ok\":true,\"task\":\"T2\",\"n\":-0.5}  \n");
  g_autoptr(ClairRow) row0 = NULL;
  g_autoptr(ClairRow) row1 = NULL;
  g_autoptr(ClairRow) row2 = NULL;

  g_assert_cmpint (clair_dataset_get_format (dataset), ==, CLAIR_FORMAT_JSONL);
  assert_columns (dataset, "id,task,student_solution,meta");
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 3);

  row0 = read_row (dataset, 0, "task", "student_solution");
  g_assert_cmpuint (row0->line, ==, 1);
  g_assert_cmpstr (row0->task, ==, "Add \"2\" and 2.\n");
  g_assert_cmpstr (row0->solution, ==, "5 é 😀 ✓");
  g_assert_cmpstr (row0->extra_json, ==, "{\"id\":1,\"meta\":{\"a\": [1, 2.5e3, null]}}");

  row1 = read_row (dataset, 1, "task", "student_solution");
  g_assert_cmpuint (row1->line, ==, 4);
  g_assert_cmpstr (row1->task, ==, "T1");
  g_assert_cmpstr (row1->extra_json, ==, "{}");

  row2 = read_row (dataset, 2, "task", "student_solution");
  g_assert_cmpuint (row2->line, ==, 6);
  g_assert_cmpstr (row2->task, ==, "T2");
  g_assert_cmpstr (row2->solution, ==, "S2");
  g_assert_cmpstr (row2->extra_json, ==, "{\"ok\":true,\"n\":-0.5}");
}

static void
test_jsonl_no_final_newline (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("last.jsonl",
                                                  "{\"task\":\"a\",\"student_solution\":\"b\"}\n"
                                                  "{\"task\":\"c\",\"student_solution\":\"d\"}");
  g_autoptr(ClairRow) row = NULL;

  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 2);
  row = read_row (dataset, 1, "task", "student_solution");
  g_assert_cmpstr (row->solution, ==, "d");
  g_assert_cmpuint (row->line, ==, 2);
}

static void
test_json_array (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("array.json",
    "\xef\xbb\xbf[\n"
    "  {\n"
    "    \"question\": \"What is [1, 2]?\",\n"
    "    \"answer\": \"A list } with ] brackets\",\n"
    "    \"tags\": [\"x\", {\"y\": \"]\"}]\n"
    "  },\n"
    "  {\"question\": \"Q2\", \"answer\": \"A2\", \"tags\": []}, {\"question\": \"Q3\", \"answer\": \"A3\"}\n"
    "]\n");
  g_autoptr(ClairRow) row0 = NULL;
  g_autoptr(ClairRow) row2 = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (clair_dataset_get_format (dataset), ==, CLAIR_FORMAT_JSON);
  assert_columns (dataset, "question,answer,tags");
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 3);

  row0 = read_row (dataset, 0, "question", "answer");
  g_assert_cmpuint (row0->line, ==, 2);
  g_assert_cmpstr (row0->task, ==, "What is [1, 2]?");
  g_assert_cmpstr (row0->solution, ==, "A list } with ] brackets");
  g_assert_cmpstr (row0->extra_json, ==, "{\"tags\":[\"x\", {\"y\": \"]\"}]}");

  row2 = read_row (dataset, 2, "question", "answer");
  g_assert_cmpuint (row2->line, ==, 7);
  g_assert_cmpstr (row2->solution, ==, "A3");

  json = clair_dataset_read_row_json (dataset, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json, ==, "{\"question\": \"Q2\", \"answer\": \"A2\", \"tags\": []}");
}

static void
test_csv_rfc4180 (void)
{
  /* BOM, CRLF, quoted delimiters, doubled quotes, embedded CRLF and LF newlines, empty fields,
   * a blank line between records, no final line break. */
  g_autoptr(ClairDataset) dataset = open_indexed ("quotes.csv",
    "\xef\xbb\xbfid,task,student_solution,note\r\n"
    "1,\"Say \"\"hi\"\", please\",plain answer,\r\n"
    "2,\"Two\r\nlines\",\"a, b\nand c\",\"\"\r\n"
    "\r\n"
    "3,T3,\"S3 \"\"quoted\"\"\",last");
  g_autoptr(ClairRow) row0 = NULL;
  g_autoptr(ClairRow) row1 = NULL;
  g_autoptr(ClairRow) row2 = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (clair_dataset_get_format (dataset), ==, CLAIR_FORMAT_CSV);
  assert_columns (dataset, "id,task,student_solution,note");
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 3);

  row0 = read_row (dataset, 0, "task", "student_solution");
  g_assert_cmpuint (row0->line, ==, 2);
  g_assert_cmpstr (row0->task, ==, "Say \"hi\", please");
  g_assert_cmpstr (row0->solution, ==, "plain answer");
  g_assert_cmpstr (row0->extra_json, ==, "{\"id\":\"1\",\"note\":\"\"}");

  row1 = read_row (dataset, 1, "task", "student_solution");
  g_assert_cmpuint (row1->line, ==, 3);
  g_assert_cmpstr (row1->task, ==, "Two\r\nlines");
  g_assert_cmpstr (row1->solution, ==, "a, b\nand c");
  g_assert_cmpstr (row1->extra_json, ==, "{\"id\":\"2\",\"note\":\"\"}");

  row2 = read_row (dataset, 2, "task", "student_solution");
  g_assert_cmpuint (row2->line, ==, 7);
  g_assert_cmpstr (row2->solution, ==, "S3 \"quoted\"");
  g_assert_cmpstr (row2->extra_json, ==, "{\"id\":\"3\",\"note\":\"last\"}");

  json = clair_dataset_read_row_json (dataset, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json, ==, "{\"id\":\"1\",\"task\":\"Say \\\"hi\\\", please\","
                             "\"student_solution\":\"plain answer\",\"note\":\"\"}");
}

static void
test_csv_header_names (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("names.csv", "a,,a,\"b,c\"\n1,2,3,4\n");

  assert_columns (dataset, "a,column_2,a.1,b,c");
}

static void
test_csv_header_duplicates (void)
{
  /* A renamed duplicate never takes a name the header already has, nor one given earlier. */
  g_autoptr(ClairDataset) dataset = open_indexed ("duplicates.csv",
                                                  "a,a,a.1,a,,b,a.2,b,column_5\n"
                                                  "1,2,3,4,5,6,7,8,9\n");
  g_autoptr(ClairDataset) json = open_text ("duplicates.jsonl", "{\"a\":1,\"b\":2,\"a\":3}\n");

  assert_columns (dataset, "a,a.1,a.1.1,a.2,column_5,b,a.2.1,b.1,column_5.1");
  /* In JSON a key given twice is one column. */
  assert_columns (json, "a,b");
}

/* A CSV of @n_columns named c0, c1… where the second half repeats the first (to be renamed
 * “c0.1”…), and one row of values v0, v1… */
static char *
wide_csv (guint n_columns)
{
  GString *text = g_string_sized_new (n_columns * 16);

  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (text, "%sc%u", i > 0 ? "," : "", i % (n_columns / 2));
  g_string_append_c (text, '\n');
  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (text, "%sv%u", i > 0 ? "," : "", i);
  g_string_append_c (text, '\n');
  return g_string_free (text, FALSE);
}

/* The processor time this thread has used, in microseconds: unlike the wall clock, it does not
 * count the time other processes of a busy machine run instead. */
static gint64
thread_cpu_time (void)
{
  struct timespec now;

  g_assert_cmpint (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now), ==, 0);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* Opens, indexes and reads the only row of a wide_csv() file, checking what it finds; returns
 * the processor time that took, in microseconds. */
static gint64
open_wide_csv (const char *path,
               guint       n_columns)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairRow) row = NULL;
  g_autofree char *json = NULL;
  g_autofree char *last = g_strdup_printf ("c%u.1", n_columns / 2 - 1);
  g_autofree char *last_value = g_strdup_printf ("v%u", n_columns - 1);
  g_autofree char *renamed = g_strdup_printf ("\"c0.1\":\"v%u\"", n_columns / 2);
  const char * const *columns;
  gint64 start = thread_cpu_time ();
  gint64 elapsed;

  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  g_assert_no_error (error);
  row = read_row (dataset, 0, "c0", last);
  json = clair_dataset_read_row_json (dataset, 0, &error);
  g_assert_no_error (error);
  elapsed = thread_cpu_time () - start;

  columns = clair_dataset_get_columns (dataset);
  g_assert_cmpuint (g_strv_length ((char **) columns), ==, n_columns);
  g_assert_cmpstr (columns[n_columns - 1], ==, last);
  g_assert_cmpstr (row->task, ==, "v0");
  g_assert_cmpstr (row->solution, ==, last_value);
  g_assert_nonnull (strstr (row->extra_json, "\"c1\":\"v1\""));
  g_assert_nonnull (strstr (row->extra_json, renamed));
  g_assert_nonnull (strstr (json, renamed));
  return elapsed;
}

static void
test_csv_wide (void)
{
  /* Sixteen times the columns must cost about sixteen times the time, not 256 times: a linear
   * search per header name made 100,000 columns take 12 s. The large file is compared with a
   * small one on the same machine, in processor time, taking the best of a few tries; the bound
   * sits halfway (on a log scale) between linear and quadratic, as cache effects and a busy
   * machine make linear code measure up to twice its ideal. */
  const guint small = 2000;
  const guint large = 32000;
  const double bound = 64.0;
  g_autofree char *small_text = wide_csv (small);
  g_autofree char *large_text = wide_csv (large);
  g_autofree char *small_path = write_file ("wide-small.csv", small_text, -1);
  g_autofree char *large_path = write_file ("wide-large.csv", large_text, -1);
  gint64 small_time = G_MAXINT64;
  gint64 large_time = G_MAXINT64;
  double ratio = 0;

  for (guint i = 0; i < 5; i++)
    small_time = MIN (small_time, open_wide_csv (small_path, small));
  small_time = MAX (small_time, 1);
  /* Tries again only near the bound, where noise could have put it: quadratic code is far over. */
  for (guint i = 0; i < 3 && (i == 0 || (ratio >= bound && ratio < 2 * bound)); i++)
    {
      large_time = MIN (large_time, open_wide_csv (large_path, large));
      ratio = (double) large_time / small_time;
    }

  g_test_message ("%u columns: %.1f ms; %u columns: %.1f ms (%.1f times as long)", small,
                  small_time / 1000.0, large, large_time / 1000.0, ratio);
  if (ratio >= bound)
    g_error ("%u columns took %.1f times as long as %u (%.1f ms against %.1f ms): the header or "
             "row handling is not linear", large, ratio, small, large_time / 1000.0,
             small_time / 1000.0);
}

static void
test_tsv (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("data.tsv",
    "instruction\tresponse\tsource\n"
    "Do \"this\"\tdone, with commas\tweb\n"
    "\"Quoted\ttab\"\t\"two\nlines\"\tbook\n");
  g_autoptr(ClairDataset) sniffed = open_indexed ("data.txt", "prompt\trejected\tx\np\tr\ty\n");
  g_autoptr(ClairRow) row0 = NULL;
  g_autoptr(ClairRow) row1 = NULL;
  g_autoptr(ClairRow) row = NULL;

  g_assert_cmpint (clair_dataset_get_format (dataset), ==, CLAIR_FORMAT_TSV);
  assert_columns (dataset, "instruction,response,source");
  row0 = read_row (dataset, 0, "instruction", "response");
  g_assert_cmpstr (row0->task, ==, "Do \"this\"");
  g_assert_cmpstr (row0->solution, ==, "done, with commas");
  row1 = read_row (dataset, 1, "instruction", "response");
  g_assert_cmpstr (row1->task, ==, "Quoted\ttab");
  g_assert_cmpstr (row1->solution, ==, "two\nlines");
  g_assert_cmpstr (row1->extra_json, ==, "{\"source\":\"book\"}");

  g_assert_cmpint (clair_dataset_get_format (sniffed), ==, CLAIR_FORMAT_TSV);
  row = read_row (sniffed, 0, "prompt", "rejected");
  g_assert_cmpstr (row->solution, ==, "r");
}

static void
test_sniff (void)
{
  g_autoptr(ClairDataset) lines_in_json = open_text ("lines.json", "{\"task\":\"t\",\"student_solution\":\"s\"}\n");
  g_autoptr(ClairDataset) array_no_ext = open_text ("array", " [ {\"task\":\"t\",\"student_solution\":\"s\"} ]");
  g_autoptr(ClairDataset) csv_no_ext = open_text ("table.dat", "a,b\tc,d\n1,2\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file ("explicit.txt", "a\tb\n1\t2\n", -1);
  g_autoptr(ClairDataset) forced = clair_dataset_open (path, CLAIR_FORMAT_CSV, &error);

  g_assert_cmpint (clair_dataset_get_format (lines_in_json), ==, CLAIR_FORMAT_JSONL);
  g_assert_cmpint (clair_dataset_get_format (array_no_ext), ==, CLAIR_FORMAT_JSON);
  g_assert_cmpint (clair_dataset_get_format (csv_no_ext), ==, CLAIR_FORMAT_CSV);
  g_assert_no_error (error);
  g_assert_cmpint (clair_dataset_get_format (forced), ==, CLAIR_FORMAT_CSV);
  assert_columns (forced, "a\tb");
  g_assert_cmpuint (clair_dataset_get_size (forced), ==, 8);
  g_assert_cmpstr (clair_dataset_get_path (forced), ==, path);
}

/* Mapping */

static void
assert_guess (const char * const *columns,
              const char         *task,
              const char         *solution)
{
  ClairMapping mapping = { 0 };
  gboolean found = clair_mapping_guess (columns, &mapping);

  g_assert_cmpint (found, ==, task != NULL);
  g_assert_cmpstr (mapping.task_column, ==, task);
  g_assert_cmpstr (mapping.solution_column, ==, solution);
  clair_mapping_clear (&mapping);
  g_assert_null (mapping.task_column);
}

static void
test_mapping_guess (void)
{
  const char * const clair[] = { "id", "task", "student_solution", NULL };
  const char * const ultrafeedback[] = { "prompt", "prompt_id", "chosen", "rejected", NULL };
  const char * const alpaca[] = { "instruction", "input", "response", NULL };
  const char * const qa[] = { "Question", "Answer", NULL };
  const char * const both[] = { "question", "answer", "task", "student_solution", NULL };
  const char * const half[] = { "task", "answer", NULL };
  const char * const none[] = { "alpha", "beta", NULL };

  assert_guess (clair, "task", "student_solution");
  assert_guess (ultrafeedback, "prompt", "rejected");
  assert_guess (alpaca, "instruction", "response");
  assert_guess (qa, "Question", "Answer");
  assert_guess (both, "task", "student_solution");
  assert_guess (half, NULL, NULL);
  assert_guess (none, NULL, NULL);
  assert_guess (NULL, NULL, NULL);
}

static void
test_mapping_explicit (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("explicit.jsonl",
    "{\"task\":\"ignored task\",\"student_solution\":\"ignored\",\"alpha\":\"A\",\"beta\":\"B\"}\n");
  g_autoptr(ClairDataset) csv = open_indexed ("explicit.csv", "alpha,beta,gamma\nx,y,z\n");
  g_autoptr(ClairRow) row = read_row (dataset, 0, "alpha", "beta");
  g_autoptr(ClairRow) same = read_row (dataset, 0, "alpha", "alpha");
  g_autoptr(ClairRow) csv_row = read_row (csv, 0, "gamma", "alpha");

  g_assert_cmpstr (row->task, ==, "A");
  g_assert_cmpstr (row->solution, ==, "B");
  g_assert_cmpstr (row->extra_json, ==, "{\"task\":\"ignored task\",\"student_solution\":\"ignored\"}");
  g_assert_cmpstr (same->task, ==, "A");
  g_assert_cmpstr (same->solution, ==, "A");
  g_assert_cmpstr (csv_row->task, ==, "z");
  g_assert_cmpstr (csv_row->solution, ==, "x");
  g_assert_cmpstr (csv_row->extra_json, ==, "{\"beta\":\"y\"}");
}

static void
test_message_lists (void)
{
  /* UltraFeedback binarized and ultrafeedback_clair_32k keep chosen/rejected as chat messages. */
  g_autoptr(ClairDataset) dataset = open_indexed ("ultrafeedback.jsonl",
    "{\"prompt\":\"Name a prime.\",\"prompt_id\":\"p0\","
    "\"chosen\":[{\"role\":\"user\",\"content\":\"Name a prime.\"},{\"role\":\"assistant\",\"content\":\"Seven.\"}],"
    "\"rejected\":[{\"role\":\"user\",\"content\":\"Name a prime.\"},{\"content\":\"Nine.\",\"role\":\"assistant\"},"
    "{\"role\":\"user\",\"content\":\"Sure?\"},{\"role\":\"assistant\",\"content\":\"Nine, \\\"surely\\\".\"}]}\n"
    "{\"prompt\":\"p\",\"rejected\":[{\"role\":\"user\",\"content\":\"only a user\"}]}\n"
    "{\"prompt\":\"p\",\"rejected\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"text\"}]}]}\n"
    "{\"prompt\":\"p\",\"rejected\":[\"not\", \"messages\"]}\n");
  g_autoptr(ClairRow) row = read_row (dataset, 0, "prompt", "rejected");
  g_autoptr(ClairRow) from_list = read_row (dataset, 0, "chosen", "chosen");
  g_autoptr(GError) no_assistant = NULL;
  g_autoptr(GError) not_text = NULL;
  g_autoptr(GError) not_messages = NULL;

  g_assert_cmpstr (row->task, ==, "Name a prime.");
  g_assert_cmpstr (row->solution, ==, "Nine, \"surely\".");
  g_assert_cmpstr (row->extra_json, ==,
                   "{\"prompt_id\":\"p0\",\"chosen\":[{\"role\":\"user\",\"content\":\"Name a prime.\"},"
                   "{\"role\":\"assistant\",\"content\":\"Seven.\"}]}");
  /* The task column takes the user's request, the solution column the assistant's answer. */
  g_assert_cmpstr (from_list->task, ==, "Name a prime.");
  g_assert_cmpstr (from_list->solution, ==, "Seven.");

  no_assistant = read_row_error (dataset, 1, "prompt", "rejected");
  g_assert_error (no_assistant, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (no_assistant, "line 2,");
  assert_message_has (no_assistant, "no assistant message");

  not_text = read_row_error (dataset, 2, "prompt", "rejected");
  g_assert_error (not_text, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (not_text, "line 3,");
  assert_message_has (not_text, "a list as its content");

  not_messages = read_row_error (dataset, 3, "prompt", "rejected");
  g_assert_error (not_messages, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (not_messages, "line 4,");
  assert_message_has (not_messages, "“rejected”");
}

/* Malformed input */

typedef struct
{
  const char *line;
  guint       column;
  const char *expected;
} BadJson;

static void
test_invalid_json (void)
{
  static const BadJson cases[] = {
    { "{\"task\":\"t\",\"student_solution\":}", 32, "expected a value" },
    { "{\"task\":\"t\",\"student_solution\":\"s\",}", 36, "expected a string key" },
    { "{\"task\":\"t\" \"student_solution\":\"s\"}", 13, "expected “,” or “}”" },
    { "{\"task\":\"t\",\"student_solution\":\"s", 32, "never ends" },
    { "{\"task\":\"t\",\"student_solution\":\"a\\qb\"}", 34, "invalid escape “\\q”" },
    { "{\"task\":\"t\",\"student_solution\":\"\\u12\"}", 33, "four hexadecimal digits" },
    { "{\"task\":\"t\",\"student_solution\":tru}", 32, "expected “true”" },
    { "{\"task\":\"t\",\"student_solution\":01}", 33, "expected “,” or “}”" },
    { "{\"task\":\"t\",\"student_solution\":-}", 33, "expected a digit" },
    { "{\"task\":\"t\",\"student_solution\":\"s\"} {}", 37, "expected the end of the line" },
    { "[\"task\",\"student_solution\"]", 1, "expected a JSON object" },
    { "{'task':'t'}", 2, "expected a string key or “}”" },
    { "{\"task\":\"t\",\"student_solution\":\"s\"", 35, "expected “,” or “}”" },
  };
  g_autoptr(GString) text = g_string_new ("{\"task\":\"first\",\"student_solution\":\"ok\"}\n");
  g_autoptr(ClairDataset) dataset = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_string_append_printf (text, "%s\n", cases[i].line);
  dataset = open_indexed ("bad.jsonl", text->str);
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, G_N_ELEMENTS (cases) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = read_row_error (dataset, i + 1, "task", "student_solution");
      g_autofree char *where = g_strdup_printf ("line %u, column %u:", i + 2, cases[i].column);

      g_test_message ("%s", error->message);
      g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
      assert_message_has (error, "bad.jsonl");
      assert_message_has (error, where);
      assert_message_has (error, cases[i].expected);
    }

  /* A bad row fails alone: the rows around it still read. */
  {
    g_autoptr(ClairRow) row = read_row (dataset, 0, "task", "student_solution");
    g_assert_cmpstr (row->task, ==, "first");
  }
}

static void
test_invalid_json_first_line (void)
{
  /* Columns come from the first row that parses; the broken first row fails on its own. */
  g_autoptr(ClairDataset) dataset = open_indexed ("first.jsonl",
                                                  "{\"task\": oops}\n"
                                                  "{\"task\":\"t\",\"student_solution\":\"s\"}\n");
  g_autoptr(GError) error = read_row_error (dataset, 0, "task", "student_solution");
  g_autoptr(GError) open_error = NULL;
  g_autofree char *path = write_file ("pretty.jsonl", "{\n  \"task\": \"t\"\n}\n", -1);
  g_autoptr(ClairDataset) none = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &open_error);

  assert_columns (dataset, "task,student_solution");
  assert_message_has (error, "line 1, column 10:");

  g_assert_null (none);
  g_assert_error (open_error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (open_error, "pretty.jsonl");
  assert_message_has (open_error, "line 1, column 2:");
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(ClairDataset) jsonl = open_indexed ("utf8.jsonl",
                                                "{\"task\":\"t\",\"student_solution\":\"ok\"}\n"
                                                "{\"task\":\"caf\xe9\",\"student_solution\":\"s\"}\n"
                                                "{\"task\":\"t\",\"student_solution\":\"s\",\"x\":\"\xed\xa0\x80\"}\n");
  g_autoptr(ClairDataset) csv = open_indexed ("utf8.csv", "task,student_solution\nok,fine\n\"multi\nline\",bad \xff byte\n");
  g_autoptr(GError) error = read_row_error (jsonl, 1, "task", "student_solution");
  g_autoptr(GError) surrogate = read_row_error (jsonl, 2, "task", "student_solution");
  g_autoptr(GError) csv_error = read_row_error (csv, 1, "task", "student_solution");

  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (error, "line 2, column 13:");
  assert_message_has (error, "invalid UTF-8 (byte 0xE9)");
  g_assert_error (surrogate, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (surrogate, "line 3,");
  assert_message_has (surrogate, "invalid UTF-8");

  g_assert_error (csv_error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (csv_error, "utf8.csv");
  assert_message_has (csv_error, "line 4, column 2 (“student_solution”)");
  assert_message_has (csv_error, "invalid UTF-8 (byte 0xFF)");
}

static void
test_missing_column (void)
{
  g_autoptr(ClairDataset) jsonl = open_indexed ("missing.jsonl",
                                                "{\"task\":\"t\",\"student_solution\":\"s\"}\n"
                                                "{\"task\":\"t\",\"solution\":\"s\"}\n");
  g_autoptr(ClairDataset) csv = open_indexed ("missing.csv", "task,answer\nt,a\n");
  g_autoptr(GError) error = read_row_error (jsonl, 1, "task", "student_solution");
  g_autoptr(GError) csv_error = read_row_error (csv, 0, "task", "student_solution");

  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_MISSING_COLUMN);
  assert_message_has (error, "line 2:");
  assert_message_has (error, "no column “student_solution”");
  g_assert_error (csv_error, CLAIR_ERROR, CLAIR_ERROR_MISSING_COLUMN);
  assert_message_has (csv_error, "line 2:");
  assert_message_has (csv_error, "no column “student_solution” (the header has: task, answer)");
}

static void
test_non_string (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("types.jsonl",
                                                  "{\"task\":42,\"student_solution\":\"s\"}\n"
                                                  "{\"task\":\"t\",\"student_solution\":null}\n"
                                                  "{\"task\":\"t\",\"student_solution\":{\"text\":\"s\"}}\n"
                                                  "{\"task\":\"t\",\"student_solution\":false}\n");
  static const char * const expected[] = {
    "line 1, column 9: column “task” holds a number, not text",
    "line 2, column 32: column “student_solution” holds null, not text",
    "line 3, column 32: column “student_solution” holds an object, not text",
    "line 4, column 32: column “student_solution” holds false, not text",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = read_row_error (dataset, i, "task", "student_solution");

      g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
      assert_message_has (error, expected[i]);
    }
}

static void
assert_open_fails (const char *name,
                   const char *contents,
                   int         code,
                   const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file (name, contents, -1);
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);

  g_assert_null (dataset);
  g_assert_error (error, CLAIR_ERROR, code);
  assert_message_has (error, name);
  assert_message_has (error, part);
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) header_only = open_text ("header.csv", "task,student_solution\r\n\r\n");

  assert_open_fails ("empty.jsonl", "", CLAIR_ERROR_EMPTY, "is empty");
  assert_open_fails ("blank.jsonl", "\n  \r\n\n", CLAIR_ERROR_EMPTY, "is empty");
  assert_open_fails ("bom.csv", "\xef\xbb\xbf", CLAIR_ERROR_EMPTY, "is empty");
  assert_open_fails ("empty.json", " [ ]\n", CLAIR_ERROR_EMPTY, "is empty");
  assert_open_fails ("object.json", "\"just a string\"", CLAIR_ERROR_INVALID_DATA,
                     "line 1: expected “[”");

  g_assert_false (clair_dataset_index (header_only, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY);
  assert_message_has (error, "has a header but no rows");
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "nope.jsonl", NULL);
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);

  g_assert_null (dataset);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  assert_message_has (error, "nope.jsonl");
}

/* A header of @n_columns columns named c0, c1… separated by @delimiter, and one row. */
static char *
header_of (guint n_columns,
           char  delimiter)
{
  GString *text = g_string_sized_new (n_columns * 8);

  for (guint i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (text, delimiter);
      g_string_append_printf (text, "c%u", i);
    }
  g_string_append (text, "\n1\n");
  return g_string_free (text, FALSE);
}

static void
test_too_many_columns (void)
{
  g_autofree char *at_limit = header_of (CLAIR_DATASET_MAX_COLUMNS, ',');
  g_autofree char *over_limit = header_of (CLAIR_DATASET_MAX_COLUMNS + 1, '\t');
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree char *csv_expected = g_strdup_printf ("line 1: the header has more than %u columns",
                                                   CLAIR_DATASET_MAX_COLUMNS);
  g_autofree char *json_expected = g_strdup_printf ("the row has more than %u columns",
                                                    CLAIR_DATASET_MAX_COLUMNS);
  g_autoptr(ClairDataset) widest = open_text ("widest.csv", at_limit);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ClairDataset) dataset = NULL;

  g_assert_cmpuint (g_strv_length ((char **) clair_dataset_get_columns (widest)), ==,
                    CLAIR_DATASET_MAX_COLUMNS);
  assert_open_fails ("too-wide.tsv", over_limit, CLAIR_ERROR_TOO_LARGE, csv_expected);

  for (guint i = 0; i <= CLAIR_DATASET_MAX_COLUMNS; i++)
    g_string_append_printf (json, "%s\"c%u\":%u", i > 0 ? "," : "", i, i);
  g_string_append (json, "}\n");
  path = write_file ("too-wide.jsonl", json->str, json->len);
  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_null (dataset);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE);
  assert_message_has (error, "too-wide.jsonl");
  assert_message_has (error, "line 1, column");
  assert_message_has (error, json_expected);
}

static void
assert_not_regular (const char *path,
                    const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  g_autofree char *expected = g_strdup_printf ("“%s” is not a regular file (%s)", path, kind);

  g_assert_null (dataset);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED);
  assert_message_has (error, expected);
}

static void
test_not_regular (void)
{
  /* Opening a FIFO for reading blocks until a writer comes, so a regression would hang: the checks
   * run in a subprocess that fails when it takes too long. */
  if (g_test_subprocess ())
    {
      g_autofree char *fifo = g_build_filename (tmp_dir, "fifo.jsonl", NULL);
      g_autofree char *link = g_build_filename (tmp_dir, "fifo-link.csv", NULL);

      g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
      g_assert_cmpint (symlink (fifo, link), ==, 0);
      assert_not_regular (fifo, "a FIFO");
      assert_not_regular (link, "a FIFO");
      assert_not_regular ("/dev/null", "a character device");
      return;
    }

  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_symlink (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = write_file ("target.jsonl",
                                        "{\"task\":\"t\",\"student_solution\":\"s\"}\n", -1);
  g_autofree char *link = g_build_filename (tmp_dir, "link.jsonl", NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairRow) row = NULL;

  g_assert_cmpint (symlink (target, link), ==, 0);
  dataset = clair_dataset_open (link, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (clair_dataset_get_path (dataset), ==, link);
  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  g_assert_no_error (error);
  row = read_row (dataset, 0, "task", "student_solution");
  g_assert_cmpstr (row->solution, ==, "s");
}

static void
test_too_large (void)
{
  /* A 50 MB field fails its row with its size and the limit; the next row still reads. */
  gsize big = 50 * 1000 * 1000;
  g_autoptr(GString) text = g_string_sized_new (big + 256);
  g_autofree char *path = NULL;
  g_autofree char *csv_path = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairDataset) csv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) csv_error = NULL;
  g_autoptr(ClairRow) after = NULL;

  g_string_append (text, "{\"task\":\"t\",\"student_solution\":\"s\"}\n{\"task\":\"t\",\"student_solution\":\"");
  memset (text->str + text->len, 'x', big);
  g_string_set_size (text, text->len + big);
  g_string_append (text, "\"}\n{\"task\":\"t2\",\"student_solution\":\"s2\"}\n");
  path = write_file ("large.jsonl", text->str, text->len);
  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 3);

  g_clear_error (&error);
  error = read_row_error (dataset, 1, "task", "student_solution");
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE);
  assert_message_has (error, "line 2, column 32:");
  assert_message_has (error, "column “student_solution” holds 47.7\xc2\xa0MiB, over the 16.0\xc2\xa0MiB limit");
  after = read_row (dataset, 2, "task", "student_solution");
  g_assert_cmpstr (after->task, ==, "t2");

  /* The same in a CSV, where the field spans lines. */
  g_string_truncate (text, 0);
  g_string_append (text, "task,student_solution\nt,\"a\nb");
  memset (text->str + text->len, 'y', 17 * 1024 * 1024);
  g_string_set_size (text, text->len + 17 * 1024 * 1024);
  g_string_append (text, "\"\n");
  csv_path = write_file ("large.csv", text->str, text->len);
  csv = clair_dataset_open (csv_path, CLAIR_FORMAT_UNKNOWN, &csv_error);
  g_assert_no_error (csv_error);
  g_assert_true (clair_dataset_index (csv, NULL, &csv_error));
  g_assert_no_error (csv_error);
  csv_error = read_row_error (csv, 0, "task", "student_solution");
  g_assert_error (csv_error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE);
  assert_message_has (csv_error, "line 2, column 2 (“student_solution”)");
  assert_message_has (csv_error, "over the 16.0\xc2\xa0MiB limit");
}

static void
test_csv_malformed (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("bad.csv",
                                                  "task,student_solution,id\n"
                                                  "t,\"s\"x,1\n"
                                                  "t,s\n"
                                                  "t,s,1,extra\n"
                                                  "ok,fine,4\n");
  g_autoptr(ClairDataset) unterminated = open_text ("open.csv",
                                                    "task,student_solution\n"
                                                    "t,s\n"
                                                    "t,s\n"
                                                    "t2,\"never closed\n"
                                                    "more text\n");
  g_autoptr(GError) after_quote = read_row_error (dataset, 0, "task", "student_solution");
  g_autoptr(GError) too_few = read_row_error (dataset, 1, "task", "student_solution");
  g_autoptr(GError) too_many = read_row_error (dataset, 2, "task", "student_solution");
  g_autoptr(ClairRow) ok = read_row (dataset, 3, "task", "student_solution");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 4);
  g_assert_error (after_quote, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (after_quote, "line 2, column 2 (“student_solution”): “x” after the closing quote");
  g_assert_error (too_few, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (too_few, "line 3: the row has 2 fields where the header has 3");
  g_assert_error (too_many, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (too_many, "line 4: the row has 4 fields");
  g_assert_cmpstr (ok->extra_json, ==, "{\"id\":\"4\"}");

  /* An unterminated quote makes row boundaries unknowable: the index fails, naming the place. */
  g_assert_false (clair_dataset_index (unterminated, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (error, "open.csv");
  assert_message_has (error, "line 4, column 2 (“student_solution”): a quoted field starts here and never ends");
  g_assert_false (clair_dataset_is_indexed (unterminated));
  g_assert_cmpuint (clair_dataset_get_n_rows (unterminated), ==, 3);

  /* Trying again fails the same way, without finding rows twice. */
  g_clear_error (&error);
  g_assert_false (clair_dataset_index (unterminated, NULL, &error));
  assert_message_has (error, "line 4, column 2");
  g_assert_cmpuint (clair_dataset_get_n_rows (unterminated), ==, 3);
}

static void
test_json_array_malformed (void)
{
  g_autoptr(ClairDataset) missing_comma = open_text ("comma.json",
                                                     "[\n"
                                                     "  {\"task\":\"t\",\"student_solution\":\"s\"},\n"
                                                     "  {\"task\":\"t\",\"student_solution\":\"s\"}\n"
                                                     "  {\"task\":\"t\",\"student_solution\":\"s\"}\n"
                                                     "]\n");
  g_autoptr(ClairDataset) unclosed = open_text ("unclosed.json",
                                                "[{\"task\":\"t\",\"student_solution\":\"s\"},\n"
                                                " {\"task\":\"t\",\"student_solution\":[\"s\"}\n");
  g_autoptr(ClairDataset) bad_row = open_indexed ("badrow.json",
                                                  "[{\"task\":\"t\",\"student_solution\":\"s\"},\n"
                                                  " {\"task\":\"t\",\n  \"student_solution\":nope}]");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) unclosed_error = NULL;
  g_autoptr(GError) row_error = read_row_error (bad_row, 1, "task", "student_solution");

  g_assert_false (clair_dataset_index (missing_comma, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (error, "line 4, column 3: invalid JSON: expected “,” or “]” after a row of the list, found “{”");

  g_assert_false (clair_dataset_index (unclosed, NULL, &unclosed_error));
  g_assert_error (unclosed_error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (unclosed_error, "line 2, column 37:");
  assert_message_has (unclosed_error, "expected “]” to close the list");

  g_assert_error (row_error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  assert_message_has (row_error, "line 3, column 22: invalid JSON: expected “null”");
}

static void
test_row_out_of_range (void)
{
  g_autoptr(ClairDataset) dataset = open_indexed ("range.jsonl", "{\"task\":\"t\",\"student_solution\":\"s\"}\n");
  g_autoptr(GError) error = read_row_error (dataset, 1, "task", "student_solution");
  g_autoptr(GError) json_error = NULL;
  g_autofree char *json = clair_dataset_read_row_json (dataset, 7, &json_error);

  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_null (json);
  g_assert_error (json_error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
}

static void
test_checksum (void)
{
  g_autoptr(ClairDataset) a = open_text ("sum-a.jsonl", "{\"task\":\"t\",\"student_solution\":\"s\"}\n");
  g_autoptr(ClairDataset) b = open_text ("sum-b.jsonl", "{\"task\":\"t\",\"student_solution\":\"s\"}\n");
  g_autoptr(ClairDataset) c = open_text ("sum-c.jsonl", "{\"task\":\"t\",\"student_solution\":\"z\"}\n");
  g_autofree char *sum_a = clair_dataset_compute_checksum (a);
  g_autofree char *sum_b = clair_dataset_compute_checksum (b);
  g_autofree char *sum_c = clair_dataset_compute_checksum (c);

  g_assert_cmpuint (strlen (sum_a), ==, 64);
  g_assert_cmpstr (sum_a, ==, sum_b);
  g_assert_cmpstr (sum_a, !=, sum_c);
}

/* The index from another thread */

#define N_PROGRESS_ROWS 20000

static char *
write_many_rows (const char *name)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < N_PROGRESS_ROWS; i++)
    {
      if (i % 7 == 3)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "{\"task\":\"task %u\",\"student_solution\":\"answer %u\"}\n", i, i);
    }
  return write_file (name, text->str, text->len);
}

typedef struct
{
  GMutex    lock;
  GCond     cond;
  gboolean  paused;
  gboolean  resume;
  guint     calls;
  guint     last_n_rows;
  gboolean  monotonic;
} Gate;

/* Runs in the indexing thread: the first report parks the indexer until the test has looked. */
static void
gate_progress_cb (ClairDataset *dataset,
                  guint         n_rows,
                  guint64       bytes_done,
                  gpointer      user_data)
{
  Gate *gate = user_data;

  g_mutex_lock (&gate->lock);
  gate->monotonic = gate->monotonic && n_rows >= gate->last_n_rows;
  gate->last_n_rows = n_rows;
  if (gate->calls++ == 0)
    {
      gate->paused = TRUE;
      g_cond_broadcast (&gate->cond);
      while (!gate->resume)
        g_cond_wait (&gate->cond, &gate->lock);
    }
  g_mutex_unlock (&gate->lock);
}

typedef struct
{
  ClairDataset *dataset;
  Gate         *gate;
  GCancellable *cancellable;
  GError       *error;
} IndexJob;

static gpointer
index_thread_func (gpointer data)
{
  IndexJob *job = data;

  return GINT_TO_POINTER (clair_dataset_index_with_progress (job->dataset, gate_progress_cb, job->gate,
                                                             job->cancellable, &job->error));
}

static void
test_progressive (void)
{
  g_autofree char *path = write_many_rows ("many.jsonl");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  Gate gate = { .monotonic = TRUE };
  IndexJob job = { dataset, &gate, NULL, NULL };
  GThread *thread;
  guint seen;

  g_assert_no_error (error);
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  thread = g_thread_new ("index", index_thread_func, &job);

  g_mutex_lock (&gate.lock);
  while (!gate.paused)
    g_cond_wait (&gate.cond, &gate.lock);
  g_mutex_unlock (&gate.lock);

  /* Mid-index, from this thread: some rows are readable, the rest are not yet. */
  seen = clair_dataset_get_n_rows (dataset);
  g_assert_cmpuint (seen, >, 0);
  g_assert_cmpuint (seen, <, N_PROGRESS_ROWS);
  g_assert_false (clair_dataset_is_indexed (dataset));
  {
    g_autoptr(ClairRow) first = read_row (dataset, 0, "task", "student_solution");
    g_autoptr(ClairRow) last = read_row (dataset, seen - 1, "task", "student_solution");
    g_autofree char *expected = g_strdup_printf ("answer %u", seen - 1);
    g_autoptr(GError) beyond = read_row_error (dataset, seen, "task", "student_solution");

    g_assert_cmpstr (first->task, ==, "task 0");
    g_assert_cmpstr (last->solution, ==, expected);
    g_assert_error (beyond, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  }

  g_mutex_lock (&gate.lock);
  gate.resume = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_assert_no_error (job.error);

  g_assert_true (gate.monotonic);
  g_assert_cmpuint (gate.calls, >, 2);
  g_assert_cmpuint (gate.last_n_rows, ==, N_PROGRESS_ROWS);
  g_assert_true (clair_dataset_is_indexed (dataset));
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, N_PROGRESS_ROWS);
  {
    g_autoptr(ClairRow) last = read_row (dataset, N_PROGRESS_ROWS - 1, "task", "student_solution");
    g_assert_cmpstr (last->task, ==, "task 19999");
  }
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

static void
cancel_progress_cb (ClairDataset *dataset,
                    guint         n_rows,
                    guint64       bytes_done,
                    gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static void
index_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  clair_dataset_index_finish (CLAIR_DATASET (source), result, error);
  if (*error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "no error (marker)");
}

static void
test_cancel (void)
{
  g_autofree char *path = write_many_rows ("cancel.jsonl");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint partial;

  g_assert_no_error (error);
  g_assert_false (clair_dataset_index_with_progress (dataset, cancel_progress_cb, cancellable,
                                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (clair_dataset_is_indexed (dataset));
  partial = clair_dataset_get_n_rows (dataset);
  g_assert_cmpuint (partial, >, 0);
  g_assert_cmpuint (partial, <, N_PROGRESS_ROWS);

  /* Async with the cancelled cancellable: fails at once. */
  clair_dataset_index_async (dataset, cancellable, index_ready_cb, &async_error);
  while (async_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, partial);

  /* Again, not cancelled: resumes where it stopped, with no row lost or doubled. */
  g_clear_error (&async_error);
  clair_dataset_index_async (dataset, NULL, index_ready_cb, &async_error);
  while (async_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_true (clair_dataset_is_indexed (dataset));
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, N_PROGRESS_ROWS);
  for (guint i = partial - 2; i < partial + 2; i++)
    {
      g_autoptr(ClairRow) row = read_row (dataset, i, "task", "student_solution");
      g_autofree char *expected = g_strdup_printf ("task %u", i);

      g_assert_cmpstr (row->task, ==, expected);
    }
}

/* The JSON scanner */

static void
test_jscan_validate (void)
{
  static const char * const valid[] = {
    "0", "-0.5e+10", "1E3", "\"\"", "\"\\u00e9\\ud83d\\ude00\\/\"", "[]", "{}", " [1, [2, {\"a\": null}]] ",
    "true", "\"日本語 ✓\"", "{\"a\":{\"b\":[false]}}",
  };
  static const char * const invalid[] = {
    "", "01x", "1.", "-", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "\"\t\"", "\"\\x\"", "nul", "[1 2]",
    "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "{} {}", "'a'",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      ClairJscanError jerr;

      if (!clair_jscan_validate (valid[i], strlen (valid[i]), &jerr))
        g_error ("%s should be valid: %s", valid[i], jerr.message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    if (clair_jscan_validate (invalid[i], strlen (invalid[i]), NULL))
      g_error ("%s should be invalid", invalid[i]);

  {
    /* Deep nesting fails cleanly instead of exhausting the stack. */
    g_autoptr(GString) deep = g_string_new (NULL);
    ClairJscanError jerr;

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    g_assert_false (clair_jscan_validate (deep->str, deep->len, &jerr));
    g_assert_nonnull (strstr (jerr.message, "nested deeper"));
  }
}

static void
test_jscan_unescape (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "\"plain\"", "plain" },
    { "\"a\\nb\\t\\\"c\\\\d\\/e\\b\\f\\r\"", "a\nb\t\"c\\d/e\b\f\r" },
    { "\"\\u00e9\\u4e2d\"", "é中" },
    { "\"\\ud83d\\ude00\"", "😀" },
    { "\"lone \\ud83d here\"", "lone \xef\xbf\xbd here" },
    { "\"nul \\u0000\"", "nul \xef\xbf\xbd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len;
      g_autofree char *out = clair_jscan_unescape (cases[i].in, strlen (cases[i].in), &len);
      g_autoptr(GString) appended = g_string_new (">");

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_cmpuint (len, ==, strlen (cases[i].out));
      clair_jscan_unescape_append (appended, cases[i].in, strlen (cases[i].in));
      g_assert_cmpstr (appended->str + 1, ==, cases[i].out);
    }

  g_assert_true (clair_jscan_string_equal ("\"task\"", 6, "task", 4));
  g_assert_true (clair_jscan_string_equal ("\"t\\u0061sk\"", 11, "task", 4));
  g_assert_false (clair_jscan_string_equal ("\"task\"", 6, "tasks", 5));
  g_assert_false (clair_jscan_string_equal ("\"tas\"", 5, "task", 4));
}

static void
test_jscan_iterate (void)
{
  const char *text = "{ \"a\" : [1, \"x\", {\"b\": []}] , \"c\":\"d\" }  ";
  const char *end = text + strlen (text);
  ClairJscanIter iter;
  ClairJscanIter elements;
  ClairJscanSpan key;
  ClairJscanSpan value;
  ClairJscanSpan element;
  ClairJscanError jerr;
  guint n = 0;
  guint newlines = 0;
  const char *lenient = "{\"a\":\n\"}\\\"\",\n\"b\":[{}]}\n, 3";
  const char *lenient_end;

  g_assert_true (clair_jscan_object_begin (&iter, text, end, &jerr));
  g_assert_cmpint (clair_jscan_object_next (&iter, &key, &value, &jerr), ==, 1);
  g_assert_cmpint (key.len, ==, 3);
  g_assert_cmpint (value.type, ==, CLAIR_JSCAN_ARRAY);
  g_assert_cmpmem (value.start, value.len, "[1, \"x\", {\"b\": []}]", 19);

  g_assert_true (clair_jscan_array_begin (&elements, value.start, value.start + value.len, &jerr));
  while (clair_jscan_array_next (&elements, &element, &jerr) > 0)
    n++;
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (clair_jscan_iter_end (&elements) == value.start + value.len);

  g_assert_cmpint (clair_jscan_object_next (&iter, &key, &value, &jerr), ==, 1);
  g_assert_cmpint (value.type, ==, CLAIR_JSCAN_STRING);
  g_assert_cmpint (clair_jscan_object_next (&iter, &key, &value, &jerr), ==, 0);
  g_assert_cmpstr (clair_jscan_iter_end (&iter), ==, "  ");

  lenient_end = clair_jscan_skip_lenient (lenient, lenient + strlen (lenient), &newlines, &jerr);
  g_assert_nonnull (lenient_end);
  g_assert_cmpstr (lenient_end, ==, "\n, 3");
  g_assert_cmpuint (newlines, ==, 2);
}

/* The import's read-ahead worker hands over every row in index order, an unreadable row as its
 * line and reason, each valid until the next is asked for, and stops cleanly when dropped
 * half-way (or before the first row). */
static void
test_read_ahead (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "answer" };
  guint n_rows = 1000, seen = 0;
  guint index, line;
  const ClairRow *row;
  const ClairRowLengths *lengths;
  const char *reason;

  for (guint i = 0; i < n_rows; i++)
    {
      if (i % 97 == 13)
        g_string_append_printf (text, "{\"task\": \"t%u\"}\n", i);   /* no answer column */
      else
        g_string_append_printf (text, "{\"task\": \"t%u\", \"answer\": \"a%u\"}\n", i, i);
    }
  dataset = open_indexed ("read-ahead.jsonl", text->str);
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, n_rows);

  {
    g_autoptr(ClairReadAhead) reader = clair_read_ahead_new (dataset, &mapping, n_rows);

    while (clair_read_ahead_next (reader, &index, &line, &row, &lengths, &reason))
      {
        g_autofree char *task = g_strdup_printf ("t%u", seen);
        g_autofree char *answer = g_strdup_printf ("a%u", seen);

        g_assert_cmpuint (index, ==, seen);
        if (seen % 97 == 13)
          {
            g_assert_null (row);
            g_assert_nonnull (reason);
            g_assert_nonnull (strstr (reason, "answer"));
            g_assert_cmpuint (line, ==, seen + 1);
          }
        else
          {
            g_assert_null (reason);
            g_assert_nonnull (row);
            g_assert_cmpstr (row->task, ==, task);
            g_assert_cmpstr (row->solution, ==, answer);
            /* The lengths the import binds with, measured on the worker. */
            g_assert_cmpuint (lengths->task, ==, strlen (task));
            g_assert_cmpuint (lengths->solution, ==, strlen (answer));
            g_assert_cmpuint (lengths->extra_json, ==, strlen (row->extra_json));
          }
        seen++;
      }
    g_assert_cmpuint (seen, ==, n_rows);
    /* Asked again after the end: still the end. */
    g_assert_false (clair_read_ahead_next (reader, &index, &line, &row, &lengths, &reason));
  }

  /* Dropped after a few rows, and before any: the worker stops and nothing leaks (the sanitizer
   * run checks the latter). */
  {
    ClairReadAhead *reader = clair_read_ahead_new (dataset, &mapping, n_rows);

    for (guint i = 0; i < 5; i++)
      {
        g_assert_true (clair_read_ahead_next (reader, &index, &line, &row, &lengths, &reason));
        g_assert_cmpuint (index, ==, i);
      }
    clair_read_ahead_free (reader);
    clair_read_ahead_free (clair_read_ahead_new (dataset, &mapping, n_rows));
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("clair-test-dataset-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/dataset/format/strings", test_format_strings);
  g_test_add_func ("/dataset/read-ahead", test_read_ahead);
  g_test_add_func ("/dataset/jsonl/basic", test_jsonl);
  g_test_add_func ("/dataset/jsonl/no-final-newline", test_jsonl_no_final_newline);
  g_test_add_func ("/dataset/json/array", test_json_array);
  g_test_add_func ("/dataset/csv/rfc4180", test_csv_rfc4180);
  g_test_add_func ("/dataset/csv/header-names", test_csv_header_names);
  g_test_add_func ("/dataset/csv/header-duplicates", test_csv_header_duplicates);
  g_test_add_func ("/dataset/csv/wide", test_csv_wide);
  g_test_add_func ("/dataset/csv/too-many-columns", test_too_many_columns);
  g_test_add_func ("/dataset/tsv", test_tsv);
  g_test_add_func ("/dataset/sniff", test_sniff);
  g_test_add_func ("/dataset/mapping/guess", test_mapping_guess);
  g_test_add_func ("/dataset/mapping/explicit", test_mapping_explicit);
  g_test_add_func ("/dataset/mapping/message-lists", test_message_lists);
  g_test_add_func ("/dataset/malformed/json", test_invalid_json);
  g_test_add_func ("/dataset/malformed/json-first-line", test_invalid_json_first_line);
  g_test_add_func ("/dataset/malformed/utf8", test_invalid_utf8);
  g_test_add_func ("/dataset/malformed/missing-column", test_missing_column);
  g_test_add_func ("/dataset/malformed/non-string", test_non_string);
  g_test_add_func ("/dataset/malformed/empty", test_empty);
  g_test_add_func ("/dataset/malformed/missing-file", test_missing_file);
  g_test_add_func ("/dataset/malformed/too-large", test_too_large);
  g_test_add_func ("/dataset/malformed/csv", test_csv_malformed);
  g_test_add_func ("/dataset/malformed/json-array", test_json_array_malformed);
  g_test_add_func ("/dataset/open/not-regular", test_not_regular);
  g_test_add_func ("/dataset/open/symlink", test_symlink);
  g_test_add_func ("/dataset/row-out-of-range", test_row_out_of_range);
  g_test_add_func ("/dataset/checksum", test_checksum);
  g_test_add_func ("/dataset/index/progressive", test_progressive);
  g_test_add_func ("/dataset/index/cancel", test_cancel);
  g_test_add_func ("/jscan/validate", test_jscan_validate);
  g_test_add_func ("/jscan/unescape", test_jscan_unescape);
  g_test_add_func ("/jscan/iterate", test_jscan_iterate);

  ret = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (tmp_dir);
    g_free (tmp_dir);
  }
  return ret;
}
