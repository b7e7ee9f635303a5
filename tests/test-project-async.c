/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-project-async"

#include "config.h"

#include "test-async-util.h"

/* ClairProject's _async calls on its own workers: each gives what its synchronous counterpart
 * gives, finishes in the caller's main context, and fails with G_IO_ERROR_CANCELLED once
 * cancelled. */

#define N_ROWS 200

typedef struct
{
  char         *dir;
  ClairProject *project;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = make_temp_dir ("clair-test-project-async-XXXXXX");
  fixture->project = make_numbered_project (fixture->dir, N_ROWS);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->project);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) matches = NULL;

  clair_project_search_async (fixture->project, "NEEDLE", NULL, result_cb, &result);
  /* Nothing comes back before the caller's main loop runs. */
  g_assert_null (result);
  matches = clair_project_search_finish (fixture->project, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (matches), ==, N_ROWS / 10);
  g_assert_true (g_hash_table_contains (matches, GUINT_TO_POINTER (193)));
  g_assert_false (g_hash_table_contains (matches, GUINT_TO_POINTER (194)));
}

static void
test_summaries (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = NULL;
  ClairProjectCounts counts = { 0 };

  clair_project_get_summaries_async (fixture->project, 0, CLAIR_SUMMARY_WARM_COUNTS, NULL, result_cb, &result);
  summaries = clair_project_get_summaries_finish (fixture->project, wait_for (&result), &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, N_ROWS);
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 4).status, ==, CLAIR_ROW_REVISED);
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 5).status, ==, CLAIR_ROW_PENDING);
  g_assert_cmpuint (counts.n_rows, ==, N_ROWS);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_REVISED], ==, N_ROWS / 2);
  g_clear_object (&result);
  g_clear_pointer (&summaries, g_array_unref);

  /* From a row on, without counts. */
  memset (&counts, 0xff, sizeof counts);
  clair_project_get_summaries_async (fixture->project, 150, CLAIR_SUMMARY_DEFAULT, NULL, result_cb, &result);
  summaries = clair_project_get_summaries_finish (fixture->project, wait_for (&result), &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, N_ROWS - 150);
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 0).index, ==, 150);
  g_assert_cmpuint (counts.n_rows, ==, 0);
  g_clear_object (&result);
  g_clear_pointer (&summaries, g_array_unref);

  /* Counted on the read-only connection. */
  clair_project_get_summaries_async (fixture->project, 0, CLAIR_SUMMARY_COUNT, NULL, result_cb, &result);
  summaries = clair_project_get_summaries_finish (fixture->project, wait_for (&result), &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.n_rows, ==, N_ROWS);
}

static void
test_tasks (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  guint rows[] = { 3, 7, 5000, 12 };

  clair_project_get_tasks_async (fixture->project, rows, G_N_ELEMENTS (rows), 14, NULL, result_cb, &result);
  tasks = clair_project_get_tasks_finish (fixture->project, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (tasks, 0), ==, "Task number 3 ");
  /* Leading line breaks and heading marks go; the line break inside becomes a space. */
  g_assert_cmpstr (g_ptr_array_index (tasks, 1), ==, "Task number 7 ");
  g_assert_cmpstr (g_ptr_array_index (tasks, 2), ==, "");
  g_clear_object (&result);
  g_clear_pointer (&tasks, g_ptr_array_unref);

  clair_project_get_tasks_async (fixture->project, rows, 1, 0, NULL, result_cb, &result);
  tasks = clair_project_get_tasks_finish (fixture->project, wait_for (&result), &error);
  g_assert_cmpstr (g_ptr_array_index (tasks, 0), ==, "Task number 3 second line");
}

