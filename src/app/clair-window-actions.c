/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-diff-view.h"
#include "clair-export-dialog.h"
#include "clair-mapping-dialog.h"
#include "clair-split-dialog.h"
#include "clair-team.h"
#include "clair-window-private.h"

/* Curation: decisions, edits, notes, undo and redo, navigation, and the window's keymap.
 * Every change is written with clair_project_set_decision() before the UI shows it. */

void
_clair_window_update_actions (ClairWindow *self)
{
  gboolean has_project = self->project != NULL && !self->busy;
  /* While a dataset is imported the rows can be read, not decided on or run. */
  gboolean importing = _clair_window_is_importing (self);
  gboolean can_write = has_project && !importing;
  gboolean can_bulk = can_write && self->bulk_cancellable == NULL;
  gboolean has_row = can_write && self->record != NULL;
  gboolean has_attempt = has_row && self->record->attempt != NULL;
  /* A revision to decide on: the chosen one, or the partial revision of a truncated answer. */
  gboolean can_revise = has_row && clair_record_get_shown_revision (self->record) != NULL;
  gboolean running = _clair_window_run_is_active (self);
  gboolean paused = _clair_window_run_is_paused (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.accept", can_revise);
  /* Rejecting needs something to reject: a row with no revision is skipped, or run again. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reject", can_revise);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.skip", has_row);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit", can_revise);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-raw", has_attempt && self->record->attempt->raw_output);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reparse", has_attempt && self->record->attempt->raw_output);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rerun", has_row);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.review-newer",
                                 has_row && (clair_record_has_newer_revision (self->record) ||
                                             self->newer_shown));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rerun-selection", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 can_bulk && self->history != NULL && clair_history_can_undo (self->history));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 can_bulk && self->history != NULL && clair_history_can_redo (self->history));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-row", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-row", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-change", can_revise);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-change", can_revise);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.split", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.merge", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.bulk-accept", can_bulk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.bulk-reject", can_bulk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", can_write);
  /* Once the import is done (its last rows being read), there is nothing left to stop. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop",
                                 running || (importing && !self->import_finishing));
  clair_record_pane_set_note_sensitive (self->record_pane, !importing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stats_button), has_project);
  clair_run_bar_set_running (self->run_bar, running);
  clair_run_bar_set_paused (self->run_bar, paused);
  clair_run_bar_set_importing (self->run_bar, importing);
}

/* Writes one row's decision and keeps the list item and the detail view in step. */
/* The attempt a decision made now is about: the one the detail view shows. */
static gint64
shown_attempt (ClairWindow *self)
{
  if (self->record == NULL)
    return CLAIR_ATTEMPT_LATEST;
  return self->record->attempt != NULL ? self->record->attempt->id : CLAIR_ATTEMPT_NONE;
}

/* The attempt the row's decision is about now, to restore on undo. */
static gint64
decided_attempt (ClairWindow *self)
{
  ClairRecord *record = self->record;
  ClairAttempt *attempt;

  if (!clair_record_is_decided (record))
    return CLAIR_ATTEMPT_LATEST;
  /* While the newer revision is shown, the decision is still about the other one. */
  attempt = self->newer_shown ? record->newer : record->attempt;
  return attempt != NULL ? attempt->id : CLAIR_ATTEMPT_NONE;
}

/* Whether a decision on the row shown is a resolution: on a row the annotators disagree on, it
 * is made under the resolver's own name (and undoing it, a decision of none, withdraws it). */
static gboolean
shown_is_team (ClairWindow *self)
{
  return self->record != NULL &&
         (self->record->team_state == CLAIR_TEAM_DISAGREED || self->record->team_state == CLAIR_TEAM_RESOLVED);
}

/* The list item and the detail view follow a decision written on row @index. */
static void
show_decision (ClairWindow   *self,
               guint          index,
               gboolean       resolution,
               ClairDecision  decision,
               const char    *edit,
               const char    *note)
{
  ClairRowItem *item;

  if (resolution)
    {
      _clair_window_refresh_row (self, index);
      return;
    }
  item = self->rows ? clair_row_list_lookup (self->rows, index) : NULL;
  if (item != NULL)
    clair_row_item_set_decision (item, decision, edit != NULL);
  if (self->record != NULL && self->record->index == index)
    {
      /* Callers pass the record's own strings: copy before freeing. */
      char *new_edit = g_strdup (edit);
      char *new_note = g_strdup (note);

      self->record->decision = decision;
      g_free (self->record->edited_revision);
      self->record->edited_revision = new_edit;
      g_free (self->record->note);
      self->record->note = new_note;
    }
}

/* Writes a change of the row shown that is no undo step of its own (an edit as typed, a note). */
static gboolean
write_shown (ClairWindow   *self,
             gint64         attempt_id,
             ClairDecision  decision,
             const char    *edit,
             const char    *note,
             GError       **error)
{
  guint index = self->record->index;
  gboolean team = shown_is_team (self);
  gboolean ok;

  if (team)
    ok = clair_project_resolve (self->project, index, attempt_id, decision, edit, note, error);
  else
    ok = clair_project_set_decision_on (self->project, index, attempt_id, decision, edit, note, error);
  if (ok)
    show_decision (self, index, team, decision, edit, note);
  return ok;
}

static void
decision_toast_dismissed_cb (AdwToast    *toast,
                             ClairWindow *self)
{
  if (self->decision_toast == toast)
    self->decision_toast = NULL;
}

/* One toast follows the decisions, offering to undo the last one (or to redo it after an undo).
 * A toast still on screen is updated rather than replaced: replacing toasts in quick succession
 * crashes libadwaita 1.2's toast overlay, and one toast that changes reads better anyway. */
static void
decision_toast_full (ClairWindow *self,
                     const char  *message,
                     gboolean     offer_redo)
{
  AdwToast *toast = self->decision_toast;

  if (toast == NULL)
    {
      toast = adw_toast_new (message);
      adw_toast_set_timeout (toast, 4);
      g_signal_connect_object (toast, "dismissed", G_CALLBACK (decision_toast_dismissed_cb), self, 0);
      self->decision_toast = toast;
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  else
    adw_toast_set_title (toast, message);
  adw_toast_set_button_label (toast, offer_redo ? _("_Redo") : _("_Undo"));
  adw_toast_set_action_name (toast, offer_redo ? "win.redo" : "win.undo");
}

static void
decision_toast (ClairWindow *self,
                const char  *message)
{
  decision_toast_full (self, message, FALSE);
}

static const char *
decision_verb (ClairDecision decision)
{
  switch (decision)
    {
    case CLAIR_DECISION_ACCEPTED: return _("Accepted");
    case CLAIR_DECISION_REJECTED: return _("Rejected");
    case CLAIR_DECISION_SKIPPED: return _("Skipped");
    case CLAIR_DECISION_NONE:
    default: return _("Cleared");
    }
}

/* Writes @change (made from the row shown) as one undoable step, says so, and moves on. */
static void
commit_change (ClairWindow         *self,
               ClairDecisionChange *change,
               const char          *message)
{
  g_autoptr(GError) error = NULL;
  guint index = change->index;

  if (!clair_history_apply (self->history, change, &error))
    {
      _clair_window_show_error (self, _("Could Not Save the Decision"), error);
      return;
    }
  /* The history keeps the change: the list and the record follow what it wrote. */
  show_decision (self, change->index, change->resolution, change->new_decision, change->new_edit,
                 change->new_note);

  decision_toast (self, message);
  _clair_window_refresh_counts (self);
  /* On to the next row, as annotators work through a list. */
  _clair_window_move (self, 1);
  if (self->record && self->record->index == index)
    _clair_window_show_record (self, index);
  _clair_window_update_actions (self);
}

/* A change of the row shown, from what it is now. */
static ClairDecisionChange *
change_from_record (ClairWindow *self)
{
  ClairDecisionChange *change = clair_decision_change_new (self->record->index);

  change->resolution = shown_is_team (self);
  change->old_decision = self->record->decision;
  change->old_edit = g_strdup (self->record->edited_revision);
  change->old_note = g_strdup (self->record->note);
  change->old_attempt = decided_attempt (self);
  change->new_attempt = shown_attempt (self);
  return change;
}

void
clair_window_decide (ClairWindow   *self,
                     ClairDecision  decision)
{
  g_autofree char *message = NULL;
  ClairDecisionChange *change;

  g_return_if_fail (CLAIR_IS_WINDOW (self));

  if (self->project == NULL || self->record == NULL)
    return;
  _clair_window_leave_edit (self);

  change = change_from_record (self);
  change->new_decision = decision;
  change->new_edit = g_strdup (self->record->edited_revision);
  /* Accepting what a truncated answer held keeps that text as the row's edit: it is what the
   * annotator saw and approved, and what the export then carries. */
  if (decision == CLAIR_DECISION_ACCEPTED && change->new_edit == NULL &&
      clair_record_get_chosen (self->record) == NULL)
    change->new_edit = g_strdup (clair_record_get_partial_revision (self->record));
  change->new_note = g_strdup (self->record->note);
  message = g_strdup_printf (_("%s row %u"), decision_verb (decision), change->index);
  commit_change (self, change, message);
}

/* "Use This" beside an annotator's decision: the row's resolution takes that decision, edit and
 * note, under the name of the person resolving. */
static void
resolve_cb (ClairRecordPane *pane,
            guint            position,
            ClairWindow     *self)
{
  const ClairAnnotation *annotation = clair_record_pane_get_annotation (pane, position);
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  ClairDecisionChange *change;

  if (annotation == NULL || self->project == NULL || self->record == NULL)
    return;
  _clair_window_leave_edit (self);
  name = clair_escape_controls (annotation->annotator, CLAIR_ESCAPE_LINE);
  change = change_from_record (self);
  change->new_decision = annotation->decision;
  change->new_edit = g_strdup (annotation->edited_revision);
  change->new_note = g_strdup (annotation->note);
  if (annotation->attempt_id > 0)
    change->new_attempt = annotation->attempt_id;
  /* Translators: a row number, then an annotator's name. */
  message = g_strdup_printf (_("Resolved row %u with %s's decision"), change->index, name);
  commit_change (self, change, message);
}

static void
decide_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  if (g_str_equal (action_name, "win.accept"))
    clair_window_decide (self, CLAIR_DECISION_ACCEPTED);
  else if (g_str_equal (action_name, "win.reject"))
    clair_window_decide (self, CLAIR_DECISION_REJECTED);
  else
    clair_window_decide (self, CLAIR_DECISION_SKIPPED);
}

/* Changes to many rows (bulk decisions and their undo) are read and written on the project's
 * worker, in chunks, so a filter of 400k rows never freezes the window; the list follows when it
 * is done. */

#define BULK_IN_WORKER 100   /* steps larger than this are undone on the worker */

/* What a bulk call's callback needs to know of it. */
typedef struct
{
  ClairWindow   *window;
  gboolean       undo;       /* an undo (else a redo) */
  ClairDecision  decision;   /* a bulk decision */
} BulkCall;

static BulkCall *
bulk_call_new (ClairWindow   *self,
               gboolean       undo,
               ClairDecision  decision)
{
  BulkCall *call = g_new0 (BulkCall, 1);

  call->window = g_object_ref (self);
  call->undo = undo;
  call->decision = decision;
  return call;
}

static void
bulk_call_free (BulkCall *call)
{
  g_object_unref (call->window);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BulkCall, bulk_call_free)

/* The list items and the detail view follow what was written: @n changes of @step, counted from
 * the end when @old (an undo). The record is read again, so its status pill follows too. */
static void
show_step (ClairWindow *self,
           GPtrArray   *step,
           gboolean     old,
           guint        n)
{
  for (guint i = 0; i < n && i < step->len; i++)
    {
      ClairDecisionChange *change = g_ptr_array_index (step, old ? step->len - 1 - i : i);
      ClairRowItem *item = self->rows ? clair_row_list_lookup (self->rows, change->index) : NULL;
      const char *edit = old ? change->old_edit : change->new_edit;

      if (change->resolution)
        _clair_window_refresh_row (self, change->index);
      else if (item != NULL)
        clair_row_item_set_decision (item, old ? change->old_decision : change->new_decision, edit != NULL);
    }
  if (self->record != NULL)
    _clair_window_show_record (self, self->record->index);
  _clair_window_refilter (self);
  _clair_window_refresh_counts (self);
}

static void
bulk_decided_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BulkCall) call = user_data;
  ClairWindow *self = call->window;
  ClairDecision decision = call->decision;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GPtrArray) step = NULL;
  gboolean ok = clair_project_decide_bulk_finish (CLAIR_PROJECT (source), result, &before, &error);

  if (self->bulk_cancellable != g_task_get_cancellable (G_TASK (result)))
    return;   /* the project was closed meanwhile */
  g_clear_object (&self->bulk_cancellable);

  if (before->len > 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (decision == CLAIR_DECISION_ACCEPTED
                                   ? ngettext ("Accepted %u row", "Accepted %u rows", before->len)
                                   : ngettext ("Rejected %u row", "Rejected %u rows", before->len),
                                 before->len);
      clair_history_push_bulk (self->history, before, decision);
      /* The step just pushed is what the list shows now. */
      step = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_decision_change_free);
      for (guint i = 0; i < before->len; i++)
        {
          ClairDecisionChange *change = clair_decision_change_new (g_array_index (before, ClairDecisionState, i).index);

          change->new_decision = decision;
          change->new_edit = g_strdup (g_array_index (before, ClairDecisionState, i).edited_revision);
          g_ptr_array_add (step, change);
        }
      show_step (self, step, FALSE, step->len);
      decision_toast (self, message);
    }
  else if (ok)
    _clair_window_toast (self, decision == CLAIR_DECISION_ACCEPTED ? _("No revised rows to accept")
                                                                   : _("No rows to reject"));
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _clair_window_show_error (self, _("Could Not Save the Decisions"), error);
  _clair_window_update_actions (self);
}

