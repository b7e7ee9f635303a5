/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-app-crash"

#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "clair-diff-view.h"
#include "clair-row-item.h"
#include "clair-record-pane.h"
#include "ui-test-util.h"

/* Crash safety of the app: kill -9 the real window at random moments, then reopen the project.
 *
 * The test re-executes itself as a child (CLAIR_CRASH_ROLE in its environment) that opens a
 * project in a ClairWindow and works in it through the window's actions:
 *   run:     a 200-row project is run against the test server (win.run) while the child makes
 *            decisions on rows the list already shows as revised;
 *   curate:  rapid accept, reject, skip, edit, note, undo and redo on many rows (the same project
 *            over all trials, so each trial starts from a project a killed app left behind).
 * The child keeps a model of what each row's decision, edit and note must be (mirroring the
 * window's undo semantics) and appends to a log with unbuffered write() calls: the state it is
 * about to write ("I"), the state once the action returned ("D"), and every row whose list item
 * turned revised ("R", the moment the app shows the result as committed).
 *
 * The parent kills the child with SIGKILL 200 ms–3 s after it started working and checks:
 * PRAGMA integrity_check is "ok"; every row is in the state the log says (only the one action in
 * progress at the kill may have landed or not); every row logged as revised has its revision.
 * Replay a failure with CLAIR_CRASH_SEED=N (printed as a test message). */

#define N_ROWS          200
#define TRIALS_PER_KIND 10
#define MAX_UNDO        1000     /* the window's bound (clair-window-actions.c, push_undo) */

/* ------------------------------------------------------------------------------------------------
 * Shared */

typedef struct
{
  ClairDecision  decision;
  char          *edit;    /* NULL: not edited */
  char          *note;    /* NULL: no note */
} State;

static void
state_clear (State *state)
{
  g_clear_pointer (&state->edit, g_free);
  g_clear_pointer (&state->note, g_free);
  state->decision = CLAIR_DECISION_NONE;
}

static void
state_copy (const State *src,
            State       *dest)
{
  if (src == dest)
    return;
  state_clear (dest);
  dest->decision = src->decision;
  dest->edit = g_strdup (src->edit);
  dest->note = g_strdup (src->note);
}

static void
state_from_record (const ClairRecord *record,
                   State             *state)
{
  state_clear (state);
  state->decision = record->decision;
  state->edit = g_strdup (record->edited_revision);
  state->note = g_strdup (record->note);
}

static gboolean
state_matches (const State       *state,
               const ClairRecord *record)
{
  return state->decision == record->decision &&
         g_strcmp0 (state->edit, record->edited_revision) == 0 &&
         g_strcmp0 (state->note, record->note) == 0;
}

/* ------------------------------------------------------------------------------------------------
 * The child: a real window, driven through its actions, logging as it goes. */

typedef struct
{
  guint row;
  State old;
  State new;
} Change;

static void
change_free (Change *change)
{
  state_clear (&change->old);
  state_clear (&change->new);
  g_free (change);
}

static struct
{
  int           fd;
  GRand        *rand;
  ClairWindow  *window;
  gboolean      run_kind;
  State         states[N_ROWS];
  GPtrArray    *undo;       /* of Change, mirrors the window's undo stack */
  GPtrArray    *redo;
  GArray       *revised;    /* rows the list showed as revised, in order */
  gboolean      revised_seen[N_ROWS];
  guint         serial;
} child;

static void
log_write (const char *line)
{
  gsize len = strlen (line);

  while (len > 0)
    {
      ssize_t n = write (child.fd, line, len);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      line += n;
      len -= n;
    }
}

static char *
escape_or_dash (const char *text)
{
  return text != NULL ? g_strescape (text, "") : g_strdup ("-");
}

static void
log_state (char         kind,
           guint        row,
           const State *state)
{
  g_autofree char *edit = escape_or_dash (state->edit);
  g_autofree char *note = escape_or_dash (state->note);
  g_autofree char *line = g_strdup_printf ("%c\t%u\t%d\t%s\t%s\n", kind, row, state->decision, edit, note);

  log_write (line);
}

