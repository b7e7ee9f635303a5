/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-row-view"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clair-row-view.h"

/* Lists up to this many rows are filtered and sorted at once on the main thread (well under a
 * millisecond); longer ones on a worker. */
#define SYNC_LIMIT 5000

/* GTK 4.8's list views keep widgets for up to 200 rows around the row at the top of the view,
 * whether or not they are on screen. A list that grows from nothing (a project opened, a filter
 * that showed a few rows lifted) would have all of them made, bound and measured in one turn of
 * the main loop: 60–130 ms on two cores with software rendering. So while the list is short, it
 * grows by REVEAL_STEP rows a turn; past REVEAL_LIMIT, the rest comes at once (GTK makes no
 * widgets for it). "changed" is emitted when the whole list is there. The steps run before the
 * frame clock's work: behind it, they could wait as long as frames keep coming late. */
#define REVEAL_STEP  64
#define REVEAL_LIMIT 256

struct _ClairRowView
{
  GObject        parent_instance;

  ClairRowList  *rows;
  ClairRowQuery  query;
  GArray        *visible;     /* of guint positions in @rows; NULL: every row in row order */
  GArray        *inverse;     /* of guint: position in the view by position in @rows, built on demand */
  guint          n_visible;
  guint          n_announced; /* the length the list model reports: n_visible once revealed */
  guint          reveal_id;   /* the idle that announces the next rows */
  guint          generation;
  GCancellable  *cancellable; /* the recomputation running on a worker */
  GHashTable    *slots;       /* of SlotRef by position: the items handed out and still alive */
  ClairRowItem  *placeholder; /* what held slots stand for (clair_row_view_hold), made on demand */
};

enum { BEFORE_CHANGE, CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void clair_row_view_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClairRowView, clair_row_view, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, clair_row_view_model_init))

/* The query and its evaluation: pure functions of a snapshot, so they run on any thread. */

static void
query_copy (ClairRowQuery       *dest,
            const ClairRowQuery *src)
{
  *dest = *src;
  if (dest->matches != NULL)
    g_hash_table_ref (dest->matches);
}

static void
query_clear (ClairRowQuery *query)
{
  g_clear_pointer (&query->matches, g_hash_table_unref);
}

gboolean
clair_row_query_matches (const ClairRowQuery   *query,
                         const ClairRowSummary *summary,
                         gboolean               running)
{
  if (query->matches != NULL && !g_hash_table_contains (query->matches, GUINT_TO_POINTER (summary->index)))
    return FALSE;

  switch (query->filter)
    {
    case CLAIR_FILTER_PENDING:
      return summary->status == CLAIR_ROW_PENDING && !running;
    case CLAIR_FILTER_RUNNING:
      return running;
    case CLAIR_FILTER_REVISED:
      return summary->status == CLAIR_ROW_REVISED;
    case CLAIR_FILTER_FAILED:
      return summary->status == CLAIR_ROW_FAILED || summary->status == CLAIR_ROW_PARSE_FAILED;
    case CLAIR_FILTER_ACCEPTED:
      return summary->decision == CLAIR_DECISION_ACCEPTED;
    case CLAIR_FILTER_REJECTED:
      return summary->decision == CLAIR_DECISION_REJECTED;
    case CLAIR_FILTER_EDITED:
      return summary->edited;
    case CLAIR_FILTER_NOT_MINIMAL:
      return !isnan (summary->jaccard) && summary->jaccard < query->threshold;
    case CLAIR_FILTER_UNDECIDED:
      return summary->decision == CLAIR_DECISION_NONE;
    case CLAIR_FILTER_DISAGREED:
      return summary->team_state == CLAIR_TEAM_DISAGREED;
    case CLAIR_FILTER_ALL:
    default:
      return TRUE;
    }
}

/* One row as the worker sees it. */
typedef struct
{
  ClairRowSummary summary;
  guint           position;
  gboolean        running;
} Entry;

typedef struct
{
  ClairRowQuery  query;
  GArray        *entries;   /* of Entry, in row order */
  guint          generation;
  GArray        *visible;   /* the result; NULL: every row in row order */
} Job;

static void
job_free (Job *job)
{
  query_clear (&job->query);
  g_clear_pointer (&job->entries, g_array_unref);
  g_clear_pointer (&job->visible, g_array_unref);
  g_free (job);
}

static double
sort_value (const ClairRowSummary *s,
            ClairSortKey           key)
{
  switch (key)
    {
    case CLAIR_SORT_STATUS: return s->status;
    case CLAIR_SORT_SIMILARITY: return s->jaccard;
    case CLAIR_SORT_DISTANCE: return s->levenshtein_norm;
    case CLAIR_SORT_DECISION: return s->decision;
    case CLAIR_SORT_INDEX:
    case CLAIR_SORT_NONE:
    default: return s->index;
    }
}

