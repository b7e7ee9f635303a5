/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the test programs (core tests in tests/, UI tests in tests/ui/): temporary
 * directories, the test server (from clair-test-http.h), a private session bus, peak RSS, projects
 * to test with, and the integrity check after a kill.
 * Static inline, so a test that leaves one unused still builds warning-free. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>

#include "clair-dataset.h"
#include "clair-metrics.h"
#include "clair-project.h"
#include "clair-test-http.h"

/* A new directory under the temporary directory, from @tmpl (ending in XXXXXX). */
static inline char *
make_temp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @dir and everything below it (links are removed, not followed). */
static inline void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* This process's peak RSS (VmHWM) in MB, or -1 where /proc does not say. */
static inline double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

/* Starts CLAIR_TEST_SERVER with `--set @settings` (see clair-test-http.h: it goes with this
 * process) and stores the base URL it prints on its first line in @url. NULL when
 * CLAIR_TEST_SERVER is not set. */
static inline GSubprocess *
start_test_server (const char  *settings,
                   char       **url)
{
  ClairTestServer *server = clair_test_server_start_seeded (settings, 0);
  GSubprocess *process;

  if (server == NULL)
    return NULL;
  process = g_steal_pointer (&server->process);
  *url = g_steal_pointer (&server->url);
  g_free (server);
  return process;
}

/* A private session bus without services (no keyring, no portal, no other instance of the app).
 * GTestDBus unsets DISPLAY: it is set again, so windows still reach the X server. */
static inline GTestDBus *
start_private_bus (void)
{
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);

  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  return bus;
}

/* Copies the 20-row sample at @sample_path to @dataset_path and imports it (task,
 * student_solution) into a new project at @project_path, which is returned open. */
static inline ClairProject *
import_sample (const char *sample_path,
               const char *dataset_path,
               const char *project_path)
{
  g_autofree char *contents = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0 };
  ClairProject *project;
  gsize len;

  g_assert_true (g_file_get_contents (sample_path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (dataset_path, contents, len, NULL));
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (clair_dataset_index (dataset, NULL, &error));
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, 20);
  clair_import_report_clear (&report);
  return project;
}

/* Imports the JSONL file at @dataset_path (task, student_solution) into a new project at
 * @project_path, asserting that @n_rows rows came in; returns the project open. */
static inline ClairProject *
import_jsonl (const char *dataset_path,
              const char *project_path,
              guint       n_rows)
{
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0 };
  ClairProject *project;

  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_JSONL, &error);
  g_assert_no_error (error);
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, n_rows);
  clair_import_report_clear (&report);
  return project;
}

/* Stores a finished attempt for @row: @revision (also its raw output) with @rationale (may be
 * NULL), parsed, with its metrics against the row's solution. */
static inline void
add_revision (ClairProject *project,
              guint         row,
              const char   *revision,
              const char   *rationale)
{
  g_autoptr(ClairRecord) record = clair_project_get_record (project, row, NULL);
  ClairAttempt *attempt = clair_attempt_new ();

  attempt->row = row;
  attempt->status = CLAIR_ROW_REVISED;
  attempt->revision = g_strdup (revision);
  attempt->raw_output = g_strdup (attempt->revision);
  attempt->rationale = g_strdup (rationale);
  attempt->parse_status = g_strdup ("ok");
  clair_metrics_compute (record->solution, attempt->revision, &attempt->metrics);
  attempt->has_metrics = TRUE;
  g_assert_true (clair_project_add_attempts (project, &attempt, 1, NULL));
  clair_attempt_free (attempt);
}

/* PRAGMA integrity_check on a raw connection (which also recovers the WAL a killed process left),
 * then a normal open through the project API. */
static inline ClairProject *
reopen_checked (const char *path)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  ClairProject *project;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  return project;
}
