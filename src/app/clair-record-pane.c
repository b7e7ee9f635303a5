/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-record-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "clair-escape.h"
#include "clair-metrics.h"
#include "clair-parse.h"
#include "clair-record-pane.h"
#include "clair-team.h"

struct _ClairRecordPane
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkWidget       *box;
  GtkLabel        *row_title;
  GtkLabel        *row_status_label;
  GtkButton       *reject_button;
  GtkToggleButton *edit_button;
  GtkToggleButton *inline_button;
  GtkWidget       *newer_box;
  GtkLabel        *newer_label;
  GtkButton       *newer_button;
  GtkWidget       *error_box;
  GtkWidget       *team_box;
  GtkLabel        *team_label;
  GtkListBox      *team_list;
  GPtrArray       *annotations;   /* of ClairAnnotation, what the team rows stand for */
  GtkLabel        *error_title;
  GtkLabel        *error_label;
  GtkExpander     *task_expander;
  GtkScrolledWindow *task_scroller;
  GtkScrolledWindow *rationale_scroller;
  int              cap;         /* the task's and rationale's most height, for the pane's */
  GtkLabel        *task_summary;
  GtkSourceView   *task_view;
  GtkWidget       *diff_slot;
  GtkExpander     *rationale_expander;
  GtkLabel        *rationale_summary;
  GtkLabel        *rationale_label;
  GtkEntry        *note_entry;
  GtkLabel        *metrics_label;
  GtkGrid         *meta_grid;

  GtkWidget       *diff_view;
  GSettings       *settings;
  GCancellable    *metrics_cancellable;   /* the edited text's figures, worked out on a thread */
  char            *search;      /* marked in the task and the diff */
  gboolean         filling;     /* the note is being set, not typed */
};

G_DEFINE_FINAL_TYPE (ClairRecordPane, clair_record_pane, GTK_TYPE_WIDGET)

enum { NOTE_CHANGED, RESOLVE, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The first line of @text, for a collapsed pane's heading. */
static char *
first_line (const char *text)
{
  g_autofree char *line = NULL;
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  while (g_ascii_isspace (*text))
    text++;
  end = strchr (text, '\n');
  line = end ? g_strndup (text, end - text) : g_strdup (text);
  return clair_escape_controls (line, CLAIR_ESCAPE_LINE);
}

const char *
clair_record_get_partial_revision (const ClairRecord *record)
{
  const ClairAttempt *attempt;

  g_return_val_if_fail (record != NULL, NULL);

  attempt = record->attempt;
  if (attempt != NULL && attempt->status == CLAIR_ROW_PARSE_FAILED &&
      g_strcmp0 (attempt->parse_status, "truncated") == 0 && attempt->revision != NULL)
    return attempt->revision;
  return NULL;
}

const char *
clair_record_get_shown_revision (const ClairRecord *record)
{
  const char *chosen;

  g_return_val_if_fail (record != NULL, NULL);

  chosen = clair_record_get_chosen ((ClairRecord *) record);
  return chosen != NULL ? chosen : clair_record_get_partial_revision (record);
}

static const char *
status_text (const ClairRecord    *record,
             ClairRecordPaneFlags  flags)
{
  if (flags & CLAIR_RECORD_PANE_RUNNING)
    return _("Running");
  if (record->attempt == NULL)
    return _("Pending");
  switch (record->attempt->status)
    {
    case CLAIR_ROW_REVISED:
      return _("Revised");
    case CLAIR_ROW_PARSE_FAILED:
      return clair_record_get_partial_revision (record) != NULL ? _("Truncated") : _("No usable revision");
    case CLAIR_ROW_FAILED:
      return _("Failed");
    case CLAIR_ROW_PENDING:
    default:
      return _("Pending");
    }
}

void
clair_record_pane_update_status (ClairRecordPane      *self,
                                 const ClairRecord    *record,
                                 ClairRecordPaneFlags  flags)
{
  g_autoptr(GString) text = NULL;
  const char *decision = NULL;

  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));
  g_return_if_fail (record != NULL);

  switch (record->decision)
    {
    case CLAIR_DECISION_ACCEPTED: decision = _("Accepted"); break;
    case CLAIR_DECISION_REJECTED: decision = _("Rejected"); break;
    case CLAIR_DECISION_SKIPPED: decision = _("Skipped"); break;
    case CLAIR_DECISION_NONE:
    default: break;
    }
  text = g_string_new (status_text (record, flags));
  if (decision != NULL)
    g_string_append_printf (text, " · %s", decision);
  if (record->edited_revision != NULL)
    g_string_append_printf (text, " · %s", _("Edited"));
  gtk_label_set_text (self->row_status_label, text->str);
  gtk_widget_remove_css_class (GTK_WIDGET (self->row_status_label), "running");
  if (flags & CLAIR_RECORD_PANE_RUNNING)
    gtk_widget_add_css_class (GTK_WIDGET (self->row_status_label), "running");
}

