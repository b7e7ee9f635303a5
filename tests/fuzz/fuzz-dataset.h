/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The body shared by fuzz-jsonl and fuzz-csv: the input is written to a file and goes through
 * everything the app does with a dataset — open, index, guess the mapping, read every row and its
 * preview. Besides not crashing, every call must either succeed with sane output (valid UTF-8 text,
 * a valid JSON object for the extra columns and the preview) or fail with a CLAIR_ERROR message. */

#include "clair-dataset.h"
#include "clair-error.h"
#include "clair-jscan.h"
#include "fuzz-common.h"

static void
fuzz_check_error (GError *error)
{
  g_assert (error != NULL);
  g_assert (error->message != NULL && error->message[0] != '\0');
  g_assert (g_utf8_validate (error->message, -1, NULL));
}

static void
fuzz_check_json_object (const char *json)
{
  ClairJscanError jerror;

  g_assert (json != NULL);
  g_assert (json[0] == '{');
  g_assert (clair_jscan_validate (json, strlen (json), &jerror));
}

static void
fuzz_dataset (const uint8_t *data,
              size_t         size,
              ClairFormat    format,
              const char    *name)
{
  g_autofree char *path = fuzz_path (name);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  ClairMapping mapping = { NULL, NULL };
  const char * const *columns;
  guint n_rows;

  fuzz_write_file (path, data, size);
  dataset = clair_dataset_open (path, format, &error);
  if (dataset == NULL)
    {
      fuzz_check_error (error);
      g_assert (error->domain == CLAIR_ERROR || error->domain == G_FILE_ERROR);
      return;
    }
  g_assert (clair_dataset_get_size (dataset) == size);

  columns = clair_dataset_get_columns (dataset);
  if (!clair_dataset_index (dataset, NULL, &error))
    {
      fuzz_check_error (error);
      g_clear_error (&error);
    }

  n_rows = clair_dataset_get_n_rows (dataset);
  g_assert (n_rows <= size + 1);

  columns = clair_dataset_get_columns (dataset);
  if (columns == NULL || !clair_mapping_guess (columns, &mapping))
    {
      mapping.task_column = g_strdup ("task");
      mapping.solution_column = g_strdup ("student_solution");
    }

  for (guint i = 0; i < n_rows && i < 512; i++)
    {
      g_autoptr(ClairRow) row = NULL;
      g_autofree char *json = NULL;

      row = clair_dataset_read_row (dataset, i, &mapping, &error);
      if (row == NULL)
        {
          fuzz_check_error (error);
          g_clear_error (&error);
        }
      else
        {
          g_assert_cmpuint (row->index, ==, i);
          g_assert (row->task != NULL && g_utf8_validate (row->task, -1, NULL));
          g_assert (row->solution != NULL && g_utf8_validate (row->solution, -1, NULL));
          fuzz_check_json_object (row->extra_json);
        }

      json = clair_dataset_read_row_json (dataset, i, &error);
      if (json == NULL)
        {
          fuzz_check_error (error);
          g_clear_error (&error);
        }
      else
        fuzz_check_json_object (json);
    }

  /* Past the end is an error, never a crash. */
  g_assert_null (clair_dataset_read_row (dataset, n_rows, &mapping, &error));
  fuzz_check_error (error);
  g_clear_error (&error);

  g_free (clair_dataset_compute_checksum (dataset));
  clair_mapping_clear (&mapping);
}
