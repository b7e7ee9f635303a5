/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "clair-dataset.h"

G_BEGIN_DECLS

/* The rows of a dataset, read in order on a worker thread a few chunks ahead of the caller, so
 * that decoding (JSON scanning, Parquet pages and their decompression, UTF-8 checks) runs beside
 * whatever the caller does with each row (an import's SQLite inserts). The dataset must not be
 * read by anyone else until clair_read_ahead_free() returns. */
typedef struct _ClairReadAhead ClairReadAhead;

ClairReadAhead *clair_read_ahead_new  (ClairDataset       *dataset,
                                       const ClairMapping *mapping,
                                       guint               n_rows);
/* The next row in index order: TRUE with @row set (the caller owns it), or with @row NULL and
 * @reason set (the reason the row is unreadable, owned by the caller) and @line its line;
 * FALSE after the last row. */
gboolean        clair_read_ahead_next (ClairReadAhead     *self,
                                       guint              *index,
                                       guint              *line,
                                       ClairRow          **row,
                                       char              **reason);
/* Stops the worker (rows not taken yet are dropped) and frees everything. */
void            clair_read_ahead_free (ClairReadAhead     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairReadAhead, clair_read_ahead_free)

G_END_DECLS