/* The details popover: every fact about the attempt, two columns. */
static void
add_detail (ClairRecordPane *self,
            int              row,
            const char      *name,
            const char      *value)
{
  GtkWidget *key = gtk_label_new (name);
  g_autofree char *visible = clair_escape_controls (value, CLAIR_ESCAPE_LINE);
  GtkWidget *val = gtk_label_new (visible);

  gtk_widget_add_css_class (key, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (key), 1);
  gtk_widget_add_css_class (val, "numeric");
  gtk_label_set_xalign (GTK_LABEL (val), 0);
  gtk_label_set_selectable (GTK_LABEL (val), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (val), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (val), 40);
  gtk_grid_attach (self->meta_grid, key, 0, row, 1, 1);
  gtk_grid_attach (self->meta_grid, val, 1, row, 1, 1);
}

static void
clear_details (ClairRecordPane *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->meta_grid))) != NULL)
    gtk_grid_remove (self->meta_grid, child);
}

static void
add_metric_details (ClairRecordPane    *self,
                    int                *row,
                    const ClairMetrics *metrics)
{
  char buf[64];

  g_snprintf (buf, sizeof buf, "%.3f", metrics->jaccard);
  add_detail (self, (*row)++, _("Token Jaccard"), buf);
  g_snprintf (buf, sizeof buf, "%.0f (%.3f)", metrics->levenshtein, metrics->levenshtein_norm);
  add_detail (self, (*row)++, _("Levenshtein"), buf);
  g_snprintf (buf, sizeof buf, "%.0f %%", metrics->changed_share * 100.0);
  add_detail (self, (*row)++, _("Changed tokens"), buf);
  g_snprintf (buf, sizeof buf, "%.2f", metrics->length_ratio);
  add_detail (self, (*row)++, _("Length ratio"), buf);
}

/* The one line under the diff: the figures an annotator weighs, the rest in the popover. Its parts
 * are translated one by one, each with the plural its own number asks for ("1 character
 * changed", "2 attempts"). */
static void
set_metrics_line (ClairRecordPane    *self,
                  const ClairMetrics *metrics,
                  gboolean            edited,
                  guint               n_attempts)
{
  g_autofree char *text = NULL;
  g_autofree char *attempts = g_strdup_printf (ngettext ("%u attempt", "%u attempts", n_attempts),
                                               n_attempts);

  if (metrics != NULL)
    {
      guint changed = (guint) MIN (metrics->levenshtein, (double) G_MAXUINT);
      g_autofree char *similarity = NULL;
      g_autofree char *characters = NULL;

      if (edited)
        /* Translators: the similarity (token Jaccard) of the annotator's edited text. */
        similarity = g_strdup_printf (_("Edited: similarity %.2f"), metrics->jaccard);
      else
        /* Translators: the similarity (token Jaccard) of the revision. */
        similarity = g_strdup_printf (_("Similarity %.2f"), metrics->jaccard);
      /* Translators: the character edit distance and its share of the text. */
      characters = g_strdup_printf (ngettext ("%u character changed (%.0f %%)",
                                              "%u characters changed (%.0f %%)", changed),
                                    changed, metrics->levenshtein_norm * 100.0);
      /* The attempts belong to the row, not to an edit. */
      text = edited ? g_strjoin (" · ", similarity, characters, NULL)
                    : g_strjoin (" · ", similarity, characters, attempts, NULL);
    }
  else
    text = g_steal_pointer (&attempts);
  gtk_label_set_text (self->metrics_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->metrics_label), text);
}