static void
step_message (ClairWindow *self,
              GPtrArray   *step,
              gboolean     undo)
{
  g_autofree char *message = NULL;

  if (step->len == 1)
    {
      guint index = ((ClairDecisionChange *) g_ptr_array_index (step, 0))->index;

      message = g_strdup_printf (undo ? _("Undid the decision on row %u") : _("Redid the decision on row %u"), index);
    }
  else
    message = g_strdup_printf (undo ? ngettext ("Undid %u decision", "Undid %u decisions", step->len)
                                    : ngettext ("Redid %u decision", "Redid %u decisions", step->len),
                               step->len);
  decision_toast_full (self, message, undo);
}

static void
step_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BulkCall) call = user_data;
  ClairWindow *self = call->window;
  gboolean undo = call->undo;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) step = NULL;
  guint n_written = 0;
  gboolean ok = clair_history_step_finish (CLAIR_HISTORY (source), result, &step, &n_written, &error);

  if (self->bulk_cancellable != g_task_get_cancellable (G_TASK (result)))
    return;   /* the project was closed meanwhile */
  g_clear_object (&self->bulk_cancellable);
  show_step (self, step, undo, n_written);
  if (ok)
    step_message (self, step, undo);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _clair_window_show_error (self, _("Could Not Save the Decisions"), error);
  _clair_window_update_actions (self);
}

