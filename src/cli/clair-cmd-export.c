/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-export.h"
#include "clair-project.h"

int
clair_cmd_export (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *selection_name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *model = NULL;
  gboolean include_rationale = FALSE;
  ClairExportOptions options = { 0 };
  ClairGenParams params;
  guint64 n_written = 0;
  g_autofree char *n_written_text = NULL;
  gboolean ok;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("trl, trl-chat, kto, contextual, distilabel or batch-requests"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("File to write"), N_("FILE") },
    { "select", 's', 0, G_OPTION_ARG_STRING, &selection_name,
      N_("accepted (default), revised or all"), N_("WHICH") },
    { "include-rationale", 0, 0, G_OPTION_ARG_NONE, &include_rationale,
      N_("Add the teacher's rationale as \"rational\""), NULL },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model,
      N_("Model for batch requests (default: the project's)"), N_("NAME") },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT — write preference pairs or batch request files"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Selections: accepted = accepted rows (edited revisions count, with the edited text); "
      "revised = every revised row not rejected; all = every row with a revision.\n"
      "For batch-requests, “all” writes every row and the others write rows not yet revised."));
  if ((rc = clair_cli_parse (context, "export", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("export", _("expected one PROJECT"));
  if (format_name == NULL || !clair_export_format_from_string (format_name, &options.format))
    return clair_cli_usage_error ("export", _("--format must be one of trl, trl-chat, kto, "
                                              "contextual, distilabel, batch-requests"));
  if (output == NULL)
    return clair_cli_usage_error ("export", _("-o FILE is required"));
  options.selection = CLAIR_EXPORT_SELECT_ACCEPTED;
  if (selection_name != NULL &&
      !clair_export_selection_from_string (selection_name, &options.selection))
    return clair_cli_usage_error ("export", _("--select must be accepted, revised or all"));
  options.include_rationale = include_rationale;

  project = clair_cli_open_project (argv[1], FALSE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;

  if (!clair_project_load_params (project, &params, &error))
    return clair_cli_fail ("%s", error->message);
  if (model != NULL)
    {
      g_free (params.model);
      params.model = g_strdup (model);
    }
  options.params = &params;

  ok = clair_export_to_file (project, &options, output, NULL, NULL, NULL, &n_written, &error);
  clair_gen_params_clear (&params);
  if (!ok)
    return clair_cli_fail ("%s", error->message);

  n_written_text = g_strdup_printf ("%" G_GUINT64_FORMAT, n_written);
  /* Translators: the first %s is a number of lines, the second a file name. */
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Wrote %s line to %s\n", "Wrote %s lines to %s\n",
                                (gulong) MIN (n_written, G_MAXULONG)),
           n_written_text, output);
  return CLAIR_EXIT_OK;
}
