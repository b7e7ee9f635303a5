/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-parquet"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>

#include "clair-dataset.h"
#include "clair-dataset-private.h"
#include "clair-enum-nick.h"
#include "clair-error.h"
#include "clair-parquet.h"
#include "clair-parquet-private.h"
#include "clair-read-ahead.h"
#include "clair-utf8.h"
#include "test-util.h"

/* The Parquet reader behind ClairDataset: every fixture of tests/parquet/ (written by DuckDB,
 * arrow-rs through parquet-wasm and hyparquet-writer, see make-fixtures.mjs) must read back as its
 * writer's own reader read it, and its mapped columns must give what the same rows give as JSON
 * lines. Then shards and folders, detection by magic bytes, concurrent readers, and bad input:
 * files built here byte by byte that lie about their sizes, compress bombs, or hold what the reader
 * does not support, each of which must fail with one clear error. */

static char *tmp_dir;

/* Fixtures */

static char **
list_fixtures (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "parquet", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".parquet"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

static GPtrArray *
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_ptr_array_add (nodes, json_from_string (lines[i], &error));
      g_assert_no_error (error);
    }
  return nodes;
}

/* JSON equality, numbers compared as doubles with a float's precision: readers print a FLOAT's
 * 0.1 as 0.1 or as 0.10000000149011612. */
static gboolean
json_same (JsonNode *a,
           JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;
  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) == G_TYPE_STRING || json_node_get_value_type (b) == G_TYPE_STRING)
        return json_node_get_value_type (a) == json_node_get_value_type (b) &&
               g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
      if (json_node_get_value_type (a) == G_TYPE_BOOLEAN || json_node_get_value_type (b) == G_TYPE_BOOLEAN)
        return json_node_get_value_type (a) == json_node_get_value_type (b) &&
               json_node_get_boolean (a) == json_node_get_boolean (b);
      {
        double x = json_node_get_double (a);
        double y = json_node_get_double (b);

        return x == y || fabs (x - y) <= 1e-6 * MAX (fabs (x), fabs (y));
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a);
        JsonArray *y = json_node_get_array (b);

        if (json_array_get_length (x) != json_array_get_length (y))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (x); i++)
          if (!json_same (json_array_get_element (x, i), json_array_get_element (y, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a);
        JsonObject *y = json_node_get_object (b);
        g_autoptr(GList) members = json_object_get_members (x);

        if (json_object_get_size (x) != json_object_get_size (y))
          return FALSE;
        for (GList *l = members; l != NULL; l = l->next)
          if (!json_object_has_member (y, l->data) ||
              !json_same (json_object_get_member (x, l->data), json_object_get_member (y, l->data)))
            return FALSE;
        return TRUE;
      }
    default:
      return FALSE;
    }
}

static void
assert_json_same (const char *what,
                  guint       row,
                  JsonNode   *ours,
                  JsonNode   *theirs)
{
  if (!json_same (ours, theirs))
    {
      g_autofree char *a = json_to_string (ours, FALSE);
      g_autofree char *b = json_to_string (theirs, FALSE);

      g_test_message ("%s, row %u:\n  ours:   %s\n  theirs: %s", what, row, a, b);
      g_test_fail ();
    }
}

static ClairDataset *
open_indexed (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);

  g_assert_no_error (error);
  g_assert_cmpint (clair_dataset_get_format (dataset), ==, CLAIR_FORMAT_PARQUET);
  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&dataset);
}

/* Every row of every fixture, as JSON, against its writer's read-back. */
static void
test_fixtures_read_back (void)
{
  g_auto(GStrv) fixtures = list_fixtures ();
  guint n_writers[3] = { 0, 0, 0 };

  for (guint f = 0; fixtures[f] != NULL; f++)
    {
      g_autofree char *back_path = g_strconcat (fixtures[f], ".jsonl", NULL);
      g_autofree char *base = g_path_get_basename (fixtures[f]);
      g_autoptr(GPtrArray) back = read_lines (back_path);
      g_autoptr(ClairDataset) dataset = open_indexed (fixtures[f]);
      const char * const *columns = clair_dataset_get_columns (dataset);
      JsonObject *first = json_node_get_object (back->pdata[0]);

      n_writers[g_str_has_prefix (base, "duckdb") ? 0 : g_str_has_prefix (base, "arrow") ? 1 : 2]++;
      g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, back->len);
      g_assert_cmpuint (g_strv_length ((char **) columns), ==, json_object_get_size (first));
      for (guint c = 0; columns[c] != NULL; c++)
        g_assert_true (json_object_has_member (first, columns[c]));

      for (guint i = 0; i < back->len; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *json = clair_dataset_read_row_json (dataset, i, &error);
          g_autoptr(JsonNode) ours = NULL;

          g_assert_no_error (error);
          ours = json_from_string (json, &error);
          g_assert_no_error (error);
          assert_json_same (base, i, ours, back->pdata[i]);
          g_assert_cmpuint (clair_dataset_get_row_line (dataset, i), ==, i + 1);
        }
    }
  /* At least one fixture of each writer, or the comparison proves little. */
  g_assert_cmpuint (n_writers[0], >=, 5);
  g_assert_cmpuint (n_writers[1], >=, 5);
  g_assert_cmpuint (n_writers[2], >=, 3);
}

/* The mapped columns of every row (a string prompt, chat message lists) against the same rows as a
 * JSON lines file: the same text, the same failures, the same other columns. */
/* Mappings the fixtures are read with: strings, chat message lists, neither, one column for both. */
static const char * const fixture_mappings[][2] = {
  { "prompt", "chosen" },
  { "chosen", "rejected" },
  { "prompt", "tags" },
  { "meta", "n" },
  { "chosen", "chosen" },
  { "prompt", "prompt" },
};

