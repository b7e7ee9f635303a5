/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-json.h"
#include "clair-project.h"

int
clair_cmd_prompt (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(ClairPrompt) prompt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  gint64 row = -1;
  GOptionEntry entries[] = {
    { "row", 'r', 0, G_OPTION_ARG_INT64, &row, N_("The row whose request to print"), N_("N") },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT --row N — print the exact request messages as JSON"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((rc = clair_cli_parse (context, "prompt", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("prompt", _("expected one PROJECT"));
  if (row < 0 || row >= G_MAXUINT)
    return clair_cli_usage_error ("prompt", _("--row N is required (rows are numbered from 0)"));

  project = clair_cli_open_project (argv[1], FALSE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  record = clair_project_get_record (project, (guint) row, &error);
  if (record == NULL)
    return clair_cli_fail ("%s", error->message);

  prompt = clair_project_load_prompt (project);
  system = clair_prompt_render_system (prompt, record->task, record->solution);
  user = clair_prompt_render_user (prompt, record->task, record->solution);

  out = g_string_new ("[{\"role\":\"system\",\"content\":");
  clair_json_append_string (out, system, -1);
  g_string_append (out, "},{\"role\":\"user\",\"content\":");
  clair_json_append_string (out, user, -1);
  g_string_append (out, "}]");
  puts (out->str);

  return CLAIR_EXIT_OK;
}
