/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "clair-project.h"
#include "clair-row-item.h"
#include "clair-row-view.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_ROW_LIST_PANE (clair_row_list_pane_get_type ())
G_DECLARE_FINAL_TYPE (ClairRowListPane, clair_row_list_pane, CLAIR, ROW_LIST_PANE, GtkWidget)

/* The row list: a search entry and a status filter over the rows of a project (a virtualised
 * GtkColumnView: index, status, task, similarity, edit distance, decision; sortable by the
 * metric columns), and a count of the rows shown. It reads the tasks of the rows on screen and
 * runs searches on the project's worker; the row being read (`selected-index`) stays selected
 * as the filter, search and sort change, and is the window's to show.
 *
 * Signals: `row-activated` (Enter or a double click on a row), `list-changed` (the rows shown
 * changed: a filter, search or sort applied, rows added), `search-failed` (a GError). */
GtkWidget    *clair_row_list_pane_new                  (void);
/* Shows @rows of @project (both NULL: nothing); the first row shown gets selected. */
void          clair_row_list_pane_set_rows             (ClairRowListPane *self,
                                                        ClairProject     *project,
                                                        ClairRowList     *rows);
/* Lets go of the rows as set_rows (NULL, NULL) does, but keeps the list's row widgets for the
 * rows set next (see clair_row_view_hold()); for a pane hidden until then. */
void          clair_row_list_pane_hold                 (ClairRowListPane *self);
/* The rows shown, filtered, searched and sorted: a GtkSelectionModel of ClairRowItem. */
GListModel   *clair_row_list_pane_get_model            (ClairRowListPane *self);
/* How many rows the pane was given, shown or not. */
guint         clair_row_list_pane_get_n_rows           (ClairRowListPane *self);
/* The index of the row being read (the first selected), or -1. */
int           clair_row_list_pane_get_selected_index   (ClairRowListPane *self);
/* Selects row @index (not position), clearing the filter and search when they hide it. FALSE
 * when the rows have no such row. */
gboolean      clair_row_list_pane_select_index         (ClairRowListPane *self,
                                                        guint             index);
/* Moves the selection @delta rows down (up when negative), staying in the list. */
void          clair_row_list_pane_move                 (ClairRowListPane *self,
                                                        int               delta);
/* Appends the indexes of the selected rows to @out; returns how many @out holds. */
guint         clair_row_list_pane_get_selected_indexes (ClairRowListPane *self,
                                                        GArray           *out);
/* Appends the indexes of every row shown, in list order, to @out. */
void          clair_row_list_pane_get_shown_indexes    (ClairRowListPane *self,
                                                        GArray           *out);
/* The first row shown after the selected one (round to the top) that has no decision, or -1. */
int           clair_row_list_pane_find_next_undecided  (ClairRowListPane *self);
ClairFilterKind clair_row_list_pane_get_filter         (ClairRowListPane *self);
void          clair_row_list_pane_set_filter           (ClairRowListPane *self,
                                                        ClairFilterKind   filter);
/* Rows whose similarity is below @threshold are marked, and are the "Not minimal" ones. */
double        clair_row_list_pane_get_threshold        (ClairRowListPane *self);
void          clair_row_list_pane_set_threshold        (ClairRowListPane *self,
                                                        double            threshold);
/* What the search entry holds, NULL when empty. */
const char   *clair_row_list_pane_get_search_text      (ClairRowListPane *self);
/* Sorts by the column showing @key (CLAIR_SORT_NONE: row order, no column sorted), as a click
 * on its header does. */
void          clair_row_list_pane_sort_by              (ClairRowListPane *self,
                                                        ClairSortKey      key,
                                                        GtkSortType       order);
/* TRUE while a search or a new order of the rows is still being worked out. */
gboolean      clair_row_list_pane_get_pending          (ClairRowListPane *self);
/* Applies the filter again, after rows changed status or decision. */
void          clair_row_list_pane_refilter             (ClairRowListPane *self);
void          clair_row_list_pane_focus_list           (ClairRowListPane *self);
void          clair_row_list_pane_focus_search         (ClairRowListPane *self);

G_END_DECLS
