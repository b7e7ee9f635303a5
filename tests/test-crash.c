/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-crash"
#define _GNU_SOURCE   /* posix_openpt(), ptsname() */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "clair-json.h"
#include "clair-project.h"
#include "test-util.h"

/* Crash safety: kill -9 the CLI at random moments, then reopen the project. Whatever the moment,
 * `PRAGMA integrity_check` passes, the project opens, every decision a finished `clair decide`
 * made is there (with its note and edit, all or nothing), and no result `clair run` reported as
 * committed is missing. Random moments come from g_test_rand_*: replay a failure with --seed. */

#define N_TRIALS 20
#define N_ROWS   60
#define N_LANES  3

/* A project of N_ROWS revised rows, built in-process. */
static char *
make_revised_project (const char *dir,
                      guint       n_rows)
{
  g_autofree char *dataset_path = g_build_filename (dir, "rows.jsonl", NULL);
  char *project_path = g_build_filename (dir, "rows.clair", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "{\"task\":\"Task %u: add %u and %u.\",\"student_solution\":"
                            "\"it is %u\"}\n", i, i, i, 2 * i + 1);
  g_file_set_contents (dataset_path, text->str, text->len, &error);
  g_assert_no_error (error);
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_JSONL, &error);
  g_assert_no_error (error);
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n_rows; i++)
    {
      ClairAttempt *attempt = clair_attempt_new ();

      attempt->row = i;
      attempt->status = CLAIR_ROW_REVISED;
      attempt->revision = g_strdup_printf ("It is %u.", 2 * i);
      attempt->rationale = g_strdup ("Arithmetic.");
      attempt->raw_output = g_strdup_printf ("{corrected_student_solution}: It is %u.", 2 * i);
      attempt->parse_status = g_strdup ("ok");
      clair_project_add_attempts (project, &attempt, 1, &error);
      g_assert_no_error (error);
      clair_attempt_free (attempt);
    }
  return project_path;
}

/* ------------------------------------------------------------------------------------------------
 * Curation: lanes of `clair decide` processes, killed together at a random moment. */

typedef struct
{
  ClairDecision  decision;
  char          *edited;    /* NULL when not edited */
  char          *note;
} DecisionState;

static void
decision_state_clear (DecisionState *state)
{
  g_clear_pointer (&state->edited, g_free);
  g_clear_pointer (&state->note, g_free);
  state->decision = CLAIR_DECISION_NONE;
}

static void
decision_state_copy (const DecisionState *src,
                     DecisionState       *dest)
{
  decision_state_clear (dest);
  dest->decision = src->decision;
  dest->edited = g_strdup (src->edited);
  dest->note = g_strdup (src->note);
}

static gboolean
decision_state_matches (const DecisionState *state,
                        const ClairRecord   *record)
{
  return state->decision == record->decision &&
         g_strcmp0 (state->edited, record->edited_revision) == 0 &&
         g_strcmp0 (state->note, record->note) == 0;
}

typedef struct _CurationTrial CurationTrial;

typedef struct
{
  CurationTrial *trial;
  guint          lane;
  GSubprocess   *process;
  guint          row;
  DecisionState  attempted;   /* what the running process is writing */
  gboolean       stopped;
} Lane;

struct _CurationTrial
{
  const char    *dir;
  const char    *project_path;
  DecisionState  committed[N_ROWS];   /* what finished processes wrote */
  gboolean       in_doubt[N_ROWS];
  DecisionState  doubtful[N_ROWS];    /* what a killed process may have written */
  Lane           lanes[N_LANES];
  guint          n_running;
  guint          n_finished;
  guint          n_killed;
  gboolean       killing;
  GMainLoop     *loop;
};

static void lane_start (Lane *lane);
static gboolean kill_all_cb (gpointer user_data);

static void
lane_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lane *lane = user_data;
  CurationTrial *trial = lane->trial;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_steal_pointer (&lane->process);

  g_subprocess_wait_finish (process, result, &error);
  g_assert_no_error (error);
  trial->n_running--;

  if (g_subprocess_get_if_exited (process))
    {
      /* Only a killed process may fail: the CLI itself must never fail here. */
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
      decision_state_copy (&lane->attempted, &trial->committed[lane->row]);
      /* The kill comes some time after the trial's first commit, so every trial commits
       * however slow a process is to start (about 115 ms each under ASan). */
      if (trial->n_finished++ == 0 && !trial->killing)
        g_timeout_add (g_test_rand_int_range (0, 380), kill_all_cb, trial);
    }
  else
    {
      g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
      trial->in_doubt[lane->row] = TRUE;
      decision_state_copy (&lane->attempted, &trial->doubtful[lane->row]);
      trial->n_killed++;
    }

  if (!trial->killing)
    lane_start (lane);
  else if (trial->n_running == 0)
    g_main_loop_quit (trial->loop);
}