static void
test_fixtures_like_jsonl (void)
{
  g_auto(GStrv) fixtures = list_fixtures ();

  for (guint f = 0; fixtures[f] != NULL; f++)
    {
      g_autofree char *back_path = g_strconcat (fixtures[f], ".jsonl", NULL);
      g_autofree char *base = g_path_get_basename (fixtures[f]);
      g_autoptr(ClairDataset) dataset = open_indexed (fixtures[f]);
      g_autoptr(ClairDataset) jsonl = clair_dataset_open (back_path, CLAIR_FORMAT_JSONL, NULL);
      guint n_ok = 0;
      guint n_failed = 0;

      g_assert_nonnull (jsonl);
      g_assert_true (clair_dataset_index (jsonl, NULL, NULL));
      for (guint m = 0; m < G_N_ELEMENTS (fixture_mappings); m++)
        for (guint i = 0; i < clair_dataset_get_n_rows (dataset); i++)
          {
            ClairMapping mapping = { (char *) fixture_mappings[m][0], (char *) fixture_mappings[m][1] };
            g_autoptr(GError) error = NULL;
            g_autoptr(GError) jsonl_error = NULL;
            g_autoptr(ClairRow) ours = clair_dataset_read_row (dataset, i, &mapping, &error);
            g_autoptr(ClairRow) theirs = clair_dataset_read_row (jsonl, i, &mapping, &jsonl_error);

            if (theirs == NULL)
              {
                g_assert_null (ours);
                g_assert_error (error, CLAIR_ERROR, jsonl_error->code);
                /* Errors name the file and the row. */
                g_assert_nonnull (strstr (error->message, base));
                n_failed++;
                continue;
              }
            g_assert_no_error (error);
            g_assert_cmpstr (ours->task, ==, theirs->task);
            g_assert_cmpstr (ours->solution, ==, theirs->solution);
            g_assert_cmpuint (ours->line, ==, i + 1);
            {
              g_autoptr(JsonNode) a = json_from_string (ours->extra_json, &error);
              g_autoptr(JsonNode) b = json_from_string (theirs->extra_json, NULL);

              g_assert_no_error (error);
              assert_json_same (base, i, a, b);
            }
            n_ok++;
          }
      /* The rows hold both: texts to read, and nulls and non-text where a text is wanted. */
      g_assert_cmpuint (n_ok, >, 0);
      g_assert_cmpuint (n_failed, >, 0);
    }
}

/* The last assistant message of a chat column, checked by hand on known rows. */
static void
test_chat_rule (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "parquet", "duckdb-snappy.parquet", NULL);
  g_autoptr(ClairDataset) dataset = open_indexed (path);
  ClairMapping mapping = { (char *) "prompt", (char *) "chosen" };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRow) row1 = clair_dataset_read_row (dataset, 1, &mapping, &error);
  g_autoptr(ClairRow) row2 = NULL;

  g_assert_no_error (error);
  /* Row 1 has four turns: the second assistant message, not the first, is the answer. */
  g_assert_true (g_str_has_prefix (row1->solution, "final 1 "));
  g_assert_true (g_str_has_prefix (row1->task, "1: "));
  row2 = clair_dataset_read_row (dataset, 2, &mapping, &error);
  g_assert_no_error (error);
  g_assert_false (g_str_has_prefix (row2->solution, "final"));
}

/* Copies @src to @dir/@name. */
static char *
copy_to (const char *src,
         const char *dir,
         const char *name)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_rows_equal (ClairDataset *a,
                   guint         index_a,
                   ClairDataset *b,
                   guint         index_b)
{
  g_autofree char *x = clair_dataset_read_row_json (a, index_a, NULL);
  g_autofree char *y = clair_dataset_read_row_json (b, index_b, NULL);

  g_assert_nonnull (x);
  g_assert_cmpstr (x, ==, y);
}

static void
test_shards (void)
{
  g_autofree char *one = g_test_build_filename (G_TEST_DIST, "parquet", "arrow-snappy-v2.parquet", NULL);
  g_autofree char *two = g_test_build_filename (G_TEST_DIST, "parquet", "arrow-zstd-v2.parquet", NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, "shards", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autoptr(ClairDataset) a = open_indexed (one);
  g_autoptr(ClairDataset) set = NULL;
  g_autoptr(ClairDataset) folder = NULL;
  g_autoptr(ClairDataset) alone = NULL;
  g_autoptr(GError) error = NULL;
  guint n = clair_dataset_get_n_rows (a);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  first = copy_to (one, dir, "train-00000-of-00003.parquet");
  second = copy_to (two, dir, "train-00001-of-00003.parquet");

  /* A shard missing: the set does not open as a part of itself. */
  set = clair_dataset_open (first, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_null (set);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "train-00002-of-00003.parquet"));
  g_clear_error (&error);

  third = copy_to (one, dir, "train-00002-of-00003.parquet");
  set = open_indexed (first);
  g_assert_cmpuint (clair_dataset_get_n_rows (set), ==, 3 * n);
  /* Rows in shard order, read back to front too. */
  for (guint i = 3 * n; i-- > 0; )
    assert_rows_equal (set, i, a, i % n);
  g_assert_cmpuint (clair_dataset_get_row_line (set, 2 * n + 4), ==, 2 * n + 5);

  /* The folder is the same dataset; a later shard alone is just itself. */
  folder = open_indexed (dir);
  g_assert_cmpuint (clair_dataset_get_n_rows (folder), ==, 3 * n);
  assert_rows_equal (folder, n + 7, set, n + 7);
  alone = open_indexed (second);
  g_assert_cmpuint (clair_dataset_get_n_rows (alone), ==, n);
  {
    g_autofree char *sum_set = clair_dataset_compute_checksum (set);
    g_autofree char *sum_alone = clair_dataset_compute_checksum (alone);

    g_assert_cmpstr (sum_set, !=, sum_alone);
  }
  g_assert_cmpuint (clair_dataset_get_size (set), ==, 2 * clair_dataset_get_size (a) +
                    clair_dataset_get_size (alone));
}

static GArray *
units_of (const guint *starts,
          guint        n)
{
  GArray *units = g_array_new (FALSE, FALSE, sizeof (guint));

  g_array_append_vals (units, starts, n);
  return units;
}

static void
assert_units (GArray      *units,
              const guint *expected,
              guint        n)
{
  g_autoptr(GArray) want = units_of (expected, n);

  g_assert_nonnull (units);
  g_assert_cmpmem (units->data, units->len * sizeof (guint), want->data, want->len * sizeof (guint));
  g_array_unref (units);
}

/* Every row of @dataset through the import's read-ahead (@workers of them, units of at least
 * @min_rows rows) is the row clair_dataset_read_row() gives from @reference, the same files
 * opened again (nothing else may read @dataset meanwhile), text for text, unreadable rows with
 * the same reason. */