static void
test_decide_bulk (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(ClairRecord) record = NULL;
  guint n_written = 0;

  g_assert_true (clair_project_set_decision (fixture->project, 2, CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
  g_assert_true (clair_project_set_decision (fixture->project, 4, CLAIR_DECISION_REJECTED, NULL, "kept", &error));
  g_assert_true (clair_project_set_decision (fixture->project, 5, CLAIR_DECISION_NONE, "edited", NULL, &error));
  for (guint i = 0; i < 10; i++)
    g_array_append_val (rows, i);
  clair_project_decide_bulk_async (fixture->project, (guint *) rows->data, rows->len, CLAIR_DECISION_ACCEPTED,
                                   NULL, result_cb, &result);
  g_assert_true (clair_project_decide_bulk_finish (fixture->project, wait_for (&result), &before, &error));
  g_assert_no_error (error);
  /* 0, 4, 6, 8 (revised), 5 (edited); not 2 (already accepted) nor the odd rows with nothing. */
  g_assert_cmpuint (before->len, ==, 5);
  g_assert_cmpuint (g_array_index (before, ClairDecisionState, 2).index, ==, 5);
  g_assert_cmpstr (g_array_index (before, ClairDecisionState, 2).edited_revision, ==, "edited");
  g_assert_cmpuint (g_array_index (before, ClairDecisionState, 1).index, ==, 4);
  g_assert_cmpint (g_array_index (before, ClairDecisionState, 1).decision, ==, CLAIR_DECISION_REJECTED);
  record = clair_project_get_record (fixture->project, 4, NULL);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpstr (record->note, ==, "kept");
  g_clear_pointer (&record, clair_record_free);
  record = clair_project_get_record (fixture->project, 3, NULL);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);
  g_clear_object (&result);

  /* Written back as they were. */
  clair_project_write_decisions_async (fixture->project, before, NULL, result_cb, &result);
  g_assert_true (clair_project_write_decisions_finish (fixture->project, wait_for (&result), &n_written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_written, ==, 5);
  g_clear_pointer (&record, clair_record_free);
  record = clair_project_get_record (fixture->project, 4, NULL);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_REJECTED);
}

/* Cancelled before they run, calls fail and touch nothing. */
static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) search = NULL;
  g_autoptr(GAsyncResult) summaries = NULL;
  g_autoptr(GAsyncResult) tasks = NULL;
  g_autoptr(GAsyncResult) bulk = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRecord) record = NULL;
  guint rows[] = { 0, 2 };

  g_cancellable_cancel (cancellable);
  clair_project_search_async (fixture->project, "hay", cancellable, result_cb, &search);
  clair_project_get_summaries_async (fixture->project, 0, CLAIR_SUMMARY_COUNT, cancellable, result_cb, &summaries);
  clair_project_get_tasks_async (fixture->project, rows, 2, 0, cancellable, result_cb, &tasks);
  clair_project_decide_bulk_async (fixture->project, rows, 2, CLAIR_DECISION_REJECTED, cancellable, result_cb, &bulk);

  g_assert_null (clair_project_search_finish (fixture->project, wait_for (&search), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (clair_project_get_summaries_finish (fixture->project, wait_for (&summaries), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (clair_project_get_tasks_finish (fixture->project, wait_for (&tasks), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (clair_project_decide_bulk_finish (fixture->project, wait_for (&bulk), &before, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (before->len, ==, 0);
  record = clair_project_get_record (fixture->project, 0, NULL);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);
}

/* A search cancelled while it runs stops; the project goes once the last call is back, even
 * when its owner let go first. */
static void
test_cancel_running (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) next = NULL;
  g_autoptr(GHashTable) matches = NULL;
  g_autoptr(GError) error = NULL;
  ClairProject *project = g_object_ref (fixture->project);

  clair_project_search_async (project, "hay", cancellable, result_cb, &result);
  clair_project_search_async (project, "needle", NULL, result_cb, &next);
  g_cancellable_cancel (cancellable);
  g_object_unref (project);
  matches = clair_project_search_finish (fixture->project, wait_for (&result), &error);
  /* It may have finished before the cancellation reached it. */
  g_assert_true (matches != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_pointer (&matches, g_hash_table_unref);
  matches = clair_project_search_finish (fixture->project, wait_for (&next), NULL);
  g_assert_cmpuint (g_hash_table_size (matches), ==, N_ROWS / 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/project-async/search", test_search);
  ADD ("/project-async/summaries", test_summaries);
  ADD ("/project-async/tasks", test_tasks);
  ADD ("/project-async/decide-bulk", test_decide_bulk);
  ADD ("/project-async/cancelled", test_cancelled);
  ADD ("/project-async/cancel-running", test_cancel_running);
#undef ADD

  return g_test_run ();
}