typedef struct
{
  float  value;     /* NAN: no metric */
  guint  index;
  guint  position;
} SortRecord;

/* Rows without a metric (NAN) last in either direction; ties in row order. */
static inline int
compare_records (const SortRecord *x,
                 const SortRecord *y,
                 int               direction)
{
  if (isnan (x->value) || isnan (y->value))
    {
      if (isnan (x->value) != isnan (y->value))
        return isnan (x->value) ? 1 : -1;
    }
  else if (x->value != y->value)
    return x->value < y->value ? -direction : direction;
  return (x->index > y->index) - (x->index < y->index);
}

static int
compare_ascending (const void *a,
                   const void *b)
{
  return compare_records (a, b, 1);
}

static int
compare_descending (const void *a,
                    const void *b)
{
  return compare_records (a, b, -1);
}

static gboolean
query_is_identity (const ClairRowQuery *query)
{
  return query->filter == CLAIR_FILTER_ALL && query->matches == NULL &&
         (query->sort == CLAIR_SORT_NONE || (query->sort == CLAIR_SORT_INDEX && !query->descending));
}

/* The visible positions for @job: NULL when that is every row in row order. */
static GArray *
compute (const Job *job)
{
  const ClairRowQuery *query = &job->query;
  guint n = job->entries->len;
  GArray *visible;

  if (query_is_identity (query))
    return NULL;

  visible = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  if (query->sort == CLAIR_SORT_NONE)
    {
      for (guint i = 0; i < n; i++)
        {
          const Entry *e = &g_array_index (job->entries, Entry, i);

          if (clair_row_query_matches (query, &e->summary, e->running))
            g_array_append_val (visible, e->position);
        }
      return visible;
    }

  {
    g_autofree SortRecord *records = g_new (SortRecord, n);
    guint m = 0;

    for (guint i = 0; i < n; i++)
      {
        const Entry *e = &g_array_index (job->entries, Entry, i);

        if (!clair_row_query_matches (query, &e->summary, e->running))
          continue;
        records[m].value = sort_value (&e->summary, query->sort);
        records[m].index = e->summary.index;
        records[m].position = e->position;
        m++;
      }
    qsort (records, m, sizeof *records, query->descending ? compare_descending : compare_ascending);
    for (guint i = 0; i < m; i++)
      g_array_append_val (visible, records[i].position);
  }
  return visible;
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;

  job->visible = compute (job);
  g_task_return_boolean (task, TRUE);
}

/* The view */

static guint
n_rows (ClairRowView *self)
{
  return self->rows ? g_list_model_get_n_items (G_LIST_MODEL (self->rows)) : 0;
}

static ClairRowItem *
row_at (ClairRowView *self,
        guint         position)
{
  /* Held: the list keeps its length without rows. */
  if (self->rows == NULL)
    {
      if (self->placeholder == NULL)
        self->placeholder = clair_row_item_new (&(ClairRowSummary) { 0 });
      return self->placeholder;
    }
  if (self->visible != NULL)
    position = g_array_index (self->visible, guint, position);
  return clair_row_list_peek (self->rows, position);
}

/* The items are slots, one per position, that stand for whichever row the view puts there. When
 * the view changes, the live slots (those a list widget holds, a screenful or two) are pointed at
 * their new rows and only the difference in length is announced: GTK 4.8 tears down and rebuilds
 * the widgets of every visible row for an items-changed over them, 30–40 ms each way at 400k
 * rows, where updating the cells in place costs a few. */
typedef struct
{
  ClairRowView *view;
  ClairRowItem *slot;
  guint         position;
} SlotRef;

static void
slot_gone_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  SlotRef *ref = data;

  g_hash_table_remove (ref->view->slots, GUINT_TO_POINTER (ref->position));
}

/* Drops the slots past @n_items and points the others at the rows now at their positions.
 * The handlers of their "changed" may ask for items or let go of slots: not while walking the
 * table, and with a reference on each slot. */
static void
update_slots (ClairRowView *self,
              guint         n_items)
{
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SlotRef *ref = value;

      if (ref->position >= n_items)
        {
          g_object_weak_unref (G_OBJECT (ref->slot), slot_gone_cb, ref);
          g_hash_table_iter_remove (&iter);
          continue;
        }
      g_ptr_array_add (slots, g_object_ref (ref->slot));
      g_array_append_val (positions, ref->position);
    }
  for (guint i = 0; i < slots->len; i++)
    clair_row_item_set_slot_row (g_ptr_array_index (slots, i),
                                 row_at (self, g_array_index (positions, guint, i)));
}

