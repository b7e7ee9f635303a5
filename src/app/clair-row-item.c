/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-row-item"

#include "config.h"

#include <math.h>

#include "clair-row-item.h"

struct _ClairRowItem
{
  GObject          parent_instance;
  ClairRowSummary  summary;
  char            *task;
  guint            task_requested : 1;
  guint            running : 1;
  ClairRowItem    *row;           /* a slot: the row it stands for */
  gulong           row_handler;
};

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClairRowItem, clair_row_item, G_TYPE_OBJECT)

/* A slot answers for the row it stands for, and is the only kind of item that stands for another. */
#define ROW(self) ((self)->row != NULL ? (self)->row : (self))

static void
clair_row_item_finalize (GObject *object)
{
  ClairRowItem *self = CLAIR_ROW_ITEM (object);

  if (self->row != NULL)
    g_clear_signal_handler (&self->row_handler, self->row);
  g_clear_object (&self->row);
  g_clear_pointer (&self->task, g_free);
  G_OBJECT_CLASS (clair_row_item_parent_class)->finalize (object);
}

static void
clair_row_item_class_init (ClairRowItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clair_row_item_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
clair_row_item_init (ClairRowItem *self)
{
}

ClairRowItem *
clair_row_item_new (const ClairRowSummary *summary)
{
  ClairRowItem *self;

  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (CLAIR_TYPE_ROW_ITEM, NULL);
  self->summary = *summary;
  return self;
}

static void
row_changed_cb (ClairRowItem *row,
                ClairRowItem *slot)
{
  g_signal_emit (slot, signals[CHANGED], 0);
}

ClairRowItem *
clair_row_item_new_slot (ClairRowItem *row)
{
  ClairRowItem *self;

  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (row), NULL);
  g_return_val_if_fail (row->row == NULL, NULL);

  self = g_object_new (CLAIR_TYPE_ROW_ITEM, NULL);
  self->row = g_object_ref (row);
  self->row_handler = g_signal_connect (row, "changed", G_CALLBACK (row_changed_cb), self);
  return self;
}

void
clair_row_item_set_slot_row (ClairRowItem *self,
                             ClairRowItem *row)
{
  g_return_if_fail (CLAIR_IS_ROW_ITEM (self));
  g_return_if_fail (self->row != NULL);
  g_return_if_fail (CLAIR_IS_ROW_ITEM (row) && row->row == NULL);

  if (self->row != row)
    {
      g_clear_signal_handler (&self->row_handler, self->row);
      g_set_object (&self->row, row);
      self->row_handler = g_signal_connect (row, "changed", G_CALLBACK (row_changed_cb), self);
    }
  /* Even for the same row: what the cells show may depend on more than the row (a search). */
  g_signal_emit (self, signals[CHANGED], 0);
}

const ClairRowSummary *
clair_row_item_get_summary (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), NULL);
  self = ROW (self);
  return &self->summary;
}

guint
clair_row_item_get_index (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), 0);
  self = ROW (self);
  return self->summary.index;
}

ClairRowStatus
clair_row_item_get_status (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), CLAIR_ROW_PENDING);
  self = ROW (self);
  return self->summary.status;
}

ClairDecision
clair_row_item_get_decision (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), CLAIR_DECISION_NONE);
  self = ROW (self);
  return self->summary.decision;
}

gboolean
clair_row_item_get_edited (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), FALSE);
  self = ROW (self);
  return self->summary.edited != 0;
}

double
clair_row_item_get_jaccard (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), NAN);
  self = ROW (self);
  return self->summary.jaccard;
}

double
clair_row_item_get_distance (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), NAN);
  self = ROW (self);
  return self->summary.levenshtein_norm;
}

void
clair_row_item_set_summary (ClairRowItem          *self,
                            const ClairRowSummary *summary)
{
  g_return_if_fail (CLAIR_IS_ROW_ITEM (self));
  self = ROW (self);
  g_return_if_fail (summary != NULL);

  if (memcmp (&self->summary, summary, sizeof *summary) == 0)
    return;
  self->summary = *summary;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
clair_row_item_set_decision (ClairRowItem  *self,
                             ClairDecision  decision,
                             gboolean       edited)
{
  g_return_if_fail (CLAIR_IS_ROW_ITEM (self));
  self = ROW (self);

  if (self->summary.decision == decision && self->summary.edited == !!edited)
    return;
  self->summary.decision = decision;
  self->summary.edited = !!edited;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
clair_row_item_get_running (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), FALSE);
  self = ROW (self);
  return self->running;
}

void
clair_row_item_set_running (ClairRowItem *self,
                            gboolean      running)
{
  g_return_if_fail (CLAIR_IS_ROW_ITEM (self));
  self = ROW (self);

  if (self->running == !!running)
    return;
  self->running = !!running;
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
clair_row_item_get_task (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), NULL);
  self = ROW (self);
  return self->task;
}

void
clair_row_item_set_task (ClairRowItem *self,
                         const char   *task)
{
  g_return_if_fail (CLAIR_IS_ROW_ITEM (self));
  self = ROW (self);

  if (g_strcmp0 (self->task, task) == 0)
    return;
  g_free (self->task);
  self->task = g_strdup (task);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
clair_row_item_get_task_requested (ClairRowItem *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_ITEM (self), FALSE);
  self = ROW (self);
  return self->task_requested;
}

