/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-project"

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "clair-error.h"
#include "clair-project.h"

typedef struct
{
  char *dir;
  char *dataset;
  char *project_path;
} Fixture;

static const char dataset_text[] =
  "{\"task\":\"Add 2 and 2.\",\"student_solution\":\"2 + 2 = 5\",\"id\":\"a\"}\n"
  "{\"task\":\"Name a prime.\",\"student_solution\":\"Nine is prime.\",\"id\":\"b\"}\n"
  "{\"task\":\"Broken\",\"student_solution\":\n"
  "{\"task\":\"Capital of France?\",\"student_solution\":\"Lyon\",\"id\":\"d\",\"tags\":[1,2]}\n"
  "{\"task\":\"Say 50% in words.\",\"student_solution\":\"fifty percent\",\"id\":\"e\"}\n";

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static ClairProject *
import_fixture (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  ClairProject *project;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0 };

  dataset = clair_dataset_open (fixture->dataset, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (report.n_imported, ==, 4);
  g_assert_cmpuint (report.skipped->len, ==, 1);
  g_assert_cmpuint (g_array_index (report.skipped, ClairSkippedRow, 0).index, ==, 2);
  g_assert_nonnull (strstr (g_array_index (report.skipped, ClairSkippedRow, 0).reason, "line 3"));
  clair_import_report_clear (&report);

  return project;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("clair-test-project-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->dataset = g_build_filename (fixture->dir, "data.jsonl", NULL);
  fixture->project_path = g_build_filename (fixture->dir, "data.clair", NULL);
  write_file (fixture->dataset, dataset_text);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->dataset);
  g_free (fixture->project_path);
}

static ClairAttempt *
make_attempt (guint           row,
              ClairRowStatus  status,
              const char     *revision,
              double          jaccard)
{
  ClairAttempt *attempt = clair_attempt_new ();

  attempt->row = row;
  attempt->status = status;
  attempt->request_hash = g_strdup_printf ("hash-%u", row);
  attempt->http_status = status == CLAIR_ROW_FAILED ? 500 : 200;
  attempt->revision = g_strdup (revision);
  attempt->raw_output = revision ? g_strdup_printf ("{teacher_reasoning}: fix\n\n{corrected_student_solution}: %s", revision) : NULL;
  attempt->rationale = revision ? g_strdup ("fix") : NULL;
  attempt->error = status == CLAIR_ROW_FAILED ? g_strdup ("Internal server error") : NULL;
  attempt->model_requested = g_strdup ("m");
  attempt->prompt_tokens = 10;
  attempt->completion_tokens = 20;
  attempt->has_metrics = revision != NULL;
  attempt->metrics.jaccard = jaccard;
  attempt->metrics.levenshtein_norm = 1.0 - jaccard;
  return attempt;
}

static void
test_import_and_reopen (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(GArray) skipped = NULL;
  g_autofree char *task_column = NULL;
  g_autofree char *source = NULL;

  g_assert_cmpuint (clair_project_get_n_rows (project), ==, 4);
  g_clear_object (&project);

  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clair_project_get_n_rows (project), ==, 4);

  /* Rows keep their dataset positions: the bad row 2 leaves a gap, row 3 stays row 3. */
  record = clair_project_get_record (project, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->task, ==, "Capital of France?");
  g_assert_cmpstr (record->solution, ==, "Lyon");
  g_assert_cmpstr (record->extra_json, ==, "{\"id\":\"d\",\"tags\":[1,2]}");
  g_assert_cmpuint (record->line, ==, 4);
  g_assert_null (record->attempt);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);

  g_assert_null (clair_project_get_record (project, 2, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  skipped = clair_project_get_skipped (project);
  g_assert_cmpuint (skipped->len, ==, 1);
  g_assert_cmpuint (g_array_index (skipped, ClairSkippedRow, 0).index, ==, 2);

  task_column = clair_project_get_setting (project, "mapping.task");
  source = clair_project_get_setting (project, "source.path");
  g_assert_cmpstr (task_column, ==, "task");
  g_assert_cmpstr (source, ==, fixture->dataset);

  /* A second import into the same project is refused rather than mixing datasets. */
  {
    g_autoptr(ClairDataset) dataset = clair_dataset_open (fixture->dataset, CLAIR_FORMAT_UNKNOWN, NULL);
    ClairMapping mapping = { (char *) "task", (char *) "student_solution" };

    g_assert_false (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL,
                                                  NULL, &error));
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
  }
}

