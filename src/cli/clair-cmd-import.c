/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-dataset.h"
#include "clair-hub.h"
#include "clair-project.h"

static void
import_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  gint64 *last = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;

  if (!isatty (STDERR_FILENO) || now - *last < G_USEC_PER_SEC / 4)
    return;
  *last = now;
  done_text = g_strdup_printf ("%" G_GUINT64_FORMAT, done);
  total_text = g_strdup_printf ("%" G_GUINT64_FORMAT, total);
  fprintf (stderr, "\r%s", "");
  /* Translators: the first %s is the number of rows read so far, the second the total. */
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Importing… %s of %s row",
                                "Importing… %s of %s rows", (gulong) MIN (total, G_MAXULONG)),
           done_text, total_text);
  fflush (stderr);
}

gboolean
clair_cli_resolve_mapping (ClairDataset *dataset,
                           const char   *task_column,
                           const char   *solution_column,
                           ClairMapping *mapping,
                           GError      **error)
{
  const char * const *columns = clair_dataset_get_columns (dataset);
  ClairMapping guess = { 0 };

  clair_mapping_guess (columns, &guess);
  mapping->task_column = g_strdup (task_column ? task_column : guess.task_column);
  mapping->solution_column = g_strdup (solution_column ? solution_column : guess.solution_column);
  clair_mapping_clear (&guess);

  if (mapping->task_column == NULL || mapping->solution_column == NULL)
    {
      g_autofree char *names = columns ? g_strjoinv (", ", (char **) columns) : g_strdup ("");

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Could not tell which columns of “%s” hold the task and the answer (columns: %s); "
                     "name them with --task-column and --solution-column"),
                   clair_dataset_get_path (dataset), names);
      clair_mapping_clear (mapping);
      return FALSE;
    }

  for (guint pass = 0; pass < 2; pass++)
    {
      const char *wanted = pass == 0 ? mapping->task_column : mapping->solution_column;

      if (columns != NULL && !g_strv_contains (columns, wanted))
        {
          g_autofree char *names = g_strjoinv (", ", (char **) columns);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("“%s” has no column “%s” (columns: %s)"),
                       clair_dataset_get_path (dataset), wanted, names);
          clair_mapping_clear (mapping);
          return FALSE;
        }
    }

  return TRUE;
}

void
clair_cli_print_import_report (const char              *project_path,
                               const ClairImportReport *report)
{
  guint n_skipped = report->skipped ? report->skipped->len : 0;
  g_autofree char *shown_path = clair_cli_escape (project_path);

  /* Translators: %u is a number of rows, %s the project file. */
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Imported %u row into %s\n",
                                "Imported %u rows into %s\n", report->n_imported),
           report->n_imported, shown_path);
  if (n_skipped == 0)
    return;

  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Skipped %u row:\n", "Skipped %u rows:\n", n_skipped),
           n_skipped);
  for (guint i = 0; i < n_skipped; i++)
    {
      const ClairSkippedRow *row = &g_array_index (report->skipped, ClairSkippedRow, i);
      g_autofree char *reason = NULL;

      if (i == 20 && n_skipped > 21)
        {
          fprintf (stderr, _("  … and %u more (see “clair info %s”)\n"),
                   n_skipped - 20, shown_path);
          break;
        }
      /* A reason may quote the row's text. */
      reason = clair_cli_escape (row->reason);
      fprintf (stderr, _("  row %u: %s\n"), row->index, reason);
    }
}

char *
clair_cli_default_project (const char *dataset_path)
{
  g_autofree char *base = g_strdup (dataset_path);
  gsize len = strlen (base);

  while (len > 1 && base[len - 1] == G_DIR_SEPARATOR)
    base[--len] = '\0';
  return g_strconcat (base, ".clair", NULL);
}

gboolean
clair_cli_import_dataset (const char   *dataset_path,
                          const char   *project_path,
                          const char   *task_column,
                          const char   *solution_column,
                          GError      **error)
{
  return clair_cli_import_dataset_with_settings (dataset_path, project_path, task_column,
                                                 solution_column, NULL, error);
}

static gboolean
store_settings (ClairProject  *project,
                GHashTable    *settings,
                GError       **error)
{
  GHashTableIter iter;
  gpointer key, value;

  if (settings == NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, settings);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!clair_project_set_setting (project, key, value, error))
      return FALSE;
  return TRUE;
}