static void
undo_redo (ClairWindow *self,
           gboolean     undo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) step = NULL;
  guint size;

  _clair_window_leave_edit (self);
  if (self->history == NULL || self->bulk_cancellable != NULL)
    return;
  size = undo ? clair_history_get_undo_size (self->history) : clair_history_get_redo_size (self->history);
  if (size == 0)
    return;
  if (size > BULK_IN_WORKER)
    {
      BulkCall *call = bulk_call_new (self, undo, CLAIR_DECISION_NONE);

      self->bulk_cancellable = g_cancellable_new ();
      if (undo)
        clair_history_undo_async (self->history, self->bulk_cancellable, step_done_cb, call);
      else
        clair_history_redo_async (self->history, self->bulk_cancellable, step_done_cb, call);
      _clair_window_update_actions (self);
      return;
    }
  step = undo ? clair_history_undo (self->history, &error) : clair_history_redo (self->history, &error);
  if (step == NULL)
    {
      _clair_window_show_error (self, _("Could Not Save the Decision"), error);
      return;
    }
  if (step->len == 1)
    clair_window_select_row (self, ((ClairDecisionChange *) g_ptr_array_index (step, 0))->index);
  show_step (self, step, undo, step->len);
  step_message (self, step, undo);
  _clair_window_update_actions (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  undo_redo (CLAIR_WINDOW (widget), g_str_equal (action_name, "win.undo"));
}