static void
assert_read_ahead_like_rows (ClairDataset       *dataset,
                             ClairDataset       *reference,
                             const ClairMapping *mapping,
                             guint               workers,
                             guint               min_rows)
{
  guint n_rows = clair_dataset_get_n_rows (dataset);
  g_autoptr(ClairReadAhead) reader = _clair_read_ahead_new_full (dataset, mapping, n_rows, workers,
                                                                 min_rows);
  const ClairRow *row;
  const ClairRowLengths *lengths;
  const char *reason;
  guint index, line, seen = 0;

  while (clair_read_ahead_next (reader, &index, &line, &row, &lengths, &reason))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairRow) expected = clair_dataset_read_row (reference, index, mapping, &error);

      g_assert_cmpuint (index, ==, seen);
      g_assert_cmpuint (line, ==, seen + 1);
      if (expected == NULL)
        {
          g_assert_null (row);
          g_assert_cmpstr (reason, ==, error->message);
        }
      else
        {
          g_assert_nonnull (row);
          g_assert_cmpuint (row->index, ==, index);
          g_assert_cmpuint (row->line, ==, line);
          g_assert_cmpstr (row->task, ==, expected->task);
          g_assert_cmpstr (row->solution, ==, expected->solution);
          g_assert_cmpstr (row->extra_json, ==, expected->extra_json);
          /* The lengths are the strings' own: no NUL inside, none missing at the end. */
          g_assert_cmpuint (lengths->task, ==, strlen (row->task));
          g_assert_cmpuint (lengths->solution, ==, strlen (row->solution));
          g_assert_cmpuint (lengths->extra_json, ==, strlen (row->extra_json));
        }
      seen++;
    }
  g_assert_cmpuint (seen, ==, n_rows);
}

/* A dataset of small row groups is read by several workers, each its own groups with readers of
 * its own: the caller still gets every row in index order, as one reader gives it, unreadable
 * rows included, across shards; and a read-ahead dropped half-way stops all of them. The units
 * are the row groups, joined up to a least size; a file of one group, or not Parquet, is one. */
static void
test_read_ahead_split (void)
{
  g_autofree char *one = g_test_build_filename (G_TEST_DIST, "parquet", "arrow-snappy-v2.parquet", NULL);
  g_autofree char *single = g_test_build_filename (G_TEST_DIST, "parquet", "duckdb-snappy.parquet", NULL);
  g_autofree char *lines = g_test_build_filename (G_TEST_DIST, "parquet", "arrow-snappy-v2.parquet.jsonl", NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, "split", NULL);
  ClairMapping mapping = { (char *) "prompt", (char *) "rejected" };
  g_autoptr(ClairDataset) set = NULL;
  g_autoptr(ClairDataset) reference = NULL;
  g_autoptr(ClairDataset) one_group = open_indexed (single);
  g_autoptr(ClairDataset) jsonl = clair_dataset_open (lines, CLAIR_FORMAT_UNKNOWN, NULL);
  guint n_rows, n_failed = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("train-%05u-of-00003.parquet", i);
      g_autofree char *copy = copy_to (one, dir, name);
    }
  /* Groups of 40, 40 and 20 rows in each of three shards. */
  set = open_indexed (dir);
  reference = open_indexed (dir);
  n_rows = clair_dataset_get_n_rows (set);
  g_assert_cmpuint (n_rows, ==, 300);

  assert_units (_clair_dataset_get_read_units (set, 1),
                (const guint[]) { 0, 40, 80, 100, 140, 180, 200, 240, 280 }, 9);
  /* At least 50 rows a unit; the short last one joins the one before. */
  assert_units (_clair_dataset_get_read_units (set, 50), (const guint[]) { 0, 80, 140, 200 }, 4);
  assert_units (_clair_dataset_get_read_units (set, 1000), (const guint[]) { 0 }, 1);
  assert_units (_clair_dataset_get_read_units (one_group, 1), (const guint[]) { 0 }, 1);
  g_assert_true (clair_dataset_index (jsonl, NULL, NULL));
  assert_units (_clair_dataset_get_read_units (jsonl, 1), (const guint[]) { 0 }, 1);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(ClairRow) row = clair_dataset_read_row (reference, i, &mapping, NULL);

      n_failed += row == NULL;
    }
  /* Null prompts and rejected answers: some rows are skipped, with their reason. */
  g_assert_cmpuint (n_failed, >, 0);
  g_assert_cmpuint (n_failed, <, n_rows);

  for (guint workers = 1; workers <= 3; workers++)
    for (guint min_rows = 1; min_rows <= 50; min_rows += 49)
      assert_read_ahead_like_rows (set, reference, &mapping, workers, min_rows);

  /* Dropped in the middle of a unit, and before the first row. */
  for (guint stop_at = 0; stop_at < n_rows; stop_at += 97)
    {
      ClairReadAhead *reader = _clair_read_ahead_new_full (set, &mapping, n_rows, 3, 1);
      const ClairRow *row;
      const ClairRowLengths *lengths;
      const char *reason;
      guint index, line;

      for (guint i = 0; i < stop_at; i++)
        {
          g_assert_true (clair_read_ahead_next (reader, &index, &line, &row, &lengths, &reason));
          g_assert_cmpuint (index, ==, i);
        }
      clair_read_ahead_free (reader);
    }
}

static void
test_magic (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "parquet", "hyparquet-snappy.parquet", NULL);
  g_autofree char *as_json = copy_to (src, tmp_dir, "misnamed.json");
  g_autofree char *no_ext = copy_to (src, tmp_dir, "download");
  g_autofree char *fake = NULL;
  g_autoptr(ClairDataset) a = open_indexed (as_json);
  g_autoptr(ClairDataset) b = open_indexed (no_ext);
  g_autoptr(ClairDataset) c = NULL;
  g_autoptr(GError) error = NULL;

  assert_rows_equal (a, 3, b, 3);
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_FORMAT, CLAIR_FORMAT_PARQUET), ==, "parquet");
  {
    int value = -1;

    g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "Parquet", &value));
    g_assert_cmpint (value, ==, CLAIR_FORMAT_PARQUET);
  }

  /* A .parquet name on JSON lines: the name is believed, and the error says why it fails. */
  fake = g_build_filename (tmp_dir, "fake.parquet", NULL);
  g_file_set_contents (fake, "{\"a\": 1, \"b\": \"some text\"}\n", -1, NULL);
  c = clair_dataset_open (fake, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_null (c);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "fake.parquet"));
  g_assert_nonnull (strstr (error->message, "PAR1"));
}

typedef struct
{
  ClairDataset  *dataset;
  char         **expected;   /* each row's "task|solution", NULL when it fails */
  guint          start;
  guint          n_read;
  gboolean       ok;
} ThreadData;