static void
test_attempts_and_status (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  g_autoptr(GArray) pending = NULL;
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) summaries = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autofree char *hash = NULL;
  ClairAttempt *attempts[3];
  ClairProjectCounts counts;

  attempts[0] = make_attempt (0, CLAIR_ROW_REVISED, "2 + 2 = 4", 0.8);
  attempts[1] = make_attempt (1, CLAIR_ROW_FAILED, NULL, NAN);
  attempts[2] = make_attempt (3, CLAIR_ROW_PARSE_FAILED, NULL, NAN);
  clair_project_add_attempts (project, attempts, 3, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (attempts[i]->id, >, 0);
      clair_attempt_free (attempts[i]);
    }

  pending = clair_project_list_rows_to_run (project, CLAIR_SELECT_PENDING, 0, G_MAXUINT, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpuint (g_array_index (pending, guint, 0), ==, 4);

  failed = clair_project_list_rows_to_run (project, CLAIR_SELECT_FAILED, 0, 3, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failed->len, ==, 2);
  g_assert_cmpuint (g_array_index (failed, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (failed, guint, 1), ==, 3);

  all = clair_project_list_rows_to_run (project, CLAIR_SELECT_ALL, 0, G_MAXUINT, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);

  hash = clair_project_get_revised_hash (project, 0);
  g_assert_cmpstr (hash, ==, "hash-0");
  g_assert_null (clair_project_get_revised_hash (project, 1));

  summaries = clair_project_get_summaries (project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 4);
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 0).status, ==, CLAIR_ROW_REVISED);
  g_assert_cmpfloat_with_epsilon (g_array_index (summaries, ClairRowSummary, 0).jaccard, 0.8, 1e-6);
  g_assert_true (isnan (g_array_index (summaries, ClairRowSummary, 1).jaccard));
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 1).status, ==, CLAIR_ROW_FAILED);
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 2).index, ==, 3);

  /* A re-run is a new attempt; the old one is kept and the row follows the newest. */
  attempts[0] = make_attempt (1, CLAIR_ROW_REVISED, "Seven is prime.", 0.5);
  clair_project_add_attempts (project, attempts, 1, &error);
  g_assert_no_error (error);
  clair_attempt_free (attempts[0]);

  history = clair_project_get_attempts (project, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpint (((ClairAttempt *) history->pdata[0])->status, ==, CLAIR_ROW_FAILED);
  g_assert_cmpstr (((ClairAttempt *) history->pdata[0])->error, ==, "Internal server error");

  record = clair_project_get_record (project, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (record->n_attempts, ==, 2);
  g_assert_cmpstr (record->attempt->revision, ==, "Seven is prime.");
  g_assert_cmpstr (clair_record_get_chosen (record), ==, "Seven is prime.");

  clair_project_get_counts (project, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.n_rows, ==, 4);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_REVISED], ==, 2);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_PARSE_FAILED], ==, 1);
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_PENDING], ==, 1);
  g_assert_cmpuint (counts.n_skipped_at_import, ==, 1);
  g_assert_cmpint (counts.prompt_tokens, ==, 40);
  g_assert_cmpint (counts.completion_tokens, ==, 80);

  /* An attempt for a row that does not exist rolls the whole group back. */
  attempts[0] = make_attempt (4, CLAIR_ROW_REVISED, "fifty per cent", 0.5);
  attempts[1] = make_attempt (99, CLAIR_ROW_REVISED, "x", 0.5);
  g_assert_false (clair_project_add_attempts (project, attempts, 2, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (attempts[0]->id, ==, 0);
  clair_attempt_free (attempts[0]);
  clair_attempt_free (attempts[1]);
  g_clear_pointer (&pending, g_array_unref);
  pending = clair_project_list_rows_to_run (project, CLAIR_SELECT_PENDING, 0, G_MAXUINT, 0, &error);
  g_assert_cmpuint (pending->len, ==, 1);
}

static void
test_decisions (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  g_autoptr(ClairRecord) record = NULL;
  ClairAttempt *attempt = make_attempt (0, CLAIR_ROW_REVISED, "2 + 2 = 4", 0.8);
  ClairProjectCounts counts;

  clair_project_add_attempts (project, &attempt, 1, &error);
  g_assert_no_error (error);
  clair_attempt_free (attempt);

  clair_project_set_decision (project, 0, CLAIR_DECISION_ACCEPTED, "2 + 2 = 4, always.", "checked",
                              &error);
  g_assert_no_error (error);
  clair_project_set_decision (project, 1, CLAIR_DECISION_REJECTED, NULL, NULL, &error);
  g_assert_no_error (error);
  clair_project_set_decision (project, 3, CLAIR_DECISION_SKIPPED, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (clair_project_set_decision (project, 2, CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Decisions are on disk the moment the call returns: a second connection sees them. */
  {
    g_autoptr(ClairProject) other = clair_project_open (fixture->project_path,
                                                        CLAIR_PROJECT_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
    record = clair_project_get_record (other, 0, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpstr (record->edited_revision, ==, "2 + 2 = 4, always.");
  g_assert_cmpstr (record->note, ==, "checked");
  g_assert_cmpstr (clair_record_get_chosen (record), ==, "2 + 2 = 4, always.");
  g_assert_cmpint (record->decided_at, >, 0);

  clair_project_get_counts (project, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_ACCEPTED], ==, 1);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_REJECTED], ==, 1);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_SKIPPED], ==, 1);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_NONE], ==, 1);
  g_assert_cmpuint (counts.n_edited, ==, 1);

  /* Undo back to nothing removes the decision. */
  clair_project_set_decision (project, 1, CLAIR_DECISION_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&record, clair_record_free);
  record = clair_project_get_record (project, 1, &error);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);
  g_assert_cmpint (record->decided_at, ==, 0);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GArray) literal = NULL;
  g_autoptr(GArray) revision_hits = NULL;
  ClairAttempt *attempt = make_attempt (3, CLAIR_ROW_REVISED, "Paris", 0.0);

  clair_project_add_attempts (project, &attempt, 1, &error);
  g_assert_no_error (error);
  clair_attempt_free (attempt);

  hits = clair_project_search (project, "PRIME", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpuint (g_array_index (hits, guint, 0), ==, 1);

  /* Wildcards are literal: "50%" must not match everything. */
  literal = clair_project_search (project, "50%", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (literal->len, ==, 1);
  g_assert_cmpuint (g_array_index (literal, guint, 0), ==, 4);

  revision_hits = clair_project_search (project, "paris", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (revision_hits->len, ==, 1);
  g_assert_cmpuint (g_array_index (revision_hits, guint, 0), ==, 3);
}

static void
test_settings_and_params (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  g_autoptr(ClairPrompt) prompt = NULL;
  g_autofree char *value = NULL;
  ClairGenParams params;
  ClairGenParams loaded;

  clair_gen_params_init (&params);
  params.model = g_strdup ("gpt-4o");
  params.temperature = 0.7;
  params.max_tokens = 4096;
  clair_project_save_params (project, &params, &error);
  g_assert_no_error (error);
  clair_project_load_params (project, &loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded.model, ==, "gpt-4o");
  g_assert_cmpfloat (loaded.temperature, ==, 0.7);
  g_assert_cmpint (loaded.max_tokens, ==, 4096);
  clair_gen_params_clear (&params);
  clair_gen_params_clear (&loaded);

  prompt = clair_project_load_prompt (project);
  g_assert_true (clair_prompt_is_default (prompt));
  g_clear_pointer (&prompt, clair_prompt_free);
  clair_project_set_setting (project, "prompt.user", "Fix: {{ student_solution }}", &error);
  g_assert_no_error (error);
  prompt = clair_project_load_prompt (project);
  g_assert_false (clair_prompt_is_default (prompt));
  g_assert_cmpstr (clair_prompt_get_user (prompt), ==, "Fix: {{ student_solution }}");

  clair_project_set_setting (project, "prompt.user", NULL, &error);
  g_assert_no_error (error);
  value = clair_project_get_setting (project, "prompt.user");
  g_assert_null (value);
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* The first released format, written by hand as version 1 wrote it. */
static const char v1_schema[] =
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE rows (idx INTEGER PRIMARY KEY, line INTEGER NOT NULL, task TEXT NOT NULL,"
  "  solution TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}', status INTEGER NOT NULL DEFAULT 0,"
  "  latest_attempt INTEGER, n_attempts INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE skipped (idx INTEGER PRIMARY KEY, line INTEGER NOT NULL, reason TEXT NOT NULL);"
  "CREATE TABLE attempts (id INTEGER PRIMARY KEY, row_idx INTEGER NOT NULL, request_hash TEXT,"
  "  status INTEGER NOT NULL, http_status INTEGER NOT NULL DEFAULT 0, error TEXT, raw_output TEXT,"
  "  revision TEXT, rationale TEXT, marker TEXT, parse_status TEXT, finish_reason TEXT,"
  "  model_requested TEXT, model_reported TEXT, prompt_tokens INTEGER NOT NULL DEFAULT -1,"
  "  completion_tokens INTEGER NOT NULL DEFAULT -1, latency_ms REAL NOT NULL DEFAULT 0,"
  "  started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0,"
  "  has_metrics INTEGER NOT NULL DEFAULT 0, jaccard REAL, levenshtein REAL,"
  "  levenshtein_norm REAL, changed_share REAL, length_ratio REAL, similarity_ratio REAL);"
  "CREATE INDEX attempts_by_row ON attempts (row_idx);"
  "CREATE TABLE decisions (row_idx INTEGER PRIMARY KEY, decision INTEGER NOT NULL,"
  "  edited_revision TEXT, note TEXT, decided_at INTEGER NOT NULL);"
  "INSERT INTO rows VALUES (0, 1, 'T', 'S', '{}', 1, 1, 1);"
  "INSERT INTO rows VALUES (1, 2, 'T2', 'S2', '{}', 0, NULL, 0);"
  "INSERT INTO attempts (id, row_idx, status, revision, has_metrics, jaccard, levenshtein_norm)"
  "  VALUES (1, 0, 1, 'S!', 1, 0.75, 0.1);"
  "INSERT INTO decisions VALUES (0, 1, NULL, 'kept', 5);"
  "PRAGMA application_id = 1129070921; PRAGMA user_version = 1;";

static void
test_migration (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GArray) summaries = NULL;
  g_autoptr(ClairRecord) record = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->project_path, &db), ==, SQLITE_OK);
  exec_or_die (db, v1_schema);
  sqlite3_close (db);

  /* Read-only cannot upgrade, and says so. */
  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  summaries = clair_project_get_summaries (project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (summaries, ClairRowSummary, 0).jaccard, 0.75, 1e-6);
  g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, 0).decision, ==, CLAIR_DECISION_ACCEPTED);

  record = clair_project_get_record (project, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->note, ==, "kept");
  g_assert_cmpstr (record->attempt->revision, ==, "S!");
  /* The old decision is tied to the attempt its annotator saw: a later one does not replace it. */
  {
    ClairAttempt *attempt = clair_attempt_new ();
    g_autoptr(ClairRecord) after = NULL;

    attempt->row = 0;
    attempt->status = CLAIR_ROW_REVISED;
    attempt->revision = g_strdup ("S!!");
    g_assert_true (clair_project_add_attempts (project, &attempt, 1, &error));
    clair_attempt_free (attempt);
    after = clair_project_get_record (project, 0, &error);
    g_assert_cmpstr (clair_record_get_chosen (after), ==, "S!");
    g_assert_true (clair_record_has_newer_revision (after));
  }
  g_clear_object (&project);

  g_assert_cmpint (sqlite3_open (fixture->project_path, &db), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, CLAIR_PROJECT_SCHEMA_VERSION);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
}

