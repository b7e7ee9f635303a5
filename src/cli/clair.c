/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"

typedef struct
{
  const char *name;
  int       (*func) (int argc, char **argv);
  const char *summary;
} ClairCommand;

static const ClairCommand commands[] = {
  { "import",         clair_cmd_import,         N_("Import a dataset into a project") },
  { "info",           clair_cmd_info,           N_("Rows, columns, mapping and counts of a project or dataset") },
  { "show",           clair_cmd_show,           N_("Show rows of a project") },
  { "prompt",         clair_cmd_prompt,         N_("Print the exact request messages of a row as JSON") },
  { "run",            clair_cmd_run,            N_("Request revisions from an OpenAI-compatible server") },
  { "decide",         clair_cmd_decide,         N_("Accept, reject or skip a row") },
  { "export",         clair_cmd_export,         N_("Write preference pairs or batch request files") },
  { "import-results", clair_cmd_import_results, N_("Import OpenAI Batch or vLLM run-batch output") },
  { "diff",           clair_cmd_diff,           N_("Word diff and contrastiveness metrics of two texts") },
  { "split",          clair_cmd_split,          N_("Give each annotator a project of their rows") },
  { "merge",          clair_cmd_merge,          N_("Bring annotators' decisions back from their shards") },
  { "agreement",      clair_cmd_agreement,      N_("Agreement between annotators (percent, Cohen's κ, Krippendorff's α)") },
  { "guidelines",     clair_cmd_guidelines,     N_("Print or set the annotation guidelines") },
};

static void
print_help (FILE *stream)
{
  fprintf (stream, "%s\n\n", _("Usage: clair COMMAND [OPTION…]"));
  fprintf (stream, "%s\n\n", _("Make contrastive preference pairs from minimal AI revisions (CLAIR)."));
  fprintf (stream, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-16s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("Run “clair COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("clair");

  if (argc < 2)
    {
      print_help (stderr);
      return CLAIR_EXIT_USAGE;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return CLAIR_EXIT_OK;
    }

  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      printf ("clair %s\n", PACKAGE_VERSION);
      return CLAIR_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        return commands[i].func (argc - 1, argv + 1);
    }

  {
    g_autofree char *command = clair_cli_escape (argv[1]);

    fprintf (stderr, _("clair: unknown command “%s”\n"), command);
  }
  fprintf (stderr, "%s\n", _("Run “clair --help” for the list of commands."));
  return CLAIR_EXIT_USAGE;
}
