/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_ROW_ITEM (clair_row_item_get_type ())
G_DECLARE_FINAL_TYPE (ClairRowItem, clair_row_item, CLAIR, ROW_ITEM, GObject)

/* One row of the list: its summary, plus the first line of its task once loaded. Emits
 * "changed" whenever any of it changes, so the cells showing it refresh. */
ClairRowItem          *clair_row_item_new           (const ClairRowSummary *summary);
/* A slot stands for @row: every getter and setter goes to the row, and it emits "changed" when
 * the row does. A list whose order changes often can keep its slots and point them at other
 * rows, so the widgets showing them are updated rather than rebuilt. */
ClairRowItem          *clair_row_item_new_slot      (ClairRowItem          *row);
/* Points the slot at @row and emits "changed". */
void                   clair_row_item_set_slot_row  (ClairRowItem          *self,
                                                     ClairRowItem          *row);
const ClairRowSummary *clair_row_item_get_summary   (ClairRowItem          *self);
guint                  clair_row_item_get_index     (ClairRowItem          *self);
ClairRowStatus         clair_row_item_get_status    (ClairRowItem          *self);
ClairDecision          clair_row_item_get_decision  (ClairRowItem          *self);
gboolean               clair_row_item_get_edited    (ClairRowItem          *self);
/* NAN when the row has no revision. */
double                 clair_row_item_get_jaccard   (ClairRowItem          *self);
double                 clair_row_item_get_distance  (ClairRowItem          *self);
void                   clair_row_item_set_summary   (ClairRowItem          *self,
                                                     const ClairRowSummary *summary);
void                   clair_row_item_set_decision  (ClairRowItem          *self,
                                                     ClairDecision          decision,
                                                     gboolean               edited);
/* TRUE while a request for the row is in flight. */
gboolean               clair_row_item_get_running   (ClairRowItem          *self);
void                   clair_row_item_set_running   (ClairRowItem          *self,
                                                     gboolean               running);
/* NULL until loaded. */
const char            *clair_row_item_get_task      (ClairRowItem          *self);
void                   clair_row_item_set_task      (ClairRowItem          *self,
                                                     const char            *task);
gboolean               clair_row_item_get_task_requested (ClairRowItem     *self);
void                   clair_row_item_set_task_requested (ClairRowItem     *self,
                                                          gboolean          requested);

#define CLAIR_TYPE_ROW_LIST (clair_row_list_get_type ())
G_DECLARE_FINAL_TYPE (ClairRowList, clair_row_list, CLAIR, ROW_LIST, GObject)

/* A GListModel of ClairRowItem in row order, built from the project's summaries. */
ClairRowList          *clair_row_list_new           (GArray                *summaries);
/* The same on a worker thread: 400k items take the main loop 100 ms to make. */
void                   clair_row_list_new_async     (GArray                *summaries,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
ClairRowList          *clair_row_list_new_finish    (GAsyncResult          *result,
                                                     GError               **error);
/* Drops a reference to @self on a worker thread: the last one to 400k rows takes the main loop
 * 100 ms to drop. Does nothing with NULL. */
void                   clair_row_list_unref_in_thread (ClairRowList        *self);
/* Adds the items of @more that come after the last one listed (rows arriving while a dataset
 * is imported), in index order. @more can be built on a worker thread, so the main loop does
 * not make an item per row. */
void                   clair_row_list_append        (ClairRowList          *self,
                                                     ClairRowList          *more);
/* The index of the last row, G_MAXUINT when the list is empty. */
guint                  clair_row_list_last_index    (ClairRowList          *self);
ClairRowItem          *clair_row_list_lookup        (ClairRowList          *self,
                                                     guint                  index);
/* The position of row @index, G_MAXUINT when the list has no such row. */
guint                  clair_row_list_find_position (ClairRowList          *self,
                                                     guint                  index);
/* The item at @position, without a reference. */
ClairRowItem          *clair_row_list_peek          (ClairRowList          *self,
                                                     guint                  position);

G_END_DECLS