static char *
read_mapped (ClairDataset *dataset,
             guint         index)
{
  ClairMapping mapping = { (char *) "prompt", (char *) "chosen" };
  g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, index, &mapping, NULL);

  return row != NULL ? g_strconcat (row->task, "|", row->solution, "|", row->extra_json, NULL)
                     : NULL;
}

static gpointer
reader_thread (gpointer data)
{
  ThreadData *td = data;
  guint n = clair_dataset_get_n_rows (td->dataset);

  td->ok = TRUE;
  for (guint k = 0; k < n; k++)
    {
      guint i = (td->start + k * 7) % n;
      g_autofree char *got = read_mapped (td->dataset, i);

      td->n_read += got != NULL;
      if (g_strcmp0 (got, td->expected[i]) != 0)
        td->ok = FALSE;
    }
  return NULL;
}

/* Threads reading rows in different orders (so that each moves the shared cursors about) all get
 * the rows a sequential read got. */
static void
test_threads (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "parquet", "duckdb-groups-v2.parquet", NULL);
  g_autoptr(ClairDataset) dataset = open_indexed (path);
  guint n = clair_dataset_get_n_rows (dataset);
  char **expected = g_new0 (char *, n + 1);
  ThreadData data[4];
  GThread *threads[4];

  for (guint i = 0; i < n; i++)
    expected[i] = read_mapped (dataset, i);
  for (guint t = 0; t < 4; t++)
    {
      data[t].dataset = dataset;
      data[t].expected = expected;
      data[t].start = t * 1000;
      data[t].n_read = 0;
      threads[t] = g_thread_new ("reader", reader_thread, &data[t]);
    }
  for (guint t = 0; t < 4; t++)
    {
      g_thread_join (threads[t]);
      g_assert_true (data[t].ok);
      g_assert_cmpuint (data[t].n_read, >, n / 2);
    }
  for (guint i = 0; i < n; i++)
    g_free (expected[i]);
  g_free (expected);
}

/* Files built byte by byte: a tiny Thrift compact writer and a one-column Parquet file. */

typedef struct
{
  GByteArray *b;
  gint16      last[16];
  guint       depth;
} Tw;

static void
tw_varint (Tw      *tw,
           guint64  v)
{
  while (v >= 0x80)
    {
      guint8 byte = (v & 0x7f) | 0x80;

      g_byte_array_append (tw->b, &byte, 1);
      v >>= 7;
    }
  g_byte_array_append (tw->b, (guint8 *) &v, 1);
}

static void
tw_field (Tw     *tw,
          gint16  id,
          guint8  type)
{
  gint16 delta = id - tw->last[tw->depth];
  guint8 byte;

  if (delta > 0 && delta <= 15)
    {
      byte = (guint8) (delta << 4 | type);
      g_byte_array_append (tw->b, &byte, 1);
    }
  else
    {
      g_byte_array_append (tw->b, &type, 1);
      tw_varint (tw, ((guint64) id << 1) ^ (guint64) (id >> 15));
    }
  tw->last[tw->depth] = id;
}

static void
tw_int (Tw     *tw,
        gint16  id,
        gint64  v)
{
  tw_field (tw, id, 6);
  tw_varint (tw, ((guint64) v << 1) ^ (guint64) (v >> 63));
}

static void
tw_string (Tw         *tw,
           gint16      id,
           const char *s)
{
  tw_field (tw, id, 8);
  tw_varint (tw, strlen (s));
  g_byte_array_append (tw->b, (const guint8 *) s, strlen (s));
}

static void
tw_begin (Tw *tw)
{
  tw->last[++tw->depth] = 0;
}

static void
tw_struct (Tw     *tw,
           gint16  id)
{
  tw_field (tw, id, 12);
  tw_begin (tw);
}

static void
tw_end (Tw *tw)
{
  guint8 stop = 0;

  g_byte_array_append (tw->b, &stop, 1);
  tw->depth--;
}

static void
tw_list (Tw     *tw,
         gint16  id,
         guint8  elem_type,
         guint   n)
{
  guint8 byte = (guint8) (n << 4 | elem_type);

  tw_field (tw, id, 9);
  g_byte_array_append (tw->b, &byte, 1);
}

typedef struct
{
  int           type;          /* 6: BYTE_ARRAY */
  int           encoding;
  int           codec;
  gint64        declared;      /* the page header's uncompressed size; -1: the true one */
  const guint8 *payload;       /* the page's bytes as stored; NULL: PLAIN strings compressed */
  gsize         payload_len;
  gsize         true_len;
  int           n_values;
} PageSpec;

/* A file of one required column "text" holding @spec's page. */
static GByteArray *
build_file (const PageSpec *spec)
{
  Tw tw = { g_byte_array_new (), { 0 }, 0 };
  GByteArray *file = g_byte_array_new ();
  guint32 footer_start;
  guint32 footer_len;

  g_byte_array_append (file, (const guint8 *) "PAR1", 4);
  tw_begin (&tw);
  tw_int (&tw, 1, 0);
  tw_int (&tw, 2, spec->declared >= 0 ? spec->declared : (gint64) spec->true_len);
  tw_int (&tw, 3, spec->payload_len);
  tw_struct (&tw, 5);
  tw_int (&tw, 1, spec->n_values);
  tw_int (&tw, 2, spec->encoding);
  tw_int (&tw, 3, 3);
  tw_int (&tw, 4, 3);
  tw_end (&tw);
  tw_end (&tw);
  g_byte_array_append (file, tw.b->data, tw.b->len);
  g_byte_array_append (file, spec->payload, spec->payload_len);

  footer_start = file->len;
  g_byte_array_set_size (tw.b, 0);
  tw_begin (&tw);
  tw_int (&tw, 1, 1);
  tw_list (&tw, 2, 12, 2);
  tw_begin (&tw);
  tw_string (&tw, 4, "schema");
  tw_int (&tw, 5, 1);
  tw_end (&tw);
  tw_begin (&tw);
  tw_int (&tw, 1, spec->type);
  tw_int (&tw, 3, 0);
  tw_string (&tw, 4, "text");
  tw_int (&tw, 6, 0);
  tw_end (&tw);
  tw_int (&tw, 3, spec->n_values);
  tw_list (&tw, 4, 12, 1);
  tw_begin (&tw);
  tw_list (&tw, 1, 12, 1);
  tw_begin (&tw);
  tw_int (&tw, 2, 4);
  tw_struct (&tw, 3);
  tw_int (&tw, 1, spec->type);
  tw_list (&tw, 2, 5, 1);
  tw_varint (&tw, (guint64) spec->encoding << 1);
  tw_list (&tw, 3, 8, 1);
  tw_varint (&tw, 4);
  g_byte_array_append (tw.b, (const guint8 *) "text", 4);
  tw_int (&tw, 4, spec->codec);
  tw_int (&tw, 5, spec->n_values);
  tw_int (&tw, 6, file->len - 4);
  tw_int (&tw, 7, file->len - 4);
  tw_int (&tw, 9, 4);
  tw_end (&tw);
  tw_end (&tw);
  tw_int (&tw, 2, file->len);
  tw_int (&tw, 3, spec->n_values);
  tw_end (&tw);
  tw_end (&tw);
  g_byte_array_append (file, tw.b->data, tw.b->len);
  footer_len = file->len - footer_start;
  footer_len = GUINT32_TO_LE (footer_len);
  g_byte_array_append (file, (const guint8 *) &footer_len, 4);
  g_byte_array_append (file, (const guint8 *) "PAR1", 4);
  g_byte_array_unref (tw.b);
  return file;
}