/* Whether most items widgets hold are at @position or past it: GTK 4.8 keeps widgets for the
 * 200 rows around the top one shown, and a few more (the focused row and its neighbours). */
static gboolean
shown_past (ClairRowView *self,
            guint         position)
{
  GHashTableIter iter;
  gpointer key;
  guint before = 0;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (GPOINTER_TO_UINT (key) < position)
      before++;
  return before * 8 < g_hash_table_size (self->slots);
}

static int
compare_refs (gconstpointer a,
              gconstpointer b)
{
  const SlotRef *x = *(SlotRef * const *) a;
  const SlotRef *y = *(SlotRef * const *) b;

  return x->position < y->position ? -1 : x->position > y->position;
}

/* Gives the live slots, in their order, the first positions of a list now @n_items long, and
 * points them at the rows there; drops those past its end. Announced as a new list, the same
 * slots at the top are found by GTK among the items it let go of, and it moves their widgets
 * there instead of making new ones: a list starting over from its top costs a rebind, not 200
 * rows of widgets taken down and built. Returns how many slots it kept. */
static guint
move_slots_to_top (ClairRowView *self,
                   guint         n_items)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (refs, value);
  g_hash_table_steal_all (self->slots);
  g_ptr_array_sort (refs, compare_refs);
  for (guint i = 0; i < refs->len; i++)
    {
      SlotRef *ref = g_ptr_array_index (refs, i);

      if (i >= n_items)
        {
          g_object_weak_unref (G_OBJECT (ref->slot), slot_gone_cb, ref);
          g_free (ref);
          continue;
        }
      ref->position = i;
      g_hash_table_insert (self->slots, GUINT_TO_POINTER (i), ref);
      g_ptr_array_add (kept, g_object_ref (ref->slot));
    }
  /* After the table is whole again: a handler may ask for items or let go of a slot. */
  for (guint i = 0; i < kept->len; i++)
    clair_row_item_set_slot_row (g_ptr_array_index (kept, i), row_at (self, i));
  return kept->len;
}

/* Tells the list model's users that it is @n_items long now. */
static void
announce (ClairRowView *self,
          guint         n_items)
{
  guint old_n = self->n_announced;

  self->n_announced = n_items;
  if (n_items < old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), n_items, old_n - n_items, 0);
  else if (n_items > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, n_items - old_n);
}

/* How long the list may be after its next step. */
static guint
next_step (ClairRowView *self)
{
  if (self->n_announced >= REVEAL_LIMIT)
    return self->n_visible;
  return MIN (self->n_visible, self->n_announced + REVEAL_STEP);
}

static gboolean
reveal_cb (gpointer user_data)
{
  ClairRowView *self = user_data;

  announce (self, next_step (self));
  if (self->n_announced < self->n_visible)
    return G_SOURCE_CONTINUE;
  self->reveal_id = 0;
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Announces what is left of the list at once. */
static void
finish_reveal (ClairRowView *self)
{
  if (self->reveal_id == 0)
    return;
  g_clear_handle_id (&self->reveal_id, g_source_remove);
  announce (self, self->n_visible);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
apply (ClairRowView *self,
       GArray       *visible)
{
  guint new_n = visible ? visible->len : n_rows (self);
  guint first;

  if (self->n_announced == 0 && new_n == 0)
    {
      g_clear_pointer (&visible, g_array_unref);
      return;
    }
  /* Before anything changes, so handlers still see the old list. */
  g_clear_handle_id (&self->reveal_id, g_source_remove);
  g_signal_emit (self, signals[BEFORE_CHANGE], 0);
  g_clear_pointer (&self->visible, g_array_unref);
  g_clear_pointer (&self->inverse, g_array_unref);
  self->visible = visible;
  self->n_visible = new_n;
  /* When the list gets shorter than the rows on screen (it was scrolled far down), GTK would
   * keep its place at the new end and make 200 rows of widgets there, only to make them again
   * where the list is scrolled to next (its top, or the row being read): the list starts over
   * from its top instead. */
  if (new_n < self->n_announced && shown_past (self, new_n))
    {
      guint old_n = self->n_announced;
      guint n_moved = move_slots_to_top (self, new_n);

      self->n_announced = 0;
      first = MAX (n_moved, next_step (self));
      self->n_announced = first;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, first);
    }
  else
    {
      first = new_n > self->n_announced ? next_step (self) : new_n;
      update_slots (self, first);
      announce (self, first);
    }
  if (first < new_n)
    self->reveal_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, reveal_cb, self, NULL);
  else
    g_signal_emit (self, signals[CHANGED], 0);
}