static void
lane_start (Lane *lane)
{
  CurationTrial *trial = lane->trial;
  static const char *const names[] = { NULL, "accept", "reject", "skip" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const DecisionState *before;
  guint step = g_test_rand_int_range (0, 1000000);

  /* Lanes own disjoint rows, so each row has one writer at a time. */
  lane->row = lane->lane + N_LANES * g_test_rand_int_range (0, N_ROWS / N_LANES);
  before = &trial->committed[lane->row];
  decision_state_clear (&lane->attempted);
  lane->attempted.decision = g_test_rand_int_range (CLAIR_DECISION_ACCEPTED,
                                                    CLAIR_DECISION_SKIPPED + 1);
  lane->attempted.note = g_strdup_printf ("note %u for row %u — “quoted”", step, lane->row);

  g_ptr_array_add (argv, g_strdup (g_getenv ("CLAIR_CLI")));
  g_ptr_array_add (argv, g_strdup ("decide"));
  g_ptr_array_add (argv, g_strdup (trial->project_path));
  g_ptr_array_add (argv, g_strdup_printf ("--row=%u", lane->row));
  g_ptr_array_add (argv, g_strdup_printf ("--note=%s", lane->attempted.note));
  if (g_test_rand_bit ())
    {
      g_autofree char *name = g_strdup_printf ("edit-%u.txt", lane->lane);
      g_autofree char *path = g_build_filename (trial->dir, name, NULL);

      lane->attempted.edited = g_strdup_printf ("Edited revision %u of row %u.\nSecond line.", step,
                                                lane->row);
      g_file_set_contents (path, lane->attempted.edited, -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (argv, g_strdup_printf ("--revision-file=%s", path));
    }
  else
    lane->attempted.edited = g_strdup (before->edited);   /* the CLI keeps an earlier edit */
  g_ptr_array_add (argv, g_strdup (names[lane->attempted.decision]));
  g_ptr_array_add (argv, NULL);

  lane->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  trial->n_running++;
  g_subprocess_wait_async (lane->process, NULL, lane_wait_cb, lane);
}

static gboolean
kill_all_cb (gpointer user_data)
{
  CurationTrial *trial = user_data;

  trial->killing = TRUE;
  for (guint l = 0; l < N_LANES; l++)
    if (trial->lanes[l].process != NULL)
      g_subprocess_send_signal (trial->lanes[l].process, SIGKILL);
  if (trial->n_running == 0)
    g_main_loop_quit (trial->loop);
  return G_SOURCE_REMOVE;
}

static void
verify_decisions (CurationTrial *trial,
                  ClairProject  *project)
{
  g_autoptr(GError) error = NULL;

  for (guint row = 0; row < N_ROWS; row++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, row, &error);

      g_assert_no_error (error);
      if (decision_state_matches (&trial->committed[row], record))
        ;
      else if (trial->in_doubt[row] && decision_state_matches (&trial->doubtful[row], record))
        /* The killed process got its commit through: that is the new truth. */
        decision_state_copy (&trial->doubtful[row], &trial->committed[row]);
      else
        g_error ("row %u: decision %d, note “%s”, edit “%s” — expected decision %d, note “%s”,"
                 " edit “%s”", row, record->decision, record->note, record->edited_revision,
                 trial->committed[row].decision, trial->committed[row].note,
                 trial->committed[row].edited);
      trial->in_doubt[row] = FALSE;
      decision_state_clear (&trial->doubtful[row]);
    }
}

static void
test_kill_during_decide (void)
{
  g_autofree char *dir = make_temp_dir ("clair-test-crash-XXXXXX");
  g_autofree char *project_path = NULL;
  CurationTrial trial = { 0, };
  guint total_finished = 0, total_killed = 0;

  if (g_getenv ("CLAIR_CLI") == NULL)
    {
      g_test_skip ("CLAIR_CLI is not set");
      return;
    }

  project_path = make_revised_project (dir, N_ROWS);
  trial.dir = dir;
  trial.project_path = project_path;
  trial.loop = g_main_loop_new (NULL, FALSE);

  for (guint t = 0; t < N_TRIALS; t++)
    {
      g_autoptr(ClairProject) project = NULL;

      trial.killing = FALSE;
      trial.n_finished = trial.n_killed = 0;
      for (guint l = 0; l < N_LANES; l++)
        {
          trial.lanes[l].trial = &trial;
          trial.lanes[l].lane = l;
          lane_start (&trial.lanes[l]);
        }
      /* Decisions, then kill -9 whatever is running (armed by the first commit). */
      g_main_loop_run (trial.loop);
      g_assert_cmpuint (trial.n_running, ==, 0);

      project = reopen_checked (project_path);
      verify_decisions (&trial, project);
      total_finished += trial.n_finished;
      total_killed += trial.n_killed;
    }

  g_test_message ("%u decisions committed, %u processes killed mid-way over %u trials",
                  total_finished, total_killed, N_TRIALS);
  g_assert_cmpuint (total_finished, >, N_TRIALS);
  g_assert_cmpuint (total_killed, >, 0);

  for (guint row = 0; row < N_ROWS; row++)
    {
      decision_state_clear (&trial.committed[row]);
      decision_state_clear (&trial.doubtful[row]);
    }
  for (guint l = 0; l < N_LANES; l++)
    decision_state_clear (&trial.lanes[l].attempted);
  g_main_loop_unref (trial.loop);
  remove_tree (dir);
}

/* ------------------------------------------------------------------------------------------------
 * Runs: `clair run` against the test server, killed at a random moment. Its progress line
 * ("N/M done") counts results after they are committed; under a terminal it is printed every
 * 200 ms, so the test gives it a pseudo-terminal and reads what it reported before the kill. */

#define RUN_ROWS 600

static guint
count_attempts (ClairProject *project)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = clair_project_get_summaries (project, &error);
  guint total = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < summaries->len; i++)
    total += g_array_index (summaries, ClairRowSummary, i).n_attempts;
  return total;
}