/* Editing the revision in place: the diff follows as you type, and the edit is saved a moment
 * after the last keystroke (and at once when leaving the editor or the row). */

static void
save_edit (ClairWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *parsed;
  const char *edit;

  if (self->record == NULL)
    return;
  text = clair_diff_view_get_revision_text (CLAIR_DIFF_VIEW (self->diff_view));
  /* Only a revised attempt's revision counts as no edit; a truncated one's partial text, once
   * touched, is the annotator's. */
  parsed = self->record->attempt && self->record->attempt->status == CLAIR_ROW_REVISED
             ? self->record->attempt->revision : NULL;
  /* Typing the parsed revision back clears the edit. */
  edit = g_strcmp0 (text, parsed) == 0 ? NULL : text;
  if (g_strcmp0 (edit, self->record->edited_revision) == 0)
    return;
  if (self->edit_change == NULL)
    {
      ClairDecisionChange *change = clair_decision_change_new (self->record->index);

      change->resolution = shown_is_team (self);
      change->old_decision = change->new_decision = self->record->decision;
      change->old_edit = g_strdup (self->record->edited_revision);
      change->old_note = g_strdup (self->record->note);
      change->new_note = g_strdup (self->record->note);
      /* An edit is made on the revision shown. */
      change->old_attempt = decided_attempt (self);
      change->new_attempt = shown_attempt (self);
      self->edit_change = change;
    }
  if (!write_shown (self, shown_attempt (self), self->record->decision, edit, self->record->note, &error))
    {
      _clair_window_show_error (self, _("Could Not Save the Edit"), error);
      return;
    }
  g_free (self->edit_change->new_edit);
  self->edit_change->new_edit = g_strdup (edit);
  if (edit != NULL)
    clair_record_pane_show_edited_metrics (self->record_pane, self->record->solution, edit);
  _clair_window_update_record_status (self);
}

