/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The largest single field a dataset may hold; larger ones fail their row with a clear message. */
#define CLAIR_DATASET_MAX_FIELD (16u * 1024u * 1024u)

/* The most columns a dataset may have. A wider header fails to open with a clear message rather
 * than filling memory: CLAIR needs two columns, and no view can show 65,536. */
#define CLAIR_DATASET_MAX_COLUMNS (64u * 1024u)

typedef enum
{
  CLAIR_FORMAT_UNKNOWN,   /*< nick=unknown >*/
  CLAIR_FORMAT_JSONL,     /*< nick=jsonl >*/
  CLAIR_FORMAT_JSON,      /*< nick=json >*/
  CLAIR_FORMAT_CSV,       /*< nick=csv >*/
  CLAIR_FORMAT_TSV,       /*< nick=tsv >*/
  CLAIR_FORMAT_PARQUET,   /*< nick=parquet >*/
} ClairFormat;

/* Which dataset columns feed the CLAIR prompt. A column may hold a string or a list of chat
 * messages ({"role","content"} objects); a list yields the content of its last assistant message
 * (for the task column: of its last user message, the request that was answered). */
typedef struct
{
  char *task_column;
  char *solution_column;
} ClairMapping;

void     clair_mapping_clear (ClairMapping        *mapping);
/* Guesses from the column names (task/student_solution, prompt/rejected, instruction/response,
 * question/answer, in that order of preference). Returns FALSE, leaving @mapping empty, when no
 * pair matches. */
gboolean clair_mapping_guess (const char * const  *columns,
                              ClairMapping        *mapping);

typedef struct
{
  guint  index;        /* 0-based position in dataset order (as Hugging Face datasets numbers) */
  guint  line;         /* 1-based line where the row starts */
  char  *task;
  char  *solution;
  char  *extra_json;   /* a JSON object of every other column, in file order; "{}" when none */
} ClairRow;

void clair_row_free (ClairRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairRow, clair_row_free)

#define CLAIR_TYPE_DATASET (clair_dataset_get_type ())
G_DECLARE_FINAL_TYPE (ClairDataset, clair_dataset, CLAIR, DATASET, GObject)

/* Maps the file and reads enough to know its format and columns; does not index. With
 * CLAIR_FORMAT_UNKNOWN the format comes from the extension, then the content. A Parquet dataset
 * may be a folder of .parquet files or the first of a set of shards
 * ("train-00000-of-00004.parquet"): its files open as one dataset, in order, and a row's line
 * is its 1-based row number. Refuses, without
 * opening it, anything that is not a regular file (or a symbolic link to one): a FIFO, a socket,
 * a device. */
ClairDataset        *clair_dataset_open             (const char           *path,
                                                     ClairFormat           format,
                                                     GError              **error);
const char          *clair_dataset_get_path         (ClairDataset         *self);
ClairFormat          clair_dataset_get_format       (ClairDataset         *self);
guint64              clair_dataset_get_size         (ClairDataset         *self);
const char * const  *clair_dataset_get_columns      (ClairDataset         *self);

/* Finds row boundaries without parsing rows. Synchronous and safe to call from a worker thread;
 * clair_dataset_get_n_rows() grows while it runs, so the first rows can be shown at once.
 * Structural damage that makes row boundaries unknowable (an unterminated CSV quote, a broken
 * JSON array) fails with the file, line and what is wrong. */
gboolean             clair_dataset_index            (ClairDataset         *self,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
void                 clair_dataset_index_async      (ClairDataset         *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean             clair_dataset_index_finish     (ClairDataset         *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
/* Called from the indexing thread every 1024 lines or so, and once at the end: @n_rows rows are
 * readable, @bytes_done of the file scanned. Must not call clair_dataset_index() again. */
typedef void (*ClairDatasetProgress) (ClairDataset *self,
                                      guint         n_rows,
                                      guint64       bytes_done,
                                      gpointer      user_data);
/* clair_dataset_index() with progress reports. A cancelled index keeps the rows it found and
 * resumes where it stopped when called again. */
gboolean             clair_dataset_index_with_progress (ClairDataset         *self,
                                                        ClairDatasetProgress  progress,
                                                        gpointer              user_data,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
guint                clair_dataset_get_n_rows       (ClairDataset         *self);
gboolean             clair_dataset_is_indexed       (ClairDataset         *self);

/* Parses one indexed row. Fails (naming file, line, column for CSV, and the problem) on invalid
 * JSON, invalid UTF-8, a missing mapped column, a non-string value, a field over
 * CLAIR_DATASET_MAX_FIELD. Thread-safe. */
ClairRow            *clair_dataset_read_row         (ClairDataset         *self,
                                                     guint                 index,
                                                     const ClairMapping   *mapping,
                                                     GError              **error);
/* The 1-based line where an indexed row starts, 0 for an index past the end. */
guint                clair_dataset_get_row_line     (ClairDataset         *self,
                                                     guint                 index);
/* The whole row as a JSON object (all columns, values as in the file), for previews. */
char                *clair_dataset_read_row_json    (ClairDataset         *self,
                                                     guint                 index,
                                                     GError              **error);
/* A SHA-256 over the size and sampled blocks of the file: cheap enough for 1 GB files, and
 * changes when the file is replaced or edited. */
char                *clair_dataset_compute_checksum (ClairDataset         *self);

G_END_DECLS
