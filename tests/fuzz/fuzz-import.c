/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-import"

#include "config.h"

#include "clair-batch.h"
#include "clair-error.h"
#include "clair-export.h"
#include "clair-project.h"
#include "fuzz-common.h"

/* Project import of malformed files. The first byte picks what the rest is:
 *   0–3  a dataset (JSONL, JSON, CSV, TSV) imported into a new project: either the import fails
 *        with a message and stores no row, or every row of the dataset is imported or listed as
 *        skipped with its reason;
 *   4–7  a batch output file imported into a project of four rows: either it fails and stores
 *        nothing, or it stores one attempt per record. */

static const struct
{
  ClairFormat  format;
  const char  *name;
} formats[] = {
  { CLAIR_FORMAT_JSONL, "in.jsonl" },
  { CLAIR_FORMAT_JSON, "in.json" },
  { CLAIR_FORMAT_CSV, "in.csv" },
  { CLAIR_FORMAT_TSV, "in.tsv" },
};

static ClairProject *results_project;
static GBytes *empty_project;   /* a new project's file, made once: creating the schema for every
                                   input took most of the time */

static const char base_rows[] =
  "{\"task\":\"Add 2 and 2.\",\"student_solution\":\"5\"}\n"
  "{\"task\":\"Name a colour.\",\"student_solution\":\"Blue.\"}\n"
  "{\"task\":\"Say \\\"hi\\\".\",\"student_solution\":\"hi\"}\n"
  "{\"task\":\"Empty?\",\"student_solution\":\"\"}\n";

static ClairProject *
new_project (const char *name)
{
  g_autofree char *path = fuzz_path (name);
  g_autoptr(GError) error = NULL;
  ClairProject *project;

  fuzz_remove_db (path);
  if (empty_project == NULL)
    {
      g_autofree char *contents = NULL;
      gsize size = 0;

      /* Closed, so the write-ahead log is folded into the file. */
      project = clair_project_open (path, CLAIR_PROJECT_OPEN_CREATE, &error);
      g_assert_no_error (error);
      g_object_unref (project);
      g_assert (g_file_get_contents (path, &contents, &size, NULL));
      empty_project = g_bytes_new_take (g_steal_pointer (&contents), size);
      fuzz_remove_db (path);
    }
  fuzz_write_file (path, g_bytes_get_data (empty_project, NULL), g_bytes_get_size (empty_project));
  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert (!clair_project_has_rows (project));
  return project;
}

static void
reset_results_project (void)
{
  g_autofree char *path = fuzz_path ("base.jsonl");
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  ClairImportReport report = { 0, NULL };
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };

  g_clear_object (&results_project);
  fuzz_write_file (path, (const uint8_t *) base_rows, sizeof base_rows - 1);
  dataset = clair_dataset_open (path, CLAIR_FORMAT_JSONL, &error);
  g_assert_no_error (error);
  results_project = new_project ("results.clair");
  clair_project_import_dataset (results_project, dataset, &mapping, NULL, NULL, NULL, &report,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, 4);
  clair_import_report_clear (&report);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  reset_results_project ();
  return 0;
}

static guint
count_attempts (ClairProject *project)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = clair_project_get_summaries (project, &error);
  guint total = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < summaries->len; i++)
    total += g_array_index (summaries, ClairRowSummary, i).n_attempts;
  return total;
}

static void
fuzz_dataset_import (const uint8_t *data,
                     size_t         size,
                     guint          which)
{
  g_autofree char *path = fuzz_path (formats[which].name);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  ClairImportReport report = { 0, NULL };
  ClairMapping mapping = { NULL, NULL };
  const char * const *columns;

  fuzz_write_file (path, data, size);
  dataset = clair_dataset_open (path, formats[which].format, &error);
  if (dataset == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return;
    }
  columns = clair_dataset_get_columns (dataset);
  if (columns == NULL || !clair_mapping_guess (columns, &mapping))
    {
      mapping.task_column = g_strdup ("task");
      mapping.solution_column = g_strdup ("student_solution");
    }

  project = new_project ("import.clair");
  if (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error))
    {
      guint skipped = report.skipped != NULL ? report.skipped->len : 0;

      g_assert_no_error (error);
      g_assert_cmpuint (report.n_imported + skipped, ==, clair_dataset_get_n_rows (dataset));
      g_assert_cmpuint (clair_project_get_n_rows (project), ==, report.n_imported);
      for (guint i = 0; i < skipped; i++)
        {
          ClairSkippedRow *row = &g_array_index (report.skipped, ClairSkippedRow, i);
          g_assert (row->reason != NULL && row->reason[0] != '\0');
          g_assert (g_utf8_validate (row->reason, -1, NULL));
        }
      /* Rows keep their dataset index: a skipped row leaves a hole, every other row is there. */
      for (guint i = 0; i < clair_dataset_get_n_rows (dataset) && i < 64; i++)
        {
          g_autoptr(ClairRecord) record = clair_project_get_record (project, i, &error);
          gboolean was_skipped = FALSE;

          for (guint j = 0; j < skipped; j++)
            was_skipped |= g_array_index (report.skipped, ClairSkippedRow, j).index == i;
          if (was_skipped)
            {
              g_assert_null (record);
              g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
              g_clear_error (&error);
              continue;
            }
          g_assert_no_error (error);
          g_assert_cmpuint (record->index, ==, i);
          g_assert (g_utf8_validate (record->task, -1, NULL));
          g_assert (g_utf8_validate (record->solution, -1, NULL));
        }
    }
  else
    {
      g_assert (error != NULL && error->message[0] != '\0');
      g_assert (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpuint (clair_project_get_n_rows (project), ==, 0);
    }
  clair_import_report_clear (&report);
  clair_mapping_clear (&mapping);
}

static void
fuzz_results_import (const uint8_t *data,
                     size_t         size)
{
  g_autofree char *path = fuzz_path ("results.jsonl");
  g_autoptr(GError) error = NULL;
  const char *paths[] = { path, NULL };
  ClairImportResultsReport report = { 0 };
  guint before;

  fuzz_write_file (path, data, size);
  /* Attempt counts saturate at 255 per row: start again before they can. */
  if (count_attempts (results_project) > 200)
    reset_results_project ();
  before = count_attempts (results_project);
  /* Bad lines are reported, not fatal: only a file that cannot be read fails the import. */
  g_assert (clair_import_results_files (results_project, paths, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_revised, <=, report.n_imported);
  g_assert_cmpuint (report.problems->len, ==, report.n_errors);
  for (guint i = 0; i < report.problems->len; i++)
    {
      const char *problem = g_ptr_array_index (report.problems, i);

      g_assert (problem[0] != '\0' && g_utf8_validate (problem, -1, NULL));
    }
  if (before + report.n_imported < 255)
    g_assert_cmpuint (count_attempts (results_project), ==, before + report.n_imported);
  clair_import_results_report_clear (&report);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size < 1 || size > 64 * 1024)
    return 0;

  if (data[0] < 4)
    fuzz_dataset_import (data + 1, size - 1, data[0]);
  else if (data[0] < 8)
    fuzz_results_import (data + 1, size - 1);
  return 0;
}
