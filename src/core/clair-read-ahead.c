/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-dataset"

#include "config.h"

#include <string.h>

#include "clair-read-ahead.h"

/* Rows travel in chunks, so that the two threads meet once per chunk rather than once per row;
 * a few chunks in flight keep both busy while bounding the memory to a few hundred rows. */
#define CHUNK_ROWS 64
#define N_CHUNKS   4

typedef struct
{
  guint     index;
  guint     line;
  ClairRow *row;
  ClairRowLengths lengths;
  char     *reason;
} Item;

typedef struct
{
  guint    n_items;
  gboolean last;      /* the worker's final chunk (possibly empty) */
  Item     items[CHUNK_ROWS];
} Chunk;

struct _ClairReadAhead
{
  ClairDataset *dataset;
  ClairMapping  mapping;
  guint         n_rows;
  GThread      *thread;
  GAsyncQueue  *filled;   /* chunks of rows, in order, for the caller */
  GAsyncQueue  *spare;    /* chunks the caller is done with, for the worker */
  gint          stop;
  Chunk        *current;  /* the chunk being handed out */
  guint         next;     /* its next item */
  gboolean      done;     /* the last chunk was taken */
};

static void
chunk_clear (Chunk *chunk)
{
  for (guint i = 0; i < chunk->n_items; i++)
    {
      g_clear_pointer (&chunk->items[i].row, clair_row_free);
      g_clear_pointer (&chunk->items[i].reason, g_free);
    }
  chunk->n_items = 0;
  chunk->last = FALSE;
}

static gpointer
read_ahead_thread (gpointer data)
{
  ClairReadAhead *self = data;
  guint index = 0;

  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (self->spare);

      /* The rows the caller has seen are freed here, on the thread that allocated them. */
      chunk_clear (chunk);
      while (chunk->n_items < CHUNK_ROWS && index < self->n_rows && !g_atomic_int_get (&self->stop))
        {
          Item *item = &chunk->items[chunk->n_items++];
          g_autoptr(GError) error = NULL;

          item->index = index;
          item->row = clair_dataset_read_row (self->dataset, index, &self->mapping, &error);
          if (item->row == NULL)
            {
              item->line = clair_dataset_get_row_line (self->dataset, index);
              item->reason = g_strdup (error->message);
            }
          else
            {
              item->lengths.task = strlen (item->row->task);
              item->lengths.solution = strlen (item->row->solution);
              item->lengths.extra_json = item->row->extra_json ? strlen (item->row->extra_json) : 0;
            }
          index++;
        }
      chunk->last = index >= self->n_rows || g_atomic_int_get (&self->stop);
      g_async_queue_push (self->filled, chunk);
      if (chunk->last)
        return NULL;
    }
}

ClairReadAhead *
clair_read_ahead_new (ClairDataset       *dataset,
                      const ClairMapping *mapping,
                      guint               n_rows)
{
  ClairReadAhead *self;

  g_return_val_if_fail (CLAIR_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (mapping != NULL, NULL);

  self = g_new0 (ClairReadAhead, 1);
  self->dataset = g_object_ref (dataset);
  /* The worker reads the mapping as long as it runs: its own copy of the column names. */
  self->mapping.task_column = g_strdup (mapping->task_column);
  self->mapping.solution_column = g_strdup (mapping->solution_column);
  self->n_rows = n_rows;
  self->filled = g_async_queue_new ();
  self->spare = g_async_queue_new ();
  for (guint i = 0; i < N_CHUNKS; i++)
    g_async_queue_push (self->spare, g_new0 (Chunk, 1));
  self->thread = g_thread_new ("clair-read-ahead", read_ahead_thread, self);
  return self;
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
      if (self->current != NULL)
        {
          gboolean last = self->current->last;

          g_async_queue_push (self->spare, g_steal_pointer (&self->current));
          if (last)
            self->done = TRUE;
        }
      if (self->done)
        return FALSE;
      self->current = g_async_queue_pop (self->filled);
      self->next = 0;
    }

  item = &self->current->items[self->next++];
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
  Chunk *chunk;

  if (self == NULL)
    return;

  /* The worker stops at its next row; the chunks it still hands over are dropped until its last. */
  g_atomic_int_set (&self->stop, 1);
  while (!self->done)
    {
      if (self->current == NULL)
        self->current = g_async_queue_pop (self->filled);
      self->done = self->current->last;
      g_async_queue_push (self->spare, g_steal_pointer (&self->current));
    }
  if (self->current != NULL)
    g_async_queue_push (self->spare, g_steal_pointer (&self->current));
  g_thread_join (self->thread);

  while ((chunk = g_async_queue_try_pop (self->spare)) != NULL)
    {
      chunk_clear (chunk);
      g_free (chunk);
    }
  g_async_queue_unref (self->spare);
  g_async_queue_unref (self->filled);
  clair_mapping_clear (&self->mapping);
  g_object_unref (self->dataset);
  g_free (self);
}