/* PLAIN strings: "row 0", "row 1"… */
static GByteArray *
plain_strings (int n)
{
  GByteArray *plain = g_byte_array_new ();

  for (int i = 0; i < n; i++)
    {
      g_autofree char *s = g_strdup_printf ("row %d", i);
      guint32 len = GUINT32_TO_LE ((guint32) strlen (s));

      g_byte_array_append (plain, (const guint8 *) &len, 4);
      g_byte_array_append (plain, (const guint8 *) s, strlen (s));
    }
  return plain;
}

/* Opens @file and reads every row; returns the first error (or NULL when all went well). */
static GError *
read_all (GByteArray *file,
          const char *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  GError *error = NULL;

  g_file_set_contents (path, (const char *) file->data, file->len, &error);
  g_assert_no_error (error);
  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  if (dataset == NULL)
    return error;
  if (!clair_dataset_index (dataset, NULL, &error))
    return error;
  for (guint i = 0; i < clair_dataset_get_n_rows (dataset); i++)
    {
      g_autofree char *json = clair_dataset_read_row_json (dataset, i, &error);

      if (json == NULL)
        return error;
      g_assert_true (g_utf8_validate (json, -1, NULL));
    }
  return NULL;
}

/* Checks that @error names the file @name (and says @what), and frees it. */
static void
assert_clear_error (GError     *error,
                    const char *name,
                    const char *what)
{
  g_assert_nonnull (error);
  g_test_message ("%s: %s", name, error->message);
  g_assert_true (error->domain == CLAIR_ERROR || error->domain == G_FILE_ERROR);
  g_assert_nonnull (strstr (error->message, name));
  if (what != NULL)
    g_assert_nonnull (strstr (error->message, what));
  g_error_free (error);
}

static void
test_built_file_reads (void)
{
  g_autoptr(GByteArray) plain = plain_strings (5);
  PageSpec spec = { 6, 0, 0, -1, plain->data, plain->len, plain->len, 5 };
  g_autoptr(GByteArray) file = build_file (&spec);
  g_autofree char *path = g_build_filename (tmp_dir, "built.parquet", NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  /* The builder itself is right: its file reads. */
  error = read_all (file, "built.parquet");
  g_assert_no_error (error);
  dataset = open_indexed (path);
  g_assert_cmpuint (clair_dataset_get_n_rows (dataset), ==, 5);
  json = clair_dataset_read_row_json (dataset, 3, NULL);
  g_assert_cmpstr (json, ==, "{\"text\":\"row 3\"}");
}

/* The read-ahead's packed rows against single rows: every fixture under every mapping (strings,
 * chat lists, one column for both, failures), and a built file of strings with NUL bytes in them
 * and of 150 kB, more in one chunk than the chunk keeps for its next rows. */
static void
test_read_ahead_packed (void)
{
  g_auto(GStrv) fixtures = list_fixtures ();
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  g_autoptr(GByteArray) file = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "packed.parquet", NULL);
  g_autoptr(ClairDataset) built = NULL;
  g_autoptr(ClairDataset) built_again = NULL;
  ClairMapping both = { (char *) "text", (char *) "text" };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRow) first = NULL;
  const guint n_built = 150;

  for (guint f = 0; fixtures[f] != NULL; f++)
    {
      g_autoptr(ClairDataset) dataset = open_indexed (fixtures[f]);
      g_autoptr(ClairDataset) reference = open_indexed (fixtures[f]);

      for (guint m = 0; m < G_N_ELEMENTS (fixture_mappings); m++)
        {
          ClairMapping mapping = { (char *) fixture_mappings[m][0],
                                   (char *) fixture_mappings[m][1] };

          assert_read_ahead_like_rows (dataset, reference, &mapping, 2, 1);
        }
    }

  for (guint i = 0; i < n_built; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint32 len;

      g_string_append_printf (text, "row %u", i);
      if (i % 5 == 0)
        g_string_append_len (text, "\0nul\0", 5);
      if (i % 2 == 1)
        {
          gsize at = text->len;

          g_string_set_size (text, 150000);
          memset (text->str + at, 'a' + i % 26, text->len - at);
        }
      len = GUINT32_TO_LE ((guint32) text->len);
      g_byte_array_append (plain, (const guint8 *) &len, 4);
      g_byte_array_append (plain, (const guint8 *) text->str, text->len);
    }
  {
    PageSpec spec = { 6, 0, 0, -1, plain->data, plain->len, plain->len, (int) n_built };

    file = build_file (&spec);
  }
  g_file_set_contents (path, (const char *) file->data, file->len, &error);
  g_assert_no_error (error);
  built = open_indexed (path);
  g_assert_cmpuint (clair_dataset_get_n_rows (built), ==, n_built);
  /* NUL is not text: it reads as U+FFFD, in a single read and in the read-ahead alike. */
  first = clair_dataset_read_row (built, 0, &both, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->task, ==, "row 0\xef\xbf\xbdnul\xef\xbf\xbd");
  g_assert_cmpstr (first->solution, ==, first->task);
  g_assert_cmpstr (first->extra_json, ==, "{}");
  built_again = open_indexed (path);
  for (guint round = 0; round < 2; round++)
    assert_read_ahead_like_rows (built, built_again, &both, 1, 1);
}

/* A page of 12 MB, read in order (its read part is given back to the kernel as the reader
 * advances), then backwards and at random: every row is still itself. */
