/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-row-item.h"

G_BEGIN_DECLS

typedef enum
{
  CLAIR_FILTER_ALL,
  CLAIR_FILTER_PENDING,
  CLAIR_FILTER_RUNNING,
  CLAIR_FILTER_REVISED,
  CLAIR_FILTER_FAILED,
  CLAIR_FILTER_ACCEPTED,
  CLAIR_FILTER_REJECTED,
  CLAIR_FILTER_EDITED,
  CLAIR_FILTER_NOT_MINIMAL,
  CLAIR_FILTER_UNDECIDED,
  CLAIR_FILTER_DISAGREED,   /* annotators decided differently and nobody resolved it */
} ClairFilterKind;

typedef enum
{
  CLAIR_SORT_NONE,        /* row order */
  CLAIR_SORT_INDEX,
  CLAIR_SORT_STATUS,
  CLAIR_SORT_SIMILARITY,
  CLAIR_SORT_DISTANCE,
  CLAIR_SORT_DECISION,
} ClairSortKey;

/* What the list shows: which rows and in what order. */
typedef struct
{
  ClairFilterKind  filter;
  double           threshold;     /* CLAIR_FILTER_NOT_MINIMAL: similarity below this */
  GHashTable      *matches;       /* search hits (row indexes as keys), NULL: no search */
  ClairSortKey     sort;
  gboolean         descending;
} ClairRowQuery;

/* The rows of a ClairRowList that pass a filter and a search, in a sort order: a GListModel
 * of ClairRowItem slots (see clair_row_item_new_slot()) for the row list widget.
 *
 * A GtkFilterListModel under a GtkSortListModel holds the main loop for seconds at 400k rows
 * (every comparison goes through GObject lookups); this computes the visible order from a
 * snapshot of the summaries on a worker thread and swaps it in: the slots shown point at their
 * new rows, "items-changed" says only how the length changed, and "changed" follows. Small
 * lists (under a few thousand rows) are computed at once. Rows without a metric sort last in
 * either direction; ties keep row order.
 *
 * A short list that grows long (a project shown, a narrow filter lifted) grows over a few turns
 * of the main loop, 64 rows a turn until it is a few hundred long: GTK 4.8 makes, binds and
 * measures widgets for 200 rows at once otherwise. find() returns announced positions only (a
 * selection can hold no other); get_n_shown() and peek_row() count the rest. */

#define CLAIR_TYPE_ROW_VIEW (clair_row_view_get_type ())
G_DECLARE_FINAL_TYPE (ClairRowView, clair_row_view, CLAIR, ROW_VIEW, GObject)

ClairRowView *clair_row_view_new          (void);
/* Shows every row of @rows (or nothing for NULL), then applies the query. */
void          clair_row_view_set_rows     (ClairRowView        *self,
                                           ClairRowList        *rows);
/* Lets go of the rows as set_rows (NULL) does, but the list keeps its length, and its items
 * stand for an empty row, until the next set_rows (): emptied, it would have GTK 4.8 take down
 * the widgets of the rows it shows (60–90 ms for 200 rows on two cores) only to make them again
 * for the next rows (as long again); held, they are pointed at the new rows. For a list hidden
 * meanwhile: a project being replaced by another. */
void          clair_row_view_hold         (ClairRowView        *self);
/* Copies @query (and refs its matches) and recomputes; the change shows when it is done. */
void          clair_row_view_set_query    (ClairRowView        *self,
                                           const ClairRowQuery *query);
/* Recomputes with the current query, after rows changed status or decision. */
void          clair_row_view_refresh      (ClairRowView        *self);
/* Recomputes now, on this thread, and announces the whole list at once. */
void          clair_row_view_refresh_now  (ClairRowView        *self);
/* TRUE while a recomputation runs on a worker thread, or the list is still growing. */
gboolean      clair_row_view_get_pending  (ClairRowView        *self);
/* The position of row @index in the view, or G_MAXUINT when it is not shown. */
guint         clair_row_view_find         (ClairRowView        *self,
                                           guint                index);
/* How many rows the view shows, counting those the list model has not announced yet. */
guint         clair_row_view_get_n_shown  (ClairRowView        *self);
/* The row shown at @position (not its slot), without a reference; NULL past the end. Positions
 * not announced yet count. */
ClairRowItem *clair_row_view_peek_row     (ClairRowView        *self,
                                           guint                position);
/* Tells the cells shown to update, when what they show depends on more than the row. */
void          clair_row_view_update_shown (ClairRowView        *self);
/* Whether a row passes @query, as the view decides it. */
gboolean      clair_row_query_matches     (const ClairRowQuery   *query,
                                           const ClairRowSummary *summary,
                                           gboolean               running);

G_END_DECLS
