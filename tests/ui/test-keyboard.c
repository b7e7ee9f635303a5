/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-keyboard"

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <string.h>

#include "clair-dataset.h"
#include "clair-metrics.h"
#include "clair-project.h"
#include "../test-util.h"

/* The whole review workflow from the keyboard alone, with real key events: the real clair-studio
 * binary under Xvfb, driven by xdotool (XTEST), through the keys the shortcuts window lists
 * (src/app/gtk/help-overlay.ui). After each step the project file is read with the core API:
 * decisions are committed the moment they are made, so every key is checked by what it wrote. */

static char *xdotool;
static char *sample_path;
static char *studio_path;

static void
sleep_ms (guint ms)
{
  g_usleep (ms * 1000);
}

/* The sample's 20 rows; rows 0-9 revised (the answer with one word changed and a sentence
 * added), rows 10-19 pending. */
static char *
make_project (const char *dir)
{
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  char *path = g_build_filename (dir, "keys.clair", NULL);
  g_autoptr(ClairProject) project = import_sample (sample_path, dataset_path, path);

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, i, NULL);
      g_autofree char *revision = g_strconcat (record->solution, " Checked.", NULL);

      add_revision (project, i, revision, NULL);
    }
  return path;
}

/* Runs xdotool with @args (NULL-terminated) and returns its first line of output. */
static char *
xdo (const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, xdotool);
  va_start (args, first);
  for (const char *arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  if (out && strchr (out, '\n'))
    *strchr (out, '\n') = '\0';
  return g_steal_pointer (&out);
}

/* Presses @keys (xdotool key syntax, "ctrl+Return"), then gives the app a moment. */
static void
press (const char *keys)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) each = g_strsplit (keys, " ", -1);

  g_test_message ("keys: %s", keys);
  for (guint i = 0; each[i]; i++)
    {
      g_free (out);
      out = xdo ("key", "--clearmodifiers", each[i], NULL);
      sleep_ms (80);
    }
  sleep_ms (350);
}

static void
type_text (const char *text)
{
  g_autofree char *out = NULL;

  g_test_message ("type: %s", text);
  out = xdo ("type", "--clearmodifiers", "--delay", "60", text, NULL);
  sleep_ms (400);
}

