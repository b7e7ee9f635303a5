/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"

G_BEGIN_DECLS

/* One row's decision as it was before and after a change, for undo and redo. */
typedef struct
{
  guint          index;
  gboolean       resolution;     /* written with clair_project_resolve() (a team disagreement) */
  ClairDecision  old_decision;
  char          *old_edit;
  char          *old_note;
  gint64         old_attempt;    /* the attempt decided on, as ClairDecisionState's attempt_id */
  ClairDecision  new_decision;
  char          *new_edit;
  char          *new_note;
  gint64         new_attempt;
} ClairDecisionChange;

ClairDecisionChange *clair_decision_change_new   (guint                index);
void                 clair_decision_change_free  (ClairDecisionChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairDecisionChange, clair_decision_change_free)

/* Steps kept at most: older ones are forgotten, so a long session does not grow without end. */
#define CLAIR_HISTORY_MAX_STEPS 1000

#define CLAIR_TYPE_HISTORY (clair_history_get_type ())
G_DECLARE_FINAL_TYPE (ClairHistory, clair_history, CLAIR, HISTORY, GObject)

ClairHistory        *clair_history_new           (ClairProject        *project);
ClairProject        *clair_history_get_project   (ClairHistory        *self);
gboolean             clair_history_can_undo      (ClairHistory        *self);
gboolean             clair_history_can_redo      (ClairHistory        *self);
/* How many rows the step undo (or redo) would write, 0 when there is none. */
guint                clair_history_get_undo_size (ClairHistory        *self);
guint                clair_history_get_redo_size (ClairHistory        *self);
void                 clair_history_clear         (ClairHistory        *self);

/* Writes @change's new state through the project and, once written, records it as one step
 * (which forgets what could be redone). Takes @change in either case. */
gboolean             clair_history_apply         (ClairHistory        *self,
                                                  ClairDecisionChange *change,
                                                  GError             **error);
/* Records a change already written (an edit session saved as it was typed) as one step. */
void                 clair_history_push          (ClairHistory        *self,
                                                  ClairDecisionChange *change);
/* Records a bulk decision already written: @before holds the rows' states before it (as
 * clair_project_decide_bulk_finish() gives them), each now decided @decision on the same
 * attempt. Nothing is recorded for an empty array. */
void                 clair_history_push_bulk     (ClairHistory        *self,
                                                  GArray              *before,
                                                  ClairDecision        decision);

/* Undoes (redoes) the last step at once, in the calling thread: the rows' earlier (later) states
 * are written, last change first on undo. Returns the step's changes (a new reference), or NULL
 * with @error; a step that failed stays where it was. Meant for small steps: larger ones go
 * through the _async variants. */
GPtrArray           *clair_history_undo          (ClairHistory        *self,
                                                  GError             **error);
GPtrArray           *clair_history_redo          (ClairHistory        *self,
                                                  GError             **error);
/* The same on the project's worker, in chunks (clair_project_write_decisions_async()). */
void                 clair_history_undo_async    (ClairHistory        *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void                 clair_history_redo_async    (ClairHistory        *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Finishes either. @step (may be NULL) gets the step's changes, also on failure, and
 * @n_written how many of them are on disk (counted from the end on undo). A step written in
 * part stays where it was, so it can be tried again. */
gboolean             clair_history_step_finish   (ClairHistory        *self,
                                                  GAsyncResult        *result,
                                                  GPtrArray          **step,
                                                  guint               *n_written,
                                                  GError             **error);

G_END_DECLS
