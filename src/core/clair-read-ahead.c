/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-dataset"

#include "config.h"

#include <string.h>

#include "clair-read-ahead.h"
#include "clair-dataset-private.h"

/* Rows travel in chunks, so that the threads meet once per chunk rather than once per row; a few
 * chunks in flight per worker keep everyone busy while bounding the memory.
 *
 * A dataset cut into independent units (a Parquet file's row groups, clair-dataset-private.h) is
 * read by up to one worker a core: unit u by worker u mod n, each with decoding state of its
 * own, and the caller takes the chunks from the workers in turn, so it still sees the rows in
 * index order. Decompressing and decoding row groups is most of an import's work, and a single
 * worker left the SQLite thread waiting for it. Each worker then holds up to N_CHUNKS_SPLIT
 * chunks (2,048 rows), several units: a worker held up (by the scheduler, a large unit) does not
 * stop the caller at once. With 8 the caller of a 400,000-row import waited 0.8 s for the worker
 * whose turn it was, with 32 0.3 s, for 120 MB rather than 57 MB of peak memory.
 *
 * Parquet rows are read packed (clair-dataset-private.h): their texts go into one buffer per
 * chunk, kept from one use of the chunk to the next, rather than into three allocations a row.
 * For the 400,000-row benchmark that took the workers' CPU time from 4.4 s to 3.4 s and the
 * import's peak memory from 104 MB to 54 MB. */
#define CHUNK_ROWS     64
#define N_CHUNKS       4     /* per worker, one worker */
#define N_CHUNKS_SPLIT 32    /* per worker, several */
#define MIN_UNIT_ROWS  (CHUNK_ROWS * 4)
#define MAX_WORKERS    4

/* A chunk's texts are kept for its next rows up to this size; past it (rows of huge fields) they
 * go back to the allocator. */
#define KEEP_TEXT_BYTES (4 * 1024 * 1024)

typedef struct
{
  guint     index;
  guint     line;
  ClairRow *row;        /* its own, or &packed_row */
  ClairRow  packed_row; /* a row in its chunk's text, its strings set once the chunk is full */
  ClairPackedRow packed;
  ClairRowLengths lengths;
  char     *reason;
} Item;

typedef struct
{
  guint    n_items;
  gboolean last;      /* the worker's final chunk: empty, after all its rows */
  guint    worker;
  GString *text;      /* the texts of its rows, when the dataset reads them packed */
  Item     items[CHUNK_ROWS];
} Chunk;

typedef struct
{
  ClairReadAhead     *owner;
  guint               id;
  GThread            *thread;
  GAsyncQueue        *filled;   /* its chunks of rows, in order, for the caller */
  GAsyncQueue        *spare;    /* its chunks the caller is done with */
  ClairDatasetCursor *cursor;   /* NULL: it reads through the dataset itself */
  GString            *cell;     /* buffers for packed reads */
  GString            *extra;
  gboolean            done;     /* the caller took its last chunk */
} Worker;

struct _ClairReadAhead
{
  ClairDataset *dataset;
  ClairMapping  mapping;
  guint         n_rows;
  GArray       *units;      /* first row of each unit (guint), the first 0 */
  gboolean      packed;     /* rows are read into their chunk's text */
  Worker       *workers;
  guint         n_workers;
  gint          stop;
  Chunk        *current;    /* the chunk being handed out */
  guint         next;       /* its next item */
  guint         unit;       /* the unit of the next row handed out */
  guint         next_row;   /* the index of that row */
  gboolean      done;       /* every row was handed out, or the read-ahead stopped */
};

static guint
unit_start (ClairReadAhead *self,
            guint           unit)
{
  return g_array_index (self->units, guint, unit);
}

static guint
unit_end (ClairReadAhead *self,
          guint           unit)
{
  return unit + 1 < self->units->len ? g_array_index (self->units, guint, unit + 1) : self->n_rows;
}

static void
chunk_clear (Chunk *chunk)
{
  for (guint i = 0; i < chunk->n_items; i++)
    {
      Item *item = &chunk->items[i];

      if (item->row != &item->packed_row)
        clair_row_free (item->row);
      item->row = NULL;
      g_clear_pointer (&item->reason, g_free);
    }
  chunk->n_items = 0;
  chunk->last = FALSE;
  if (chunk->text != NULL && chunk->text->allocated_len > KEEP_TEXT_BYTES)
    {
      g_string_free (chunk->text, TRUE);
      chunk->text = NULL;
    }
  else if (chunk->text != NULL)
    g_string_truncate (chunk->text, 0);
}