static void
fill_details (ClairRecordPane   *self,
              const ClairRecord *record)
{
  const ClairAttempt *attempt = record->attempt;
  int row = 0;
  char buf[64];

  clear_details (self);
  g_cancellable_cancel (self->metrics_cancellable);
  g_snprintf (buf, sizeof buf, "%u", record->line);
  add_detail (self, row++, _("Line"), buf);
  if (attempt == NULL)
    {
      add_detail (self, row++, _("Attempts"), _("none yet"));
      set_metrics_line (self, NULL, FALSE, 0);
      return;
    }
  if (attempt->model_requested)
    add_detail (self, row++, _("Model"), attempt->model_requested);
  if (attempt->model_reported && g_strcmp0 (attempt->model_reported, attempt->model_requested) != 0)
    add_detail (self, row++, _("Answered by"), attempt->model_reported);
  if (attempt->prompt_tokens >= 0 || attempt->completion_tokens >= 0)
    {
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT " → %" G_GINT64_FORMAT,
                  MAX (attempt->prompt_tokens, 0), MAX (attempt->completion_tokens, 0));
      add_detail (self, row++, _("Tokens"), buf);
    }
  if (attempt->latency_ms > 0)
    {
      g_snprintf (buf, sizeof buf, "%.1f s", attempt->latency_ms / 1000.0);
      add_detail (self, row++, _("Latency"), buf);
    }
  if (attempt->finish_reason)
    add_detail (self, row++, _("Finish"), attempt->finish_reason);
  if (attempt->marker)
    add_detail (self, row++, _("Marker"), attempt->marker);
  if (attempt->has_metrics)
    add_metric_details (self, &row, &attempt->metrics);
  g_snprintf (buf, sizeof buf, "%u", record->n_attempts);
  add_detail (self, row++, _("Attempts"), buf);

  set_metrics_line (self, attempt->has_metrics ? &attempt->metrics : NULL, FALSE, record->n_attempts);
  if (record->edited_revision != NULL && record->solution != NULL)
    clair_record_pane_show_edited_metrics (self, record->solution, record->edited_revision);
}

typedef struct
{
  char         *solution;
  char         *edited;
  ClairMetrics  metrics;
} EditedMetrics;

static void
edited_metrics_free (EditedMetrics *job)
{
  g_free (job->solution);
  g_free (job->edited);
  g_free (job);
}

static void
edited_metrics_thread (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  EditedMetrics *job = task_data;

  clair_metrics_compute (job->solution, job->edited, &job->metrics);
  g_task_return_boolean (task, TRUE);
}

static void
edited_metrics_done_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ClairRecordPane *self = CLAIR_RECORD_PANE (source);
  EditedMetrics *job = g_task_get_task_data (G_TASK (result));

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    set_metrics_line (self, &job->metrics, TRUE, 0);
}

void
clair_record_pane_show_edited_metrics (ClairRecordPane *self,
                                       const char      *solution,
                                       const char      *edited)
{
  g_autoptr(GTask) task = NULL;
  EditedMetrics *job;

  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  /* Editing changes what the pair is: the figures follow the edited text, and say so. A
   * character edit distance of long texts takes a while: on a thread, the last one asked for
   * wins. */
  g_cancellable_cancel (self->metrics_cancellable);
  g_clear_object (&self->metrics_cancellable);
  self->metrics_cancellable = g_cancellable_new ();
  job = g_new0 (EditedMetrics, 1);
  job->solution = g_strdup (solution);
  job->edited = g_strdup (edited);
  task = g_task_new (self, self->metrics_cancellable, edited_metrics_done_cb, NULL);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) edited_metrics_free);
  g_task_run_in_thread (task, edited_metrics_thread);
}

