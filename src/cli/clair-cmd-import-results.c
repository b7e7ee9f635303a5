/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-export.h"
#include "clair-project.h"

int
clair_cmd_import_results (int    argc,
                          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  guint n_imported = 0;
  guint n_failed = 0;
  int rc;

  context = g_option_context_new (_("PROJECT RESULTS.jsonl — import OpenAI Batch or vLLM run-batch output"));
  g_option_context_set_description (context,
    _("Each output line is joined to its row by custom_id (“row-N”), parsed, and stored as a new "
      "attempt; failed requests are stored as failed attempts with the server's reason."));
  if ((rc = clair_cli_parse (context, "import-results", &argc, &argv)) >= 0)
    return rc;
  if (argc != 3)
    return clair_cli_usage_error ("import-results", _("expected PROJECT and RESULTS file"));

  project = clair_cli_open_project (argv[1], TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;

  if (!clair_import_results (project, argv[2], &n_imported, &n_failed, &error))
    return clair_cli_fail ("%s", error->message);

  /* Translators: the first %u is the number of results read; the plural follows it. */
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE,
                                "Imported %u result (%u revised, %u failed or unparsed)\n",
                                "Imported %u results (%u revised, %u failed or unparsed)\n",
                                n_imported),
           n_imported, n_imported - n_failed, n_failed);
  return CLAIR_EXIT_OK;
}
