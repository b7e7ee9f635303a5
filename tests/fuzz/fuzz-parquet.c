/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-parquet"

#include "config.h"

#include "clair-dataset.h"
#include "clair-error.h"
#include "clair-jscan.h"
#include "clair-parquet.h"
#include "fuzz-common.h"

/* The Parquet reader: the footer's Thrift, the schema tree, page headers, every codec and
 * encoding, and the assembly of nested values. Seeded with the fixtures of tests/parquet/. The
 * input goes through the reader directly (rows in order, then backwards, so cursors rewind) and
 * through ClairDataset as the app uses it. Every call either succeeds with valid output (text
 * that is UTF-8, JSON that scans) or fails with a message; nothing may crash, leak or hang. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_error (GError *error)
{
  g_assert (error != NULL);
  g_assert (error->domain == CLAIR_ERROR || error->domain == G_FILE_ERROR);
  g_assert (error->message[0] != '\0' && g_utf8_validate (error->message, -1, NULL));
}

/* Valid UTF-8, where NUL counts as the character it is (GLib's validator refuses it; the
 * dataset layer turns it into U+FFFD for the mapped text). */
static gboolean
utf8_with_nuls (const char *text,
                gsize       len)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *nul = memchr (text, '\0', end - text);
      const char *stop = nul != NULL ? nul : end;

      if (!g_utf8_validate_len (text, stop - text, NULL))
        return FALSE;
      text = stop + 1;
    }
  return TRUE;
}

static void
read_cells (ClairParquet *reader,
            guint64       row)
{
  g_autoptr(GString) cell = g_string_new (NULL);

  for (guint c = 0; c < clair_parquet_get_n_columns (reader) && c < 64; c++)
    {
      ClairParquetKind kind;
      g_autoptr(GError) error = NULL;
      ClairJscanError jerror;

      if (!clair_parquet_read_cell (reader, row, c, &kind, cell, &error))
        {
          check_error (error);
          continue;
        }
      if (kind == CLAIR_PARQUET_TEXT)
        g_assert (utf8_with_nuls (cell->str, cell->len));
      else if (kind == CLAIR_PARQUET_JSON)
        g_assert (clair_jscan_validate (cell->str, cell->len, &jerror));
      else
        g_assert_cmpuint (cell->len, ==, 0);
    }
}

static void
fuzz_reader (const uint8_t *data,
             size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairParquet) reader = clair_parquet_open ("fuzz.parquet", data, size, FALSE, &error);
  guint64 n_rows;

  if (reader == NULL)
    {
      check_error (error);
      return;
    }
  n_rows = clair_parquet_get_n_rows (reader);
  for (guint64 row = 0; row < n_rows && row < 256; row++)
    read_cells (reader, row);
  for (guint64 k = 0; k < n_rows && k < 16; k++)
    read_cells (reader, n_rows - 1 - k * (n_rows / 16 + 1) % n_rows);
}

static void
fuzz_as_dataset (const uint8_t *data,
                 size_t         size)
{
  g_autofree char *path = fuzz_path ("data.parquet");
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  ClairMapping mapping = { NULL, NULL };
  const char * const *columns;
  guint n_rows;

  fuzz_write_file (path, data, size);
  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  if (dataset == NULL)
    {
      check_error (error);
      return;
    }
  g_assert_cmpint (clair_dataset_get_format (dataset), ==, CLAIR_FORMAT_PARQUET);
  g_assert (clair_dataset_index (dataset, NULL, &error));
  n_rows = clair_dataset_get_n_rows (dataset);
  columns = clair_dataset_get_columns (dataset);
  if (!clair_mapping_guess (columns, &mapping) && columns[0] != NULL)
    {
      mapping.task_column = g_strdup (columns[0]);
      mapping.solution_column = g_strdup (columns[columns[1] != NULL ? 1 : 0]);
    }
  for (guint i = 0; i < n_rows && i < 64 && mapping.task_column != NULL; i++)
    {
      g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, i, &mapping, &error);
      g_autofree char *json = NULL;
      ClairJscanError jerror;

      if (row == NULL)
        {
          check_error (error);
          g_clear_error (&error);
        }
      else
        {
          g_assert (g_utf8_validate (row->task, -1, NULL));
          g_assert (g_utf8_validate (row->solution, -1, NULL));
          g_assert (clair_jscan_validate (row->extra_json, strlen (row->extra_json), &jerror));
        }
      json = clair_dataset_read_row_json (dataset, i, &error);
      if (json == NULL)
        {
          check_error (error);
          g_clear_error (&error);
        }
      else
        g_assert (clair_jscan_validate (json, strlen (json), &jerror));
    }
  g_free (clair_dataset_compute_checksum (dataset));
  clair_mapping_clear (&mapping);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size > 512 * 1024)
    return 0;

  fuzz_reader (data, size);
  fuzz_as_dataset (data, size);
  return 0;
}
