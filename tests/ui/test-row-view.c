/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-row-view"

#include "config.h"

#include <math.h>

#include "clair-row-view.h"

/* ClairRowView hands out slots: one item per position that stands for whichever row the view
 * puts there. These tests hold slots as a list widget would, change the query, and check what
 * the slots, "items-changed" and "changed" report. No display is needed. */

typedef struct
{
  guint position, removed, added;
  guint n_signals;
} ItemsChanged;

static void
items_changed_cb (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record)
{
  record->position = position;
  record->removed = removed;
  record->added = added;
  record->n_signals++;
}

static void
count_cb (gpointer  object,
          guint    *count)
{
  (*count)++;
}

/* Row i has similarity (i % 10) / 10, except every seventh row, which has none yet. */
static ClairRowList *
make_rows_from (guint first,
                guint n)
{
  g_autoptr(GArray) summaries = g_array_sized_new (FALSE, TRUE, sizeof (ClairRowSummary), n);

  for (guint i = first; i < first + n; i++)
    {
      ClairRowSummary s = { 0 };

      s.index = i;
      s.status = i % 7 == 6 ? CLAIR_ROW_PENDING : CLAIR_ROW_REVISED;
      s.jaccard = i % 7 == 6 ? NAN : (i % 10) / 10.0f;
      s.levenshtein_norm = i % 7 == 6 ? NAN : 1.0f - s.jaccard;
      g_array_append_val (summaries, s);
    }
  return clair_row_list_new (summaries);
}

static ClairRowList *
make_rows (guint n)
{
  return make_rows_from (0, n);
}

static guint
index_at (ClairRowView *view,
          guint         position)
{
  g_autoptr(ClairRowItem) item = g_list_model_get_item (G_LIST_MODEL (view), position);

  g_assert_nonnull (item);
  return clair_row_item_get_index (item);
}

