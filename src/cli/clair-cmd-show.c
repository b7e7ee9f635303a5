/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-enum-nick.h"
#include "clair-json.h"
#include "clair-metrics.h"
#include "clair-project.h"
#include "clair-team.h"

static void
append_string_member (GString    *out,
                      const char *key,
                      const char *value)
{
  clair_json_append_key (out, key, FALSE);
  clair_json_append_string (out, value, -1);
}

/* The status of the row's latest attempt, by its nick. */
static const char *
row_status (ClairRecord *record)
{
  ClairAttempt *latest = clair_record_get_latest (record);

  return clair_enum_to_nick (CLAIR_TYPE_ROW_STATUS,
                             latest != NULL ? latest->status : CLAIR_ROW_PENDING);
}

/* The row's decision by its nick; where the annotators disagree there is none, and it says so. */
static const char *
row_decision (ClairRecord *record)
{
  if (record->team_state == CLAIR_TEAM_DISAGREED)
    return clair_enum_to_nick (CLAIR_TYPE_TEAM_STATE, CLAIR_TEAM_DISAGREED);
  return clair_enum_to_nick (CLAIR_TYPE_DECISION, record->decision);
}

/* One row as a JSON object: the fields scripts need, with the same names as the exports. */
static char *
record_to_json (ClairRecord *record)
{
  GString *out = g_string_new ("{");
  ClairAttempt *attempt = record->attempt;

  clair_json_append_key (out, "row", TRUE);
  clair_json_append_int (out, record->index);
  clair_json_append_key (out, "line", FALSE);
  clair_json_append_int (out, record->line);
  append_string_member (out, "status", row_status (record));
  append_string_member (out, "decision", row_decision (record));
  /* A revision that came after the decision: the decision (and exports) keep the one below. */
  append_string_member (out, "newer_revision",
                        clair_record_has_newer_revision (record) ? record->newer->revision : NULL);
  clair_json_append_key (out, "edited", FALSE);
  g_string_append (out, record->edited_revision ? "true" : "false");
  append_string_member (out, "task", record->task);
  append_string_member (out, "student_solution", record->solution);
  append_string_member (out, "revision", attempt ? attempt->revision : NULL);
  append_string_member (out, "edited_revision", record->edited_revision);
  append_string_member (out, "rational", attempt ? attempt->rationale : NULL);
  append_string_member (out, "note", record->note);
  clair_json_append_key (out, "attempts", FALSE);
  clair_json_append_int (out, record->n_attempts);
  if (attempt != NULL)
    {
      append_string_member (out, "parse_status", attempt->parse_status);
      append_string_member (out, "marker", attempt->marker);
      append_string_member (out, "error", attempt->error);
      append_string_member (out, "finish_reason", attempt->finish_reason);
      append_string_member (out, "model_requested", attempt->model_requested);
      append_string_member (out, "model_reported", attempt->model_reported);
      clair_json_append_key (out, "http_status", FALSE);
      clair_json_append_int (out, attempt->http_status);
      clair_json_append_key (out, "prompt_tokens", FALSE);
      clair_json_append_int (out, attempt->prompt_tokens);
      clair_json_append_key (out, "completion_tokens", FALSE);
      clair_json_append_int (out, attempt->completion_tokens);
      clair_json_append_key (out, "latency_ms", FALSE);
      clair_json_append_double (out, attempt->latency_ms);
      append_string_member (out, "raw_output", attempt->raw_output);
      clair_json_append_key (out, "metrics", FALSE);
      if (attempt->has_metrics)
        clair_metrics_append_json (out, &attempt->metrics);
      else
        g_string_append (out, "null");
    }
  clair_json_append_key (out, "extra", FALSE);
  g_string_append (out, record->extra_json ? record->extra_json : "{}");
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

/* A heading and a text of the row: the text is the dataset's or a server's, printed as a block. */
static void
print_section (const char *heading,
               const char *text)
{
  g_autofree char *escaped = clair_cli_escape_block (text);

  printf ("\n## %s\n%s\n", heading, escaped);
}

static void
print_record_text (ClairRecord *record,
                   gboolean     latest)
{
  ClairAttempt *attempt = latest ? clair_record_get_latest (record) : record->attempt;

  printf (_("Row %u (line %u) — %s, %s%s\n"), record->index, record->line,
          row_status (record), row_decision (record),
          record->edited_revision ? _(", edited") : "");
  if (clair_record_has_newer_revision (record) && !latest)
    printf (_("A newer revision since your decision: exports keep the revision you reviewed (below). "
              "See the new one with --latest; decide on it with “clair decide --row %u --latest”.\n"),
            record->index);
  else if (clair_record_has_newer_revision (record))
    printf (_("The newer revision since your decision (exports keep the one you reviewed until you "
              "decide with “clair decide --row %u --latest”).\n"), record->index);
  print_section (_("Task"), record->task);
  print_section (_("Original"), record->solution);
  if (attempt != NULL)
    {
      if (attempt->revision != NULL)
        print_section (_("Revision"), attempt->revision);
      if (attempt->rationale != NULL)
        print_section (_("Rationale"), attempt->rationale);
      if (attempt->error != NULL)
        print_section (_("Error"), attempt->error);
      if (attempt->has_metrics)
        printf ("\n%s: jaccard %.3f, levenshtein %.0f (%.3f), changed %.3f, length ratio %.3f\n",
                _("Metrics"), attempt->metrics.jaccard, attempt->metrics.levenshtein,
                attempt->metrics.levenshtein_norm, attempt->metrics.changed_share,
                attempt->metrics.length_ratio);
    }
  if (record->edited_revision != NULL)
    print_section (_("Edited revision"), record->edited_revision);
  if (record->note != NULL)
    print_section (_("Note"), record->note);
}

/* Each annotator's decision, edit and note, side by side with the others' (names, edits and notes
 * are people's text: escaped). */
static void
print_annotations (GPtrArray *annotations)
{
  if (annotations == NULL || annotations->len == 0)
    return;
  printf ("\n## %s\n", _("Annotators"));
  for (guint i = 0; i < annotations->len; i++)
    {
      const ClairAnnotation *annotation = annotations->pdata[i];
      g_autofree char *name = clair_cli_escape (annotation->annotator);
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (annotation->decided_at / G_USEC_PER_SEC);
      g_autofree char *when = time != NULL ? g_date_time_format_iso8601 (time) : g_strdup ("?");

      printf ("%s%s: %s%s (%s)\n", name, annotation->resolution ? _(" (resolution)") : "",
              clair_enum_to_nick (CLAIR_TYPE_DECISION, annotation->decision),
              annotation->edited_revision != NULL ? _(", edited") : "", when);
      if (annotation->edited_revision != NULL)
        {
          g_autofree char *text = clair_cli_escape_block (annotation->edited_revision);
          printf ("  %s: %s\n", _("edit"), text);
        }
      if (annotation->note != NULL)
        {
          g_autofree char *text = clair_cli_escape_block (annotation->note);
          printf ("  %s: %s\n", _("note"), text);
        }
    }
}

static void
append_annotations_json (GString   *out,
                         GPtrArray *annotations)
{
  clair_json_append_key (out, "annotations", FALSE);
  g_string_append_c (out, '[');
  for (guint i = 0; annotations != NULL && i < annotations->len; i++)
    {
      const ClairAnnotation *annotation = annotations->pdata[i];

      g_string_append (out, i > 0 ? ",{" : "{");
      clair_json_append_key (out, "annotator", TRUE);
      clair_json_append_string (out, annotation->annotator, -1);
      clair_json_append_key (out, "resolution", FALSE);
      g_string_append (out, annotation->resolution ? "true" : "false");
      append_string_member (out, "decision",
                            clair_enum_to_nick (CLAIR_TYPE_DECISION, annotation->decision));
      append_string_member (out, "edited_revision", annotation->edited_revision);
      append_string_member (out, "note", annotation->note);
      clair_json_append_key (out, "decided_at", FALSE);
      clair_json_append_int (out, annotation->decided_at);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

static void
print_summary_line (ClairRecord *record)
{
  g_autofree char *task = g_strndup (record->task, 512);
  g_autofree char *escaped = NULL;
  ClairAttempt *attempt = record->attempt;
  char similarity[16] = "-";
  g_autofree char *decision = g_strconcat (row_decision (record),
                                           clair_record_has_newer_revision (record) ? "*" : "", NULL);

  g_strdelimit (task, "\n\r\t", ' ');
  /* Escaped before it is cut: the escaped text is valid UTF-8 (g_strndup may have split a
   * character), and the column then holds at most 60 characters, escapes included. */
  escaped = clair_cli_escape (task);
  if (g_utf8_strlen (escaped, -1) > 60)
    {
      const char *cut = g_utf8_offset_to_pointer (escaped, 59);
      char *shortened = g_strdup_printf ("%.*s…", (int) (cut - escaped), escaped);

      g_free (escaped);
      escaped = shortened;
    }
  if (attempt != NULL && attempt->has_metrics)
    g_snprintf (similarity, sizeof similarity, "%.3f", attempt->metrics.jaccard);

  printf ("%6u  %-12s  %-9s  %6s  %s\n", record->index, row_status (record), decision, similarity,
          escaped);
}

typedef struct
{
  gboolean json;
  gboolean disagreements;
} ShowOptions;

static gboolean
show_each_cb (ClairRecord *record,
              gpointer     user_data)
{
  ShowOptions *options = user_data;
  gboolean json = options->json;

  if (options->disagreements && record->team_state != CLAIR_TEAM_DISAGREED)
    return TRUE;

  if (json)
    {
      g_autofree char *text = record_to_json (record);
      puts (text);
    }
  else
    print_summary_line (record);
  return TRUE;
}

int
clair_cmd_show (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  gint64 row = -1;
  gboolean json = FALSE;
  gboolean latest = FALSE;
  ShowOptions show_options = { 0 };
  GOptionEntry entries[] = {
    { "row", 'r', 0, G_OPTION_ARG_INT64, &row, N_("Show one row in full"), N_("N") },
    { "latest", 0, 0, G_OPTION_ARG_NONE, &latest,
      N_("Show the row's newest revision, also one that came after a decision"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON (one object per line)"), NULL },
    { "disagreements", 0, 0, G_OPTION_ARG_NONE, &show_options.disagreements,
      N_("List only rows whose annotators disagree (and nobody resolved)"), NULL },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT — list the rows of a project, or show one"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((rc = clair_cli_parse (context, "show", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("show", _("expected one PROJECT"));
  if (row < -1 || row >= G_MAXUINT)
    return clair_cli_usage_error ("show", _("--row must be a row number from 0"));

  project = clair_cli_open_project (argv[1], FALSE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;

  if (row >= 0)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, (guint) row, &error);

      g_autoptr(GPtrArray) annotations = NULL;

      if (record == NULL)
        return clair_cli_fail ("%s", error->message);
      annotations = clair_project_get_annotations (project, (guint) row, &error);
      if (annotations == NULL)
        return clair_cli_fail ("%s", error->message);
      if (json)
        {
          g_autofree char *text = record_to_json (record);
          GString *with_annotations = g_string_new_len (text, strlen (text) - 1);

          append_string_member (with_annotations, "team_state",
                                clair_enum_to_nick (CLAIR_TYPE_TEAM_STATE, record->team_state));
          append_annotations_json (with_annotations, annotations);
          g_string_append_c (with_annotations, '}');
          puts (with_annotations->str);
          g_string_free (with_annotations, TRUE);
        }
      else
        {
          print_record_text (record, latest);
          if (annotations->len > 1 || record->team_state != CLAIR_TEAM_SINGLE)
            print_annotations (annotations);
        }
      return CLAIR_EXIT_OK;
    }

  if (!json)
    printf ("%6s  %-12s  %-9s  %6s  %s\n", _("row"), _("status"), _("decision"), _("sim."), _("task"));
  show_options.json = json;
  if (!clair_project_foreach_record (project, NULL, show_each_cb, &show_options, &error))
    return clair_cli_fail ("%s", error->message);

  return CLAIR_EXIT_OK;
}