static void
item_changed_cb (ClairRowItem *item,
                 gpointer      user_data)
{
  guint row = clair_row_item_get_index (item);
  char line[32];

  if (row >= N_ROWS || child.revised_seen[row] || clair_row_item_get_status (item) != CLAIR_ROW_REVISED)
    return;
  child.revised_seen[row] = TRUE;
  g_array_append_val (child.revised, row);
  g_snprintf (line, sizeof line, "R\t%u\n", row);
  log_write (line);
}

static void
child_activate (const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (child.window), action, NULL));
}

static void
child_select (guint row)
{
  g_assert_true (clair_window_select_row (child.window, row));
  g_assert_cmpint (clair_window_get_current_row (child.window), ==, (int) row);
}

/* The window's push_undo(): a new group clears redo, the stack is bounded. */
static void
child_push_undo (guint        row,
                 const State *old,
                 const State *new)
{
  Change *change = g_new0 (Change, 1);

  change->row = row;
  state_copy (old, &change->old);
  state_copy (new, &change->new);
  g_ptr_array_add (child.undo, change);
  g_ptr_array_set_size (child.redo, 0);
  if (child.undo->len > MAX_UNDO)
    g_ptr_array_remove_index (child.undo, 0);
}

static void
child_decide (guint row,
              int   choice)
{
  static const char * const actions[] = { "win.accept", "win.reject", "win.skip" };
  static const ClairDecision decisions[] = { CLAIR_DECISION_ACCEPTED, CLAIR_DECISION_REJECTED,
                                             CLAIR_DECISION_SKIPPED };
  State after = { 0 };

  child_select (row);
  state_copy (&child.states[row], &after);
  after.decision = decisions[choice];
  log_state ('I', row, &after);
  child_activate (actions[choice]);
  child_push_undo (row, &child.states[row], &after);
  state_copy (&after, &child.states[row]);
  log_state ('D', row, &after);
  state_clear (&after);
}

static void
child_edit (guint row)
{
  ClairDiffView *diff = CLAIR_DIFF_VIEW (clair_window_get_diff_view (child.window));
  State after = { 0 };

  child_select (row);
  state_copy (&child.states[row], &after);
  g_free (after.edit);
  /* The process id keeps texts apart across trials: typing the edit a row already has is no
   * change, and the window (rightly) makes no undo step of it. */
  after.edit = g_strdup_printf ("Edited revision %u.%u of row %u, “by hand”.\n\tSecond line \\ done.",
                                (guint) getpid (), ++child.serial, row);
  log_state ('I', row, &after);
  child_activate ("win.edit");
  g_assert_true (clair_diff_view_get_editable (diff));
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (clair_diff_view_get_revision_buffer (diff)), after.edit, -1);
  child_activate ("win.leave-edit");
  g_assert_false (clair_diff_view_get_editable (diff));
  child_push_undo (row, &child.states[row], &after);
  state_copy (&after, &child.states[row]);
  log_state ('D', row, &after);
  state_clear (&after);
}

/* Notes are saved as typed and are not undo steps of their own. */
static void
child_note (guint row)
{
  State after = { 0 };

  child_select (row);
  state_copy (&child.states[row], &after);
  g_free (after.note);
  after.note = g_strdup_printf ("note %u for row %u — “quoted”", ++child.serial, row);
  log_state ('I', row, &after);
  clair_record_pane_set_note (CLAIR_RECORD_PANE (clair_window_get_record_pane (child.window)), after.note);
  state_copy (&after, &child.states[row]);
  log_state ('D', row, &after);
  state_clear (&after);
}