static void
test_refuse_newer_and_foreign (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  g_autofree char *other = g_build_filename (fixture->dir, "other.db", NULL);
  g_autofree char *text = g_build_filename (fixture->dir, "notes.clair", NULL);
  sqlite3 *db = NULL;

  g_clear_object (&project);
  g_assert_cmpint (sqlite3_open (fixture->project_path, &db), ==, SQLITE_OK);
  exec_or_die (db, "PRAGMA user_version = 99");
  sqlite3_close (db);

  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "newer"));
  g_clear_error (&error);

  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  exec_or_die (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  sqlite3_close (db);
  project = clair_project_open (other, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_CORRUPT);
  g_clear_error (&error);

  write_file (text, "this is not a database, just some notes that happen to be long enough\n");
  project = clair_project_open (text, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_CORRUPT);
  g_clear_error (&error);

  project = clair_project_open (fixture->dataset, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_null (project);
  g_assert_nonnull (error);
  g_clear_error (&error);

  {
    g_autofree char *missing = g_build_filename (fixture->dir, "missing.clair", NULL);

    project = clair_project_open (missing, CLAIR_PROJECT_OPEN_DEFAULT, &error);
    g_assert_null (project);
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
}

/* Two other processes read the project while this one holds an open write transaction. */
static void
test_readers_during_write (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = import_fixture (fixture);
  const char *cli = g_getenv ("CLAIR_CLI");
  GSubprocess *readers[2];
  sqlite3 *db = NULL;

  if (cli == NULL)
    {
      g_test_skip ("CLAIR_CLI is not set");
      return;
    }

  clair_project_set_decision (project, 0, CLAIR_DECISION_ACCEPTED, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open (fixture->project_path, &db), ==, SQLITE_OK);
  exec_or_die (db, "BEGIN IMMEDIATE; INSERT INTO decisions (row_idx, decision, edited_revision, note, decided_at) VALUES (1, 2, NULL, NULL, 1);");

  for (guint i = 0; i < 2; i++)
    {
      readers[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                     &error, cli, "show", "--json", fixture->project_path, NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_subprocess_communicate_utf8 (readers[i], NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (err, ==, "");
      g_assert_true (g_subprocess_get_if_exited (readers[i]));
      g_assert_cmpint (g_subprocess_get_exit_status (readers[i]), ==, 0);
      /* The committed decision is visible; the open transaction's is not. */
      g_assert_nonnull (strstr (out, "\"row\":0,\"line\":1,\"status\":\"pending\",\"decision\":\"accepted\""));
      g_assert_nonnull (strstr (out, "\"row\":1,\"line\":2,\"status\":\"pending\",\"decision\":\"none\""));
      g_object_unref (readers[i]);
    }

  exec_or_die (db, "COMMIT");
  sqlite3_close (db);
}

/* Bulk decisions: read the state of many rows, write new states in chunks, restore the old. */
static void
test_bulk_decisions (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GArray) target = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0 };
  ClairAttempt *attempt = make_attempt (10, CLAIR_ROW_REVISED, "better", 0.5);
  ClairProjectCounts counts;
  guint written = G_MAXUINT;

  /* 2,500 rows, row 7 broken (a hole in the indexes). */
  for (guint i = 0; i < 2500; i++)
    if (i == 7)
      g_string_append (text, "{\"task\":\n");
    else
      g_string_append_printf (text, "{\"task\":\"t%u\",\"student_solution\":\"s%u\"}\n", i, i);
  write_file (fixture->dataset, text->str);
  dataset = clair_dataset_open (fixture->dataset, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error));
  g_assert_cmpuint (report.n_imported, ==, 2499);
  clair_import_report_clear (&report);
  g_assert_true (clair_project_add_attempts (project, &attempt, 1, &error));
  clair_attempt_free (attempt);
  g_assert_true (clair_project_set_decision (project, 3, CLAIR_DECISION_SKIPPED, "edit", "note", &error));

  for (guint i = 0; i < 2500; i++)
    g_array_append_val (rows, i);
  before = clair_project_read_decisions (project, (guint *) rows->data, rows->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->len, ==, 2499);                 /* row 7 left out */
  g_assert_cmpuint (g_array_index (before, ClairDecisionState, 7).index, ==, 8);
  g_assert_cmpint (g_array_index (before, ClairDecisionState, 3).decision, ==, CLAIR_DECISION_SKIPPED);
  g_assert_cmpstr (g_array_index (before, ClairDecisionState, 3).edited_revision, ==, "edit");
  g_assert_cmpstr (g_array_index (before, ClairDecisionState, 3).note, ==, "note");
  g_assert_true (g_array_index (before, ClairDecisionState, 9).has_revision);   /* row 10 */
  g_assert_false (g_array_index (before, ClairDecisionState, 0).has_revision);

  /* Reject every row, keeping edits and notes: three chunks. */
  target = g_array_new (FALSE, TRUE, sizeof (ClairDecisionState));
  for (guint i = 0; i < before->len; i++)
    {
      ClairDecisionState state = g_array_index (before, ClairDecisionState, i);

      state.decision = CLAIR_DECISION_REJECTED;
      g_array_append_val (target, state);   /* borrows the strings of @before */
    }
  g_assert_true (clair_project_write_decisions (project, (ClairDecisionState *) target->data, target->len,
                                                NULL, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 2499);
  g_assert_true (clair_project_get_counts (project, &counts, &error));
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_REJECTED], ==, 2499);
  after = clair_project_read_decisions (project, (guint *) rows->data, rows->len, NULL, &error);
  g_assert_cmpstr (g_array_index (after, ClairDecisionState, 3).edited_revision, ==, "edit");
  g_assert_cmpstr (g_array_index (after, ClairDecisionState, 3).note, ==, "note");

  /* Cancelled before it starts: nothing written, and it says so. */
  g_cancellable_cancel (cancelled);
  g_assert_false (clair_project_write_decisions (project, (ClairDecisionState *) before->data, before->len,
                                                 cancelled, &written, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (written, ==, 0);

  /* Restoring the states read before undoes it all: undecided rows lose their decision row. */
  g_assert_true (clair_project_write_decisions (project, (ClairDecisionState *) before->data, before->len,
                                                NULL, &written, &error));
  g_assert_true (clair_project_get_counts (project, &counts, &error));
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_REJECTED], ==, 0);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_SKIPPED], ==, 1);
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (project, 3, &error);

    g_assert_cmpint (record->decision, ==, CLAIR_DECISION_SKIPPED);
    g_assert_cmpstr (record->edited_revision, ==, "edit");
  }
}