static void
wait_until_applied (ClairRowView *view)
{
  while (clair_row_view_get_pending (view))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_slots_follow_the_query (void)
{
  g_autoptr(ClairRowList) rows = make_rows (20);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(ClairRowItem) first = NULL;
  g_autoptr(ClairRowItem) last = NULL;
  g_autoptr(ClairRowItem) again = NULL;
  ItemsChanged record = { 0 };
  guint first_changed = 0, view_changed = 0, expected = 0;
  ClairRowQuery query = { CLAIR_FILTER_NOT_MINIMAL, 0.35, NULL, CLAIR_SORT_NONE, FALSE };

  clair_row_view_set_rows (view, rows);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 20);
  first = g_list_model_get_item (G_LIST_MODEL (view), 0);
  last = g_list_model_get_item (G_LIST_MODEL (view), 19);
  g_assert_cmpuint (clair_row_item_get_index (first), ==, 0);
  g_assert_cmpuint (clair_row_item_get_index (last), ==, 19);
  /* A slot is not the row, but answers for it. */
  g_assert_true (first != clair_row_list_lookup (rows, 0));
  g_assert_true (clair_row_item_get_summary (first) == clair_row_item_get_summary (clair_row_list_lookup (rows, 0)));

  g_signal_connect (view, "items-changed", G_CALLBACK (items_changed_cb), &record);
  g_signal_connect (view, "changed", G_CALLBACK (count_cb), &view_changed);
  g_signal_connect (first, "changed", G_CALLBACK (count_cb), &first_changed);

  /* Similarity below 0.35: rows 0–3 and 10–13, less row 13 (no metric). */
  clair_row_view_set_query (view, &query);
  for (guint i = 0; i < 20; i++)
    if (i % 7 != 6 && (i % 10) / 10.0f < 0.35f)
      expected++;
  g_assert_cmpuint (expected, ==, 7);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, expected);
  /* Only the shortening is announced, once; the positions kept are updated in place. */
  g_assert_cmpuint (record.n_signals, ==, 1);
  g_assert_cmpuint (record.position, ==, expected);
  g_assert_cmpuint (record.removed, ==, 20 - expected);
  g_assert_cmpuint (record.added, ==, 0);
  g_assert_cmpuint (view_changed, ==, 1);
  g_assert_cmpuint (first_changed, >=, 1);
  /* The slot held at position 0 is still the item there. */
  again = g_list_model_get_item (G_LIST_MODEL (view), 0);
  g_assert_true (again == first);
  g_assert_cmpuint (index_at (view, 6), ==, 12);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (view), expected));

  /* Sorted by similarity, most similar first: same length, so no "items-changed", yet every
   * position holds another row, and the slot at 0 says so. */
  record.n_signals = 0;
  first_changed = 0;
  query.sort = CLAIR_SORT_SIMILARITY;
  query.descending = TRUE;
  clair_row_view_set_query (view, &query);
  g_assert_cmpuint (record.n_signals, ==, 0);
  g_assert_cmpuint (view_changed, ==, 2);
  g_assert_cmpuint (first_changed, ==, 1);
  g_assert_cmpuint (clair_row_item_get_index (first), ==, 3);
  g_assert_cmpuint (index_at (view, 1), ==, 2);   /* 0.2, ties in row order */
  g_assert_cmpuint (index_at (view, 6), ==, 10);
  g_assert_true (clair_row_view_peek_row (view, 0) == clair_row_list_lookup (rows, 3));
  g_assert_null (clair_row_view_peek_row (view, expected));
  g_assert_cmpuint (clair_row_view_find (view, 12), ==, 2);
  g_assert_cmpuint (clair_row_view_find (view, 19), ==, G_MAXUINT);

  /* Everything again, in row order: the list grows by what it lost, announced once. The slot
   * dropped at position 19 still answers for its old row; a new one takes its place. */
  record.n_signals = 0;
  query.filter = CLAIR_FILTER_ALL;
  query.sort = CLAIR_SORT_NONE;
  query.descending = FALSE;
  clair_row_view_set_query (view, &query);
  g_assert_cmpuint (record.n_signals, ==, 1);
  g_assert_cmpuint (record.position, ==, expected);
  g_assert_cmpuint (record.removed, ==, 0);
  g_assert_cmpuint (record.added, ==, 20 - expected);
  g_assert_cmpuint (clair_row_item_get_index (first), ==, 0);
  g_assert_cmpuint (clair_row_item_get_index (last), ==, 19);
  {
    g_autoptr(ClairRowItem) new_last = g_list_model_get_item (G_LIST_MODEL (view), 19);

    g_assert_true (new_last != last);
    g_assert_cmpuint (clair_row_item_get_index (new_last), ==, 19);
  }
}