static gboolean
edit_save_timeout_cb (gpointer user_data)
{
  ClairWindow *self = user_data;

  self->edit_save_id = 0;
  save_edit (self);
  return G_SOURCE_REMOVE;
}

static void
revision_changed_cb (ClairDiffView *view,
                     ClairWindow   *self)
{
  if (!clair_diff_view_get_editable (view) || self->loading_record)
    return;
  g_clear_handle_id (&self->edit_save_id, g_source_remove);
  self->edit_save_id = g_timeout_add (250, edit_save_timeout_cb, self);
}

void
_clair_window_leave_edit (ClairWindow *self)
{
  if (self->diff_view == NULL || !clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    return;
  g_clear_handle_id (&self->edit_save_id, g_source_remove);
  save_edit (self);
  clair_record_pane_set_editing (self->record_pane, FALSE);
  if (self->edit_change != NULL)
    {
      clair_history_push (self->history, g_steal_pointer (&self->edit_change));
      if (self->record != NULL)
        {
          ClairRowItem *item = clair_row_list_lookup (self->rows, self->record->index);

          if (item)
            clair_row_item_set_decision (item, self->record->decision, self->record->edited_revision != NULL);
        }
    }
  _clair_window_refresh_counts (self);
  _clair_window_update_actions (self);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  ClairDiffView *view = CLAIR_DIFF_VIEW (self->diff_view);

  if (clair_diff_view_get_editable (view))
    {
      _clair_window_leave_edit (self);
      clair_row_list_pane_focus_list (self->row_list_pane);
      return;
    }
  if (clair_diff_view_get_inline (view))
    clair_record_pane_set_inline (self->record_pane, FALSE);
  clair_record_pane_set_editing (self->record_pane, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (clair_diff_view_get_revision_view (view)));
}

static void
leave_edit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  if (clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    {
      _clair_window_leave_edit (self);
      clair_row_list_pane_focus_list (self->row_list_pane);
    }
}

/* Notes are saved as typed, like edits. */
static void
note_changed_cb (ClairRecordPane *pane,
                 ClairWindow     *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = clair_record_pane_get_note (pane);
  const char *note = text && *text ? text : NULL;

  if (self->loading_record || self->record == NULL || g_strcmp0 (note, self->record->note) == 0)
    return;
  /* A note leaves the decision tied where it was. */
  if (!write_shown (self, decided_attempt (self), self->record->decision, self->record->edited_revision, note,
                   &error))
    _clair_window_show_error (self, _("Could Not Save the Note"), error);
}

static void
review_newer_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  _clair_window_leave_edit (self);
  _clair_window_toggle_newer (self);
}

static void
navigate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  _clair_window_leave_edit (self);
  _clair_window_move (self, g_str_equal (action_name, "win.next-row") ? 1 : -1);
}

static void
change_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  ClairDiffView *view = CLAIR_DIFF_VIEW (self->diff_view);
  int n = clair_diff_view_get_n_changes (view);
  int current = clair_diff_view_get_current_change (view);

  if (n == 0)
    return;
  if (g_str_equal (action_name, "win.next-change"))
    current = current < 0 ? 0 : MIN (current + 1, n - 1);
  else
    current = current < 0 ? n - 1 : MAX (current - 1, 0);
  clair_diff_view_set_current_change (view, current);
}

static void
inline_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  ClairDiffView *view = CLAIR_DIFF_VIEW (self->diff_view);
  gboolean inline_mode = !clair_diff_view_get_inline (view);

  if (inline_mode)
    _clair_window_leave_edit (self);
  clair_record_pane_set_inline (self->record_pane, inline_mode);
  g_settings_set_boolean (self->settings, "inline-diff", inline_mode);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  clair_row_list_pane_focus_search (self->row_list_pane);
}