static void
set_rationale (ClairRecordPane *self,
               const char      *text)
{
  g_autofree char *visible = clair_escape_controls (text, CLAIR_ESCAPE_BLOCK);
  g_autofree char *summary = first_line (text);

  gtk_label_set_text (self->rationale_label, visible);
  gtk_label_set_text (self->rationale_summary, summary);
}

void
clair_record_pane_show (ClairRecordPane      *self,
                        const ClairRecord    *record,
                        ClairRecordPaneFlags  flags,
                        const char           *live_text)
{
  const ClairAttempt *attempt;
  const char *revision;
  g_autofree char *title = NULL;
  g_autofree char *summary = NULL;

  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));
  g_return_if_fail (record != NULL);

  attempt = record->attempt;
  title = g_strdup_printf (_("Row %u"), record->index);
  gtk_label_set_text (self->row_title, title);
  clair_record_pane_update_status (self, record, flags);

  /* A newer revision than the one reviewed: say which one is shown. */
  if (flags & CLAIR_RECORD_PANE_NEWER_SHOWN)
    {
      gtk_label_set_text (self->newer_label,
                          _("This is the newer revision. Your earlier decision still goes to the "
                            "export until you decide on this one."));
      gtk_button_set_label (self->newer_button, _("_Back to the Reviewed Revision"));
    }
  else if (flags & CLAIR_RECORD_PANE_HAS_NEWER)
    {
      gtk_label_set_text (self->newer_label,
                          _("A newer revision arrived after your decision. The export keeps the "
                            "revision you reviewed, shown here."));
      gtk_button_set_label (self->newer_button, _("_Review the New Revision"));
    }
  gtk_widget_set_visible (self->newer_box, (flags & (CLAIR_RECORD_PANE_NEWER_SHOWN | CLAIR_RECORD_PANE_HAS_NEWER)) != 0);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->task_view)), record->task, -1);
  clair_text_buffer_mark_matches (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->task_view)), self->search);
  summary = first_line (record->task);
  gtk_label_set_text (self->task_summary, summary);

  clair_record_pane_set_editing (self, FALSE);
  /* A truncated answer's partial revision is shown, to edit or accept, rather than nothing. */
  revision = clair_record_get_shown_revision (record);
  if (revision == NULL && (flags & CLAIR_RECORD_PANE_RUNNING) && live_text != NULL)
    clair_record_pane_set_live_text (self, record->solution, live_text);
  else
    {
      clair_diff_view_set_texts (CLAIR_DIFF_VIEW (self->diff_view), record->solution, revision);
      if (attempt && attempt->rationale && *attempt->rationale)
        set_rationale (self, attempt->rationale);
      else if (flags & CLAIR_RECORD_PANE_RUNNING)
        set_rationale (self, _("Waiting for the answer…"));
      else
        set_rationale (self, attempt ? _("No rationale in this answer.") : _("Not revised yet."));
    }

  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), record->note ? record->note : "");
  self->filling = FALSE;

  if (attempt && (attempt->status == CLAIR_ROW_FAILED || attempt->status == CLAIR_ROW_PARSE_FAILED) &&
      !(flags & CLAIR_RECORD_PANE_RUNNING))
    {
      g_autofree char *heading = NULL;
      /* The server's words, kept visible: a control character in them shows as \e or \xHH. */
      g_autofree char *message = clair_escape_controls (attempt->error ? attempt->error : "",
                                                        CLAIR_ESCAPE_BLOCK);

      if (attempt->status == CLAIR_ROW_FAILED && attempt->http_status)
        heading = g_strdup_printf (_("The server answered %u"), attempt->http_status);
      else if (attempt->status == CLAIR_ROW_FAILED)
        heading = g_strdup (_("The request failed"));
      else if (clair_record_get_partial_revision (record) != NULL)
        heading = g_strdup (_("Cut off: the partial revision is shown, to edit or accept"));
      else
        heading = g_strdup (_("The answer held no usable revision"));
      gtk_label_set_text (self->error_title, heading);
      gtk_label_set_text (self->error_label, message);
      /* Two lines at most on screen; the whole message on hover (and in the raw output). */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_label), message);
      gtk_widget_set_visible (self->error_box, TRUE);
    }
  else
    gtk_widget_set_visible (self->error_box, FALSE);

  fill_details (self, record);
}

