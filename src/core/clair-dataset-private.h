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
/* Decoding state of its own, for _clair_dataset_read_packed(): one thread at a time per cursor,
 * any number of cursors at once. */
ClairDatasetCursor *_clair_dataset_cursor_new       (ClairDataset        *self);
void                _clair_dataset_cursor_free      (ClairDatasetCursor  *cursor);

/* Where a row read by _clair_dataset_read_packed() lies in its buffer: offsets and byte lengths
 * of its task, its solution and its other columns as a JSON object, each followed by a NUL. */
typedef struct
{
  gsize task, task_len;
  gsize solution, solution_len;
  gsize extra, extra_len;
} ClairPackedRow;

/* Whether _clair_dataset_read_packed() reads the dataset: Parquet datasets. */
gboolean            _clair_dataset_can_pack         (ClairDataset        *self);
/* As clair_dataset_read_row(), the row appended to @text rather than allocated on its own, where
 * @packed says; @cell and @extra are buffers it works in. Reads with @cursor, or, when NULL, with
 * the dataset's own readers (serialised with every other read). On failure @text is as it was.
 * The import reads a gigabyte of rows this way, into buffers it reuses: mapped strings go from
 * their decoded pages to @text with one copy and no allocation. */
gboolean            _clair_dataset_read_packed      (ClairDataset        *self,
                                                     ClairDatasetCursor  *cursor,
                                                     guint                index,
                                                     const ClairMapping  *mapping,
                                                     GString             *text,
                                                     GString             *cell,
                                                     GString             *extra,
                                                     ClairPackedRow      *packed,
                                                     GError             **error);

G_END_DECLS