static void
child_undo_redo (gboolean undo)
{
  GPtrArray *from = undo ? child.undo : child.redo;
  GPtrArray *to = undo ? child.redo : child.undo;
  Change *change;
  const State *after;

  if (from->len == 0)
    return;
  change = g_ptr_array_steal_index (from, from->len - 1);
  after = undo ? &change->old : &change->new;
  log_state ('I', change->row, after);
  child_activate (undo ? "win.undo" : "win.redo");
  state_copy (after, &child.states[change->row]);
  g_ptr_array_add (to, change);
  log_state ('D', change->row, after);
}

static void
child_step (void)
{
  guint row;
  int dice;

  if (child.run_kind)
    {
      if (child.revised->len == 0)
        return;
      row = g_array_index (child.revised, guint, g_rand_int_range (child.rand, 0, child.revised->len));
    }
  else if (g_rand_boolean (child.rand))
    row = g_rand_int_range (child.rand, 0, 24);   /* a few rows see many changes */
  else
    row = g_rand_int_range (child.rand, 0, N_ROWS);

  dice = g_rand_int_range (child.rand, 0, 100);
  if (dice < 25)
    child_decide (row, 0);
  else if (dice < 45)
    child_decide (row, 1);
  else if (dice < 55)
    child_decide (row, 2);
  else if (dice < 70)
    child_edit (row);
  else if (dice < 85)
    child_note (row);
  else if (dice < 95)
    child_undo_redo (TRUE);
  else
    child_undo_redo (FALSE);
}

static gboolean
child_window_loaded (ClairWindow *window)
{
  return clair_window_get_project (window) != NULL && !clair_window_get_busy (window) &&
         g_list_model_get_n_items (clair_window_get_rows (window)) == N_ROWS;
}

static int
child_main (const char *role)
{
  const char *project_path = g_getenv ("CLAIR_CRASH_PROJECT");
  const char *log_path = g_getenv ("CLAIR_CRASH_LOG");
  guint32 seed = (guint32) g_ascii_strtoull (g_getenv ("CLAIR_CRASH_CHILD_SEED"), NULL, 10);
  gint64 deadline;
  ClairProject *project;
  GPtrArray *list_items;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  gtk_init ();
  adw_init ();
  /* For diagnosis only: the test runs the app as users have it, animations on. */
  if (g_getenv ("CLAIR_CRASH_NO_ANIMATIONS") != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  child.run_kind = g_str_equal (role, "run");
  child.rand = g_rand_new_with_seed (seed);
  child.undo = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  child.redo = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  child.revised = g_array_new (FALSE, FALSE, sizeof (guint));
  child.fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  g_assert_cmpint (child.fd, >=, 0);

  if (child.run_kind)
    {
      g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);

      g_settings_set_string (settings, "base-url", g_getenv ("CLAIR_CRASH_URL"));
      g_settings_set_string (settings, "model", "mock");
      g_settings_set_uint (settings, "concurrency", 4);
      g_settings_set_boolean (settings, "streaming", g_rand_boolean (child.rand));
    }

  child.window = clair_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (child.window), 1280, 800);
  gtk_window_present (GTK_WINDOW (child.window));
  clair_window_open_project (child.window, project_path);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!child_window_loaded (child.window))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }

  /* The model starts from the project as the window found it. */
  project = clair_window_get_project (child.window);
  for (guint row = 0; row < N_ROWS; row++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, row, NULL);

      g_assert_nonnull (record);
      state_from_record (record, &child.states[row]);
    }
  /* The list's items stand for their rows while held (the list makes them as asked for): the
   * child holds them until it is killed. */
  list_items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < N_ROWS; i++)
    {
      ClairRowItem *item = g_list_model_get_item (clair_window_get_rows (child.window), i);

      g_ptr_array_add (list_items, item);
      g_signal_connect (item, "changed", G_CALLBACK (item_changed_cb), NULL);
      item_changed_cb (item, NULL);
    }

  if (child.run_kind)
    {
      child_activate ("win.run");
      g_assert_true (clair_run_bar_get_running (run_bar (child.window)));
    }
  log_write ("S\n");

  /* Work until killed; the parent kills within seconds, the deadline only guards a lost parent. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      iterate_for (child.run_kind ? g_rand_int_range (child.rand, 5, 30)
                                        : g_rand_int_range (child.rand, 0, 4));
      child_step ();
    }
  g_ptr_array_unref (list_items);
  return 3;
}

/* ------------------------------------------------------------------------------------------------
 * The parent */