/* An import in batches: another connection reads the rows committed so far while the rest is
 * imported, and a cancelled import takes back the batches it had committed. */
typedef struct
{
  const char   *project_path;
  guint         batch;
  guint         seen_at;       /* the progress at which another connection looked */
  guint         seen_rows;     /* and how many rows it found */
  guint         seen_from;     /* rows it found from index 100 on */
  GCancellable *cancel_at_2nd; /* cancelled once two batches are committed */
} BatchWatch;

static void
batch_progress_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  BatchWatch *watch = user_data;

  if (watch->seen_at == 0 && done >= 2 * watch->batch && done < total)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairProject) other = clair_project_open (watch->project_path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
      g_autoptr(GArray) summaries = NULL;
      g_autoptr(GArray) from = NULL;

      g_assert_no_error (error);
      summaries = clair_project_get_summaries (other, &error);
      g_assert_no_error (error);
      from = clair_project_get_summaries_from (other, 100, &error);
      g_assert_no_error (error);
      watch->seen_at = done;
      watch->seen_rows = summaries->len;
      watch->seen_from = from->len;
      for (guint i = 0; i < summaries->len; i++)
        g_assert_cmpuint (g_array_index (summaries, ClairRowSummary, i).index, ==, i);
      g_assert_cmpuint (g_array_index (from, ClairRowSummary, 0).index, ==, 100);
      if (watch->cancel_at_2nd != NULL)
        g_cancellable_cancel (watch->cancel_at_2nd);
    }
}

