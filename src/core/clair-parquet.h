/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A reader for one Parquet file held in memory (a mapped file).
 *
 * Opening parses the footer: the schema, the row groups and their column chunks. Cells are read
 * one at a time: each leaf column keeps a cursor holding one decoded page (and its chunk's
 * dictionary), so rows read in order cost one page decode per page and memory stays near one page
 * per column whatever the file's size. A cell of a top-level column is assembled from the
 * repetition and definition levels of its leaves into JSON (lists, structs, nulls); a string column
 * yields its text as it is.
 *
 * Errors name the file and, where there is one, the row group and the column. A ClairParquet is
 * not thread-safe: callers serialise reads. */

typedef struct _ClairParquet ClairParquet;

typedef enum
{
  CLAIR_PARQUET_NULL,   /* no value */
  CLAIR_PARQUET_TEXT,   /* a string: the text itself, valid UTF-8 */
  CLAIR_PARQUET_JSON,   /* anything else as JSON text: a number, a boolean, a list, a struct */
} ClairParquetKind;

/* TRUE when @data starts and ends like a Parquet file ("PAR1"). */
gboolean      clair_parquet_has_magic        (const guint8   *data,
                                              gsize           size);

/* @data must stay valid while the reader lives. With @release_pages, which needs @data to be a
 * read-only file mapping, pages of the file are given back to the kernel once decoded, so that
 * reading a large file does not keep it resident. */
ClairParquet *clair_parquet_open             (const char     *display_name,
                                              const guint8   *data,
                                              gsize           size,
                                              gboolean        release_pages,
                                              GError        **error);
void          clair_parquet_free             (ClairParquet   *self);
guint64       clair_parquet_get_n_rows       (ClairParquet   *self);
guint         clair_parquet_get_n_row_groups (ClairParquet   *self);
/* Row group @group: its first row in the file, its rows, and the bytes its column chunks take in
 * the file (compressed). */
void          clair_parquet_get_row_group    (ClairParquet   *self,
                                              guint           group,
                                              guint64        *first_row,
                                              guint64        *n_rows,
                                              guint64        *n_bytes);
guint         clair_parquet_get_n_columns    (ClairParquet   *self);
const char   *clair_parquet_get_column_name  (ClairParquet   *self,
                                              guint           column);
/* Replaces @out's contents with the cell of top-level @column in @row. */
gboolean      clair_parquet_read_cell        (ClairParquet   *self,
                                              guint64         row,
                                              guint           column,
                                              ClairParquetKind *kind,
                                              GString        *out,
                                              GError        **error);
/* As clair_parquet_read_cell(), appending the cell to @out: on failure @out is as it was. */
gboolean      clair_parquet_append_cell      (ClairParquet   *self,
                                              guint64         row,
                                              guint           column,
                                              ClairParquetKind *kind,
                                              GString        *out,
                                              GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairParquet, clair_parquet_free)

G_END_DECLS
