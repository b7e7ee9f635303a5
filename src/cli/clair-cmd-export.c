/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-enum-nick.h"
#include "clair-export.h"
#include "clair-project.h"

static char **
split_columns (const char *list)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) names = NULL;

  if (list == NULL)
    return NULL;
  parts = g_strsplit (list, ",", -1);
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (names, g_strdup (parts[i]));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
print_summary (const ClairExportOptions *options,
               const ClairExportSummary *summary,
               const char               *output)
{
  g_autofree char *n_rows = g_strdup_printf ("%" G_GUINT64_FORMAT, summary->n_rows);
  gboolean pairs = options->format != CLAIR_EXPORT_DISTILABEL &&
                   options->format != CLAIR_EXPORT_BATCH_REQUESTS;
  gulong n = (gulong) MIN (summary->n_rows, G_MAXULONG);

  if (options->format == CLAIR_EXPORT_BATCH_REQUESTS)
    fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Wrote %s request", "Wrote %s requests", n), n_rows);
  else if (pairs)
    fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Wrote %s pair", "Wrote %s pairs", n), n_rows);
  else
    fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "Wrote %s row", "Wrote %s rows", n), n_rows);
  if (pairs)
    fprintf (stderr, _(" (%lu edited, %lu not minimal)"),
             (gulong) summary->n_edited, (gulong) summary->n_not_minimal);
  if (options->format == CLAIR_EXPORT_KTO)
    fprintf (stderr, _(" as %lu lines"), (gulong) summary->n_lines);
  /* File and column names are the user's and the dataset's: escaped. */
  if (g_strv_length (summary->files) > 1)
    fprintf (stderr, _(" to %u files:\n"), g_strv_length (summary->files));
  else if (g_str_equal (output, "-"))
    fprintf (stderr, _(" to %s\n"), _("standard output"));
  else
    {
      g_autofree char *shown = clair_cli_escape (output);

      fprintf (stderr, _(" to %s\n"), shown);
    }
  for (guint i = 0; g_strv_length (summary->files) > 1 && summary->files[i] != NULL; i++)
    {
      g_autofree char *shown = clair_cli_escape (summary->files[i]);

      fprintf (stderr, "  %s\n", shown);
    }

  if (summary->n_identical > 0)
    fprintf (stderr, _("Dropped %lu identical pairs (the revision equals the original)\n"),
             (gulong) summary->n_identical);
  if (summary->n_rejected > 0)
    fprintf (stderr, _("Left out %lu rejected rows\n"), (gulong) summary->n_rejected);
  if (summary->n_disagreement > 0)
    fprintf (stderr, _("%lu rows left out: unresolved disagreement (see clair show --disagreements)\n"),
             (gulong) summary->n_disagreement);
  if (summary->n_newer > 0)
    fprintf (stderr, _("%lu rows have a newer revision nobody reviewed yet: the reviewed one went out\n"),
             (gulong) summary->n_newer);
  if (summary->n_adjacent > 0)
    fprintf (stderr, _("%lu lines follow a line of the same prompt (too many rows share one prompt to "
                       "keep them apart)\n"), (gulong) summary->n_adjacent);
  if (summary->renamed != NULL && summary->renamed[0] != NULL)
    {
      fprintf (stderr, _("Source columns renamed so the trainer does not read them:"));
      for (guint i = 0; summary->renamed[i] != NULL; i++)
        {
          g_autofree char *name = clair_cli_escape (summary->renamed[i]);

          fprintf (stderr, "%s %s → source_%s", i ? "," : "", name, name);
        }
      fputc ('\n', stderr);
    }
  if (summary->left_out != NULL && summary->left_out[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", summary->left_out);
      g_autofree char *names = clair_cli_escape (joined);

      fprintf (stderr, _("Source columns left out: %s\n"), names);
    }
  if (summary->warning != NULL)
    {
      g_autofree char *warning = clair_cli_escape (summary->warning);

      fprintf (stderr, _("clair: warning: %s\n"), warning);
    }
}

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
  g_autofree char *keep = NULL;
  g_autofree char *drop = NULL;
  g_auto(GStrv) keep_columns = NULL;
  g_auto(GStrv) drop_columns = NULL;
  gboolean include_rationale = FALSE;
  gboolean annotator_columns = FALSE;
  double not_minimal = 0.5;
  ClairExportOptions options = { 0 };
  ClairExportSummary summary = { 0 };
  ClairGenParams params;
  gboolean ok;
  int value;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("trl, trl-chat, kto, contextual, distilabel or batch-requests"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("File to write (- for standard output)"), N_("FILE") },
    { "select", 's', 0, G_OPTION_ARG_STRING, &selection_name,
      N_("accepted (default), revised or all"), N_("WHICH") },
    { "include-rationale", 0, 0, G_OPTION_ARG_NONE, &include_rationale,
      N_("Add the teacher's rationale as \"rational\""), NULL },
    { "keep-columns", 0, 0, G_OPTION_ARG_STRING, &keep,
      N_("Only these source columns pass through (comma-separated)"), N_("A,B") },
    { "drop-columns", 0, 0, G_OPTION_ARG_STRING, &drop,
      N_("These source columns do not pass through (comma-separated)"), N_("A,B") },
    { "not-minimal-below", 0, 0, G_OPTION_ARG_DOUBLE, &not_minimal,
      N_("Count pairs whose token similarity is below this as not minimal (default 0.5)"), N_("X") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model,
      N_("Model for batch requests (default: the project's)"), N_("NAME") },
    { "annotator-columns", 0, 0, G_OPTION_ARG_NONE, &annotator_columns,
      N_("Add each annotator's decision (\"annotators\") and \"resolved_by\" to every line"), NULL },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT — write preference pairs or batch request files"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Selections: accepted = accepted rows (edited revisions count, with the edited text); "
      "revised = every revised row not rejected; all = every row with a revision.\n"
      "Pair formats (trl, trl-chat, kto, contextual) never hold a rejected row, nor a pair whose "
      "revision equals the original. distilabel writes every row for “all”, with a decision column.\n"
      "Source columns pass through, but one named like a key TRL reads (prompt, chosen, rejected, "
      "completion, label, messages, …) is written as source_NAME; kto leaves the source's chosen "
      "and rejected out.\n"
      "For batch-requests, “all” writes every row and the others write rows not yet revised; files "
      "over 50,000 requests or 190 MB are split into FILE-00001-of-0000N.jsonl.\n"
      "Rows decided by several annotators go out with their resolution, else the decision they "
      "agree on; rows where they disagree are left out until resolved."));
  if ((rc = clair_cli_parse (context, "export", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("export", _("expected one PROJECT"));
  if (format_name == NULL || !clair_enum_from_nick (CLAIR_TYPE_EXPORT_FORMAT, format_name, &value))
    {
      g_autofree char *formats = clair_enum_list_nicks (CLAIR_TYPE_EXPORT_FORMAT);

      return clair_cli_usage_error ("export", _("--format must be one of %s"), formats);
    }
  options.format = value;
  if (output == NULL)
    return clair_cli_usage_error ("export", _("-o FILE is required (- for standard output)"));
  options.selection = CLAIR_EXPORT_SELECT_ACCEPTED;
  if (selection_name != NULL)
    {
      if (!clair_enum_from_nick (CLAIR_TYPE_EXPORT_SELECTION, selection_name, &value))
        {
          g_autofree char *selections = clair_enum_list_nicks (CLAIR_TYPE_EXPORT_SELECTION);

          return clair_cli_usage_error ("export", _("--select must be one of %s"), selections);
        }
      options.selection = value;
    }
  if (!(not_minimal >= 0 && not_minimal <= 1))
    return clair_cli_usage_error ("export", _("--not-minimal-below must be between 0 and 1"));
  options.include_rationale = include_rationale;
  options.annotator_columns = annotator_columns;
  options.keep_columns = (const char * const *) (keep_columns = split_columns (keep));
  options.drop_columns = (const char * const *) (drop_columns = split_columns (drop));
  options.not_minimal_below = not_minimal;

  project = clair_cli_open_project (argv[1], FALSE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;

  clair_gen_params_init (&params);
  if (!clair_project_load_params (project, &params, &error))
    return clair_cli_fail ("%s", error->message);
  if (model != NULL)
    {
      g_free (params.model);
      params.model = g_strdup (model);
    }
  options.params = &params;

  ok = clair_export_to_file (project, &options, output, NULL, NULL, NULL, &summary, &error);
  clair_gen_params_clear (&params);
  if (!ok)
    {
      clair_export_summary_clear (&summary);
      return clair_cli_fail ("%s", error->message);
    }
  print_summary (&options, &summary, output);
  clair_export_summary_clear (&summary);
  return CLAIR_EXIT_OK;
}