void
clair_record_pane_set_live_text (ClairRecordPane *self,
                                 const char      *solution,
                                 const char      *live_text)
{
  g_autoptr(ClairParseResult) parsed = NULL;

  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  parsed = clair_parse_reply (live_text ? live_text : "", NULL);
  /* Until the revision begins there is nothing to compare: the original stays plain. The
   * markers ({teacher_reasoning}: …) are the protocol's, never the annotator's to read. */
  clair_diff_view_set_texts (CLAIR_DIFF_VIEW (self->diff_view), solution, parsed->revision);
  if (parsed->rationale != NULL && *parsed->rationale != '\0')
    set_rationale (self, parsed->rationale);
  else
    set_rationale (self, _("Waiting for the answer…"));
}

ClairDiffView *
clair_record_pane_get_diff_view (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return CLAIR_DIFF_VIEW (self->diff_view);
}

void
clair_record_pane_set_editing (ClairRecordPane *self,
                               gboolean         editing)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  clair_diff_view_set_editable (CLAIR_DIFF_VIEW (self->diff_view), editing);
  gtk_toggle_button_set_active (self->edit_button, editing);
}

void
clair_record_pane_set_inline (ClairRecordPane *self,
                              gboolean         inline_mode)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  clair_diff_view_set_inline (CLAIR_DIFF_VIEW (self->diff_view), inline_mode);
  gtk_toggle_button_set_active (self->inline_button, inline_mode);
}

const char *
clair_record_pane_get_note (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
}

void
clair_record_pane_set_note (ClairRecordPane *self,
                            const char      *note)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), note ? note : "");
}

void
clair_record_pane_set_note_sensitive (ClairRecordPane *self,
                                      gboolean         sensitive)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->note_entry), sensitive);
}

void
clair_record_pane_focus_note (ClairRecordPane *self)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
}

/* Several annotators: each one's decision, edit and note side by side, and a button that makes
 * it the row's resolution (a decision of the person resolving, under their own name). */
static const char *
decision_word (ClairDecision decision)
{
  switch (decision)
    {
    case CLAIR_DECISION_ACCEPTED: return _("Accepted");
    case CLAIR_DECISION_REJECTED: return _("Rejected");
    case CLAIR_DECISION_SKIPPED: return _("Skipped");
    case CLAIR_DECISION_NONE:
    default: return _("No decision");
    }
}

static void
use_annotation_cb (GtkButton       *button,
                   ClairRecordPane *self)
{
  guint position = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "clair-position"));

  g_signal_emit (self, signals[RESOLVE], 0, position);
}