static void
show_raw_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  g_autofree char *title = NULL;
  GtkWidget *window, *box, *header, *scroller, *view;
  GtkTextBuffer *buffer;

  if (self->record == NULL || self->record->attempt == NULL)
    return;
  title = g_strdup_printf (_("Raw Output of Row %u"), self->record->index);
  window = adw_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 560);
  gtk_window_set_title (GTK_WINDOW (window), title);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  view = gtk_source_view_new ();
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_set_text (buffer, self->record->attempt->raw_output ? self->record->attempt->raw_output : "", -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

static void
reparse_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  guint index;

  if (self->record == NULL)
    return;
  index = self->record->index;
  if (!clair_project_reparse (self->project, index, &error))
    {
      _clair_window_show_error (self, _("Could Not Re-parse the Answer"), error);
      return;
    }
  _clair_window_refresh_row (self, index);
  _clair_window_show_record (self, index);
  _clair_window_refresh_counts (self);
  _clair_window_toast (self, self->record && self->record->attempt &&
                             self->record->attempt->status == CLAIR_ROW_REVISED
                             ? _("The answer parsed") : _("The answer still holds no usable revision"));
}

static void
rerun_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));

  if (g_str_equal (action_name, "win.rerun"))
    {
      if (self->record == NULL)
        return;
      g_array_append_val (indexes, self->record->index);
    }
  else
    _clair_window_get_selected_indexes (self, indexes);
  if (indexes->len > 0)
    _clair_window_run_rows (self, indexes);
}

/* Bulk decisions over the selection (when more than one row is selected) or the rows shown. */
static void
bulk_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  gboolean accept = g_str_equal (action_name, "win.bulk-accept");
  ClairDecision decision;
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));

  if (self->project == NULL || self->bulk_cancellable != NULL)
    return;
  _clair_window_leave_edit (self);
  if (_clair_window_get_selected_indexes (self, indexes) <= 1)
    {
      g_array_set_size (indexes, 0);
      clair_row_list_pane_get_shown_indexes (self->row_list_pane, indexes);
    }

  decision = accept ? CLAIR_DECISION_ACCEPTED : CLAIR_DECISION_REJECTED;
  self->bulk_cancellable = g_cancellable_new ();
  clair_project_decide_bulk_async (self->project, (guint *) indexes->data, indexes->len, decision,
                                   self->bulk_cancellable, bulk_decided_cb,
                                   bulk_call_new (self, FALSE, decision));
  _clair_window_update_actions (self);
}

/* Team work: split the project among annotators, merge their files back. */

static void
split_done_cb (ClairSplitDialog *dialog,
               const char       *folder,
               guint             n_shards,
               ClairWindow      *self)
{
  g_autofree char *message = g_strdup_printf (ngettext ("Wrote %u annotator's file to %s",
                                                        "Wrote %u annotators' files to %s", n_shards),
                                              n_shards, folder);

  _clair_window_toast (self, message);
}

static void
split_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  GtkWidget *dialog;

  if (self->project == NULL)
    return;
  dialog = clair_split_dialog_new (GTK_WINDOW (self), self->project);
  g_signal_connect_object (dialog, "split", G_CALLBACK (split_done_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
merge_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *path = NULL;
  ClairMergeReport report = { 0 };

  if (!clair_team_merge_finish (CLAIR_PROJECT (source), result, &report, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _clair_window_show_error (self, _("Could Not Merge"), error);
      return;
    }
  /* Translators: numbers of annotations. */
  message = g_strdup_printf (_("Merged: %u new, %u replaced, %u unchanged"), report.n_added, report.n_replaced,
                             report.n_unchanged);
  /* The rows as they are now (decisions, disagreements). */
  if (self->project != NULL && CLAIR_PROJECT (source) == self->project)
    {
      path = g_strdup (clair_project_get_path (self->project));
      clair_window_open_project (self, path);
    }
  _clair_window_toast (self, message);
}

void
clair_window_merge_files (ClairWindow        *self,
                          const char * const *paths)
{
  g_return_if_fail (CLAIR_IS_WINDOW (self));

  if (self->project == NULL || paths == NULL || paths[0] == NULL)
    return;
  clair_team_merge_async (self->project, paths, self->cancellable, merge_done_cb, g_object_ref (self));
}

static void
merge_chosen_cb (GtkNativeDialog *native,
                 int              response,
                 ClairWindow     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) paths = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            g_strv_builder_add (builder, path);
        }
      paths = g_strv_builder_end (builder);
      clair_window_merge_files (self, (const char * const *) paths);
    }
  g_object_unref (native);
}

