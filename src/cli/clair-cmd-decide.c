/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-enum-nick.h"
#include "clair-project.h"
#include "clair-team.h"

int
clair_cmd_decide (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *revision_file = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *note = NULL;
  g_autofree char *annotator = NULL;
  g_autoptr(GPtrArray) annotations = NULL;
  const ClairAnnotation *own = NULL;
  int decision;
  gboolean resolve = FALSE;
  ClairAttempt *decided_on;
  gboolean latest = FALSE;
  gint64 row = -1;
  GOptionEntry entries[] = {
    { "latest", 0, 0, G_OPTION_ARG_NONE, &latest,
      N_("Decide on the row's newest revision (one that came after an earlier decision)"), NULL },
    { "row", 'r', 0, G_OPTION_ARG_INT64, &row, N_("The row to decide"), N_("N") },
    { "revision-file", 0, 0, G_OPTION_ARG_FILENAME, &revision_file,
      N_("Replace the revision with the text of FILE (an edit)"), N_("FILE") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("Attach a note to the row"), N_("TEXT") },
    { "annotator", 0, 0, G_OPTION_ARG_STRING, &annotator,
      N_("Decide as NAME (default: $CLAIR_ANNOTATOR, a shard's annotator, else your name)"), N_("NAME") },
    { "resolve", 0, 0, G_OPTION_ARG_NONE, &resolve,
      N_("Resolve the row: this decision wins over the annotators' (for disagreements)"), NULL },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT --row N accept|reject|skip — record a decision"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("A decision is about the revision shown by “clair show --row N”. When a newer revision came "
      "after an earlier decision, that one stays what exports use until you decide with --latest.\n"
      "Each annotator has their own decision on a row; where annotators differ the row is a "
      "disagreement (see “clair show --disagreements”) until someone decides it with --resolve."));
  if ((rc = clair_cli_parse (context, "decide", &argc, &argv)) >= 0)
    return rc;
  if (argc != 3)
    return clair_cli_usage_error ("decide", _("expected PROJECT and one of accept, reject, skip"));
  if (row < 0 || row >= G_MAXUINT)
    return clair_cli_usage_error ("decide", _("--row N is required (rows are numbered from 0)"));
  if (!clair_enum_from_nick (CLAIR_TYPE_DECISION, argv[2], &decision))
    return clair_cli_usage_error ("decide", _("unknown decision “%s”; use accept, reject or skip"),
                                  argv[2]);

  if (annotator != NULL)
    {
      g_autoptr(GError) name_error = NULL;

      if (!clair_annotator_name_is_valid (annotator, &name_error))
        return clair_cli_usage_error ("decide", "%s", name_error->message);
    }

  if (revision_file != NULL)
    {
      gsize length;

      if (!g_file_get_contents (revision_file, &revision, &length, &error))
        return clair_cli_fail ("%s", error->message);
      if (!g_utf8_validate (revision, length, NULL) || strlen (revision) != length)
        return clair_cli_fail (_("“%s” is not UTF-8 text"), revision_file);
    }

  project = clair_cli_open_project (argv[1], TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  clair_project_set_annotator (project, annotator);
  record = clair_project_get_record (project, (guint) row, &error);
  if (record == NULL)
    return clair_cli_fail ("%s", error->message);
  annotations = clair_project_get_annotations (project, (guint) row, &error);
  if (annotations == NULL)
    return clair_cli_fail ("%s", error->message);
  /* The earlier edit and note kept below are this annotator's own (or their resolution's). */
  for (guint i = 0; i < annotations->len; i++)
    {
      const ClairAnnotation *annotation = annotations->pdata[i];

      if (annotation->resolution == resolve &&
          g_str_equal (annotation->annotator, clair_project_get_annotator (project)))
        own = annotation;
    }
  /* A decision from before names were kept is what this one takes over. */
  for (guint i = 0; own == NULL && !resolve && i < annotations->len; i++)
    {
      const ClairAnnotation *annotation = annotations->pdata[i];

      if (!annotation->resolution && g_str_equal (annotation->annotator, CLAIR_TEAM_UNKNOWN_ANNOTATOR))
        own = annotation;
    }

  /* The attempt `clair show` shows: the one decided on before, unless asked for the newest. */
  decided_on = latest ? clair_record_get_latest (record) : record->attempt;

  /* Keep the annotator's earlier edit or note unless this call replaces it. */
  if (own != NULL)
    {
      if (revision == NULL)
        revision = g_strdup (own->edited_revision);
      if (note == NULL)
        note = g_strdup (own->note);
    }
  if (resolve ? !clair_project_resolve (project, (guint) row,
                                        decided_on != NULL ? decided_on->id : CLAIR_ATTEMPT_NONE,
                                        decision, revision, note, &error)
              : !clair_project_set_decision_on (project, (guint) row,
                                                decided_on != NULL ? decided_on->id : CLAIR_ATTEMPT_NONE,
                                                decision, revision, note, &error))
    return clair_cli_fail ("%s", error->message);

  /* A decision among others who differ adds an opinion; it does not settle the row. */
  if (!resolve)
    {
      g_autoptr(ClairRecord) after = clair_project_get_record (project, (guint) row, NULL);

      if (after != NULL && after->team_state == CLAIR_TEAM_DISAGREED)
        fprintf (stderr, _("Row %u: the annotators disagree, so it is left out of exports; to decide "
                           "it for everyone use --resolve\n"), (guint) row);
    }

  return CLAIR_EXIT_OK;
}