void
clair_record_pane_set_annotations (ClairRecordPane *self,
                                   GPtrArray       *annotations,
                                   ClairTeamState   state)
{
  GtkWidget *child;
  guint n_annotators = 0;

  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->team_list))) != NULL)
    gtk_list_box_remove (self->team_list, child);
  g_clear_pointer (&self->annotations, g_ptr_array_unref);
  if (annotations != NULL)
    self->annotations = g_ptr_array_ref (annotations);
  for (guint i = 0; annotations != NULL && i < annotations->len; i++)
    n_annotators += !((ClairAnnotation *) g_ptr_array_index (annotations, i))->resolution;
  if (state == CLAIR_TEAM_SINGLE || n_annotators < 2)
    {
      gtk_widget_set_visible (self->team_box, FALSE);
      return;
    }
  gtk_label_set_text (self->team_label,
                      state == CLAIR_TEAM_DISAGREED ? _("The annotators disagree: pick one decision, or decide anew")
                      : state == CLAIR_TEAM_RESOLVED ? _("Resolved; each annotator decided:")
                      : _("The annotators agree"));
  for (guint i = 0; i < annotations->len; i++)
    {
      const ClairAnnotation *annotation = g_ptr_array_index (annotations, i);
      GtkWidget *row = adw_action_row_new ();
      g_autoptr(GString) subtitle = g_string_new (decision_word (annotation->decision));
      g_autofree char *name = clair_escape_controls (annotation->annotator, CLAIR_ESCAPE_LINE);
      g_autofree char *title = annotation->resolution ? g_strdup_printf (_("%s (resolution)"), name)
                                                      : g_strdup (name);
      g_autofree char *visible = NULL;

      if (annotation->edited_revision != NULL)
        g_string_append_printf (subtitle, " · %s", _("edited"));
      if (annotation->note != NULL && *annotation->note != '\0')
        g_string_append_printf (subtitle, " · “%s”", annotation->note);
      visible = clair_escape_controls (subtitle->str, CLAIR_ESCAPE_LINE);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), visible);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      if (!annotation->resolution && state != CLAIR_TEAM_AGREED)
        {
          GtkWidget *button = gtk_button_new_with_label (_("Use This"));
          g_autofree char *label = g_strdup_printf (_("Resolve with %s's decision"), name);

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, label);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
          g_object_set_data (G_OBJECT (button), "clair-position", GUINT_TO_POINTER (i));
          g_signal_connect (button, "clicked", G_CALLBACK (use_annotation_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
      gtk_list_box_append (self->team_list, row);
    }
  gtk_widget_set_visible (self->team_box, TRUE);
}

guint
clair_record_pane_get_n_annotations (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), 0);

  return gtk_widget_get_visible (self->team_box) && self->annotations ? self->annotations->len : 0;
}

void
clair_record_pane_use_annotation (ClairRecordPane *self,
                                  guint            position)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));
  g_return_if_fail (self->annotations != NULL && position < self->annotations->len);

  g_signal_emit (self, signals[RESOLVE], 0, position);
}

const ClairAnnotation *
clair_record_pane_get_annotation (ClairRecordPane *self,
                                  guint            position)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  if (self->annotations == NULL || position >= self->annotations->len)
    return NULL;
  return g_ptr_array_index (self->annotations, position);
}

void
clair_record_pane_set_search (ClairRecordPane *self,
                              const char      *text)
{
  g_return_if_fail (CLAIR_IS_RECORD_PANE (self));

  g_free (self->search);
  self->search = text && *text ? g_strdup (text) : NULL;
  clair_text_buffer_mark_matches (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->task_view)), self->search);
  clair_diff_view_set_highlight (CLAIR_DIFF_VIEW (self->diff_view), self->search);
}

const char *
clair_record_pane_get_error_text (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return gtk_widget_get_visible (self->error_box) ? gtk_label_get_text (self->error_label) : NULL;
}

const char *
clair_record_pane_get_newer_text (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return gtk_widget_get_visible (self->newer_box) ? gtk_label_get_text (self->newer_label) : NULL;
}

const char *
clair_record_pane_get_status_text (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return gtk_label_get_text (self->row_status_label);
}

const char *
clair_record_pane_get_metrics_text (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return gtk_label_get_text (self->metrics_label);
}

GtkWidget *
clair_record_pane_get_task_part (ClairRecordPane *self)
{
  g_return_val_if_fail (CLAIR_IS_RECORD_PANE (self), NULL);

  return GTK_WIDGET (self->task_expander);
}

static void
note_changed_cb (ClairRecordPane *self)
{
  if (!self->filling)
    g_signal_emit (self, signals[NOTE_CHANGED], 0);
}