void
clair_row_view_update_shown (ClairRowView *self)
{
  g_return_if_fail (CLAIR_IS_ROW_VIEW (self));

  update_slots (self, self->n_announced);
}

guint
clair_row_view_get_n_shown (ClairRowView *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_VIEW (self), 0);

  return self->n_visible;
}

ClairRowItem *
clair_row_view_peek_row (ClairRowView *self,
                         guint         position)
{
  g_return_val_if_fail (CLAIR_IS_ROW_VIEW (self), NULL);

  return position < self->n_visible ? row_at (self, position) : NULL;
}

static Job *
job_new (ClairRowView *self)
{
  Job *job = g_new0 (Job, 1);
  guint n = n_rows (self);

  query_copy (&job->query, &self->query);
  job->generation = self->generation;
  job->entries = g_array_sized_new (FALSE, FALSE, sizeof (Entry), n);
  g_array_set_size (job->entries, n);
  for (guint i = 0; i < n; i++)
    {
      ClairRowItem *item = clair_row_list_peek (self->rows, i);
      Entry *e = &g_array_index (job->entries, Entry, i);

      e->summary = *clair_row_item_get_summary (item);
      e->position = i;
      e->running = clair_row_item_get_running (item);
    }
  return job;
}

static void
computed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ClairRowView *self = CLAIR_ROW_VIEW (source);
  Job *job = g_task_get_task_data (G_TASK (result));

  /* Cancelled, or a newer query was asked for meanwhile. */
  if (!g_task_propagate_boolean (G_TASK (result), NULL) || job->generation != self->generation)
    return;
  g_clear_object (&self->cancellable);
  apply (self, g_steal_pointer (&job->visible));
}

/* Works the query out on this thread; the list may still grow over the next turns. */
static void
refresh_here (ClairRowView *self)
{
  Job *job;

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->rows == NULL)
    {
      apply (self, g_array_new (FALSE, FALSE, sizeof (guint)));
      return;
    }
  /* Every row in row order: nothing to work out. */
  if (query_is_identity (&self->query))
    {
      if (self->visible != NULL || self->n_visible != n_rows (self))
        apply (self, NULL);
      return;
    }
  job = job_new (self);
  apply (self, compute (job));
  job_free (job);
}

void
clair_row_view_refresh_now (ClairRowView *self)
{
  g_return_if_fail (CLAIR_IS_ROW_VIEW (self));

  refresh_here (self);
  finish_reveal (self);
}

void
clair_row_view_refresh (ClairRowView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CLAIR_IS_ROW_VIEW (self));

  if (n_rows (self) <= SYNC_LIMIT || query_is_identity (&self->query))
    {
      refresh_here (self);
      return;
    }
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, computed_cb, NULL);
  g_task_set_source_tag (task, clair_row_view_refresh);
  g_task_set_task_data (task, job_new (self), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, compute_thread);
}

void
clair_row_view_set_rows (ClairRowView *self,
                         ClairRowList *rows)
{
  g_return_if_fail (CLAIR_IS_ROW_VIEW (self));

  /* No rows, but held: the list empties now. */
  if (self->rows == rows && (rows != NULL || self->n_announced == 0))
    return;
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* Empty first, while the old rows can still be asked for; a held list is not, so that its
   * slots, and the widgets GTK made for them, stand for the new rows. */
  if (self->n_announced > 0 && (self->rows != NULL || rows == NULL))
    apply (self, g_array_new (FALSE, FALSE, sizeof (guint)));
  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_func (self->rows, clair_row_view_refresh, self);
  g_set_object (&self->rows, rows);
  if (rows == NULL)
    return;
  /* Rows added later (while a dataset is imported) are shown as the query decides. */
  g_signal_connect_swapped (rows, "items-changed", G_CALLBACK (clair_row_view_refresh), self);
  /* Every row at once, so the list fills while the query is worked out. */
  apply (self, NULL);
  clair_row_view_refresh (self);
}

void
clair_row_view_hold (ClairRowView *self)
{
  g_return_if_fail (CLAIR_IS_ROW_VIEW (self));

  if (self->rows == NULL)
    return;
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reveal_id, g_source_remove);
  g_signal_emit (self, signals[BEFORE_CHANGE], 0);
  g_signal_handlers_disconnect_by_func (self->rows, clair_row_view_refresh, self);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->visible, g_array_unref);
  g_clear_pointer (&self->inverse, g_array_unref);
  self->n_visible = 0;
  /* The slots let go of the old rows: they stand for the placeholder. */
  update_slots (self, self->n_announced);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
