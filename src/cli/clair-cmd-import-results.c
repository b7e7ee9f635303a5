/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "clair-batch.h"
#include "clair-cli.h"
#include "clair-project.h"

int
clair_cmd_import_results (int    argc,
                          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  ClairImportResultsReport report = { 0 };
  gboolean ok;
  int rc;

  context = g_option_context_new (_("PROJECT RESULTS.jsonl… — import OpenAI Batch or vLLM run-batch output"));
  g_option_context_set_description (context,
    _("Each output line is joined to its row by custom_id (“row-N”), parsed, and stored as a new "
      "attempt with the request the batch file was written with. A row you already decided on keeps "
      "the revision you reviewed; the new one waits for review. Lines that are not good results "
      "(not JSON, an unknown or repeated custom_id, a failed request) are listed with their line "
      "number; every good line is imported.\n"
      "Exit status: 0 when every line was a good result, 3 when some were not, 1 when nothing could "
      "be imported."));
  if ((rc = clair_cli_parse (context, "import-results", &argc, &argv)) >= 0)
    return rc;
  if (argc < 3)
    return clair_cli_usage_error ("import-results", _("expected PROJECT and at least one RESULTS file"));

  project = clair_cli_open_project (argv[1], TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;

  ok = clair_import_results_files (project, (const char * const *) argv + 2, &report, &error);
  /* A problem line quotes the file name and the server's message: one line each, escaped. */
  for (guint i = 0; report.problems != NULL && i < report.problems->len; i++)
    {
      g_autofree char *problem = clair_cli_escape (g_ptr_array_index (report.problems, i));

      fprintf (stderr, "%s\n", problem);
    }
  if (!ok)
    {
      clair_import_results_report_clear (&report);
      return clair_cli_fail ("%s", error->message);
    }

  printf ("imported %u, errors %u, rows in the batch without a result %u\n",
          report.n_imported, report.n_errors, report.n_missing);
  if (report.n_kept > 0)
    /* Translators: %u is a number of rows. */
    fprintf (stderr, g_dngettext (GETTEXT_PACKAGE,
                                  "%u row already had a decision: it keeps the revision you reviewed, "
                                  "and the new one waits for review (clair show --row N)\n",
                                  "%u rows already had a decision: they keep the revision you reviewed, "
                                  "and the new ones wait for review (clair show --row N)\n",
                                  report.n_kept),
             report.n_kept);
  rc = report.n_errors > 0 ? CLAIR_EXIT_PARTIAL : CLAIR_EXIT_OK;
  clair_import_results_report_clear (&report);
  return rc;
}