static void
merge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->project == NULL)
    return;
  native = gtk_file_chooser_native_new (_("Annotators' Files to Merge"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Merge"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  gtk_file_filter_set_name (filter, _("CLAIR projects"));
  gtk_file_filter_add_pattern (filter, "*.clair");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (merge_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
open_hub_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  _clair_window_open_hub_dialog (CLAIR_WINDOW (widget), NULL);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _clair_window_open_dialog (CLAIR_WINDOW (widget));
}

static void
exported_cb (ClairExportDialog *dialog,
             const char        *path,
             guint64            n_written,
             ClairWindow       *self)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_written);
  /* Translators: the first %s is a number of rows, the second a file name. */
  g_autofree char *message = g_strdup_printf (ngettext ("Exported %s row to %s", "Exported %s rows to %s",
                                                        (gulong) MIN (n_written, G_MAXULONG)),
                                              count, name);
  g_autofree char *title = clair_escape_controls (message, CLAIR_ESCAPE_LINE | CLAIR_ESCAPE_MARKUP);
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_button_label (toast, _("Open _Folder"));
  adw_toast_set_action_name (toast, "win.open-folder");
  adw_toast_set_action_target_value (toast, g_variant_new_string (path));
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  GtkWidget *dialog;

  if (self->project == NULL)
    return;
  _clair_window_leave_edit (self);
  dialog = clair_export_dialog_new (GTK_WINDOW (self), self->project);
  clair_export_dialog_set_not_minimal_below (CLAIR_EXPORT_DIALOG (dialog), self->threshold);
  g_signal_connect_object (dialog, "exported", G_CALLBACK (exported_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));
  g_autoptr(GFile) folder = g_file_get_parent (file);
  g_autofree char *uri = g_file_get_uri (folder ? folder : file);

  gtk_show_uri (GTK_WINDOW (widget), uri, GDK_CURRENT_TIME);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  _clair_window_run_toggle (CLAIR_WINDOW (widget));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  /* The dialog running the import says when it stopped ("import-failed"). */
  if (_clair_window_is_importing (self))
    clair_mapping_dialog_cancel_import (CLAIR_MAPPING_DIALOG (self->import_dialog));
  else
    _clair_window_run_stop (self);
}

/* N: the next row shown (after the current one, round to the top) that has no decision. */
static void
next_undecided_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  int index;

  _clair_window_leave_edit (self);
  index = clair_row_list_pane_find_next_undecided (self->row_list_pane);
  if (index >= 0)
    {
      clair_window_select_row (self, index);
      return;
    }
  _clair_window_toast (self, _("Every row shown has a decision"));
}

/* G: a small entry for a row number. */
static void
go_to_row_activate_cb (GtkEntry    *entry,
                       ClairWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  guint64 index;
  g_autofree char *message = NULL;

  gtk_popover_popdown (GTK_POPOVER (self->go_to_popover));
  if (!g_ascii_string_to_unsigned (g_strstrip ((char *) text), 10, 0, G_MAXUINT, &index, NULL))
    {
      message = g_strdup_printf (_("“%s” is not a row number"), text);
      _clair_window_toast (self, message);
      return;
    }
  _clair_window_leave_edit (self);
  /* Back to the list, on the row asked for. */
  clair_row_list_pane_focus_list (self->row_list_pane);
  if (!clair_window_select_row (self, (guint) index))
    {
      message = g_strdup_printf (_("Row %u is not among the rows shown"), (guint) index);
      _clair_window_toast (self, message);
    }
}

static void
go_to_row_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);
  GtkWidget *entry;

  if (self->go_to_popover == NULL)
    {
      entry = gtk_entry_new ();
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_DIGITS);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Row number"));
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Go to row number"), -1);
      g_signal_connect (entry, "activate", G_CALLBACK (go_to_row_activate_cb), self);
      self->go_to_popover = gtk_popover_new ();
      gtk_popover_set_child (GTK_POPOVER (self->go_to_popover), entry);
      gtk_widget_set_parent (self->go_to_popover, GTK_WIDGET (self->window_title));
    }
  entry = gtk_popover_get_child (GTK_POPOVER (self->go_to_popover));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_popover_popup (GTK_POPOVER (self->go_to_popover));
  gtk_widget_grab_focus (entry);
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ClairWindow *self = CLAIR_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* Single keys decide, as annotators expect (Prodigy, Label Studio): whenever the focus is not in
 * a text field, A accepts, R rejects, S skips, E edits, U undoes, N goes to the next undecided row,
 * G to a row number, J/K to the next or previous row. A capture-phase controller, so a read-only
 * text view or a button with the focus does not swallow them; a field being typed in always
 * keeps its letters. */