gboolean
clair_cli_import_source (const char  *source,
                         const char  *revision,
                         const char  *config,
                         const char  *split,
                         const char  *project_path,
                         const char  *task_column,
                         const char  *solution_column,
                         GError     **error)
{
  g_autoptr(GHashTable) settings = NULL;
  g_autofree char *local = NULL;

  if (!clair_hub_is_uri (source))
    {
      if (revision != NULL || config != NULL || split != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("--revision, --config and --split are for hf:// datasets"));
          return FALSE;
        }
      return clair_cli_import_dataset (source, project_path, task_column, solution_column, error);
    }

  settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!clair_cli_hub_fetch (source, revision, config, split, &local, settings, error))
    return FALSE;
  return clair_cli_import_dataset_with_settings (local, project_path, task_column, solution_column,
                                                 settings, error);
}

gboolean
clair_cli_import_dataset_with_settings (const char   *dataset_path,
                                        const char   *project_path,
                                        const char   *task_column,
                                        const char   *solution_column,
                                        GHashTable   *settings,
                                        GError      **error)
{
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  ClairMapping mapping = { 0 };
  ClairImportReport report = { 0 };
  gint64 last = 0;
  gboolean existed = g_file_test (project_path, G_FILE_TEST_EXISTS);
  gboolean ok;

  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, error);
  if (dataset == NULL)
    return FALSE;
  if (!clair_cli_resolve_mapping (dataset, task_column, solution_column, &mapping, error))
    return FALSE;
  if (!clair_dataset_index (dataset, NULL, error))
    {
      clair_mapping_clear (&mapping);
      return FALSE;
    }

  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, error);
  if (project == NULL)
    {
      clair_mapping_clear (&mapping);
      return FALSE;
    }

  ok = clair_project_import_dataset (project, dataset, &mapping, NULL, import_progress_cb, &last,
                                     &report, error) &&
       store_settings (project, settings, error);
  if (isatty (STDERR_FILENO))
    fprintf (stderr, "\r\033[K");
  if (ok)
    clair_cli_print_import_report (project_path, &report);
  else if (!existed)
    {
      /* Leave nothing behind that looks like a project but holds no rows. */
      g_clear_object (&project);
      for (guint i = 0; i < 3; i++)
        {
          static const char * const suffixes[] = { "", "-wal", "-shm" };
          g_autofree char *file = g_strconcat (project_path, suffixes[i], NULL);
          g_unlink (file);
        }
    }

  clair_import_report_clear (&report);
  clair_mapping_clear (&mapping);
  return ok;
}

int
clair_cmd_import (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *project_path = NULL;
  g_autofree char *task_column = NULL;
  g_autofree char *solution_column = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *config = NULL;
  g_autofree char *split = NULL;
  GOptionEntry entries[] = {
    { "project", 'p', 0, G_OPTION_ARG_FILENAME, &project_path,
      N_("Project file to create (default: DATASET.clair)"), N_("PROJECT") },
    { "task-column", 0, 0, G_OPTION_ARG_STRING, &task_column,
      N_("Column holding the task (default: guessed)"), N_("NAME") },
    { "solution-column", 0, 0, G_OPTION_ARG_STRING, &solution_column,
      N_("Column holding the answer to revise (default: guessed)"), N_("NAME") },
    { "revision", 0, 0, G_OPTION_ARG_STRING, &revision,
      N_("hf:// datasets: branch, tag or commit (default: main)"), N_("REVISION") },
    { "config", 0, 0, G_OPTION_ARG_STRING, &config,
      N_("hf:// datasets: the config (default: “default” or the only one)"), N_("NAME") },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split,
      N_("hf:// datasets: the split (default: “train” or the only one)"), N_("NAME") },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("DATASET — import a JSONL, JSON, CSV, TSV or Parquet dataset into a project"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
      _("DATASET may also be a Hugging Face dataset: hf://datasets/ORG/NAME, with @REVISION and "
        "the path of one file if wanted. It is downloaded into the cache "
        "(~/.cache/clair-studio/hub), with the token of HF_TOKEN or of “huggingface-cli login” "
        "for gated and private ones; “clair info hf://datasets/ORG/NAME” lists its configs and "
        "splits."));
  if ((rc = clair_cli_parse (context, "import", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("import", _("expected one DATASET"));

  if (project_path == NULL)
    project_path = clair_hub_is_uri (argv[1])
                   ? clair_cli_hub_default_project (argv[1], config, split)
                   : clair_cli_default_project (argv[1]);

  if (!clair_cli_import_source (argv[1], revision, config, split, project_path, task_column,
                                solution_column, &error))
    {
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED))
        return clair_cli_usage_error ("import", "%s", error->message);
      return clair_cli_fail ("%s", error->message);
    }

  return CLAIR_EXIT_OK;
}