static GRand *trial_rand;
static guint32 test_seed;

/* Rows whose solutions the test server edits (double spaces, lower-case start, no full stop). */
static char *
make_pending_project (const char *dir)
{
  g_autofree char *dataset_path = g_build_filename (dir, "run.jsonl", NULL);
  char *project_path = g_build_filename (dir, "run.clair", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;

  g_unlink (project_path);
  for (guint i = 0; i < N_ROWS; i++)
    g_string_append_printf (text, "{\"task\":\"Task %u: name a colour.\",\"student_solution\":"
                            "\"blue  or green  %u\"}\n", i, i);
  g_file_set_contents (dataset_path, text->str, text->len, &error);
  g_assert_no_error (error);
  project = import_jsonl (dataset_path, project_path, N_ROWS);
  return project_path;
}

static char *
make_revised_project (const char *dir)
{
  char *project_path = make_pending_project (dir);
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GPtrArray) attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_attempt_free);
  g_autoptr(GError) error = NULL;

  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_ROWS; i++)
    {
      ClairAttempt *attempt = clair_attempt_new ();

      attempt->row = i;
      attempt->status = CLAIR_ROW_REVISED;
      attempt->revision = g_strdup_printf ("Blue or green %u.", i);
      attempt->rationale = g_strdup ("Spacing and capitals.");
      attempt->raw_output = g_strdup_printf ("{corrected_student_solution}: %s", attempt->revision);
      attempt->parse_status = g_strdup ("ok");
      g_ptr_array_add (attempts, attempt);
    }
  g_assert_true (clair_project_add_attempts (project, (ClairAttempt **) attempts->pdata, attempts->len, &error));
  g_assert_no_error (error);
  return project_path;
}

static gboolean
log_started (const char *log_path)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (log_path, &contents, NULL, NULL) &&
         (g_str_has_prefix (contents, "S\n") || strstr (contents, "\nS\n") != NULL);
}

static char *
unescape_or_null (const char *field)
{
  return g_str_equal (field, "-") ? NULL : g_strcompress (field);
}

typedef struct
{
  guint n_decisions;
  guint n_revised;
  guint n_in_doubt;
  guint n_in_doubt_landed;
  guint n_late;           /* the kill came after everything the log started */
} Totals;

/* Checks the project against the log of one trial. @before holds every row's state when the
 * child started. */