static void
test_import_batches (Fixture       *fixture,
                     gconstpointer  data)
{
  const guint n = 5000;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *second_path = g_build_filename (fixture->dir, "second.clair", NULL);
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0 };
  BatchWatch watch = { fixture->project_path, 1000, 0, 0, 0, NULL };

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "{\"task\":\"Task %u\",\"student_solution\":\"Answer %u\"}\n", i, i);
  write_file (fixture->dataset, text->str);
  dataset = clair_dataset_open (fixture->dataset, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);

  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_set_import_batch (project, watch.batch);
  g_assert_true (clair_project_import_dataset (project, dataset, &mapping, NULL, batch_progress_cb,
                                               &watch, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, n);
  clair_import_report_clear (&report);
  /* Mid-import, every row before the reported progress was there, and none after. */
  g_assert_cmpuint (watch.seen_at, >=, 2 * watch.batch);
  g_assert_cmpuint (watch.seen_rows, ==, watch.seen_at);
  g_assert_cmpuint (watch.seen_from, ==, watch.seen_at - 100);
  all = clair_project_get_summaries (project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, n);
  g_clear_object (&project);

  /* Cancelled after two batches: the project is left empty, and can take the import again. */
  project = clair_project_open (second_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_set_import_batch (project, watch.batch);
  watch.project_path = second_path;
  watch.seen_at = 0;
  watch.cancel_at_2nd = cancellable;
  g_assert_false (clair_project_import_dataset (project, dataset, &mapping, cancellable, batch_progress_cb,
                                                &watch, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (watch.seen_rows, >=, 2 * watch.batch);
  g_assert_cmpuint (clair_project_get_n_rows (project), ==, 0);
  g_assert_false (clair_project_has_rows (project));
  g_assert_true (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clair_project_get_n_rows (project), ==, n);
  clair_import_report_clear (&report);
}

/* Another program's SQLite database is refused before anything is written to it: it keeps its
 * journal mode (switching it to WAL would change it for good). */
static void
test_foreign_untouched (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (fixture->project_path, &db), ==, SQLITE_OK);
  exec_or_die (db, "CREATE TABLE notes (x); INSERT INTO notes VALUES (1);");
  sqlite3_close (db);

  project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_CORRUPT);

  g_assert_cmpint (sqlite3_open (fixture->project_path, &db), ==, SQLITE_OK);
  sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "delete");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A project on a read-only mount can be read; opening it to write says "read-only". Needs root
 * (a tmpfs mounted, then remounted read-only); skipped elsewhere. */
static void
test_read_only_mount (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) reader = NULL;
  g_autoptr(ClairProject) writer = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autofree char *mount_dir = g_build_filename (fixture->dir, "ro", NULL);
  g_autofree char *copy = g_build_filename (mount_dir, "data.clair", NULL);
  g_autofree char *command = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  int status = -1;

  {
    g_autoptr(ClairProject) made = import_fixture (fixture);
  }
  g_assert_true (g_file_get_contents (fixture->project_path, &contents, &length, &error));
  g_mkdir (mount_dir, 0700);
  command = g_strdup_printf ("mount -t tmpfs none '%s'", mount_dir);
  if (getuid () != 0 || !g_spawn_command_line_sync (command, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }
  g_assert_true (g_file_set_contents (copy, contents, length, &error));
  g_free (command);
  command = g_strdup_printf ("mount -o remount,ro '%s'", mount_dir);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);

  reader = clair_project_open (copy, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  record = clair_project_get_record (reader, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record->task);

  writer = clair_project_open (copy, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_null (writer);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "read-only"));

  g_clear_object (&reader);
  g_free (command);
  command = g_strdup_printf ("umount '%s'", mount_dir);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, NULL));
  g_rmdir (mount_dir);
}