static void
test_large_page (void)
{
  const int n = 120000;
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  g_autofree char *compressed = NULL;
  size_t compressed_len;
  PageSpec spec = { 6, 0, 1, -1, NULL, 0, 0, n };
  g_autoptr(GByteArray) file = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "large.parquet", NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  ClairMapping mapping = { (char *) "text", (char *) "text" };
  GRand *rand = g_rand_new_with_seed (4);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *s = g_strdup_printf ("row %d %0*d", i, 90, i);
      guint32 len = GUINT32_TO_LE ((guint32) strlen (s));

      g_byte_array_append (plain, (const guint8 *) &len, 4);
      g_byte_array_append (plain, (const guint8 *) s, strlen (s));
    }
  compressed_len = snappy_max_compressed_length (plain->len);
  compressed = g_malloc (compressed_len);
  g_assert_cmpint (snappy_compress ((const char *) plain->data, plain->len, compressed,
                                    &compressed_len), ==, SNAPPY_OK);
  spec.payload = (const guint8 *) compressed;
  spec.payload_len = compressed_len;
  spec.true_len = plain->len;
  file = build_file (&spec);
  g_file_set_contents (path, (const char *) file->data, file->len, NULL);
  dataset = open_indexed (path);

  for (int pass = 0; pass < 3; pass++)
    for (int k = 0; k < n; k += pass == 0 ? 1 : 97)
      {
        int i = pass == 0 ? k : pass == 1 ? n - 1 - k : g_rand_int_range (rand, 0, n);
        g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, i, &mapping, NULL);
        g_autofree char *expected = g_strdup_printf ("row %d %0*d", i, 90, i);

        g_assert_nonnull (row);
        g_assert_cmpstr (row->task, ==, expected);
      }
  g_rand_free (rand);
}

/* The LZ4 codec of older writers: Hadoop's framing, or a bare block. */
static void
test_built_lz4 (void)
{
  g_autoptr(GByteArray) plain = plain_strings (300);
  int bound = LZ4_compressBound ((int) plain->len);
  g_autofree guint8 *framed = g_malloc (bound + 8);
  int packed = LZ4_compress_default ((const char *) plain->data, (char *) framed + 8,
                                     (int) plain->len, bound);
  guint32 be_raw = GUINT32_TO_BE ((guint32) plain->len);
  guint32 be_packed = GUINT32_TO_BE ((guint32) packed);
  PageSpec spec = { 6, 0, 5, -1, framed, packed + 8, plain->len, 300 };
  g_autoptr(GByteArray) file = NULL;
  GError *error;

  g_assert_cmpint (packed, >, 0);
  memcpy (framed, &be_raw, 4);
  memcpy (framed + 4, &be_packed, 4);
  file = build_file (&spec);
  error = read_all (file, "lz4-hadoop.parquet");
  g_assert_no_error (error);
  g_byte_array_unref (file);

  spec.payload = framed + 8;
  spec.payload_len = packed;
  file = build_file (&spec);
  error = read_all (file, "lz4-bare.parquet");
  g_assert_no_error (error);
  g_byte_array_unref (file);

  /* A frame claiming more than the page. */
  be_raw = GUINT32_TO_BE ((guint32) plain->len + 1);
  memcpy (framed, &be_raw, 4);
  spec.payload = framed;
  spec.payload_len = packed + 8;
  file = build_file (&spec);
  assert_clear_error (read_all (file, "lz4-lie.parquet"), "lz4-lie.parquet", "LZ4");
}

static void
test_bad_structure (void)
{
  g_autoptr(GByteArray) plain = plain_strings (5);
  PageSpec spec = { 6, 0, 0, -1, plain->data, plain->len, plain->len, 5 };
  g_autoptr(GByteArray) file = build_file (&spec);
  g_autoptr(GByteArray) bad = g_byte_array_new ();
  guint32 huge = GUINT32_TO_LE (0x7fffff00);
  guint n_failed = 0;

  /* Wrong magic. */
  g_byte_array_append (bad, file->data, file->len);
  memcpy (bad->data, "PAR2", 4);
  assert_clear_error (read_all (bad, "magic.parquet"), "magic.parquet", "PAR1");

  /* The footer's length beyond the file. */
  g_byte_array_set_size (bad, 0);
  g_byte_array_append (bad, file->data, file->len);
  memcpy (bad->data + bad->len - 8, &huge, 4);
  assert_clear_error (read_all (bad, "footer.parquet"), "footer.parquet", "footer");

  /* Every truncation fails cleanly. */
  for (guint len = 0; len < file->len; len++)
    {
      g_byte_array_set_size (bad, 0);
      g_byte_array_append (bad, file->data, len);
      assert_clear_error (read_all (bad, "cut.parquet"), "cut.parquet", NULL);
    }

  /* Every byte of the footer corrupted in turn: an error or a file that still reads. */
  for (guint i = file->len - 8; i-- > file->len - 8 - 90 && i > 4; )
    for (guint v = 0; v < 4; v++)
      {
        static const guint8 values[] = { 0x00, 0xff, 0x1c, 0x29 };
        GError *error;

        g_byte_array_set_size (bad, 0);
        g_byte_array_append (bad, file->data, file->len);
        bad->data[i] = values[v];
        error = read_all (bad, "thrift.parquet");
        if (error != NULL)
          {
            assert_clear_error (error, "thrift.parquet", NULL);
            n_failed++;
          }
      }
  g_assert_cmpuint (n_failed, >, 50);
}

/* Deeply nested Thrift in the footer: refused, not recursed into. */
static void
test_deep_thrift (void)
{
  g_autoptr(GByteArray) file = g_byte_array_new ();
  guint32 len;

  g_byte_array_append (file, (const guint8 *) "PAR1", 4);
  /* Field 5 of FileMetaData (skipped) as a struct holding a struct holding… */
  for (guint i = 0; i < 100000; i++)
    g_byte_array_append (file, (const guint8 *) "\x1c", 1);
  len = GUINT32_TO_LE (file->len - 4);
  g_byte_array_append (file, (const guint8 *) &len, 4);
  g_byte_array_append (file, (const guint8 *) "PAR1", 4);
  assert_clear_error (read_all (file, "deep.parquet"), "deep.parquet", "nests too deeply");

  /* A list claiming 2^31 elements in a few bytes. */
  g_byte_array_set_size (file, 4);
  g_byte_array_append (file, (const guint8 *) "\x29\xf9\xff\xff\xff\xff\x07\x00", 8);
  len = GUINT32_TO_LE (8);
  g_byte_array_append (file, (const guint8 *) &len, 4);
  g_byte_array_append (file, (const guint8 *) "PAR1", 4);
  assert_clear_error (read_all (file, "list.parquet"), "list.parquet", "longer than");
}