void
clair_row_item_set_task_requested (ClairRowItem *self,
                                   gboolean      requested)
{
  g_return_if_fail (CLAIR_IS_ROW_ITEM (self));
  self = ROW (self);
  self->task_requested = !!requested;
}

/* The list: a plain array of items, indexed by row. */

struct _ClairRowList
{
  GObject    parent_instance;
  GPtrArray *items;
};

static GType
clair_row_list_get_item_type (GListModel *model)
{
  return CLAIR_TYPE_ROW_ITEM;
}

static guint
clair_row_list_get_n_items (GListModel *model)
{
  return CLAIR_ROW_LIST (model)->items->len;
}

static gpointer
clair_row_list_get_item (GListModel *model,
                         guint       position)
{
  ClairRowList *self = CLAIR_ROW_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
clair_row_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = clair_row_list_get_item_type;
  iface->get_n_items = clair_row_list_get_n_items;
  iface->get_item = clair_row_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ClairRowList, clair_row_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, clair_row_list_model_init))

static void
clair_row_list_finalize (GObject *object)
{
  ClairRowList *self = CLAIR_ROW_LIST (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  G_OBJECT_CLASS (clair_row_list_parent_class)->finalize (object);
}

static void
clair_row_list_class_init (ClairRowListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = clair_row_list_finalize;
}

static void
clair_row_list_init (ClairRowList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Safe to call from a worker thread: the list is not shared until it is returned. */
ClairRowList *
clair_row_list_new (GArray *summaries)
{
  ClairRowList *self = g_object_new (CLAIR_TYPE_ROW_LIST, NULL);

  if (summaries == NULL)
    return self;
  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; i < summaries->len; i++)
    g_ptr_array_add (self->items,
                     clair_row_item_new (&g_array_index (summaries, ClairRowSummary, i)));
  return self;
}

static void
new_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  g_task_return_pointer (task, clair_row_list_new (task_data), g_object_unref);
}

void
clair_row_list_new_async (GArray              *summaries,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (summaries != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_row_list_new_async);
  g_task_set_task_data (task, g_array_ref (summaries), (GDestroyNotify) g_array_unref);
  g_task_run_in_thread (task, new_thread);
}

ClairRowList *
clair_row_list_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == clair_row_list_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
unref_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_object_unref (task_data);
}

void
clair_row_list_unref_in_thread (ClairRowList *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self == NULL || CLAIR_IS_ROW_LIST (self));

  if (self == NULL)
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, clair_row_list_unref_in_thread);
  g_task_set_task_data (task, self, NULL);
  g_task_run_in_thread (task, unref_thread);
}

void
clair_row_list_append (ClairRowList *self,
                       ClairRowList *more)
{
  guint old_n;
  gint64 last;

  g_return_if_fail (CLAIR_IS_ROW_LIST (self));
  g_return_if_fail (CLAIR_IS_ROW_LIST (more));

  old_n = self->items->len;
  last = old_n > 0 ? (gint64) ((ClairRowItem *) g_ptr_array_index (self->items, old_n - 1))->summary.index : -1;
  for (guint i = 0; i < more->items->len; i++)
    {
      ClairRowItem *item = g_ptr_array_index (more->items, i);

      /* Index order is what find_position relies on: rows already listed are not added twice. */
      if ((gint64) item->summary.index <= last)
        continue;
      g_ptr_array_add (self->items, g_object_ref (item));
      last = item->summary.index;
    }
  if (self->items->len > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, self->items->len - old_n);
}

guint
clair_row_list_last_index (ClairRowList *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST (self), G_MAXUINT);

  if (self->items->len == 0)
    return G_MAXUINT;
  return ((ClairRowItem *) g_ptr_array_index (self->items, self->items->len - 1))->summary.index;
}

guint
clair_row_list_find_position (ClairRowList *self,
                              guint         index)
{
  guint lo = 0, hi;

  g_return_val_if_fail (CLAIR_IS_ROW_LIST (self), G_MAXUINT);

  /* Rows are stored in index order, so the position is the index unless rows skipped at import
   * left gaps; then a binary search finds it. */
  if (index < self->items->len &&
      ((ClairRowItem *) g_ptr_array_index (self->items, index))->summary.index == index)
    return index;
  hi = MIN (self->items->len, (guint) MIN ((guint64) index + 1, G_MAXUINT));
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      ClairRowItem *item = g_ptr_array_index (self->items, mid);

      if (item->summary.index == index)
        return mid;
      if (item->summary.index < index)
        lo = mid + 1;
      else
        hi = mid;
    }
  return G_MAXUINT;
}

ClairRowItem *
clair_row_list_lookup (ClairRowList *self,
                       guint         index)
{
  guint position = clair_row_list_find_position (self, index);

  return position == G_MAXUINT ? NULL : g_ptr_array_index (self->items, position);
}

ClairRowItem *
clair_row_list_peek (ClairRowList *self,
                     guint         position)
{
  g_return_val_if_fail (CLAIR_IS_ROW_LIST (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);

  return g_ptr_array_index (self->items, position);
}
