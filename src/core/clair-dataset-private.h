/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "clair-dataset.h"

G_BEGIN_DECLS

/* What the read-ahead (clair-read-ahead.c) needs to read one dataset on several threads at once.
 *
 * A dataset's own reader serialises its reads. A cursor reads the same files with decoding state
 * of its own (for Parquet: readers of its own over the same mappings), so that several threads
 * can each decode their own part of the rows. Only datasets cut into independent units have
 * cursors: Parquet files with row groups small enough that a reader per thread costs little
 * memory. */

typedef struct _ClairDatasetCursor ClairDatasetCursor;

/* The first rows of the units the rows can be read in, in order, the first 0, each unit at least
 * @min_rows rows long (but the last). A dataset that cannot be read by several cursors is one
 * unit, {0}. The array holds guint. */
GArray             *_clair_dataset_get_read_units   (ClairDataset        *self,
                                                     guint                min_rows);
ClairDatasetCursor *_clair_dataset_cursor_new       (ClairDataset        *self);
/* As clair_dataset_read_row(), with the cursor's own state: one thread at a time per cursor,
 * any number of cursors at once. */
ClairRow           *_clair_dataset_cursor_read_row  (ClairDatasetCursor  *cursor,
                                                     guint                index,
                                                     const ClairMapping  *mapping,
                                                     GError             **error);
void                _clair_dataset_cursor_free      (ClairDatasetCursor  *cursor);

G_END_DECLS