static void
test_lying_pages (void)
{
  g_autoptr(GByteArray) plain = plain_strings (1000);
  g_autofree char *compressed = g_malloc (snappy_max_compressed_length (plain->len));
  size_t compressed_len = snappy_max_compressed_length (plain->len);
  PageSpec spec = { 6, 0, 1, -1, NULL, 0, plain->len, 1000 };
  g_autoptr(GByteArray) file = NULL;
  GError *error;

  g_assert_cmpint (snappy_compress ((const char *) plain->data, plain->len, compressed,
                                    &compressed_len), ==, SNAPPY_OK);
  spec.payload = (const guint8 *) compressed;
  spec.payload_len = compressed_len;
  file = build_file (&spec);
  g_assert_null (read_all (file, "snappy.parquet"));
  g_byte_array_unref (file);

  /* A page declaring 2 GB is refused before anything is allocated for it. */
  spec.declared = G_MAXINT32;
  file = build_file (&spec);
  error = read_all (file, "huge.parquet");
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE);
  assert_clear_error (error, "huge.parquet", "row group 1, column “text”");
  g_byte_array_unref (file);

  /* Sizes that lie a little: the decompressor's output does not match. */
  for (gint64 declared = plain->len - 3; declared <= (gint64) plain->len + 3; declared += 2)
    {
      spec.declared = declared;
      file = build_file (&spec);
      assert_clear_error (read_all (file, "lie.parquet"), "lie.parquet", "SNAPPY");
      g_byte_array_unref (file);
    }

  /* More values declared than the page holds. */
  spec.declared = -1;
  spec.n_values = 1001;
  file = build_file (&spec);
  assert_clear_error (read_all (file, "count.parquet"), "count.parquet", "column “text”");
}

static void
test_bomb (void)
{
  gsize big = 64 * 1024 * 1024;
  g_autofree guint8 *zeros = g_malloc0 (big);
  uLongf gz_len = compressBound (big);
  g_autofree guint8 *gz = g_malloc (gz_len);
  PageSpec spec = { 6, 0, 2, 4000, NULL, 0, 4000, 1000 };
  g_autoptr(GByteArray) file = NULL;
  double before = peak_rss_mb ();

  /* 64 MB of zeros in 64 KB of zlib, declared as 4,000 bytes: decompression stops there. */
  g_assert_cmpint (compress2 (gz, &gz_len, zeros, big, 9), ==, Z_OK);
  spec.payload = gz;
  spec.payload_len = gz_len;
  file = build_file (&spec);
  g_clear_pointer (&zeros, g_free);
  assert_clear_error (read_all (file, "bomb.parquet"), "bomb.parquet", "GZIP");
  g_byte_array_unref (file);

  /* Declared as 200 MB, which 64 KB of deflate cannot hold: refused before allocating. */
  spec.declared = 200 * 1024 * 1024;
  file = build_file (&spec);
  assert_clear_error (read_all (file, "bomb2.parquet"), "bomb2.parquet", "GZIP");
  if (before > 0)
    g_assert_cmpfloat (peak_rss_mb () - before, <, 100);
}

static void
test_unsupported (void)
{
  g_autoptr(GByteArray) plain = plain_strings (4);
  PageSpec spec = { 6, 0, 0, -1, plain->data, plain->len, plain->len, 4 };
  g_autoptr(GByteArray) file = NULL;
  GError *error;

  /* An encoding from the future. */
  spec.encoding = 42;
  file = build_file (&spec);
  error = read_all (file, "encoding.parquet");
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED);
  assert_clear_error (error, "encoding.parquet", "row group 1, column “text”: the encoding");
  g_byte_array_unref (file);

  /* LZO, which no Debian library decodes here. */
  spec.encoding = 0;
  spec.codec = 3;
  file = build_file (&spec);
  assert_clear_error (read_all (file, "lzo.parquet"), "lzo.parquet", "LZO");
  g_byte_array_unref (file);

  /* An unknown physical type. */
  spec.codec = 0;
  spec.type = 9;
  file = build_file (&spec);
  assert_clear_error (read_all (file, "type.parquet"), "type.parquet", "schema");
  g_byte_array_unref (file);

  /* Strings that are not UTF-8. */
  spec.type = 6;
  plain->data[4] = 0xff;
  file = build_file (&spec);
  assert_clear_error (read_all (file, "utf8.parquet"), "utf8.parquet", "UTF-8");
}

/* Every prefix and many corruptions of a real fixture: errors, never a crash or a hang. */
static void
test_fixture_damage (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "parquet", "arrow-dict-fallback.parquet", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GByteArray) bad = g_byte_array_new ();
  GRand *rand = g_rand_new_with_seed (16);

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  for (guint k = 0; k < 300; k++)
    {
      GError *error;

      g_byte_array_set_size (bad, 0);
      g_byte_array_append (bad, (const guint8 *) contents, len);
      for (guint j = 0; j < 1 + k % 4; j++)
        bad->data[g_rand_int_range (rand, 4, len - 4)] = (guint8) g_rand_int (rand);
      error = read_all (bad, "damaged.parquet");
      if (error != NULL)
        assert_clear_error (error, "damaged.parquet", NULL);
    }
  g_rand_free (rand);
}

/* The reader's own UTF-8 validator agrees with GLib's on random text of every kind. */
static void
test_utf8 (void)
{
  static const char * const pieces[] = {
    "a", "plain ascii text ", "é", "日本", "😀", "\xc3", "\xe6\x97", "\xf0\x9f\x98", "\xc0\xaf",
    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x80\xaf", "\xff", "\x80", "\xf0\x80\x80\xaf",
    "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
  };
  GRand *rand = g_rand_new_with_seed (8);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_invalid = 0;

  for (guint k = 0; k < 20000; k++)
    {
      gboolean ours;
      gboolean glib;

      g_string_truncate (text, 0);
      for (guint j = g_rand_int_range (rand, 0, 12); j > 0; j--)
        {
          guint i = g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces));

          /* Valid pieces most of the time, so that long valid strings are tried too. */
          if (i >= 4 && g_rand_int_range (rand, 0, 4) != 0)
            i = g_rand_int_range (rand, 0, 4);
          g_string_append (text, pieces[i]);
        }
      ours = clair_utf8_valid (text->str, text->len);
      glib = g_utf8_validate_len (text->str, text->len, NULL);
      g_assert_cmpint (ours, ==, glib);
      n_invalid += !ours;
    }
  g_assert_cmpuint (n_invalid, >, 1000);
  g_rand_free (rand);
}