/* A password in the server address is never saved in the project. */
static void
test_url_credentials_refused (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) project = clair_project_open (fixture->project_path, CLAIR_PROJECT_OPEN_CREATE,
                                                        &error);
  g_autofree char *stored = NULL;

  g_assert_no_error (error);
  g_assert_true (clair_project_set_setting (project, "run.base_url", "http://127.0.0.1:8000/v1", &error));
  g_assert_false (clair_project_set_setting (project, "run.base_url", "http://bob:hunter22@127.0.0.1:8000/v1",
                                             &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
  g_assert_null (strstr (error->message, "hunter22"));
  stored = clair_project_get_setting (project, "run.base_url");
  g_assert_cmpstr (stored, ==, "http://127.0.0.1:8000/v1");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/project/url-credentials-refused", test_url_credentials_refused);
  ADD ("/project/foreign-untouched", test_foreign_untouched);
  ADD ("/project/read-only-mount", test_read_only_mount);
  ADD ("/project/import-and-reopen", test_import_and_reopen);
  ADD ("/project/import-batches", test_import_batches);
  ADD ("/project/attempts-and-status", test_attempts_and_status);
  ADD ("/project/decisions", test_decisions);
  ADD ("/project/search", test_search);
  ADD ("/project/bulk-decisions", test_bulk_decisions);
  ADD ("/project/settings-and-params", test_settings_and_params);
  ADD ("/project/migration", test_migration);
  ADD ("/project/refuse-newer-and-foreign", test_refuse_newer_and_foreign);
  ADD ("/project/readers-during-write", test_readers_during_write);
#undef ADD

  return g_test_run ();
}