static gboolean
focus_takes_text (ClairWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    {
      if (GTK_IS_EDITABLE (w) && gtk_editable_get_editable (GTK_EDITABLE (w)))
        return TRUE;
      if (GTK_IS_TEXT_VIEW (w))
        return gtk_text_view_get_editable (GTK_TEXT_VIEW (w));
    }
  return FALSE;
}

static gboolean
single_key_cb (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               ClairWindow           *self)
{
  static const struct { guint keyval; const char *action; } keys[] = {
    { GDK_KEY_a, "win.accept" },
    { GDK_KEY_r, "win.reject" },
    { GDK_KEY_s, "win.skip" },
    { GDK_KEY_e, "win.edit" },
    { GDK_KEY_u, "win.undo" },
    { GDK_KEY_n, "win.next-undecided" },
    { GDK_KEY_g, "win.go-to-row" },
    { GDK_KEY_j, "win.next-row" },
    { GDK_KEY_k, "win.previous-row" },
  };

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;
  /* Escape leaves the editor before the source view can take it for itself. */
  if (keyval == GDK_KEY_Escape && self->diff_view != NULL &&
      clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.leave-edit", NULL);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i].keyval == gdk_keyval_to_lower (keyval))
      {
        if (focus_takes_text (self))
          return FALSE;
        gtk_widget_activate_action (GTK_WIDGET (self), keys[i].action, NULL);
        return TRUE;
      }
  return FALSE;
}

static void
add_shortcut (GtkShortcutController *controller,
              const char            *trigger,
              const char            *action)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (trigger),
                                                          gtk_named_action_new (action)));
}

void
_clair_window_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.accept", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "win.reject", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "win.skip", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "win.leave-edit", NULL, leave_edit_action);
  gtk_widget_class_install_action (widget_class, "win.next-row", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "win.previous-row", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "win.next-change", NULL, change_action);
  gtk_widget_class_install_action (widget_class, "win.previous-change", NULL, change_action);
  gtk_widget_class_install_action (widget_class, "win.inline", NULL, inline_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-raw", NULL, show_raw_action);
  gtk_widget_class_install_action (widget_class, "win.reparse", NULL, reparse_action);
  gtk_widget_class_install_action (widget_class, "win.review-newer", NULL, review_newer_action);
  gtk_widget_class_install_action (widget_class, "win.rerun", NULL, rerun_action);
  gtk_widget_class_install_action (widget_class, "win.rerun-selection", NULL, rerun_action);
  gtk_widget_class_install_action (widget_class, "win.bulk-accept", NULL, bulk_action);
  gtk_widget_class_install_action (widget_class, "win.bulk-reject", NULL, bulk_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-hub", NULL, open_hub_action);
  gtk_widget_class_install_action (widget_class, "win.split", NULL, split_action);
  gtk_widget_class_install_action (widget_class, "win.merge", NULL, merge_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", "s", open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.next-undecided", NULL, next_undecided_action);
  gtk_widget_class_install_action (widget_class, "win.go-to-row", NULL, go_to_row_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);

  /* Keys that text fields do not use work everywhere; plain letters and Ctrl+Z only when no
   * text has focus (bubble phase, after the focused widget). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-hub", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_O, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-hub", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.leave-edit", NULL);
}

/* Shortcuts that must win over the focused widget (a text view would otherwise take Ctrl+Enter
 * or Ctrl+Page Down): a capture-phase controller on the window. */
void
_clair_window_setup_shortcuts (ClairWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_set_scope (shortcuts, GTK_SHORTCUT_SCOPE_LOCAL);
  add_shortcut (shortcuts, "<Control>Return|<Control>KP_Enter", "win.accept");
  add_shortcut (shortcuts, "<Alt>r", "win.reject");
  add_shortcut (shortcuts, "<Alt>s", "win.skip");
  add_shortcut (shortcuts, "<Control>Page_Down", "win.next-row");
  add_shortcut (shortcuts, "<Control>Page_Up", "win.previous-row");
  add_shortcut (shortcuts, "<Alt>Down", "win.next-change");
  add_shortcut (shortcuts, "<Alt>Up", "win.previous-change");
  add_shortcut (shortcuts, "<Control>d", "win.inline");
  add_shortcut (shortcuts, "<Control>r", "win.rerun");
  add_shortcut (shortcuts, "<Control><Shift>r", "win.run");
  add_shortcut (shortcuts, "F9", "win.toggle-sidebar");
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (single_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect (self->diff_view, "revision-changed", G_CALLBACK (revision_changed_cb), self);
  g_signal_connect (self->record_pane, "note-changed", G_CALLBACK (note_changed_cb), self);
  g_signal_connect (self->record_pane, "resolve", G_CALLBACK (resolve_cb), self);
}