/* The largest "N/M done" the run printed. */
static guint
reported_done (const char *output)
{
  guint best = 0;

  for (const char *p = output; (p = strstr (p, " done")) != NULL; p++)
    {
      const char *slash = p;
      const char *start;

      while (slash > output && g_ascii_isdigit (slash[-1]))
        slash--;
      if (slash == output || slash[-1] != '/')
        continue;
      start = slash - 1;
      while (start > output && g_ascii_isdigit (start[-1]))
        start--;
      if (start < slash - 1)
        best = MAX (best, (guint) g_ascii_strtoull (start, NULL, 10));
    }
  return best;
}

static void
test_kill_during_run (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *dataset_path = NULL;
  g_autofree char *project_path = NULL;
  g_autofree char *base_url = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint total_reported = 0, total_stored = 0, n_killed = 0;

  if (g_getenv ("CLAIR_CLI") == NULL || g_getenv ("CLAIR_TEST_SERVER") == NULL)
    {
      g_test_skip ("CLAIR_CLI or CLAIR_TEST_SERVER is not set");
      return;
    }

  dir = make_temp_dir ("clair-test-crash-XXXXXX");
  dataset_path = g_build_filename (dir, "run.jsonl", NULL);
  project_path = g_build_filename (dir, "run.clair", NULL);
  for (guint i = 0; i < RUN_ROWS; i++)
    g_string_append_printf (text, "{\"task\":\"Task %u: name a colour.\",\"student_solution\":"
                            "\"blue  %u\"}\n", i, i);
  g_file_set_contents (dataset_path, text->str, text->len, &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { g_getenv ("CLAIR_CLI"), "import", dataset_path, "--project",
                           project_path, NULL };
    int status;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  server = start_test_server ("latency=15", &base_url);
  g_assert_nonnull (server);

  for (guint t = 0; t < N_TRIALS; t++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) run = NULL;
      g_autoptr(ClairProject) project = NULL;
      g_autoptr(GString) output = g_string_new (NULL);
      g_autofree char *url_arg = g_strdup_printf ("--base-url=%s", base_url);
      guint before, after, reported;
      int master, slave;
      char buf[4096];
      ssize_t n;

      project = reopen_checked (project_path);
      before = count_attempts (project);
      g_clear_object (&project);

      /* A pseudo-terminal for stderr: the CLI then prints its progress every 200 ms. */
      master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (master, >=, 0);
      g_assert_cmpint (grantpt (master), ==, 0);
      g_assert_cmpint (unlockpt (master), ==, 0);
      slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (slave, >=, 0);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      g_subprocess_launcher_take_stderr_fd (launcher, slave);
      g_subprocess_launcher_setenv (launcher, "CLAIR_API_KEY", "sk-crash-test", TRUE);
      run = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CLAIR_CLI"), "run",
                                         project_path, url_arg, "--model=mock", "--concurrency=8",
                                         "--rerun=all", "--force", "--timeout=30", NULL);
      g_assert_no_error (error);
      g_clear_object (&launcher);   /* closes our copy of the slave */

      g_usleep (g_test_rand_int_range (100, 1800) * 1000);
      g_subprocess_send_signal (run, SIGKILL);   /* does nothing when it already finished */
      g_subprocess_wait (run, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (run))
        n_killed++;
      else
        g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 0);

      fcntl (master, F_SETFL, O_NONBLOCK);
      while ((n = read (master, buf, sizeof buf)) > 0)
        g_string_append_len (output, buf, n);
      close (master);
      reported = reported_done (output->str);

      /* Reopen: intact, and every result the run reported as committed is there. */
      project = reopen_checked (project_path);
      after = count_attempts (project);
      g_assert_cmpuint (clair_project_get_n_rows (project), ==, RUN_ROWS);
      if (after < before + reported)
        g_error ("trial %u: the run reported %u results committed, the project gained %u", t,
                 reported, after - before);
      total_reported += reported;
      total_stored += after - before;
    }

  g_test_message ("%u runs killed; they reported %u results committed and the projects gained %u",
                  n_killed, total_reported, total_stored);
  g_assert_cmpuint (n_killed, >=, N_TRIALS / 2);
  g_assert_cmpuint (total_reported, >, 0);

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crash/kill-during-decide", test_kill_during_decide);
  g_test_add_func ("/crash/kill-during-run", test_kill_during_run);

  return g_test_run ();
}