static void
read_item (Worker *worker,
           Chunk  *chunk,
           Item   *item,
           guint   index)
{
  ClairReadAhead *self = worker->owner;
  g_autoptr(GError) error = NULL;

  item->index = index;
  if (self->packed)
    {
      if (chunk->text == NULL)
        chunk->text = g_string_sized_new (CHUNK_ROWS * 1024);
      item->line = clair_dataset_get_row_line (self->dataset, index);
      if (!_clair_dataset_read_packed (self->dataset, worker->cursor, index, &self->mapping,
                                       chunk->text, worker->cell, worker->extra, &item->packed,
                                       &error))
        {
          item->reason = g_strdup (error->message);
          return;
        }
      /* Its strings are set when the chunk is full: until then the text may move. */
      item->row = &item->packed_row;
      item->lengths.task = item->packed.task_len;
      item->lengths.solution = item->packed.solution_len;
      item->lengths.extra_json = item->packed.extra_len;
      return;
    }
  /* Not Parquet: one worker, no cursor. */
  item->row = clair_dataset_read_row (self->dataset, index, &self->mapping, &error);
  if (item->row == NULL)
    {
      item->line = clair_dataset_get_row_line (self->dataset, index);
      item->reason = g_strdup (error->message);
      return;
    }
  item->line = item->row->line;
  item->lengths.task = strlen (item->row->task);
  item->lengths.solution = strlen (item->row->solution);
  item->lengths.extra_json = item->row->extra_json ? strlen (item->row->extra_json) : 0;
}

/* Points the packed rows of a full chunk at their texts. */
static void
seal_chunk (Chunk *chunk)
{
  for (guint i = 0; i < chunk->n_items; i++)
    {
      Item *item = &chunk->items[i];
      ClairRow *row = &item->packed_row;

      if (item->row != row)
        continue;
      row->index = item->index;
      row->line = item->line;
      row->task = chunk->text->str + item->packed.task;
      row->solution = chunk->text->str + item->packed.solution;
      row->extra_json = chunk->text->str + item->packed.extra;
    }
}

/* The rows the caller has seen are freed here, on the thread that allocated them. */
static Chunk *
take_spare (Worker *worker)
{
  Chunk *chunk = g_async_queue_pop (worker->spare);

  chunk_clear (chunk);
  return chunk;
}

static gpointer
read_ahead_thread (gpointer data)
{
  Worker *worker = data;
  ClairReadAhead *self = worker->owner;
  Chunk *chunk;

  for (guint u = worker->id; u < self->units->len; u += self->n_workers)
    {
      guint end = unit_end (self, u);
      guint index = unit_start (self, u);

      /* Chunks end with their unit, so each holds rows of one worker only. */
      while (index < end && !g_atomic_int_get (&self->stop))
        {
          chunk = take_spare (worker);
          while (chunk->n_items < CHUNK_ROWS && index < end && !g_atomic_int_get (&self->stop))
            read_item (worker, chunk, &chunk->items[chunk->n_items++], index++);
          seal_chunk (chunk);
          g_async_queue_push (worker->filled, chunk);
        }
    }
  chunk = take_spare (worker);
  chunk->last = TRUE;
  g_async_queue_push (worker->filled, chunk);
  return NULL;
}

ClairReadAhead *
clair_read_ahead_new (ClairDataset       *dataset,
                      const ClairMapping *mapping,
                      guint               n_rows)
{
  return _clair_read_ahead_new_full (dataset, mapping, n_rows,
                                     MIN (g_get_num_processors (), MAX_WORKERS), MIN_UNIT_ROWS);
}

