/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "clair-dataset.h"

G_BEGIN_DECLS

/* The rows of a dataset, read in order on worker threads a few chunks ahead of the caller, so
 * that decoding (JSON scanning, Parquet pages and their decompression, UTF-8 checks) runs beside
 * whatever the caller does with each row (an import's SQLite inserts). A Parquet dataset of small
 * row groups is decoded by one worker a core, each taking its own row groups. The dataset must
 * not be read by anyone else until clair_read_ahead_free() returns. */
typedef struct _ClairReadAhead ClairReadAhead;

/* The byte lengths of a row's three texts, measured by the worker while they are still in its
 * cache: the caller's strlen() of text another core just wrote paid a cache miss per line, an
 * eighth of an import's SQLite thread. */
typedef struct
{
  gsize task;
  gsize solution;
  gsize extra_json;
} ClairRowLengths;

ClairReadAhead *clair_read_ahead_new  (ClairDataset           *dataset,
                                       const ClairMapping     *mapping,
                                       guint                   n_rows);
/* As clair_read_ahead_new(), with at most @max_workers threads decoding (there: one a core, up
 * to four) and units of at least @min_unit_rows rows (there: 256); tests ask for several workers
 * and small units whatever the machine and the file. */
ClairReadAhead *_clair_read_ahead_new_full (ClairDataset       *dataset,
                                            const ClairMapping *mapping,
                                            guint               n_rows,
                                            guint               max_workers,
                                            guint               min_unit_rows);
/* The next row in index order: TRUE with @row and @lengths set, or with @row NULL and @reason
 * set (why the row is unreadable) and @line its line; FALSE after the last row. All are lent,
 * valid until the next call: the worker frees them itself when it reuses their chunk, so that
 * memory goes back to the allocator on the thread that took it (glibc's arenas make a free from
 * another thread take a lock the allocating thread contends for). */
gboolean        clair_read_ahead_next (ClairReadAhead         *self,
                                       guint                  *index,
                                       guint                  *line,
                                       const ClairRow        **row,
                                       const ClairRowLengths **lengths,
                                       const char            **reason);
/* Stops the worker (rows not taken yet are dropped) and frees everything. */
void            clair_read_ahead_free (ClairReadAhead         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairReadAhead, clair_read_ahead_free)

G_END_DECLS