static void
verify_trial (const char *kind,
              guint       trial,
              const char *project_path,
              const char *log_path,
              State      *before,
              Totals     *totals)
{
  g_autoptr(ClairProject) project = reopen_checked (project_path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  State expected[N_ROWS] = { 0 };
  State intent = { 0 };
  int intent_row = -1;
  gboolean revised[N_ROWS] = { 0 };
  guint n_decisions = 0, n_revised = 0;

  g_assert_cmpuint (clair_project_get_n_rows (project), ==, N_ROWS);
  g_assert_true (g_file_get_contents (log_path, &contents, NULL, NULL));
  for (guint row = 0; row < N_ROWS; row++)
    state_copy (&before[row], &expected[row]);

  lines = g_strsplit (contents, "\n", -1);
  /* The last element follows the last newline: empty, or a line the kill cut short. */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      guint n = g_strv_length (f);
      guint row;

      if (g_str_equal (f[0], "S"))
        continue;
      g_assert_cmpuint (n, >=, 2);
      row = (guint) g_ascii_strtoull (f[1], NULL, 10);
      g_assert_cmpuint (row, <, N_ROWS);
      if (g_str_equal (f[0], "R"))
        {
          revised[row] = TRUE;
          n_revised++;
          continue;
        }
      g_assert_cmpuint (n, ==, 5);
      if (g_str_equal (f[0], "I"))
        {
          state_clear (&intent);
          intent.decision = (ClairDecision) g_ascii_strtoull (f[2], NULL, 10);
          intent.edit = unescape_or_null (f[3]);
          intent.note = unescape_or_null (f[4]);
          intent_row = row;
        }
      else if (g_str_equal (f[0], "D"))
        {
          g_assert_cmpint (intent_row, ==, (int) row);
          state_clear (&expected[row]);
          expected[row].decision = (ClairDecision) g_ascii_strtoull (f[2], NULL, 10);
          expected[row].edit = unescape_or_null (f[3]);
          expected[row].note = unescape_or_null (f[4]);
          intent_row = -1;
          n_decisions++;
        }
      else
        g_error ("unexpected log line “%s”", lines[i]);
    }

  for (guint row = 0; row < N_ROWS; row++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairRecord) record = clair_project_get_record (project, row, &error);

      g_assert_no_error (error);
      if (state_matches (&expected[row], record))
        {
          if ((int) row == intent_row && !state_matches (&intent, record))
            totals->n_in_doubt++;
        }
      else if ((int) row == intent_row && state_matches (&intent, record))
        {
          /* The action in progress at the kill had committed: that is the new truth. */
          totals->n_in_doubt++;
          totals->n_in_doubt_landed++;
        }
      else
        g_error ("%s trial %u (seed %u): row %u is decision %d, edit “%s”, note “%s”; the log says"
                 " decision %d, edit “%s”, note “%s”", kind, trial, test_seed, row, record->decision,
                 record->edited_revision, record->note, expected[row].decision, expected[row].edit,
                 expected[row].note);
      state_from_record (record, &before[row]);   /* the next trial starts from here */

      if (revised[row])
        {
          g_autofree char *edit = server_edit (record->solution);

          if (record->attempt == NULL || record->attempt->status != CLAIR_ROW_REVISED)
            g_error ("%s trial %u (seed %u): row %u was shown as revised but the project has %s",
                     kind, trial, test_seed, row, record->attempt ? "a failed attempt" : "no attempt");
          g_assert_cmpstr (record->attempt->revision, ==, edit);
        }
    }
  if (intent_row < 0)
    totals->n_late++;
  totals->n_decisions += n_decisions;
  totals->n_revised += n_revised;
  g_test_message ("%s trial %u: %u decisions and %u revised rows logged%s", kind, trial, n_decisions,
                  n_revised, intent_row >= 0 ? ", one action in progress at the kill" : "");
  for (guint row = 0; row < N_ROWS; row++)
    state_clear (&expected[row]);
  state_clear (&intent);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
