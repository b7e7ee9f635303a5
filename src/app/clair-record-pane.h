/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "clair-diff-view.h"
#include "clair-project.h"
#include "clair-team.h"

G_BEGIN_DECLS

/* What the window knows about the row beside the record itself. */
typedef enum
{
  CLAIR_RECORD_PANE_RUNNING     = 1 << 0,   /* a request for the row is in flight */
  CLAIR_RECORD_PANE_HAS_NEWER   = 1 << 1,   /* a newer revision waits behind the reviewed one */
  CLAIR_RECORD_PANE_NEWER_SHOWN = 1 << 2,   /* the newer revision is the one shown */
} ClairRecordPaneFlags;

/* The revision a truncated answer held before it was cut off (finish_reason "length"), or NULL. */
const char *clair_record_get_partial_revision (const ClairRecord *record);
/* What the pane compares with the original: the chosen revision (edited, else revised), else a
 * truncated answer's partial one; NULL when there is none. */
const char *clair_record_get_shown_revision   (const ClairRecord *record);

#define CLAIR_TYPE_RECORD_PANE (clair_record_pane_get_type ())
G_DECLARE_FINAL_TYPE (ClairRecordPane, clair_record_pane, CLAIR, RECORD_PANE, GtkWidget)

/* The row under review: the header with the decision buttons (they activate the window's
 * actions), the newer-revision and error banners, the task (fits its content up to a few lines,
 * collapsible), the diff, which takes every pixel left, the rationale (the same), and one line for
 * the note and the metrics, whose details open on demand. Shows what it is given; the window owns
 * the project and decides. */
GtkWidget     *clair_record_pane_new               (void);
ClairDiffView *clair_record_pane_get_diff_view     (ClairRecordPane      *self);

/* Fills every part from @record (read during the call only). @live_text is what a running row
 * streamed so far, NULL otherwise. */
void           clair_record_pane_show              (ClairRecordPane      *self,
                                                    const ClairRecord    *record,
                                                    ClairRecordPaneFlags  flags,
                                                    const char           *live_text);
/* The status pill again (after a decision, an edit, a row that starts or stops running). */
void           clair_record_pane_update_status     (ClairRecordPane      *self,
                                                    const ClairRecord    *record,
                                                    ClairRecordPaneFlags  flags);
/* The streamed text of the shown row, as it grows: the diff follows once the revision has
 * begun; until then nothing is drawn as if deleted, and the markers are never shown. */
void           clair_record_pane_set_live_text     (ClairRecordPane      *self,
                                                    const char           *solution,
                                                    const char           *live_text);
/* The metrics line for an edited revision, recomputed and labelled as such. */
void           clair_record_pane_show_edited_metrics (ClairRecordPane    *self,
                                                      const char         *solution,
                                                      const char         *edited);

void           clair_record_pane_set_editing       (ClairRecordPane      *self,
                                                    gboolean              editing);
void           clair_record_pane_set_inline        (ClairRecordPane      *self,
                                                    gboolean              inline_mode);
const char    *clair_record_pane_get_note          (ClairRecordPane      *self);
/* Types @note into the note field (as the annotator would; it is saved as typed). */
void           clair_record_pane_set_note          (ClairRecordPane      *self,
                                                    const char           *note);
void           clair_record_pane_set_note_sensitive (ClairRecordPane     *self,
                                                     gboolean             sensitive);
void           clair_record_pane_focus_note        (ClairRecordPane      *self);

/* Each annotator's decision on the row (of ClairAnnotation, as clair_project_get_annotations()
 * gives them), side by side with a button that resolves the row with it ("resolve" with its
 * position); shown when two or more annotators decided. NULL hides them. */
void           clair_record_pane_set_annotations   (ClairRecordPane      *self,
                                                    GPtrArray            *annotations,
                                                    ClairTeamState        state);
guint          clair_record_pane_get_n_annotations (ClairRecordPane      *self);
const ClairAnnotation *clair_record_pane_get_annotation (ClairRecordPane *self,
                                                         guint            position);
/* As the annotation's Use This button does. */
void           clair_record_pane_use_annotation    (ClairRecordPane      *self,
                                                    guint                 position);

/* The text searched for, marked in the task and both diff panes (NULL: none). */
void           clair_record_pane_set_search        (ClairRecordPane      *self,
                                                    const char           *text);

/* For tests and accessibility checks: what the banners and the metrics line say. NULL when the
 * banner is hidden. */
const char    *clair_record_pane_get_error_text    (ClairRecordPane      *self);
const char    *clair_record_pane_get_newer_text    (ClairRecordPane      *self);
const char    *clair_record_pane_get_status_text   (ClairRecordPane      *self);
const char    *clair_record_pane_get_metrics_text  (ClairRecordPane      *self);
/* The task, rationale and diff parts, for measuring the layout. */
GtkWidget     *clair_record_pane_get_task_part     (ClairRecordPane      *self);

G_END_DECLS