static void
test_slot_forwards (void)
{
  g_autoptr(ClairRowList) rows = make_rows (10);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(ClairRowItem) slot = NULL;
  ClairRowItem *row;
  guint changed = 0;

  clair_row_view_set_rows (view, rows);
  slot = g_list_model_get_item (G_LIST_MODEL (view), 4);
  row = clair_row_list_lookup (rows, 4);
  g_signal_connect (slot, "changed", G_CALLBACK (count_cb), &changed);

  /* A change to the row reaches the cells bound to its slot. */
  clair_row_item_set_decision (row, CLAIR_DECISION_ACCEPTED, TRUE);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (clair_row_item_get_decision (slot), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_true (clair_row_item_get_edited (slot));

  /* A change through the slot lands on the row. */
  clair_row_item_set_task (slot, "Name the planets.");
  clair_row_item_set_task_requested (slot, TRUE);
  clair_row_item_set_running (slot, TRUE);
  g_assert_cmpstr (clair_row_item_get_task (row), ==, "Name the planets.");
  g_assert_true (clair_row_item_get_task_requested (row));
  g_assert_true (clair_row_item_get_running (row));
  g_assert_cmpuint (changed, ==, 3);

  /* The cells show more than the row (a search highlight): update_shown tells them. */
  clair_row_view_update_shown (view);
  g_assert_cmpuint (changed, ==, 4);

  /* Pointed at another row, the slot stops hearing from the first. */
  {
    ClairRowQuery query = { CLAIR_FILTER_ALL, 0, NULL, CLAIR_SORT_INDEX, TRUE };

    clair_row_view_set_query (view, &query);
  }
  g_assert_cmpuint (clair_row_item_get_index (slot), ==, 5);
  changed = 0;
  clair_row_item_set_decision (row, CLAIR_DECISION_REJECTED, FALSE);
  g_assert_cmpuint (changed, ==, 0);
  clair_row_item_set_decision (clair_row_list_lookup (rows, 5), CLAIR_DECISION_SKIPPED, FALSE);
  g_assert_cmpuint (changed, ==, 1);
}

static void
test_slots_outlive_the_view (void)
{
  g_autoptr(ClairRowList) rows = make_rows (10);
  ClairRowView *view = clair_row_view_new ();
  g_autoptr(ClairRowItem) slot = NULL;
  ClairRowItem *transient;
  guint changed = 0;

  clair_row_view_set_rows (view, rows);
  slot = g_list_model_get_item (G_LIST_MODEL (view), 2);
  /* Items nobody holds are let go of; asking again makes a new one that answers the same. */
  transient = g_list_model_get_item (G_LIST_MODEL (view), 3);
  g_object_add_weak_pointer (G_OBJECT (transient), (gpointer *) &transient);
  g_object_unref (transient);
  g_assert_null (transient);
  g_assert_cmpuint (index_at (view, 3), ==, 3);

  g_object_unref (view);
  /* The slot still answers for its row, and still hears from it. */
  g_signal_connect (slot, "changed", G_CALLBACK (count_cb), &changed);
  clair_row_item_set_running (clair_row_list_lookup (rows, 2), TRUE);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (clair_row_item_get_index (slot), ==, 2);
}

/* Past a few thousand rows the order is worked out on a worker thread; the slots follow when
 * it is applied, not before. */
static void
test_slots_follow_worker (void)
{
  const guint n = 12000;
  g_autoptr(ClairRowList) rows = make_rows (n);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(ClairRowItem) first = NULL;
  ClairRowQuery query = { CLAIR_FILTER_NOT_MINIMAL, 0.15, NULL, CLAIR_SORT_DISTANCE, FALSE };
  guint expected = 0;

  clair_row_view_set_rows (view, rows);
  wait_until_applied (view);
  first = g_list_model_get_item (G_LIST_MODEL (view), 0);
  clair_row_view_set_query (view, &query);
  g_assert_true (clair_row_view_get_pending (view));
  g_assert_cmpuint (clair_row_item_get_index (first), ==, 0);
  wait_until_applied (view);

  for (guint i = 0; i < n; i++)
    if (i % 7 != 6 && (i % 10) / 10.0f < 0.15f)
      expected++;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, expected);
  /* Least distance first: similarity 0.1 (distance 0.9) before 0.0; ties in row order. */
  g_assert_cmpuint (clair_row_item_get_index (first), ==, 1);
  g_assert_cmpfloat (clair_row_item_get_distance (first), <=,
                     clair_row_item_get_distance (clair_row_view_peek_row (view, expected - 1)));
  for (guint i = 1; i < expected; i++)
    {
      ClairRowItem *a = clair_row_view_peek_row (view, i - 1);
      ClairRowItem *b = clair_row_view_peek_row (view, i);

      g_assert_cmpfloat (clair_row_item_get_distance (a), <=, clair_row_item_get_distance (b));
      if (clair_row_item_get_distance (a) == clair_row_item_get_distance (b))
        g_assert_cmpuint (clair_row_item_get_index (a), <, clair_row_item_get_index (b));
    }
}

