/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "clair-application.h"
#include "clair-project.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_WINDOW (clair_window_get_type ())
G_DECLARE_FINAL_TYPE (ClairWindow, clair_window, CLAIR, WINDOW, AdwApplicationWindow)

ClairWindow  *clair_window_new              (ClairApplication *application);
/* Opens a dataset (through the column-mapping step) or a .clair project. */
void          clair_window_open_file        (ClairWindow      *self,
                                             GFile            *file);
/* Opens a project file; the row list fills once its summaries are read (off the main thread). */
void          clair_window_open_project     (ClairWindow      *self,
                                             const char       *path);
ClairProject *clair_window_get_project      (ClairWindow      *self);
/* The row shown in the detail view, or -1. */
int           clair_window_get_current_row  (ClairWindow      *self);
/* Selects the row with this index (not position), clearing the filter when it hides it. */
gboolean      clair_window_select_row       (ClairWindow      *self,
                                             guint             index);
/* Sets and writes through the decision for the current row, like the buttons do. */
void          clair_window_decide           (ClairWindow      *self,
                                             ClairDecision     decision);
/* The ClairDiffView of the detail view. */
GtkWidget    *clair_window_get_diff_view    (ClairWindow      *self);
/* Brings annotators' files (shards of a split) back into the project, on a worker thread. */
void          clair_window_merge_files      (ClairWindow        *self,
                                             const char * const *paths);
/* The pane showing the current row (a ClairRecordPane). */
GtkWidget    *clair_window_get_record_pane  (ClairWindow      *self);
/* The list as currently filtered and sorted (a GtkSelectionModel of ClairRowItem). */
GListModel   *clair_window_get_rows         (ClairWindow      *self);
/* TRUE while the project is loading or indexing. */
gboolean      clair_window_get_busy         (ClairWindow      *self);
/* The row list beside the record (a ClairRowListPane). */
GtkWidget    *clair_window_get_row_list_pane (ClairWindow     *self);
/* TRUE while decisions on many rows (a bulk decision, or its undo) are being written. */
gboolean      clair_window_get_bulk_pending (ClairWindow      *self);
/* Shows @message in a toast, as plain text (markup and control characters are escaped). */
void          clair_window_add_toast        (ClairWindow      *self,
                                             const char       *message);

G_END_DECLS