clair_row_view_set_query (ClairRowView        *self,
                          const ClairRowQuery *query)
{
  g_return_if_fail (CLAIR_IS_ROW_VIEW (self));
  g_return_if_fail (query != NULL);

  query_clear (&self->query);
  query_copy (&self->query, query);
  clair_row_view_refresh (self);
}

gboolean
clair_row_view_get_pending (ClairRowView *self)
{
  g_return_val_if_fail (CLAIR_IS_ROW_VIEW (self), FALSE);
  return self->cancellable != NULL || self->reveal_id != 0;
}

guint
clair_row_view_find (ClairRowView *self,
                     guint         index)
{
  guint position;

  g_return_val_if_fail (CLAIR_IS_ROW_VIEW (self), G_MAXUINT);

  if (self->rows == NULL || (position = clair_row_list_find_position (self->rows, index)) == G_MAXUINT)
    return G_MAXUINT;
  if (self->visible == NULL)
    return position < self->n_announced ? position : G_MAXUINT;
  if (self->inverse == NULL)
    {
      guint n = n_rows (self);

      self->inverse = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
      g_array_set_size (self->inverse, n);
      memset (self->inverse->data, 0xff, (gsize) n * sizeof (guint));
      for (guint i = 0; i < self->visible->len; i++)
        g_array_index (self->inverse, guint, g_array_index (self->visible, guint, i)) = i;
    }
  position = g_array_index (self->inverse, guint, position);
  return position < self->n_announced ? position : G_MAXUINT;
}

/* GListModel */

static GType
clair_row_view_get_item_type (GListModel *model)
{
  return CLAIR_TYPE_ROW_ITEM;
}

static guint
clair_row_view_get_n_items (GListModel *model)
{
  return CLAIR_ROW_VIEW (model)->n_announced;
}

static gpointer
clair_row_view_get_item (GListModel *model,
                         guint       position)
{
  ClairRowView *self = CLAIR_ROW_VIEW (model);
  SlotRef *ref;

  if (position >= self->n_announced)
    return NULL;
  if ((ref = g_hash_table_lookup (self->slots, GUINT_TO_POINTER (position))) != NULL)
    return g_object_ref (ref->slot);
  ref = g_new (SlotRef, 1);
  ref->view = self;
  ref->position = position;
  ref->slot = clair_row_item_new_slot (row_at (self, position));
  g_object_weak_ref (G_OBJECT (ref->slot), slot_gone_cb, ref);
  g_hash_table_insert (self->slots, GUINT_TO_POINTER (position), ref);
  return ref->slot;
}

static void
clair_row_view_model_init (GListModelInterface *iface)
{
  iface->get_item_type = clair_row_view_get_item_type;
  iface->get_n_items = clair_row_view_get_n_items;
  iface->get_item = clair_row_view_get_item;
}

/* GObject */

static void
clair_row_view_dispose (GObject *object)
{
  ClairRowView *self = CLAIR_ROW_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reveal_id, g_source_remove);
  G_OBJECT_CLASS (clair_row_view_parent_class)->dispose (object);
}

static void
clair_row_view_finalize (GObject *object)
{
  ClairRowView *self = CLAIR_ROW_VIEW (object);

  /* Slots outlive the view when a widget still holds them: they stop reporting to it. */
  update_slots (self, 0);
  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_func (self->rows, clair_row_view_refresh, self);
  g_clear_pointer (&self->slots, g_hash_table_unref);
  g_clear_object (&self->rows);
  g_clear_object (&self->placeholder);
  g_clear_pointer (&self->visible, g_array_unref);
  g_clear_pointer (&self->inverse, g_array_unref);
  query_clear (&self->query);
  G_OBJECT_CLASS (clair_row_view_parent_class)->finalize (object);
}

static void
clair_row_view_class_init (ClairRowViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clair_row_view_dispose;
  object_class->finalize = clair_row_view_finalize;

  /* Emitted just before the whole list changes: a selection model over the view does far less
   * work (none per row) when nothing is selected at that moment. */
  signals[BEFORE_CHANGE] = g_signal_new ("before-change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Emitted after the list changed: positions may now hold other rows even when the length, and
   * so "items-changed", did not change. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
clair_row_view_init (ClairRowView *self)
{
  self->query.filter = CLAIR_FILTER_ALL;
  self->query.sort = CLAIR_SORT_NONE;
  self->slots = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

ClairRowView *
clair_row_view_new (void)
{
  return g_object_new (CLAIR_TYPE_ROW_VIEW, NULL);
}