/* Rows appended to the list (a dataset still being imported) show up as the query decides, on
 * the worker too, without taking the slots shown. */
static void
test_rows_appended (void)
{
  g_autoptr(ClairRowList) rows = make_rows (10);
  g_autoptr(ClairRowList) more = make_rows (20000);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(ClairRowItem) first = NULL;
  g_autoptr(GArray) tail = g_array_new (FALSE, FALSE, sizeof (ClairRowSummary));
  g_autoptr(ClairRowList) tail_rows = NULL;
  ItemsChanged record = { 0 };
  ClairRowQuery query = { CLAIR_FILTER_NOT_MINIMAL, 0.15, NULL, CLAIR_SORT_NONE, FALSE };

  clair_row_view_set_rows (view, rows);
  first = g_list_model_get_item (G_LIST_MODEL (view), 0);
  g_signal_connect (view, "items-changed", G_CALLBACK (items_changed_cb), &record);

  /* Rows 10–99, and again 5–99: those already listed are not added twice. */
  for (guint i = 5; i < 100; i++)
    g_array_append_val (tail, *clair_row_item_get_summary (clair_row_list_peek (more, i)));
  tail_rows = clair_row_list_new (tail);
  clair_row_list_append (rows, tail_rows);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 100);
  g_assert_cmpuint (clair_row_list_last_index (rows), ==, 99);
  g_assert_cmpuint (clair_row_list_find_position (rows, 57), ==, 57);
  /* A short list grows 64 rows a turn. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 74);
  g_assert_cmpuint (record.position, ==, 10);
  g_assert_cmpuint (record.added, ==, 64);
  wait_until_applied (view);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 100);
  g_assert_cmpuint (record.position, ==, 74);
  g_assert_cmpuint (record.added, ==, 26);
  g_assert_cmpuint (record.removed, ==, 0);
  g_assert_cmpuint (clair_row_item_get_index (first), ==, 0);

  /* Filtered: only the new rows that pass are added. */
  clair_row_view_set_query (view, &query);
  g_array_set_size (tail, 0);
  for (guint i = 100; i < 20000; i++)
    g_array_append_val (tail, *clair_row_item_get_summary (clair_row_list_peek (more, i)));
  g_clear_object (&tail_rows);
  tail_rows = clair_row_list_new (tail);
  clair_row_list_append (rows, tail_rows);
  wait_until_applied (view);
  {
    guint expected = 0;

    for (guint i = 0; i < 20000; i++)
      if (i % 7 != 6 && (i % 10) / 10.0f < 0.15f)
        expected++;
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, expected);
  }
  g_assert_cmpuint (clair_row_item_get_index (clair_row_view_peek_row (view, 0)), ==, 0);
  g_assert_cmpuint (clair_row_item_get_index (clair_row_view_peek_row (view, 2)), ==, 10);

  /* Back to every row: at once, no worker needed. */
  query.filter = CLAIR_FILTER_ALL;
  clair_row_view_set_query (view, &query);
  g_assert_false (clair_row_view_get_pending (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 20000);
}

/* A list that grows from nothing is announced a few dozen rows a turn until it is a few hundred
 * long, then whole; "changed" comes once, at the end; rows not announced yet are not found. */
