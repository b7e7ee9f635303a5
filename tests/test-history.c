/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-history"

#include "config.h"

#include "clair-history.h"
#include "test-async-util.h"

/* ClairHistory against a real project file: single decisions, edits, bulk steps on the
 * project's worker, the bound on steps, and what a failed or cleared step leaves. */

#define N_ROWS 300

typedef struct
{
  char         *dir;
  ClairProject *project;
  ClairHistory *history;
  guint         n_can_undo;   /* notifications */
  guint         n_can_redo;
} Fixture;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Fixture    *fixture)
{
  if (g_str_equal (pspec->name, "can-undo"))
    fixture->n_can_undo++;
  else
    fixture->n_can_redo++;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = make_temp_dir ("clair-test-history-XXXXXX");
  /* Even rows have a revision; odd rows have none. */
  fixture->project = make_numbered_project (fixture->dir, N_ROWS);
  fixture->history = clair_history_new (fixture->project);
  g_signal_connect (fixture->history, "notify", G_CALLBACK (count_notify_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->history);
  g_assert_finalize_object (fixture->project);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static ClairDecision
decision_of (Fixture *fixture,
             guint    row)
{
  g_autoptr(ClairRecord) record = clair_project_get_record (fixture->project, row, NULL);

  g_assert_nonnull (record);
  return record->decision;
}

static char *
edit_of (Fixture *fixture,
         guint    row)
{
  g_autoptr(ClairRecord) record = clair_project_get_record (fixture->project, row, NULL);

  return g_strdup (record->edited_revision);
}

static ClairDecisionChange *
decide_change (guint         row,
               ClairDecision decision)
{
  ClairDecisionChange *change = clair_decision_change_new (row);

  change->old_attempt = CLAIR_ATTEMPT_LATEST;
  change->new_attempt = CLAIR_ATTEMPT_LATEST;
  change->new_decision = decision;
  return change;
}

static void
test_single (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) step = NULL;

  g_assert_false (clair_history_can_undo (fixture->history));
  g_assert_null (clair_history_undo (fixture->history, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (clair_history_apply (fixture->history, decide_change (4, CLAIR_DECISION_ACCEPTED), &error));
  g_assert_no_error (error);
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_true (clair_history_can_undo (fixture->history));
  g_assert_false (clair_history_can_redo (fixture->history));
  g_assert_cmpuint (clair_history_get_undo_size (fixture->history), ==, 1);
  g_assert_cmpuint (fixture->n_can_undo, ==, 1);

  {
    ClairDecisionChange *change = decide_change (4, CLAIR_DECISION_REJECTED);

    change->old_decision = CLAIR_DECISION_ACCEPTED;
    g_assert_true (clair_history_apply (fixture->history, change, &error));
  }
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_REJECTED);

  step = clair_history_undo (fixture->history, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (step->len, ==, 1);
  g_assert_cmpuint (((ClairDecisionChange *) g_ptr_array_index (step, 0))->index, ==, 4);
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_ACCEPTED);
  g_clear_pointer (&step, g_ptr_array_unref);
  step = clair_history_undo (fixture->history, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_NONE);
  g_assert_false (clair_history_can_undo (fixture->history));
  g_assert_true (clair_history_can_redo (fixture->history));
  g_assert_cmpuint (fixture->n_can_undo, ==, 2);
  g_assert_cmpuint (fixture->n_can_redo, ==, 1);
  g_clear_pointer (&step, g_ptr_array_unref);

  step = clair_history_redo (fixture->history, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_true (clair_history_can_redo (fixture->history));

  /* A new step forgets what could be redone. */
  g_assert_true (clair_history_apply (fixture->history, decide_change (6, CLAIR_DECISION_SKIPPED), &error));
  g_assert_false (clair_history_can_redo (fixture->history));
  g_assert_null (clair_history_redo (fixture->history, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_ACCEPTED);

  clair_history_clear (fixture->history);
  g_assert_false (clair_history_can_undo (fixture->history));
  g_assert_cmpuint (clair_history_get_undo_size (fixture->history), ==, 0);
  /* Clearing forgets steps, not decisions. */
  g_assert_cmpint (decision_of (fixture, 6), ==, CLAIR_DECISION_SKIPPED);
}

/* An edit session writes as it is typed; the step is pushed when it ends, and undoing it brings
 * the earlier text (here none) and the tie to the attempt back. */
static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) step = NULL;
  g_autofree char *edit = NULL;
  ClairDecisionChange *change = decide_change (2, CLAIR_DECISION_NONE);

  change->new_edit = g_strdup ("Hand-made answer");
  g_assert_true (clair_project_set_decision_on (fixture->project, 2, CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_NONE,
                                                "Hand", NULL, &error));
  g_assert_true (clair_project_set_decision_on (fixture->project, 2, CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_NONE,
                                                change->new_edit, NULL, &error));
  clair_history_push (fixture->history, change);
  edit = edit_of (fixture, 2);
  g_assert_cmpstr (edit, ==, "Hand-made answer");
  g_clear_pointer (&edit, g_free);

  step = clair_history_undo (fixture->history, &error);
  g_assert_no_error (error);
  edit = edit_of (fixture, 2);
  g_assert_null (edit);
  g_clear_pointer (&step, g_ptr_array_unref);
  step = clair_history_redo (fixture->history, &error);
  g_assert_no_error (error);
  edit = edit_of (fixture, 2);
  g_assert_cmpstr (edit, ==, "Hand-made answer");
}

/* A change that cannot be written is not recorded; a step that cannot be undone stays. */
static void
test_failure (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairAttempt) attempt = NULL;
  g_autoptr(ClairRecord) record = clair_project_get_record (fixture->project, 0, NULL);
  ClairDecisionChange *change = decide_change (4, CLAIR_DECISION_ACCEPTED);

  /* An attempt of another row is refused. */
  change->new_attempt = record->attempt->id;
  g_assert_false (clair_history_apply (fixture->history, change, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (clair_history_can_undo (fixture->history));

  change = decide_change (4, CLAIR_DECISION_ACCEPTED);
  change->old_decision = CLAIR_DECISION_SKIPPED;
  change->old_attempt = record->attempt->id;
  g_assert_true (clair_history_apply (fixture->history, change, &error));
  g_assert_null (clair_history_undo (fixture->history, &error));
  g_assert_nonnull (error);
  g_assert_true (clair_history_can_undo (fixture->history));
  g_assert_false (clair_history_can_redo (fixture->history));
  g_assert_cmpint (decision_of (fixture, 4), ==, CLAIR_DECISION_ACCEPTED);
}

/* Only the last CLAIR_HISTORY_MAX_STEPS steps are kept. */
static void
test_bound (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  for (guint i = 0; i < CLAIR_HISTORY_MAX_STEPS + 5; i++)
    clair_history_push (fixture->history, decide_change (i % N_ROWS, CLAIR_DECISION_SKIPPED));
  for (;;)
    {
      g_autoptr(GPtrArray) step = clair_history_undo (fixture->history, &error);

      if (step == NULL)
        break;
      n++;
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (n, ==, CLAIR_HISTORY_MAX_STEPS);
}

static void
bulk_accept (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < N_ROWS; i++)
    g_array_append_val (rows, i);
  clair_project_decide_bulk_async (fixture->project, (guint *) rows->data, rows->len, CLAIR_DECISION_ACCEPTED,
                                   NULL, result_cb, &result);
  g_assert_true (clair_project_decide_bulk_finish (fixture->project, wait_for (&result), &before, &error));
  g_assert_no_error (error);
  clair_history_push_bulk (fixture->history, before, CLAIR_DECISION_ACCEPTED);
}

static void
test_bulk (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) step = NULL;
  guint n_written = 0;

  /* Row 0 was rejected with a note before: undo brings both back. */
  g_assert_true (clair_project_set_decision (fixture->project, 0, CLAIR_DECISION_REJECTED, NULL, "why", &error));
  bulk_accept (fixture);
  /* Only the rows with a revision were accepted. */
  g_assert_cmpuint (clair_history_get_undo_size (fixture->history), ==, N_ROWS / 2);
  g_assert_cmpint (decision_of (fixture, 0), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpint (decision_of (fixture, 1), ==, CLAIR_DECISION_NONE);
  g_assert_cmpint (decision_of (fixture, 298), ==, CLAIR_DECISION_ACCEPTED);

  clair_history_undo_async (fixture->history, NULL, result_cb, &result);
  /* The step left the stack while it is written. */
  g_assert_false (clair_history_can_undo (fixture->history));
  g_assert_true (clair_history_step_finish (fixture->history, wait_for (&result), &step, &n_written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (step->len, ==, N_ROWS / 2);
  g_assert_cmpuint (n_written, ==, N_ROWS / 2);
  g_assert_cmpint (decision_of (fixture, 0), ==, CLAIR_DECISION_REJECTED);
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (fixture->project, 0, NULL);

    g_assert_cmpstr (record->note, ==, "why");
  }
  g_assert_cmpint (decision_of (fixture, 298), ==, CLAIR_DECISION_NONE);
  g_assert_true (clair_history_can_redo (fixture->history));
  g_clear_object (&result);
  g_clear_pointer (&step, g_ptr_array_unref);

  clair_history_redo_async (fixture->history, NULL, result_cb, &result);
  g_assert_true (clair_history_step_finish (fixture->history, wait_for (&result), &step, &n_written, &error));
  g_assert_cmpint (decision_of (fixture, 0), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpint (decision_of (fixture, 298), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_true (clair_history_can_undo (fixture->history));
  g_assert_false (clair_history_can_redo (fixture->history));
}

/* A cancelled step writes nothing and goes back where it was; a step finishing after clear() is
 * dropped. */
static void
test_bulk_cancel_and_clear (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint n_written = 99;

  bulk_accept (fixture);
  g_cancellable_cancel (cancellable);
  clair_history_undo_async (fixture->history, cancellable, result_cb, &result);
  g_assert_false (clair_history_step_finish (fixture->history, wait_for (&result), NULL, &n_written, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_written, ==, 0);
  g_assert_true (clair_history_can_undo (fixture->history));
  g_assert_false (clair_history_can_redo (fixture->history));
  g_assert_cmpint (decision_of (fixture, 0), ==, CLAIR_DECISION_ACCEPTED);
  g_clear_error (&error);
  g_clear_object (&result);

  clair_history_undo_async (fixture->history, NULL, result_cb, &result);
  clair_history_clear (fixture->history);
  g_assert_true (clair_history_step_finish (fixture->history, wait_for (&result), NULL, &n_written, &error));
  g_assert_cmpuint (n_written, ==, N_ROWS / 2);
  g_assert_cmpint (decision_of (fixture, 0), ==, CLAIR_DECISION_NONE);
  g_assert_false (clair_history_can_undo (fixture->history));
  g_assert_false (clair_history_can_redo (fixture->history));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/history/single", test_single);
  ADD ("/history/edit", test_edit);
  ADD ("/history/failure", test_failure);
  ADD ("/history/bound", test_bound);
  ADD ("/history/bulk", test_bulk);
  ADD ("/history/bulk-cancel-and-clear", test_bulk_cancel_and_clear);
#undef ADD

  return g_test_run ();
}