/* The project as the app has written it so far (read-only, beside the running app). */
static ClairRecord *
record (const char *path,
        guint       index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = clair_project_open (path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  ClairRecord *r;

  g_assert_no_error (error);
  r = clair_project_get_record (project, index, &error);
  g_assert_no_error (error);
  return r;
}

static ClairDecision
decision (const char *path,
          guint       index)
{
  g_autoptr(ClairRecord) r = record (path, index);

  return r->decision;
}

/* Polls: a decision is committed at once, but the app may be a key or two behind xdotool. */
static void
expect_decision (const char    *path,
                 guint          index,
                 ClairDecision  expected,
                 const char    *after)
{
  gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  ClairDecision got;

  while ((got = decision (path, index)) != expected && g_get_monotonic_time () < end)
    sleep_ms (50);
  if (got != expected)
    {
      g_autoptr(GString) all = g_string_new (NULL);

      for (guint i = 0; i < 20; i++)
        g_string_append_printf (all, " %u:%d", i, decision (path, i));
      g_test_message ("after %s: row %u has decision %d, expected %d; all rows:%s", after, index, got,
                      expected, all->str);
    }
  g_assert_cmpint (got, ==, expected);
}

static void
test_keyboard_workflow (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *project_path = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *window = NULL;
  g_autofree char *ignored = NULL;

  if (xdotool == NULL)
    {
      g_test_skip ("xdotool is not installed (build-aux/clair-dev deps installs it)");
      return;
    }
  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("no X display (run under xvfb-run)");
      return;
    }
  if (!g_file_test (studio_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("clair-studio is not built");
      return;
    }
  dir = make_temp_dir ("clair-keys-XXXXXX");
  project_path = make_project (dir);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "CLAIR_PROFILE_FIRST_FRAME", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);
  /* Warnings are the app's to report in its own tests; here they must not end the session. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  app = g_subprocess_launcher_spawn (launcher, &error, studio_path, project_path, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "first-frame");

  window = xdo ("search", "--sync", "--onlyvisible", "--name", "CLAIR Studio", NULL);
  g_assert_nonnull (window);
  g_assert_cmpstr (window, !=, "");
  ignored = xdo ("windowfocus", "--sync", window, NULL);
  sleep_ms (800);   /* the project's rows load on a thread */

  /* Row 0 is current. Accept, reject, skip: each moves on to the next row. */
  press ("ctrl+Return");
  expect_decision (project_path, 0, CLAIR_DECISION_ACCEPTED, "Ctrl+Enter on row 0");
  press ("alt+r");
  expect_decision (project_path, 1, CLAIR_DECISION_REJECTED, "Alt+R on row 1");
  press ("alt+s");
  expect_decision (project_path, 2, CLAIR_DECISION_SKIPPED, "Alt+S on row 2");

  /* Undo takes the skip back (and returns to row 2), redo makes it again. */
  press ("ctrl+z");
  expect_decision (project_path, 2, CLAIR_DECISION_NONE, "Ctrl+Z");
  press ("ctrl+shift+z");
  expect_decision (project_path, 2, CLAIR_DECISION_SKIPPED, "Ctrl+Shift+Z");
  g_assert_cmpint (decision (project_path, 1), ==, CLAIR_DECISION_REJECTED);

  /* Row 2 is current again. Down two, up one: accept lands on row 3. */
  press ("ctrl+Next ctrl+Next ctrl+Prior");
  press ("ctrl+Return");
  expect_decision (project_path, 3, CLAIR_DECISION_ACCEPTED, "Ctrl+Page Down ×2, Ctrl+Page Up, Ctrl+Enter");
  g_assert_cmpint (decision (project_path, 4), ==, CLAIR_DECISION_NONE);

  /* Row 4: edit, type, leave the editor; the edit is saved and the list has the focus. */
  press ("e");
  type_text ("Zq9");
  press ("Escape");
  {
    gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    g_autoptr(ClairRecord) r = NULL;
    g_autofree char *without = NULL;

    for (;;)
      {
        g_clear_pointer (&r, clair_record_free);
        r = record (project_path, 4);
        if (r->edited_revision != NULL || g_get_monotonic_time () > end)
          break;
        sleep_ms (50);
      }
    g_test_message ("row 4 edited revision: %s", r->edited_revision ? r->edited_revision : "(none)");
    g_assert_nonnull (r->edited_revision);
    g_assert_nonnull (strstr (r->edited_revision, "Zq9"));
    /* Exactly the three characters typed, where the cursor was. */
    {
      const char *at = strstr (r->edited_revision, "Zq9");

      without = g_strdup_printf ("%.*s%s", (int) (at - r->edited_revision), r->edited_revision, at + 3);
    }
    g_assert_nonnull (r->attempt);
    g_assert_cmpstr (without, ==, r->attempt->revision);
    g_assert_cmpint (r->decision, ==, CLAIR_DECISION_NONE);
  }

  /* j/k with the list focused (Escape left the editor for the list). */
  press ("j j k");
  press ("alt+r");
  expect_decision (project_path, 5, CLAIR_DECISION_REJECTED, "J J K (from row 4), Alt+R");
  g_assert_cmpint (decision (project_path, 6), ==, CLAIR_DECISION_NONE);

  /* Search: Ctrl+F, type, Return goes to the first match (the row being read is not one of them);
   * skip it. */
  press ("ctrl+f");
  type_text ("kibibyte");
  press ("Return");
  sleep_ms (400);
  press ("alt+s");
  expect_decision (project_path, 8, CLAIR_DECISION_SKIPPED, "Ctrl+F, kibibyte, Return, Alt+S");
  g_assert_cmpint (decision (project_path, 6), ==, CLAIR_DECISION_NONE);

  /* Single keys, with the list focused (the search cleared). G goes to a row, J moves on, A
   * accepts, U undoes, R rejects, S skips; each decision moves to the next row. */
  press ("ctrl+f");
  press ("Escape");
  press ("g");
  type_text ("5");
  press ("Return");
  press ("j");
  press ("a");
  expect_decision (project_path, 6, CLAIR_DECISION_ACCEPTED, "G 5 Return, J, A");
  press ("u");
  expect_decision (project_path, 6, CLAIR_DECISION_NONE, "U");
  press ("r");
  expect_decision (project_path, 6, CLAIR_DECISION_REJECTED, "R (after U, on row 6)");
  press ("s");
  expect_decision (project_path, 7, CLAIR_DECISION_SKIPPED, "S on row 7");

  /* One cursor: K goes back to row 7, and the list's ↓ goes on from there (not from where the
   * list had its cursor before), so A lands on row 8. */
  press ("k");
  press ("Down");
  press ("a");
  expect_decision (project_path, 8, CLAIR_DECISION_ACCEPTED, "K, Down, A");
  g_assert_cmpint (decision (project_path, 7), ==, CLAIR_DECISION_SKIPPED);

  /* N: the next row with no decision (rows 0-8 are decided but 4; from row 9 on, row 9). */
  press ("g");
  type_text ("2");
  press ("Return");
  press ("n");
  press ("s");
  expect_decision (project_path, 4, CLAIR_DECISION_SKIPPED, "G 2 Return, N, S");

  /* Quit from the keyboard; the app must go within a moment. */
  press ("ctrl+q");
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < end)
      {
        if (g_subprocess_get_identifier (app) == NULL)
          break;
        sleep_ms (50);
      }
    if (g_subprocess_get_identifier (app) != NULL)
      {
        g_test_message ("Ctrl+Q did not quit the app within 5 s");
        g_subprocess_force_exit (app);
      }
    g_subprocess_wait (app, NULL, NULL);
  }

  /* Everything is in the file after the app has gone. */
  g_assert_cmpint (decision (project_path, 0), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpint (decision (project_path, 1), ==, CLAIR_DECISION_REJECTED);
  g_assert_cmpint (decision (project_path, 2), ==, CLAIR_DECISION_SKIPPED);
  g_assert_cmpint (decision (project_path, 3), ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpint (decision (project_path, 4), ==, CLAIR_DECISION_SKIPPED);
  g_assert_cmpint (decision (project_path, 5), ==, CLAIR_DECISION_REJECTED);
  g_assert_cmpint (decision (project_path, 6), ==, CLAIR_DECISION_REJECTED);
  g_assert_cmpint (decision (project_path, 7), ==, CLAIR_DECISION_SKIPPED);
  g_assert_cmpint (decision (project_path, 8), ==, CLAIR_DECISION_ACCEPTED);
  for (guint i = 9; i < 20; i++)
    g_assert_cmpint (decision (project_path, i), ==, CLAIR_DECISION_NONE);
  {
    g_autoptr(ClairRecord) r = record (project_path, 4);

    g_assert_nonnull (r->edited_revision);
    g_assert_nonnull (strstr (r->edited_revision, "Zq9"));
  }
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  GTestDBus *bus;
  int status;

  g_test_init (&argc, &argv, NULL);
  xdotool = g_find_program_in_path ("xdotool");
  sample_path = g_test_build_filename (G_TEST_DIST, "..", "..", "data", "sample.jsonl", NULL);
  studio_path = g_test_build_filename (G_TEST_BUILT, "..", "..", "src", "app", "clair-studio", NULL);
  /* A private session bus: the app is alone on it (no other instance takes the command line
   * over), with no keyring and no portal. */
  bus = start_private_bus ();

  g_test_add_func ("/keyboard/workflow", test_keyboard_workflow);
  status = g_test_run ();
  g_test_dbus_down (bus);
  g_object_unref (bus);
  g_free (xdotool);
  g_free (sample_path);
  g_free (studio_path);
  return status;
}