static void
test_reveal_in_steps (void)
{
  g_autoptr(ClairRowList) rows = make_rows (1000);
  g_autoptr(ClairRowList) few = make_rows_from (1000, 30);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (guint));
  ItemsChanged record = { 0 };
  guint view_changed = 0;

  g_signal_connect (view, "items-changed", G_CALLBACK (items_changed_cb), &record);
  g_signal_connect (view, "changed", G_CALLBACK (count_cb), &view_changed);
  clair_row_view_set_rows (view, rows);
  g_assert_true (clair_row_view_get_pending (view));
  g_assert_cmpuint (view_changed, ==, 0);
  g_assert_cmpuint (clair_row_view_find (view, 10), ==, 10);
  g_assert_cmpuint (clair_row_view_find (view, 500), ==, G_MAXUINT);
  g_assert_true (clair_row_view_peek_row (view, 500) == clair_row_list_lookup (rows, 500));
  g_assert_cmpuint (clair_row_view_get_n_shown (view), ==, 1000);
  while (clair_row_view_get_pending (view))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (view));

      g_array_append_val (steps, n);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (steps->len, ==, 4);
  g_assert_cmpuint (g_array_index (steps, guint, 0), ==, 64);
  g_assert_cmpuint (g_array_index (steps, guint, 1), ==, 128);
  g_assert_cmpuint (g_array_index (steps, guint, 2), ==, 192);
  g_assert_cmpuint (g_array_index (steps, guint, 3), ==, 256);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 1000);
  g_assert_cmpuint (record.position, ==, 256);
  g_assert_cmpuint (record.added, ==, 744);
  g_assert_cmpuint (view_changed, ==, 1);
  g_assert_cmpuint (clair_row_view_find (view, 500), ==, 500);

  /* A list already a few hundred long grows at once. */
  clair_row_list_append (rows, few);
  g_assert_false (clair_row_view_get_pending (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 1030);
  g_assert_cmpuint (view_changed, ==, 2);

  /* Asked for now, the list is whole at once. */
  clair_row_view_set_rows (view, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 0);
  clair_row_view_set_rows (view, rows);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 64);
  clair_row_view_refresh_now (view);
  g_assert_false (clair_row_view_get_pending (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 1030);
  g_assert_cmpuint (clair_row_view_find (view, 1029), ==, 1029);
}

/* A list that shrinks past the slots held (a list widget scrolled far down) starts over from its
 * top, and the slots held move there in their order, pointing at the rows now there: a list
 * widget finds them among the items it let go of and keeps their widgets. */
static void
test_shrink_moves_slots_to_top (void)
{
  g_autoptr(ClairRowList) rows = make_rows (1000);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  ItemsChanged record = { 0 };
  guint view_changed = 0;
  ClairRowQuery query = { CLAIR_FILTER_NOT_MINIMAL, 0.15, NULL, CLAIR_SORT_NONE, FALSE };
  guint expected = 0;

  clair_row_view_set_rows (view, rows);
  wait_until_applied (view);
  /* A screenful far down (positions 900–979), and the focused row at 2. */
  for (guint i = 900; i < 980; i++)
    g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (view), i));
  g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (view), 2));
  g_signal_connect (view, "items-changed", G_CALLBACK (items_changed_cb), &record);
  g_signal_connect (view, "changed", G_CALLBACK (count_cb), &view_changed);

  /* Similarity below 0.15, no pending row: a tenth of the rows, less every seventh. */
  clair_row_view_set_query (view, &query);
  for (guint i = 0; i < 1000; i++)
    if (i % 7 != 6 && (i % 10) / 10.0f < 0.15f)
      expected++;
  g_assert_cmpuint (record.n_signals, ==, 1);
  g_assert_cmpuint (record.position, ==, 0);
  g_assert_cmpuint (record.removed, ==, 1000);
  g_assert_cmpuint (record.added, ==, 81);
  /* In their order: the focused row's slot first, then the screenful. */
  for (guint i = 0; i < 81; i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (G_LIST_MODEL (view), i);
      ClairRowItem *was = g_ptr_array_index (held, i == 0 ? 80 : i - 1);

      g_assert_true (item == was);
      g_assert_cmpuint (clair_row_item_get_index (item), ==, clair_row_item_get_index (clair_row_view_peek_row (view, i)));
    }
  g_assert_cmpuint (clair_row_item_get_index (clair_row_view_peek_row (view, 2)), ==, 10);
  wait_until_applied (view);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, expected);
  g_assert_cmpuint (view_changed, ==, 1);

  /* Shorter than the slots held: as many as it is long move, in their order. */
  g_ptr_array_set_size (held, 0);
  query.filter = CLAIR_FILTER_ALL;
  clair_row_view_set_query (view, &query);
  wait_until_applied (view);
  for (guint i = 900; i < 980; i++)
    g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (view), i));
  query.matches = g_hash_table_new (NULL, NULL);
  for (guint i = 3; i < 6; i++)
    g_hash_table_add (query.matches, GUINT_TO_POINTER (i));
  record.n_signals = 0;
  clair_row_view_set_query (view, &query);
  g_clear_pointer (&query.matches, g_hash_table_unref);
  g_assert_cmpuint (record.n_signals, ==, 1);
  g_assert_cmpuint (record.removed, ==, 1000);
  g_assert_cmpuint (record.added, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (G_LIST_MODEL (view), i);

      g_assert_true (item == g_ptr_array_index (held, i));
      g_assert_cmpuint (clair_row_item_get_index (item), ==, 3 + i);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (view), 3));
}