ClairReadAhead *
_clair_read_ahead_new_full (ClairDataset       *dataset,
                            const ClairMapping *mapping,
                            guint               n_rows,
                            guint               max_workers,
                            guint               min_unit_rows)
{
  ClairReadAhead *self;
  guint n_chunks;

  g_return_val_if_fail (CLAIR_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (mapping != NULL, NULL);

  self = g_new0 (ClairReadAhead, 1);
  self->dataset = g_object_ref (dataset);
  /* The workers read the mapping as long as they run: a copy of the column names. */
  self->mapping.task_column = g_strdup (mapping->task_column);
  self->mapping.solution_column = g_strdup (mapping->solution_column);
  self->n_rows = n_rows;
  self->units = _clair_dataset_get_read_units (dataset, min_unit_rows);
  self->packed = _clair_dataset_can_pack (dataset);
  self->n_workers = MIN (self->units->len, MAX (max_workers, 1u));
  n_chunks = self->n_workers > 1 ? N_CHUNKS_SPLIT : N_CHUNKS;

  self->workers = g_new0 (Worker, self->n_workers);
  for (guint w = 0; w < self->n_workers; w++)
    {
      Worker *worker = &self->workers[w];

      worker->owner = self;
      worker->id = w;
      worker->filled = g_async_queue_new ();
      worker->cell = g_string_new (NULL);
      worker->extra = g_string_new (NULL);
      worker->spare = g_async_queue_new ();
      /* The first reads through the dataset's own reader, the others through cursors. */
      if (w > 0)
        worker->cursor = _clair_dataset_cursor_new (dataset);
      for (guint i = 0; i < n_chunks; i++)
        {
          Chunk *chunk = g_new0 (Chunk, 1);

          chunk->worker = w;
          g_async_queue_push (worker->spare, chunk);
        }
    }
  for (guint w = 0; w < self->n_workers; w++)
    self->workers[w].thread = g_thread_new ("clair-read-ahead", read_ahead_thread,
                                            &self->workers[w]);
  return self;
}

static void
give_back (ClairReadAhead *self,
           Chunk          *chunk)
{
  g_async_queue_push (self->workers[chunk->worker].spare, chunk);
}

gboolean
clair_read_ahead_next (ClairReadAhead  *self,
                       guint           *index,
                       guint           *line,
                       const ClairRow **row,
                       const ClairRowLengths **lengths,
                       const char     **reason)
{
  Item *item;

  g_return_val_if_fail (self != NULL, FALSE);

  while (self->current == NULL || self->next == self->current->n_items)
    {
      Worker *worker;

      if (self->current != NULL)
        give_back (self, g_steal_pointer (&self->current));
      if (self->done || self->next_row >= self->n_rows)
        {
          self->done = TRUE;
          return FALSE;
        }
      while (self->unit + 1 < self->units->len && self->next_row >= unit_end (self, self->unit))
        self->unit++;
      worker = &self->workers[self->unit % self->n_workers];
      self->current = g_async_queue_pop (worker->filled);
      self->next = 0;
      if (self->current->last)
        {
          /* A worker never ends before its rows; this one did, so nothing more will come. */
          worker->done = TRUE;
          self->done = TRUE;
        }
      g_assert (self->current->n_items == 0 || self->current->items[0].index == self->next_row);
    }

  item = &self->current->items[self->next++];
  self->next_row = item->index + 1;
  *index = item->index;
  *line = item->line;
  *row = item->row;
  *lengths = &item->lengths;
  *reason = item->reason;
  return TRUE;
}

void
clair_read_ahead_free (ClairReadAhead *self)
{
  if (self == NULL)
    return;

  /* The workers stop at their next row; the chunks they still hand over are given back until
   * each one's last. */
  g_atomic_int_set (&self->stop, 1);
  if (self->current != NULL)
    give_back (self, g_steal_pointer (&self->current));
  for (guint w = 0; w < self->n_workers; w++)
    {
      Worker *worker = &self->workers[w];

      while (!worker->done)
        {
          Chunk *chunk = g_async_queue_pop (worker->filled);

          worker->done = chunk->last;
          give_back (self, chunk);
        }
      g_thread_join (worker->thread);
    }

  for (guint w = 0; w < self->n_workers; w++)
    {
      Worker *worker = &self->workers[w];
      Chunk *chunk;

      while ((chunk = g_async_queue_try_pop (worker->spare)) != NULL)
        {
          chunk_clear (chunk);
          if (chunk->text != NULL)
            g_string_free (chunk->text, TRUE);
          g_free (chunk);
        }
      g_async_queue_unref (worker->spare);
      g_async_queue_unref (worker->filled);
      g_clear_pointer (&worker->cursor, _clair_dataset_cursor_free);
      g_string_free (worker->cell, TRUE);
      g_string_free (worker->extra, TRUE);
    }
  g_free (self->workers);
  g_array_unref (self->units);
  clair_mapping_clear (&self->mapping);
  g_object_unref (self->dataset);
  g_free (self);
}