run_trial (const char *kind,
           guint       trial,
           const char *dir,
           const char *project_path,
           const char *url,
           State      *before,
           Totals     *totals)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *log_path = g_strdup_printf ("%s/%s-%u.log", dir, kind, trial);
  g_autofree char *child_seed = g_strdup_printf ("%u", g_rand_int (trial_rand));
  guint delay_ms = g_rand_int_range (trial_rand, 200, 3001);
  gboolean exited = FALSE;
  gint64 deadline;

  g_assert_nonnull (self_path);
  /* The child's stdout goes to stderr: TAP owns stdout. */
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  g_subprocess_launcher_setenv (launcher, "CLAIR_CRASH_ROLE", kind, TRUE);
  g_subprocess_launcher_setenv (launcher, "CLAIR_CRASH_PROJECT", project_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "CLAIR_CRASH_LOG", log_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "CLAIR_CRASH_CHILD_SEED", child_seed, TRUE);
  if (url != NULL)
    g_subprocess_launcher_setenv (launcher, "CLAIR_CRASH_URL", url, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, wait_cb, &exited);

  /* The random moment counts from when the child starts working. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!log_started (log_path))
    {
      g_main_context_iteration (NULL, FALSE);
      if (exited)
        g_error ("%s trial %u (seed %u): the child ended before it started working", kind, trial, test_seed);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  deadline = g_get_monotonic_time () + delay_ms * 1000;
  while (g_get_monotonic_time () < deadline && !exited)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_subprocess_send_signal (process, SIGKILL);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  if (!g_subprocess_get_if_signaled (process) || g_subprocess_get_term_sig (process) != SIGKILL)
    g_error ("%s trial %u (seed %u): the app ended before the kill (%s); replay the child alone with"
             " CLAIR_CRASH_ROLE=%s CLAIR_CRASH_PROJECT=%s CLAIR_CRASH_LOG=%s CLAIR_CRASH_CHILD_SEED=%s",
             kind, trial, test_seed,
             g_subprocess_get_if_signaled (process) ? g_strsignal (g_subprocess_get_term_sig (process))
                                                    : "exited on its own",
             kind, project_path, log_path, child_seed);

  verify_trial (kind, trial, project_path, log_path, before, totals);
  g_unlink (log_path);
}

static void
setup_seed (void)
{
  const char *env = g_getenv ("CLAIR_CRASH_SEED");

  if (trial_rand != NULL)
    return;
  test_seed = env ? (guint32) g_ascii_strtoull (env, NULL, 10) : g_random_int ();
  trial_rand = g_rand_new_with_seed (test_seed);
}

static void
test_kill_during_run (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-crash-XXXXXX");
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("latency=40;chunk-delay=2", &url);
  State before[N_ROWS] = { 0 };
  Totals totals = { 0 };

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      remove_tree (dir);
      return;
    }
  setup_seed ();
  g_test_message ("seed %u (replay with CLAIR_CRASH_SEED=%u)", test_seed, test_seed);

  for (guint t = 0; t < TRIALS_PER_KIND; t++)
    {
      g_autofree char *project_path = make_pending_project (dir);

      for (guint row = 0; row < N_ROWS; row++)
        state_clear (&before[row]);
      run_trial ("run", t, dir, project_path, url, before, &totals);
    }
  g_test_message ("run: %u decisions and %u revised rows checked over %u kills; %u actions in"
                  " progress at a kill (%u of them had landed); %u kills between actions",
                  totals.n_decisions, totals.n_revised, TRIALS_PER_KIND, totals.n_in_doubt,
                  totals.n_in_doubt_landed, totals.n_late);
  /* The trials must have done something to check. */
  g_assert_cmpuint (totals.n_revised, >, TRIALS_PER_KIND * 4);
  g_assert_cmpuint (totals.n_decisions, >, TRIALS_PER_KIND);

  for (guint row = 0; row < N_ROWS; row++)
    state_clear (&before[row]);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  remove_tree (dir);
}

static void
test_kill_during_curation (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-crash-XXXXXX");
  g_autofree char *project_path = make_revised_project (dir);
  State before[N_ROWS] = { 0 };
  Totals totals = { 0 };

  setup_seed ();
  g_test_message ("seed %u (replay with CLAIR_CRASH_SEED=%u)", test_seed, test_seed);

  /* One project through every trial: each starts where the last kill left it. */
  for (guint t = 0; t < TRIALS_PER_KIND; t++)
    run_trial ("curate", t, dir, project_path, NULL, before, &totals);
  g_test_message ("curate: %u decisions checked over %u kills; %u actions in progress at a kill"
                  " (%u of them had landed)", totals.n_decisions, TRIALS_PER_KIND, totals.n_in_doubt,
                  totals.n_in_doubt_landed);
  g_assert_cmpuint (totals.n_decisions, >, TRIALS_PER_KIND * 10);

  for (guint row = 0; row < N_ROWS; row++)
    state_clear (&before[row]);
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *role = g_getenv ("CLAIR_CRASH_ROLE");

  if (role != NULL)
    return child_main (role);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/crash/kill-during-run", test_kill_during_run);
  g_test_add_func ("/ui/crash/kill-during-curation", test_kill_during_curation);
  return g_test_run ();
}