/* Dates, times, timestamps (UTC-adjusted ones with Z) and decimals: as ISO 8601 text and exact
 * numbers. The read-back compares numbers as doubles, so the decimals' digits are compared here as
 * text, DuckDB's against ours: a DECIMAL(38,10) holds more digits than a double. */
static void
test_logical_types (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "parquet", "duckdb-logical.parquet", NULL);
  g_autofree char *back_path = g_strconcat (path, ".jsonl", NULL);
  g_autofree char *back = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(ClairDataset) dataset = open_indexed (path);
  g_autoptr(GRegex) number = g_regex_new ("\"(d9|d18|d38)\":(-?[0-9.]+|null)", 0, 0, NULL);
  guint n_decimals = 0;

  g_assert_true (g_file_get_contents (back_path, &back, NULL, NULL));
  lines = g_strsplit (back, "\n", -1);
  for (guint i = 0; i < clair_dataset_get_n_rows (dataset); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ours = clair_dataset_read_row_json (dataset, i, &error);
      g_autoptr(GMatchInfo) theirs_match = NULL;
      g_autoptr(GMatchInfo) ours_match = NULL;

      g_assert_no_error (error);
      g_regex_match (number, lines[i], 0, &theirs_match);
      g_regex_match (number, ours, 0, &ours_match);
      while (g_match_info_matches (theirs_match))
        {
          g_autofree char *name = g_match_info_fetch (theirs_match, 1);
          g_autofree char *theirs_text = g_match_info_fetch (theirs_match, 2);
          g_autofree char *ours_name = NULL;
          g_autofree char *ours_text = NULL;

          g_assert_true (g_match_info_matches (ours_match));
          ours_name = g_match_info_fetch (ours_match, 1);
          ours_text = g_match_info_fetch (ours_match, 2);
          g_assert_cmpstr (ours_name, ==, name);
          /* DuckDB drops a DECIMAL(9,2)'s trailing zero after the point (-400000.0); the value
           * is the same when ours starts with theirs and adds only zeros. */
          g_assert_true (g_str_has_prefix (ours_text, theirs_text));
          g_assert_true (strspn (ours_text + strlen (theirs_text), "0") == strlen (ours_text) - strlen (theirs_text));
          n_decimals++;
          g_match_info_next (theirs_match, NULL);
          g_match_info_next (ours_match, NULL);
        }
      if (i == 0)
        {
          g_assert_nonnull (strstr (ours, "\"day\":\"1148-08-18\""));
          g_assert_nonnull (strstr (ours, "\"tsz\":\"1843-03-31T16:53:19.999999Z\""));
          g_assert_nonnull (strstr (ours, "\"ts_ns\":\"1843-03-31T16:53:20.000000000\""));
          g_assert_nonnull (strstr (ours, "\"d38\":-250000123456789012345678.0123456789"));
        }
    }
  g_assert_cmpuint (n_decimals, ==, 3 * clair_dataset_get_n_rows (dataset));
}

/* The legacy INT96 timestamps of Impala and Spark: nanoseconds into a Julian day. */
static void
test_int96 (void)
{
  static const struct { guint64 nanos; guint32 julian; const char *expected; } values[] = {
    { G_GUINT64_CONSTANT (3600000000005), 2440588, "\"1970-01-01T01:00:00.000000005\"" },
    { 0, 2440587, "\"1969-12-31T00:00:00.000000000\"" },
    { G_GUINT64_CONSTANT (86399999999999), 2460651, "\"2024-12-06T23:59:59.999999999\"" },
    { G_GUINT64_CONSTANT (86400000000000), 2440588, "null" },  /* past the day's end */
  };
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GByteArray) file = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "int96.parquet", NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  PageSpec spec = { 3, 0, 0, -1, NULL, 0, 0, G_N_ELEMENTS (values) };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      guint8 bytes[12];

      for (int b = 0; b < 8; b++)
        bytes[b] = (guint8) (values[i].nanos >> (8 * b));
      for (int b = 0; b < 4; b++)
        bytes[8 + b] = (guint8) (values[i].julian >> (8 * b));
      g_byte_array_append (payload, bytes, 12);
    }
  spec.payload = payload->data;
  spec.payload_len = spec.true_len = payload->len;
  file = build_file (&spec);
  g_file_set_contents (path, (const char *) file->data, file->len, &error);
  g_assert_no_error (error);
  dataset = open_indexed (path);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *json = clair_dataset_read_row_json (dataset, i, &error);
      g_autofree char *expected = g_strdup_printf ("{\"text\":%s}", values[i].expected);

      g_assert_no_error (error);
      g_assert_cmpstr (json, ==, expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = make_temp_dir ("test-parquet-XXXXXX");

  g_test_add_func ("/parquet/fixtures/read-back", test_fixtures_read_back);
  g_test_add_func ("/parquet/fixtures/like-jsonl", test_fixtures_like_jsonl);
  g_test_add_func ("/parquet/logical-types", test_logical_types);
  g_test_add_func ("/parquet/int96", test_int96);
  g_test_add_func ("/parquet/chat-rule", test_chat_rule);
  g_test_add_func ("/parquet/utf8", test_utf8);
  g_test_add_func ("/parquet/shards", test_shards);
  g_test_add_func ("/parquet/magic", test_magic);
  g_test_add_func ("/parquet/read-ahead/split", test_read_ahead_split);
  g_test_add_func ("/parquet/read-ahead/packed", test_read_ahead_packed);
  g_test_add_func ("/parquet/threads", test_threads);
  g_test_add_func ("/parquet/built/reads", test_built_file_reads);
  g_test_add_func ("/parquet/built/lz4", test_built_lz4);
  g_test_add_func ("/parquet/built/large-page", test_large_page);
  g_test_add_func ("/parquet/bad/structure", test_bad_structure);
  g_test_add_func ("/parquet/bad/deep-thrift", test_deep_thrift);
  g_test_add_func ("/parquet/bad/lying-pages", test_lying_pages);
  g_test_add_func ("/parquet/bad/bomb", test_bomb);
  g_test_add_func ("/parquet/bad/unsupported", test_unsupported);
  g_test_add_func ("/parquet/bad/fixture-damage", test_fixture_damage);

  ret = g_test_run ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