/* A held view (a project being replaced by another) keeps its length and the slots a widget
 * holds, standing for no row; the next rows are shown in the same slots, with no "items-changed"
 * that would have the widgets taken down and made again. Rows set to NULL then empty it. */
static void
test_hold_keeps_slots (void)
{
  g_autoptr(ClairRowList) first = make_rows (1000);
  g_autoptr(ClairRowList) second = make_rows_from (5000, 1000);
  g_autoptr(ClairRowView) view = clair_row_view_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  ItemsChanged record = { 0 };
  guint view_changed = 0;

  clair_row_view_set_rows (view, first);
  wait_until_applied (view);
  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (view), i));
  g_signal_connect (view, "items-changed", G_CALLBACK (items_changed_cb), &record);
  g_signal_connect (view, "changed", G_CALLBACK (count_cb), &view_changed);

  clair_row_view_hold (view);
  g_assert_cmpuint (record.n_signals, ==, 0);
  g_assert_cmpuint (view_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 1000);
  g_assert_cmpuint (clair_row_view_get_n_shown (view), ==, 0);
  g_assert_null (clair_row_view_peek_row (view, 0));
  g_assert_cmpuint (clair_row_view_find (view, 3), ==, G_MAXUINT);
  /* A position no widget held is an item all the same. */
  g_assert_cmpuint (index_at (view, 500), ==, 0);
  /* The old rows can go: no slot stands for them any more. */
  g_clear_object (&first);

  clair_row_view_set_rows (view, second);
  wait_until_applied (view);
  g_assert_cmpuint (record.n_signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 1000);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (G_LIST_MODEL (view), i);

      g_assert_true (item == g_ptr_array_index (held, i));
      g_assert_cmpuint (clair_row_item_get_index (item), ==, 5000 + i);
    }

  /* Held again, then closed: the list empties. */
  clair_row_view_hold (view);
  clair_row_view_set_rows (view, NULL);
  g_assert_cmpuint (record.n_signals, ==, 1);
  g_assert_cmpuint (record.removed, ==, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/row-view/slots-follow-the-query", test_slots_follow_the_query);
  g_test_add_func ("/row-view/slot-forwards", test_slot_forwards);
  g_test_add_func ("/row-view/slots-outlive-the-view", test_slots_outlive_the_view);
  g_test_add_func ("/row-view/slots-follow-worker", test_slots_follow_worker);
  g_test_add_func ("/row-view/rows-appended", test_rows_appended);
  g_test_add_func ("/row-view/reveal-in-steps", test_reveal_in_steps);
  g_test_add_func ("/row-view/shrink-moves-slots-to-top", test_shrink_moves_slots_to_top);
  g_test_add_func ("/row-view/hold-keeps-slots", test_hold_keeps_slots);
  return g_test_run ();
}