static void
setup_task_view (ClairRecordPane *self)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceLanguage *markdown = gtk_source_language_manager_get_language (languages, "markdown");
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->task_view)));
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *scheme = adw_style_manager_get_dark (style) ? "Adwaita-dark" : "Adwaita";

  if (markdown != NULL)
    gtk_source_buffer_set_language (buffer, markdown);
  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (schemes, scheme));
}

/* The pane lays out its one child itself, to size the task's and rationale's caps by its own
 * height: the diff keeps its share in a short window too. */
static void
clair_record_pane_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  ClairRecordPane *self = CLAIR_RECORD_PANE (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
clair_record_pane_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  ClairRecordPane *self = CLAIR_RECORD_PANE (widget);
  /* About two lines below 600 px, four up to 850, six above. */
  int cap = height < 560 ? 44 : height < 800 ? 80 : 116;

  if (cap != self->cap)
    {
      self->cap = cap;
      gtk_scrolled_window_set_max_content_height (self->task_scroller, cap);
      gtk_scrolled_window_set_max_content_height (self->rationale_scroller, cap);
    }
  gtk_widget_allocate (self->box, width, height, baseline, NULL);
}

static void
clair_record_pane_dispose (GObject *object)
{
  ClairRecordPane *self = CLAIR_RECORD_PANE (object);

  g_cancellable_cancel (self->metrics_cancellable);
  g_clear_object (&self->metrics_cancellable);
  g_clear_pointer (&self->annotations, g_ptr_array_unref);
  g_clear_pointer (&self->search, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_RECORD_PANE);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (clair_record_pane_parent_class)->dispose (object);
}

static void
clair_record_pane_class_init (ClairRecordPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_record_pane_dispose;
  widget_class->measure = clair_record_pane_measure;
  widget_class->size_allocate = clair_record_pane_size_allocate;

  /* The note as typed (not as filled in for another row). */
  signals[NOTE_CHANGED] = g_signal_new ("note-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* The annotation at the position given is to decide the row (a resolution). */
  signals[RESOLVE] = g_signal_new ("resolve", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-record-pane.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClairRecordPane, name)
  BIND (box);
  BIND (row_title);
  BIND (row_status_label);
  BIND (reject_button);
  BIND (edit_button);
  BIND (inline_button);
  BIND (newer_box);
  BIND (newer_label);
  BIND (newer_button);
  BIND (error_box);
  BIND (team_box);
  BIND (team_label);
  BIND (team_list);
  BIND (error_title);
  BIND (error_label);
  BIND (task_expander);
  BIND (task_scroller);
  BIND (rationale_scroller);
  BIND (task_summary);
  BIND (task_view);
  BIND (diff_slot);
  BIND (rationale_expander);
  BIND (rationale_summary);
  BIND (rationale_label);
  BIND (note_entry);
  BIND (metrics_label);
  BIND (meta_grid);
#undef BIND
}

static void
clair_record_pane_init (ClairRecordPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_APP_ID);
  g_settings_bind (self->settings, "show-rationale", self->rationale_expander, "expanded",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-task", self->task_expander, "expanded",
                   G_SETTINGS_BIND_DEFAULT);
  /* The first line stands for a collapsed pane; an expanded one shows it all. */
  g_object_bind_property (self->task_expander, "expanded", self->task_summary, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self->rationale_expander, "expanded", self->rationale_summary, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  self->diff_view = clair_diff_view_new ();
  gtk_widget_set_vexpand (self->diff_view, TRUE);
  gtk_box_append (GTK_BOX (self->diff_slot), self->diff_view);
  clair_diff_view_set_inline (CLAIR_DIFF_VIEW (self->diff_view),
                              g_settings_get_boolean (self->settings, "inline-diff"));
  gtk_toggle_button_set_active (self->inline_button, g_settings_get_boolean (self->settings, "inline-diff"));

  setup_task_view (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (setup_task_view), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->note_entry, "changed", G_CALLBACK (note_changed_cb), self);
}

GtkWidget *
clair_record_pane_new (void)
{
  return g_object_new (CLAIR_TYPE_RECORD_PANE, NULL);
}
