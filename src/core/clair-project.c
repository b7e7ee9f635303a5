/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE   /* F_OFD_SETLK, F_OFD_GETLK, sync_file_range */
#define G_LOG_DOMAIN "clair-project"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "clair-endpoint.h"
#include "clair-enum-nick.h"
#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-parse.h"
#include "clair-project-private.h"
#include "clair-read-ahead.h"
#include "clair-team.h"

/* A project is one SQLite file in WAL mode. Rows are copied in at import (the dataset may move or
 * change later); every request's outcome is an attempt; a row's status and metrics are kept on the
 * row itself so the list can load 400k summaries in one scan. One connection per object, serialised
 * by a recursive mutex so worker threads may share it; long readers open their own connection. */

#define CLAIR_APPLICATION_ID 0x434c4149 /* "CLAI" in PRAGMA application_id */

struct _ClairProject
{
  GObject    parent_instance;

  char      *path;
  sqlite3   *db;
  GRecMutex  lock;
  gboolean   read_only;
  guint      import_batch;      /* rows per commit at import; 0: one transaction */

  /* Prepared statements, created on first use. */
  sqlite3_stmt *stmt_get_setting;
  sqlite3_stmt *stmt_set_setting;
  sqlite3_stmt *stmt_get_row;
  sqlite3_stmt *stmt_get_attempt;
  sqlite3_stmt *stmt_get_decision;
  sqlite3_stmt *stmt_insert_attempt;
  sqlite3_stmt *stmt_update_row;
  sqlite3_stmt *stmt_set_decision;
  sqlite3_stmt *stmt_read_decision;
  sqlite3_stmt *stmt_clear_decision;
  sqlite3_stmt *stmt_attempt_of_row;
  sqlite3_stmt *team_stmts[N_CLAIR_TEAM_STMTS];   /* clair-team.c's, through the private header */

  char         *annotator;              /* set by clair_project_set_annotator(), or NULL */
  char         *default_annotator;      /* the shard's or clair_annotator_default(), once asked */

  /* clair_project_get_counts() keeps the figures that only change with rows and attempts
   * (counts by status, rows skipped at import, tokens) for as long as neither this connection
   * (rows_generation, bumped by every writer of those tables) nor another one (PRAGMA
   * data_version) changed anything: after a decision it reads the decisions alone. */
  guint64             rows_generation;
  gboolean            counts_cached;
  guint64             counts_generation;
  int                 counts_data_version;
  ClairProjectCounts  counts_cache;

  ClairProjectWorker *worker;           /* clair-project-async.c's, made on first use */
};

G_DEFINE_FINAL_TYPE (ClairProject, clair_project, G_TYPE_OBJECT)

#define ATTEMPT_COLUMNS \
  "id, row_idx, request_hash, status, http_status, error, raw_output, revision, rationale, " \
  "marker, parse_status, finish_reason, model_requested, model_reported, prompt_tokens, " \
  "completion_tokens, latency_ms, started_at, finished_at, has_metrics, jaccard, levenshtein, " \
  "levenshtein_norm, changed_share, length_ratio, similarity_ratio"

#define ATTEMPT_COLUMNS_OF(t) \
  t ".id, " t ".row_idx, " t ".request_hash, " t ".status, " t ".http_status, " t ".error, " \
  t ".raw_output, " t ".revision, " t ".rationale, " t ".marker, " t ".parse_status, " \
  t ".finish_reason, " t ".model_requested, " t ".model_reported, " t ".prompt_tokens, " \
  t ".completion_tokens, " t ".latency_ms, " t ".started_at, " t ".finished_at, " \
  t ".has_metrics, " t ".jaccard, " t ".levenshtein, " t ".levenshtein_norm, " \
  t ".changed_share, " t ".length_ratio, " t ".similarity_ratio"

#define N_ATTEMPT_COLUMNS 26

/* Whether a decisions row (alias d) holds a decision or an edit, not just a note. */
#define DECIDED_SQL "(d.decision != 0 OR d.edited_revision IS NOT NULL)"

/* Schema version 1: the first release. */
static const char schema_v1[] =
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE rows ("
  "  idx INTEGER PRIMARY KEY,"
  "  line INTEGER NOT NULL,"
  "  task TEXT NOT NULL,"
  "  solution TEXT NOT NULL,"
  "  extra TEXT NOT NULL DEFAULT '{}',"
  "  status INTEGER NOT NULL DEFAULT 0,"
  "  latest_attempt INTEGER,"
  "  n_attempts INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE skipped (idx INTEGER PRIMARY KEY, line INTEGER NOT NULL, reason TEXT NOT NULL);"
  "CREATE TABLE attempts ("
  "  id INTEGER PRIMARY KEY,"
  "  row_idx INTEGER NOT NULL REFERENCES rows (idx),"
  "  request_hash TEXT, status INTEGER NOT NULL, http_status INTEGER NOT NULL DEFAULT 0,"
  "  error TEXT, raw_output TEXT, revision TEXT, rationale TEXT, marker TEXT, parse_status TEXT,"
  "  finish_reason TEXT, model_requested TEXT, model_reported TEXT,"
  "  prompt_tokens INTEGER NOT NULL DEFAULT -1, completion_tokens INTEGER NOT NULL DEFAULT -1,"
  "  latency_ms REAL NOT NULL DEFAULT 0, started_at INTEGER NOT NULL DEFAULT 0,"
  "  finished_at INTEGER NOT NULL DEFAULT 0, has_metrics INTEGER NOT NULL DEFAULT 0,"
  "  jaccard REAL, levenshtein REAL, levenshtein_norm REAL, changed_share REAL,"
  "  length_ratio REAL, similarity_ratio REAL);"
  "CREATE INDEX attempts_by_row ON attempts (row_idx);"
  "CREATE TABLE decisions ("
  "  row_idx INTEGER PRIMARY KEY REFERENCES rows (idx),"
  "  decision INTEGER NOT NULL, edited_revision TEXT, note TEXT, decided_at INTEGER NOT NULL);";

/* Version 2 keeps the latest attempt's metrics on the row, so the list sorts and filters on them
 * without a join, and indexes rows by status for the runner. */
static const char schema_v2[] =
  "ALTER TABLE rows ADD COLUMN jaccard REAL;"
  "ALTER TABLE rows ADD COLUMN levenshtein_norm REAL;"
  "UPDATE rows SET jaccard = (SELECT a.jaccard FROM attempts a WHERE a.id = rows.latest_attempt),"
  "  levenshtein_norm = (SELECT a.levenshtein_norm FROM attempts a WHERE a.id = rows.latest_attempt)"
  "  WHERE latest_attempt IS NOT NULL;"
  "CREATE INDEX rows_by_status ON rows (status);";

/* Version 3 ties each decision to the attempt it was made on (older decisions to the row's latest
 * attempt, the one the annotator saw), and records the requests written to batch files. */
static const char schema_v3[] =
  "ALTER TABLE decisions ADD COLUMN attempt_id INTEGER;"
  "UPDATE decisions SET attempt_id = (SELECT r.latest_attempt FROM rows r WHERE r.idx = decisions.row_idx);"
  "CREATE TABLE batch_requests ("
  "  row_idx INTEGER PRIMARY KEY REFERENCES rows (idx),"
  "  request_hash TEXT NOT NULL, model TEXT, exported_at INTEGER NOT NULL, result_attempt INTEGER);";

/* Version 4 stores who decided: every annotator's decision, edit and note of a row with its time
 * (annotations), a resolution as an annotation of its own. The decisions table keeps what the row
 * list and exports read, the row's effective decision, with whose it is and whether the annotators
 * agree. Older decisions become by "unknown". A project gets an id that split shards carry. */
static const char schema_v4[] =
  "CREATE TABLE annotations ("
  "  row_idx INTEGER NOT NULL REFERENCES rows (idx),"
  "  annotator TEXT NOT NULL,"
  "  resolution INTEGER NOT NULL DEFAULT 0,"
  "  decision INTEGER NOT NULL, edited_revision TEXT, note TEXT, decided_at INTEGER NOT NULL,"
  "  attempt_id INTEGER,"
  "  PRIMARY KEY (row_idx, annotator, resolution));"
  "INSERT INTO annotations (row_idx, annotator, resolution, decision, edited_revision, note, "
  "  decided_at, attempt_id) "
  "  SELECT row_idx, 'unknown', 0, decision, edited_revision, note, decided_at, attempt_id "
  "  FROM decisions;"
  "ALTER TABLE decisions ADD COLUMN annotator TEXT;"
  "ALTER TABLE decisions ADD COLUMN team_state INTEGER NOT NULL DEFAULT 0;"
  "UPDATE decisions SET annotator = 'unknown';"
  "INSERT OR IGNORE INTO settings (key, value) VALUES ('project.id', lower(hex(randomblob(16))));";

static const char * const migrations[] = {
  NULL,       /* version 0: an empty file */
  schema_v1,
  schema_v2,
  schema_v3,
  schema_v4,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CLAIR_PROJECT_SCHEMA_VERSION + 1);

ClairAttempt *
clair_attempt_new (void)
{
  ClairAttempt *attempt = g_new0 (ClairAttempt, 1);

  attempt->prompt_tokens = -1;
  attempt->completion_tokens = -1;
  return attempt;
}

void
clair_attempt_take_answer (ClairAttempt *attempt,
                           char         *content,
                           const char   *refusal)
{
  g_autoptr(ClairParseResult) parsed = NULL;

  g_return_if_fail (attempt != NULL);

  if (content != NULL)
    {
      parsed = clair_parse_reply (content, attempt->finish_reason);
      attempt->raw_output = content;
      attempt->status = parsed->status == CLAIR_PARSE_OK ? CLAIR_ROW_REVISED : CLAIR_ROW_PARSE_FAILED;
      attempt->parse_status = g_strdup (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS,
                                                            parsed->status));
      attempt->revision = g_steal_pointer (&parsed->revision);
      attempt->rationale = g_steal_pointer (&parsed->rationale);
      attempt->marker = g_steal_pointer (&parsed->marker);
      attempt->error = g_steal_pointer (&parsed->reason);
    }
  else
    {
      attempt->status = CLAIR_ROW_PARSE_FAILED;
      attempt->parse_status = g_strdup (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS,
                                                            CLAIR_PARSE_NO_MARKER));
    }

  /* A refusal is the reason there is no revision; it wins over "no marker found". */
  if (attempt->status != CLAIR_ROW_REVISED && refusal != NULL && refusal[0] != '\0')
    {
      g_free (attempt->error);
      attempt->error = g_strdup_printf ("The model refused: %s", refusal);
    }
  else if (content == NULL)
    attempt->error = g_strdup ("The model answered without any text (its content was null)");
}

void
clair_attempt_free (ClairAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->request_hash);
  g_free (attempt->error);
  g_free (attempt->raw_output);
  g_free (attempt->revision);
  g_free (attempt->rationale);
  g_free (attempt->marker);
  g_free (attempt->parse_status);
  g_free (attempt->finish_reason);
  g_free (attempt->model_requested);
  g_free (attempt->model_reported);
  g_free (attempt);
}

void
clair_record_free (ClairRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->task);
  g_free (record->solution);
  g_free (record->extra_json);
  g_clear_pointer (&record->attempt, clair_attempt_free);
  g_clear_pointer (&record->newer, clair_attempt_free);
  g_free (record->edited_revision);
  g_free (record->note);
  g_free (record);
}

const char *
clair_record_get_chosen (ClairRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);

  if (record->edited_revision != NULL)
    return record->edited_revision;
  if (record->attempt != NULL && record->attempt->status == CLAIR_ROW_REVISED)
    return record->attempt->revision;
  return NULL;
}

ClairAttempt *
clair_record_get_latest (ClairRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);

  return record->newer != NULL ? record->newer : record->attempt;
}

gboolean
clair_record_has_newer_revision (ClairRecord *record)
{
  g_return_val_if_fail (record != NULL, FALSE);

  return record->newer != NULL && record->newer->status == CLAIR_ROW_REVISED;
}

gboolean
clair_record_is_decided (ClairRecord *record)
{
  g_return_val_if_fail (record != NULL, FALSE);

  return record->decision != CLAIR_DECISION_NONE || record->edited_revision != NULL;
}

void
clair_import_report_clear (ClairImportReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->skipped, g_array_unref);
  report->n_imported = 0;
}

static void
skipped_row_clear (gpointer data)
{
  ClairSkippedRow *row = data;

  g_free (row->reason);
}

static GArray *
skipped_array_new (void)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (ClairSkippedRow));

  g_array_set_clear_func (array, skipped_row_clear);
  return array;
}

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *path,
                  const char  *doing)
{
  int code = sqlite3_errcode (db);
  int domain_code = CLAIR_ERROR_FAILED;

  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
    domain_code = CLAIR_ERROR_CORRUPT;

  g_set_error (error, CLAIR_ERROR, domain_code,
               _("Could not %s in project “%s”: %s"), doing, path, sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
exec_sql (ClairProject  *self,
          const char    *sql,
          const char    *doing,
          GError       **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (error, self->db, self->path, doing);
  return TRUE;
}

static sqlite3_stmt *
prepare (ClairProject  *self,
         sqlite3_stmt **cache,
         const char    *sql,
         GError       **error)
{
  if (*cache != NULL)
    {
      sqlite3_reset (*cache);
      sqlite3_clear_bindings (*cache);
      return *cache;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, cache, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("prepare a query"));
      return NULL;
    }
  return *cache;
}

/* Returns SQLite's result: a text over SQLite's length limit is not bound (the column would
 * silently be NULL), so writers check it. */
static int
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, column);
  return sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

/* The same with the length known (no strlen()); SQLITE_TOOBIG past SQLite's limit. */
static int
bind_text_len (sqlite3_stmt *stmt,
               int           column,
               const char   *text,
               gsize         len)
{
  return sqlite3_bind_text64 (stmt, column, text, len, SQLITE_STATIC, SQLITE_UTF8);
}

static gboolean
set_bind_error (GError     **error,
                ClairProject *self,
                const char   *what)
{
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
               _("Could not %s in “%s”: a text is larger than the project can hold"), what, self->path);
  return FALSE;
}

static void
bind_real (sqlite3_stmt *stmt,
           int           column,
           double        value,
           gboolean      present)
{
  if (!present || isnan (value))
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_double (stmt, column, value);
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  if (text == NULL)
    return NULL;
  return g_strndup ((const char *) text, sqlite3_column_bytes (stmt, column));
}

static double
column_real (sqlite3_stmt *stmt,
             int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, column);
}

static void
clair_project_finalize (GObject *object)
{
  ClairProject *self = (ClairProject *) object;

  g_clear_pointer (&self->worker, _clair_project_worker_free);
  g_clear_pointer (&self->stmt_get_setting, sqlite3_finalize);
  g_clear_pointer (&self->stmt_set_setting, sqlite3_finalize);
  g_clear_pointer (&self->stmt_get_row, sqlite3_finalize);
  g_clear_pointer (&self->stmt_get_attempt, sqlite3_finalize);
  g_clear_pointer (&self->stmt_get_decision, sqlite3_finalize);
  g_clear_pointer (&self->stmt_insert_attempt, sqlite3_finalize);
  g_clear_pointer (&self->stmt_update_row, sqlite3_finalize);
  g_clear_pointer (&self->stmt_set_decision, sqlite3_finalize);
  g_clear_pointer (&self->stmt_read_decision, sqlite3_finalize);
  g_clear_pointer (&self->stmt_clear_decision, sqlite3_finalize);
  g_clear_pointer (&self->stmt_attempt_of_row, sqlite3_finalize);
  for (guint i = 0; i < G_N_ELEMENTS (self->team_stmts); i++)
    g_clear_pointer (&self->team_stmts[i], sqlite3_finalize);
  g_free (self->annotator);
  g_free (self->default_annotator);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_rec_mutex_clear (&self->lock);
  g_free (self->path);

  G_OBJECT_CLASS (clair_project_parent_class)->finalize (object);
}

static void
clair_project_class_init (ClairProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clair_project_finalize;
}

static void
clair_project_init (ClairProject *self)
{
  g_rec_mutex_init (&self->lock);
}

static int
pragma_int (ClairProject *self,
            const char   *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Refuses a file that is not a project (another program's SQLite database) before anything is
 * written to it: switching a foreign database to WAL would change it for good. An empty file is
 * a new project. */
static gboolean
check_identity (ClairProject  *self,
                GError       **error)
{
  int app_id = pragma_int (self, "PRAGMA application_id");
  int version = pragma_int (self, "PRAGMA user_version");

  if (app_id < 0 || version < 0)
    return set_sqlite_error (error, self->db, self->path, _("read the project format"));
  if ((app_id != 0 && app_id != CLAIR_APPLICATION_ID) ||
      (app_id == 0 && version == 0 && pragma_int (self, "SELECT count(*) FROM sqlite_master") > 0))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_CORRUPT,
                   _("“%s” is an SQLite database but not a CLAIR Studio project"), self->path);
      return FALSE;
    }
  return TRUE;
}

/* Brings the schema to the current version, one migration per step, all in one transaction. */
static gboolean
migrate (ClairProject  *self,
         GError       **error)
{
  int version;

  self->rows_generation++;
  version = pragma_int (self, "PRAGMA user_version");
  if (version < 0)
    return set_sqlite_error (error, self->db, self->path, _("read the schema version"));

  if (version > CLAIR_PROJECT_SCHEMA_VERSION)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                   _("Project “%s” was written by a newer CLAIR Studio (project format %d; this version "
                   "reads up to %d). Update CLAIR Studio to open it."),
                   self->path, version, CLAIR_PROJECT_SCHEMA_VERSION);
      return FALSE;
    }

  if (version == CLAIR_PROJECT_SCHEMA_VERSION)
    return TRUE;

  if (self->read_only)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                   _("Project “%s” uses an older format (%d) and must be opened for writing once to "
                   "be upgraded"), self->path, version);
      return FALSE;
    }

  if (!exec_sql (self, "BEGIN IMMEDIATE", _("start the upgrade"), error))
    return FALSE;

  for (int v = version + 1; v <= CLAIR_PROJECT_SCHEMA_VERSION; v++)
    {
      if (sqlite3_exec (self->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
        {
          set_sqlite_error (error, self->db, self->path, _("upgrade the project format"));
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  {
    g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d;",
                                            CLAIR_APPLICATION_ID, CLAIR_PROJECT_SCHEMA_VERSION);
    if (!exec_sql (self, sql, _("record the project format"), error))
      {
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return FALSE;
      }
  }

  return exec_sql (self, "COMMIT", _("finish the upgrade"), error);
}

static gboolean
reopen_immutable (ClairProject  *self,
                  GError       **error)
{
  g_autofree char *uri = NULL;
  g_autofree char *escaped = g_uri_escape_string (self->path, "/", FALSE);

  g_clear_pointer (&self->db, sqlite3_close_v2);
  uri = g_strdup_printf ("file:%s?immutable=1", escaped);
  if (sqlite3_open_v2 (uri, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    return set_sqlite_error (error, self->db, self->path, _("open the file"));
  return TRUE;
}

ClairProject *
clair_project_open (const char             *path,
                    ClairProjectOpenFlags   flags,
                    GError                **error)
{
  g_autoptr(ClairProject) self = NULL;
  int sqlite_flags;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CLAIR_TYPE_PROJECT, NULL);
  self->path = g_strdup (path);
  self->read_only = (flags & CLAIR_PROJECT_OPEN_READ_ONLY) != 0;

  if (!(flags & CLAIR_PROJECT_OPEN_CREATE) && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Project “%s” does not exist"), path);
      return NULL;
    }

  if (self->read_only)
    sqlite_flags = SQLITE_OPEN_READONLY;
  else
    sqlite_flags = SQLITE_OPEN_READWRITE | ((flags & CLAIR_PROJECT_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
  sqlite_flags |= SQLITE_OPEN_FULLMUTEX;

  if (sqlite3_open_v2 (path, &self->db, sqlite_flags, NULL) != SQLITE_OK)
    {
      if (self->db == NULL)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED, _("Could not open project “%s”"), path);
      else
        set_sqlite_error (error, self->db, path, _("open the file"));
      return NULL;
    }

  /* Readers wait for a writer's short transactions instead of failing. */
  sqlite3_busy_timeout (self->db, 10000);

  /* On a read-only file or mount SQLite quietly opens for reading only. */
  if (!self->read_only && sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("Project “%s” is read-only (the file, or the disk it is on, cannot be written): "
                   "it can be shown and exported, not changed"), path);
      return NULL;
    }

  if (!check_identity (self, error))
    {
      /* A WAL project on a read-only mount cannot make its shared-memory file: nobody can be
       * writing it there, so it is read as immutable. */
      if (!self->read_only || sqlite3_errcode (self->db) != SQLITE_CANTOPEN)
        return NULL;
      g_clear_error (error);
      if (!reopen_immutable (self, error) || !check_identity (self, error))
        return NULL;
    }

  if (!self->read_only)
    {
      /* WAL lets readers run beside the writer; NORMAL synchronous keeps every commit through a
       * process crash (kill -9) and only an OS crash can lose the last few. */
      /* A new file gets 16 KiB pages (an existing one keeps its own: this is a no-op there).
       * Rows of answers are kilobytes each; with SQLite's 4 KiB default a gigabyte's import
       * made a quarter of a million page writes and spent twice the system time
       * (1.8 s against 3.6 s for the 400k-row benchmark). It must come before WAL is set. */
      sqlite3_exec (self->db, "PRAGMA page_size = 16384", NULL, NULL, NULL);
      if (sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        {
          int code = sqlite3_errcode (self->db);
          g_set_error (error, CLAIR_ERROR,
                       code == SQLITE_NOTADB ? CLAIR_ERROR_CORRUPT : CLAIR_ERROR_FAILED,
                       _("“%s” is not a CLAIR Studio project: %s"), path, sqlite3_errmsg (self->db));
          return NULL;
        }
      if (!exec_sql (self, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;",
                     _("configure the connection"), error))
        return NULL;
    }

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

ClairProject *
clair_project_open_reader (ClairProject  *self,
                           GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  return clair_project_open (self->path, CLAIR_PROJECT_OPEN_READ_ONLY, error);
}

const char *
clair_project_get_path (ClairProject *self)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  return self->path;
}

guint
clair_project_get_n_rows (ClairProject *self)
{
  int n;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), 0);

  g_rec_mutex_lock (&self->lock);
  n = pragma_int (self, "SELECT count(*) FROM rows");
  g_rec_mutex_unlock (&self->lock);

  return n < 0 ? 0 : (guint) n;
}

void
clair_project_set_annotator (ClairProject *self,
                             const char   *annotator)
{
  g_return_if_fail (CLAIR_IS_PROJECT (self));

  g_rec_mutex_lock (&self->lock);
  g_free (self->annotator);
  self->annotator = annotator != NULL && *annotator != '\0' ? g_strdup (annotator) : NULL;
  g_rec_mutex_unlock (&self->lock);
}

const char *
clair_project_get_annotator (ClairProject *self)
{
  const char *name;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  g_rec_mutex_lock (&self->lock);
  if (self->annotator == NULL && self->default_annotator == NULL)
    {
      /* In a shard, whoever opens it works as the annotator it was made for: "alice" of the
       * split, not her account's "Alice Smith", or her decisions would not meet the others'. */
      self->default_annotator = clair_project_get_setting (self, CLAIR_TEAM_SHARD_ANNOTATOR_KEY);
      if (self->default_annotator == NULL)
        self->default_annotator = clair_annotator_default ();
    }
  name = self->annotator != NULL ? self->annotator : self->default_annotator;
  g_rec_mutex_unlock (&self->lock);
  return name;
}

/* For clair-team.c, through clair-project-private.h. */
sqlite3 *
_clair_project_get_db (ClairProject *self)
{
  return self->db;
}

GRecMutex *
_clair_project_get_lock (ClairProject *self)
{
  return &self->lock;
}

ClairProjectWorker *
_clair_project_get_worker (ClairProject *self)
{
  ClairProjectWorker *worker;

  g_rec_mutex_lock (&self->lock);
  if (self->worker == NULL)
    self->worker = _clair_project_worker_new ();
  worker = self->worker;
  g_rec_mutex_unlock (&self->lock);
  return worker;
}

sqlite3_stmt *
_clair_project_prepare_team (ClairProject  *self,
                             ClairTeamStmt  which,
                             const char    *sql,
                             GError       **error)
{
  g_assert (which < N_CLAIR_TEAM_STMTS);

  return prepare (self, &self->team_stmts[which], sql, error);
}

gboolean
_clair_project_sqlite_error (ClairProject  *self,
                             const char    *doing,
                             GError       **error)
{
  return set_sqlite_error (error, self->db, self->path, doing);
}

/* ------------------------------------------------------------------------------------------ */
/* The run lock (see the header). Not SQLite's locks: they come and go with each transaction, and
 * a POSIX lock taken on the project file itself would be dropped when SQLite closes any of its
 * descriptors of it. An OFD lock belongs to one open file description, so it also keeps out a
 * second ClairProject in the same process, and it dies with its process. */

struct _ClairProjectLock
{
  int fd;   /* -1: the file system could not lock, nothing is held */
};

static char *
run_lock_path (ClairProject *self)
{
  return g_strconcat (self->path, "-run", NULL);
}

static struct flock
whole_file (short type)
{
  struct flock region = { .l_type = type, .l_whence = SEEK_SET };

  return region;
}

/* The pid the holder wrote, or 0. It writes it right after taking the lock, so an empty file is
 * given a moment to fill. */
static gint64
read_holder_pid (int fd)
{
  for (guint i = 0; i < 10; i++)
    {
      char line[32] = { 0 };
      ssize_t len = pread (fd, line, sizeof line - 1, 0);
      char *end = NULL;
      gint64 pid;

      if (len > 0)
        {
          pid = g_ascii_strtoll (line, &end, 10);
          return end != line && *end == '\n' && pid > 0 ? pid : 0;
        }
      g_usleep (5000);
    }
  return 0;
}

static void
set_busy_error (GError     **error,
                const char  *project_path,
                int          fd)
{
  gint64 pid = read_holder_pid (fd);
  g_autofree char *holder = NULL;

  holder = pid > 0 ? g_strdup_printf (" (pid %" G_GINT64_FORMAT ")", pid) : g_strdup ("");
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_BUSY,
               _("“%s” is busy: a run is already going on this project%s. Let it finish or stop "
               "it, then run again."), project_path, holder);
}

/* Written over whatever a killed holder left, then cut to length, so a reader finds one whole
 * line at any moment. Only the message needs it: without it the lock still holds. */
static void
write_holder_pid (int fd)
{
  char line[32];
  int len = g_snprintf (line, sizeof line, "%d\n", (int) getpid ());

  if (pwrite (fd, line, len, 0) != len || ftruncate (fd, len) < 0)
    g_debug ("Could not write the pid into the run lock: %s", g_strerror (errno));
}

/* A file system that cannot lock, or a directory where the file cannot be made, should not stop
 * every run: the run goes on unguarded, and says so. */
static ClairProjectLock *
lock_unavailable (const char *path,
                  int         saved_errno)
{
  ClairProjectLock *lock = g_new0 (ClairProjectLock, 1);

  g_warning ("Could not lock “%s” (%s): a second run of this project would not be refused",
             path, g_strerror (saved_errno));
  lock->fd = -1;
  return lock;
}

ClairProjectLock *
clair_project_lock_run (ClairProject  *self,
                        GError       **error)
{
  g_autofree char *path = NULL;
  struct flock region = whole_file (F_WRLCK);
  ClairProjectLock *lock;
  GStatBuf project_stat;
  int mode = 0644;
  int fd;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = run_lock_path (self);
  /* The project's permissions, as SQLite gives its -wal and -shm files: whoever may write the
   * project may take the lock. */
  if (g_stat (self->path, &project_stat) == 0)
    mode = project_stat.st_mode & 0666;
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0)
    return lock_unavailable (path, errno);

  if (fcntl (fd, F_OFD_SETLK, &region) < 0)
    {
      int saved_errno = errno;
      gboolean busy = saved_errno == EAGAIN || saved_errno == EACCES;

      if (busy)
        set_busy_error (error, self->path, fd);
      close (fd);
      return busy ? NULL : lock_unavailable (path, saved_errno);
    }

  write_holder_pid (fd);
  lock = g_new0 (ClairProjectLock, 1);
  lock->fd = fd;
  return lock;
}

void
clair_project_lock_free (ClairProjectLock *lock)
{
  if (lock == NULL)
    return;
  if (lock->fd >= 0)
    {
      /* Emptied while still held, so nobody is shown the pid of a run that ended; closing the
       * descriptor (O_CLOEXEC: no child inherits it) drops the lock. */
      if (ftruncate (lock->fd, 0) < 0)
        g_debug ("Could not empty the run lock: %s", g_strerror (errno));
      close (lock->fd);
    }
  g_free (lock);
}

gboolean
clair_project_check_run_lock (ClairProject  *self,
                              GError       **error)
{
  g_autofree char *path = NULL;
  struct flock region = whole_file (F_WRLCK);
  gboolean held;
  int fd;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = run_lock_path (self);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  /* No file: no run ever held the lock here. An unreadable one: clair_project_lock_run()
   * decides. */
  if (fd < 0)
    return TRUE;
  held = fcntl (fd, F_OFD_GETLK, &region) == 0 && region.l_type != F_UNLCK;
  if (held)
    set_busy_error (error, self->path, fd);
  close (fd);
  return !held;
}

gboolean
clair_project_has_rows (ClairProject *self)
{
  int n;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  n = pragma_int (self, "SELECT EXISTS (SELECT 1 FROM rows)");
  g_rec_mutex_unlock (&self->lock);

  return n > 0;
}

char *
clair_project_get_setting (ClairProject *self,
                           const char   *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  g_rec_mutex_lock (&self->lock);
  stmt = prepare (self, &self->stmt_get_setting, "SELECT value FROM settings WHERE key = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = column_strdup (stmt, 0);
      sqlite3_reset (stmt);
    }
  g_rec_mutex_unlock (&self->lock);

  return value;
}

gboolean
clair_project_set_setting (ClairProject  *self,
                           const char    *key,
                           const char    *value,
                           GError       **error)
{
  sqlite3_stmt *stmt;
  gboolean ret = FALSE;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  /* Never an API key, and never a password in an address either. */
  if (value != NULL && g_str_equal (key, "run.base_url") && !clair_endpoint_check_url (value, error))
    return FALSE;

  g_rec_mutex_lock (&self->lock);
  if (value == NULL)
    {
      g_autofree char *sql = sqlite3_mprintf ("DELETE FROM settings WHERE key = %Q", key);
      ret = exec_sql (self, sql, _("remove a setting"), error);
      sqlite3_free (g_steal_pointer (&sql));
    }
  else if ((stmt = prepare (self, &self->stmt_set_setting,
                            "INSERT INTO settings (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error)))
    {
      if ((sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC) |
           sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC)) != SQLITE_OK)
        {
          sqlite3_reset (stmt);
          g_rec_mutex_unlock (&self->lock);
          return set_bind_error (error, self, _("save a setting"));
        }
      if (sqlite3_step (stmt) == SQLITE_DONE)
        ret = TRUE;
      else
        set_sqlite_error (error, self->db, self->path, _("save a setting"));
      sqlite3_reset (stmt);
    }
  g_rec_mutex_unlock (&self->lock);

  return ret;
}

ClairPrompt *
clair_project_load_prompt (ClairProject *self)
{
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  system = clair_project_get_setting (self, "prompt.system");
  user = clair_project_get_setting (self, "prompt.user");
  return clair_prompt_new (system, user);
}

gboolean
clair_project_load_params (ClairProject    *self,
                           ClairGenParams  *params,
                           GError         **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  clair_gen_params_init (params);
  json = clair_project_get_setting (self, "run.params");
  if (json != NULL && !clair_gen_params_from_json (params, json, error))
    {
      g_prefix_error (error, _("Project “%s” holds unreadable run settings: "), self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
clair_project_save_params (ClairProject          *self,
                           const ClairGenParams  *params,
                           GError               **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  json = clair_gen_params_to_json (params);
  return clair_project_set_setting (self, "run.params", json, error);
}

static gboolean
is_cancelled (GCancellable  *cancellable,
              GError       **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* A fresh import writes the whole dataset (a gigabyte, say) into the file, and its commit then
 * waits until all of it is on the disk. Asking the kernel, each time the file has grown by
 * WRITEBACK_BYTES, to start writing what is there already overlaps that with the rest of the
 * import, and the commit waits for the last stretch only. It changes nothing about what a crash leaves: the transaction is committed,
 * or rolled back from its journal, as before. */
#define WRITEBACK_BYTES (64 * 1024 * 1024)

static void
start_writeback (int      fd,
                 goffset *written)
{
#if HAVE_SYNC_FILE_RANGE
  GStatBuf st;

  if (fd >= 0 && fstat (fd, &st) == 0 && st.st_size - *written >= WRITEBACK_BYTES)
    {
      sync_file_range (fd, *written, 0, SYNC_FILE_RANGE_WRITE);
      *written = st.st_size;
    }
#endif
}

void
clair_project_set_import_batch (ClairProject *self,
                                guint         n_rows)
{
  g_return_if_fail (CLAIR_IS_PROJECT (self));

  self->import_batch = n_rows;
}

gboolean
clair_project_import_dataset (ClairProject        *self,
                              ClairDataset        *dataset,
                              const ClairMapping  *mapping,
                              GCancellable        *cancellable,
                              ClairProgressFunc    progress,
                              gpointer             user_data,
                              ClairImportReport   *report,
                              GError             **error)
{
  g_autoptr(GArray) skipped = NULL;
  sqlite3_stmt *insert_row = NULL;
  sqlite3_stmt *insert_skipped = NULL;
  g_autoptr(ClairReadAhead) reader = NULL;
  guint n_rows;
  guint n_imported = 0;
  gboolean ret = FALSE;
  char size_text[32];
  int writeback_fd = -1;
  goffset written = 0;
  g_autofree char *checksum = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (CLAIR_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (mapping != NULL, FALSE);
  g_return_val_if_fail (mapping->task_column != NULL && mapping->solution_column != NULL, FALSE);

  if (!clair_dataset_is_indexed (dataset) && !clair_dataset_index (dataset, cancellable, error))
    return FALSE;

  n_rows = clair_dataset_get_n_rows (dataset);
  skipped = skipped_array_new ();

  g_rec_mutex_lock (&self->lock);
  self->rows_generation++;

  if (clair_project_has_rows (self))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("Project “%s” already holds a dataset; create a new project to import another"),
                   self->path);
      goto out;
    }

  /* A fresh import writes the whole dataset once. In WAL mode every page would be written twice
   * (into the WAL, then checkpointed into the file), so the import runs with a rollback journal —
   * which journals nothing for pages that did not exist before — and switches back to WAL at the
   * end. When another connection has the file open the switch is refused and WAL stays.
   * An import in batches stays in WAL, so other connections read the rows committed so far
   * without ever waiting for the writer. */
  if (!self->read_only && self->import_batch == 0)
    sqlite3_exec (self->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);

  if (!exec_sql (self, "BEGIN IMMEDIATE", _("start the import"), error))
    goto out;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO rows (idx, line, task, solution, extra) VALUES (?, ?, ?, ?, ?)",
                          -1, &insert_row, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db, "INSERT INTO skipped (idx, line, reason) VALUES (?, ?, ?)",
                          -1, &insert_skipped, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("prepare the import"));
      goto rollback;
    }

  reader = clair_read_ahead_new (dataset, mapping, n_rows);
  if (!self->read_only && self->import_batch == 0)
    writeback_fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  for (guint i = 0; i < n_rows; i++)
    {
      const ClairRow *row = NULL;
      const ClairRowLengths *lengths = NULL;
      const char *reason = NULL;
      guint index, line;

      /* A batch is committed before the progress that counts it is reported. */
      if (self->import_batch > 0 && i > 0 && i % self->import_batch == 0 &&
          (!exec_sql (self, "COMMIT", _("store imported rows"), error) ||
           !exec_sql (self, "BEGIN IMMEDIATE", _("go on with the import"), error)))
        goto rollback;
      if ((i & 1023) == 0 || (self->import_batch > 0 && i % self->import_batch == 0))
        {
          if (is_cancelled (cancellable, error))
            goto rollback;
          if (progress != NULL)
            progress (i, n_rows, user_data);
          start_writeback (writeback_fd, &written);
        }

      if (!clair_read_ahead_next (reader, &index, &line, &row, &lengths, &reason))
        break;
      g_assert (index == i);
      if (row == NULL)
        {
          ClairSkippedRow entry = { i, line, g_strdup (reason) };

          g_array_append_val (skipped, entry);
          sqlite3_bind_int64 (insert_skipped, 1, i);
          sqlite3_bind_int64 (insert_skipped, 2, entry.line);
          sqlite3_bind_text (insert_skipped, 3, reason, -1, SQLITE_TRANSIENT);
          if (sqlite3_step (insert_skipped) != SQLITE_DONE)
            {
              set_sqlite_error (error, self->db, self->path, _("record a skipped row"));
              goto rollback;
            }
          sqlite3_reset (insert_skipped);
          continue;
        }

      sqlite3_bind_int64 (insert_row, 1, row->index);
      sqlite3_bind_int64 (insert_row, 2, row->line);
      if ((bind_text_len (insert_row, 3, row->task, lengths->task) |
           bind_text_len (insert_row, 4, row->solution, lengths->solution) |
           (row->extra_json != NULL ? bind_text_len (insert_row, 5, row->extra_json, lengths->extra_json)
                                    : bind_text_len (insert_row, 5, "{}", 2))) != SQLITE_OK)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       _("Row %u (line %u) is larger than a project can hold"), row->index, row->line);
          goto rollback;
        }
      if (sqlite3_step (insert_row) != SQLITE_DONE)
        {
          set_sqlite_error (error, self->db, self->path, _("store a row"));
          goto rollback;
        }
      sqlite3_reset (insert_row);
      n_imported++;
    }
  g_clear_pointer (&reader, clair_read_ahead_free);

  checksum = clair_dataset_compute_checksum (dataset);
  g_snprintf (size_text, sizeof size_text, "%" G_GUINT64_FORMAT, clair_dataset_get_size (dataset));
  if (!clair_project_set_setting (self, "source.path", clair_dataset_get_path (dataset), error) ||
      !clair_project_set_setting (self, "source.size", size_text, error) ||
      !clair_project_set_setting (self, "source.checksum", checksum, error) ||
      !clair_project_set_setting (self, "source.format",
                                  clair_enum_to_nick (CLAIR_TYPE_FORMAT,
                                                      clair_dataset_get_format (dataset)),
                                  error) ||
      !clair_project_set_setting (self, "mapping.task", mapping->task_column, error) ||
      !clair_project_set_setting (self, "mapping.solution", mapping->solution_column, error))
    goto rollback;

  if (!exec_sql (self, "COMMIT", _("finish the import"), error))
    goto rollback;

  if (progress != NULL)
    progress (n_rows, n_rows, user_data);

  if (report != NULL)
    {
      report->n_imported = n_imported;
      report->skipped = g_steal_pointer (&skipped);
    }
  ret = TRUE;
  goto out;

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  /* Batches already committed go too: a failed import leaves no rows, as a single one would. */
  if (self->import_batch > 0)
    sqlite3_exec (self->db, "BEGIN IMMEDIATE; DELETE FROM rows; DELETE FROM skipped; COMMIT",
                  NULL, NULL, NULL);

out:
  g_clear_pointer (&reader, clair_read_ahead_free);
  if (writeback_fd >= 0)
    g_close (writeback_fd, NULL);
  g_clear_pointer (&insert_row, sqlite3_finalize);
  g_clear_pointer (&insert_skipped, sqlite3_finalize);
  if (!self->read_only && self->import_batch == 0)
    sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
  g_rec_mutex_unlock (&self->lock);

  return ret;
}

GArray *
clair_project_get_skipped (ClairProject *self)
{
  GArray *skipped;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  skipped = skipped_array_new ();
  g_rec_mutex_lock (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "SELECT idx, line, reason FROM skipped ORDER BY idx", -1,
                          &stmt, NULL) == SQLITE_OK)
    {
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          ClairSkippedRow entry;

          entry.index = sqlite3_column_int64 (stmt, 0);
          entry.line = sqlite3_column_int64 (stmt, 1);
          entry.reason = column_strdup (stmt, 2);
          g_array_append_val (skipped, entry);
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (&self->lock);

  return skipped;
}

static ClairAttempt *
attempt_from_statement (sqlite3_stmt *stmt,
                        int           first)
{
  ClairAttempt *attempt = clair_attempt_new ();
  int c = first;

  attempt->id = sqlite3_column_int64 (stmt, c++);
  attempt->row = sqlite3_column_int64 (stmt, c++);
  attempt->request_hash = column_strdup (stmt, c++);
  attempt->status = sqlite3_column_int (stmt, c++);
  attempt->http_status = sqlite3_column_int (stmt, c++);
  attempt->error = column_strdup (stmt, c++);
  attempt->raw_output = column_strdup (stmt, c++);
  attempt->revision = column_strdup (stmt, c++);
  attempt->rationale = column_strdup (stmt, c++);
  attempt->marker = column_strdup (stmt, c++);
  attempt->parse_status = column_strdup (stmt, c++);
  attempt->finish_reason = column_strdup (stmt, c++);
  attempt->model_requested = column_strdup (stmt, c++);
  attempt->model_reported = column_strdup (stmt, c++);
  attempt->prompt_tokens = sqlite3_column_int64 (stmt, c++);
  attempt->completion_tokens = sqlite3_column_int64 (stmt, c++);
  attempt->latency_ms = sqlite3_column_double (stmt, c++);
  attempt->started_at = sqlite3_column_int64 (stmt, c++);
  attempt->finished_at = sqlite3_column_int64 (stmt, c++);
  attempt->has_metrics = sqlite3_column_int (stmt, c++);
  attempt->metrics.jaccard = column_real (stmt, c++);
  attempt->metrics.levenshtein = column_real (stmt, c++);
  attempt->metrics.levenshtein_norm = column_real (stmt, c++);
  attempt->metrics.changed_share = column_real (stmt, c++);
  attempt->metrics.length_ratio = column_real (stmt, c++);
  attempt->metrics.similarity_ratio = column_real (stmt, c++);

  return attempt;
}

static ClairAttempt *
get_attempt_locked (ClairProject *self,
                    gint64        id)
{
  sqlite3_stmt *stmt;
  ClairAttempt *attempt = NULL;

  stmt = prepare (self, &self->stmt_get_attempt,
                  "SELECT " ATTEMPT_COLUMNS " FROM attempts WHERE id = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    attempt = attempt_from_statement (stmt, 0);
  sqlite3_reset (stmt);
  return attempt;
}

ClairRecord *
clair_project_get_record (ClairProject  *self,
                          guint          index,
                          GError       **error)
{
  g_autoptr(ClairRecord) record = NULL;
  sqlite3_stmt *stmt;
  gint64 latest = 0;
  gint64 tied = 0;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  g_rec_mutex_lock (&self->lock);

  stmt = prepare (self, &self->stmt_get_row,
                  "SELECT idx, line, task, solution, extra, latest_attempt, n_attempts "
                  "FROM rows WHERE idx = ?", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, index);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Row %u is not in project “%s”"), index, self->path);
      goto out;
    }

  record = g_new0 (ClairRecord, 1);
  record->index = sqlite3_column_int64 (stmt, 0);
  record->line = sqlite3_column_int64 (stmt, 1);
  record->task = column_strdup (stmt, 2);
  record->solution = column_strdup (stmt, 3);
  record->extra_json = column_strdup (stmt, 4);
  latest = sqlite3_column_int64 (stmt, 5);
  record->n_attempts = sqlite3_column_int (stmt, 6);
  sqlite3_reset (stmt);

  stmt = prepare (self, &self->stmt_get_decision,
                  "SELECT decision, edited_revision, note, decided_at, attempt_id, team_state "
                  "FROM decisions WHERE row_idx = ?", error);
  if (stmt == NULL)
    {
      g_clear_pointer (&record, clair_record_free);
      goto out;
    }
  sqlite3_bind_int64 (stmt, 1, index);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      record->decision = sqlite3_column_int (stmt, 0);
      record->edited_revision = column_strdup (stmt, 1);
      record->note = column_strdup (stmt, 2);
      record->decided_at = sqlite3_column_int64 (stmt, 3);
      tied = sqlite3_column_int64 (stmt, 4);
      record->team_state = sqlite3_column_int (stmt, 5);
    }
  sqlite3_reset (stmt);

  /* A decision keeps the attempt it was made on current; a later one waits as "newer". */
  if (clair_record_is_decided (record) && tied != latest)
    {
      record->attempt = tied > 0 ? get_attempt_locked (self, tied) : NULL;
      record->newer = latest > 0 ? get_attempt_locked (self, latest) : NULL;
    }
  else if (latest > 0)
    record->attempt = get_attempt_locked (self, latest);

out:
  g_rec_mutex_unlock (&self->lock);
  return g_steal_pointer (&record);
}

GPtrArray *
clair_project_get_attempts (ClairProject  *self,
                            guint          index,
                            GError       **error)
{
  g_autoptr(GPtrArray) attempts = NULL;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_attempt_free);
  g_rec_mutex_lock (&self->lock);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " ATTEMPT_COLUMNS " FROM attempts WHERE row_idx = ? ORDER BY id",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("read attempts"));
      g_clear_pointer (&attempts, g_ptr_array_unref);
    }
  else
    {
      sqlite3_bind_int64 (stmt, 1, index);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (attempts, attempt_from_statement (stmt, 0));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (&self->lock);

  return g_steal_pointer (&attempts);
}

GArray *
clair_project_get_summaries (ClairProject  *self,
                             GError       **error)
{
  return clair_project_get_summaries_from (self, 0, error);
}

GArray *
clair_project_get_summaries_from (ClairProject  *self,
                                  guint          first,
                                  GError       **error)
{
  g_autoptr(GArray) summaries = NULL;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  g_rec_mutex_lock (&self->lock);
  summaries = g_array_sized_new (FALSE, FALSE, sizeof (ClairRowSummary),
                                 first == 0 ? (guint) pragma_int (self, "SELECT count(*) FROM rows") : 0);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT r.idx, r.status, d.decision, d.edited_revision IS NOT NULL, "
                          "       r.n_attempts, r.jaccard, r.levenshtein_norm, d.team_state "
                          "FROM rows r LEFT JOIN decisions d ON d.row_idx = r.idx "
                          "WHERE r.idx >= ?1 ORDER BY r.idx",
                          -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_bind_int64 (stmt, 1, first) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("list rows"));
      g_clear_pointer (&summaries, g_array_unref);
    }
  else
    {
      int rc;

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          ClairRowSummary summary;

          summary.index = sqlite3_column_int64 (stmt, 0);
          summary.status = sqlite3_column_int (stmt, 1);
          summary.decision = sqlite3_column_int (stmt, 2);
          summary.edited = sqlite3_column_int (stmt, 3);
          summary.n_attempts = MIN (sqlite3_column_int (stmt, 4), 255);
          summary.jaccard = column_real (stmt, 5);
          summary.levenshtein_norm = column_real (stmt, 6);
          summary.team_state = sqlite3_column_int (stmt, 7);
          g_array_append_val (summaries, summary);
        }
      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (error, self->db, self->path, _("list rows"));
          g_clear_pointer (&summaries, g_array_unref);
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (&self->lock);

  return g_steal_pointer (&summaries);
}

static int
progress_cancel_cb (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

/* Escapes LIKE's wildcards so a search for "50%" finds the text "50%". */
static char *
like_pattern (const char *needle)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = needle; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

GArray *
clair_project_search (ClairProject  *self,
                      const char    *needle,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GArray) matches = NULL;
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);
  g_return_val_if_fail (needle != NULL, NULL);

  matches = g_array_new (FALSE, FALSE, sizeof (guint));
  pattern = like_pattern (needle);

  g_rec_mutex_lock (&self->lock);
  if (cancellable != NULL)
    sqlite3_progress_handler (self->db, 10000, progress_cancel_cb, cancellable);

  /* LIKE folds ASCII case only; that covers what people type into a search box, and it runs in
   * SQLite's own loop, which is what keeps a 1 GB project searchable in about a second. */
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT r.idx FROM rows r LEFT JOIN attempts a ON a.id = r.latest_attempt "
                          "LEFT JOIN decisions d ON d.row_idx = r.idx "
                          "WHERE r.task LIKE ?1 ESCAPE '\\' OR r.solution LIKE ?1 ESCAPE '\\' "
                          "   OR a.revision LIKE ?1 ESCAPE '\\' OR d.edited_revision LIKE ?1 ESCAPE '\\' "
                          "   OR d.note LIKE ?1 ESCAPE '\\' "
                          "ORDER BY r.idx", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("search"));
      g_clear_pointer (&matches, g_array_unref);
      goto out;
    }

  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint index = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (matches, index);
    }

  if (rc == SQLITE_INTERRUPT || g_cancellable_is_cancelled (cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Search cancelled");
      g_clear_pointer (&matches, g_array_unref);
    }
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, self->path, _("search"));
      g_clear_pointer (&matches, g_array_unref);
    }

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_progress_handler (self->db, 0, NULL, NULL);
  g_rec_mutex_unlock (&self->lock);

  return g_steal_pointer (&matches);
}

static gboolean
store_attempt_locked (ClairProject  *self,
                      ClairAttempt  *attempt,
                      GError       **error)
{
  sqlite3_stmt *stmt;
  int c = 1;
  int bound = SQLITE_OK;
  gboolean with_metrics = attempt->has_metrics;

  self->rows_generation++;

  stmt = prepare (self, &self->stmt_insert_attempt,
                  "INSERT INTO attempts (row_idx, request_hash, status, http_status, error, "
                  "raw_output, revision, rationale, marker, parse_status, finish_reason, "
                  "model_requested, model_reported, prompt_tokens, completion_tokens, latency_ms, "
                  "started_at, finished_at, has_metrics, jaccard, levenshtein, levenshtein_norm, "
                  "changed_share, length_ratio, similarity_ratio) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, c++, attempt->row);
  bound |= bind_text (stmt, c++, attempt->request_hash);
  sqlite3_bind_int (stmt, c++, attempt->status);
  sqlite3_bind_int (stmt, c++, attempt->http_status);
  bound |= bind_text (stmt, c++, attempt->error);
  bound |= bind_text (stmt, c++, attempt->raw_output);
  bound |= bind_text (stmt, c++, attempt->revision);
  bound |= bind_text (stmt, c++, attempt->rationale);
  bound |= bind_text (stmt, c++, attempt->marker);
  bound |= bind_text (stmt, c++, attempt->parse_status);
  bound |= bind_text (stmt, c++, attempt->finish_reason);
  bound |= bind_text (stmt, c++, attempt->model_requested);
  bound |= bind_text (stmt, c++, attempt->model_reported);
  sqlite3_bind_int64 (stmt, c++, attempt->prompt_tokens);
  sqlite3_bind_int64 (stmt, c++, attempt->completion_tokens);
  sqlite3_bind_double (stmt, c++, attempt->latency_ms);
  sqlite3_bind_int64 (stmt, c++, attempt->started_at);
  sqlite3_bind_int64 (stmt, c++, attempt->finished_at);
  sqlite3_bind_int (stmt, c++, with_metrics);
  bind_real (stmt, c++, attempt->metrics.jaccard, with_metrics);
  bind_real (stmt, c++, attempt->metrics.levenshtein, with_metrics);
  bind_real (stmt, c++, attempt->metrics.levenshtein_norm, with_metrics);
  bind_real (stmt, c++, attempt->metrics.changed_share, with_metrics);
  bind_real (stmt, c++, attempt->metrics.length_ratio, with_metrics);
  bind_real (stmt, c++, attempt->metrics.similarity_ratio, with_metrics);

  if (bound != SQLITE_OK)
    {
      sqlite3_reset (stmt);
      return set_bind_error (error, self, _("store a result"));
    }
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return set_sqlite_error (error, self->db, self->path, _("store a result"));
    }
  sqlite3_reset (stmt);
  attempt->id = sqlite3_last_insert_rowid (self->db);

  stmt = prepare (self, &self->stmt_update_row,
                  "UPDATE rows SET status = ?, latest_attempt = ?, n_attempts = n_attempts + 1, "
                  "jaccard = ?, levenshtein_norm = ? WHERE idx = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, attempt->status);
  sqlite3_bind_int64 (stmt, 2, attempt->id);
  bind_real (stmt, 3, attempt->metrics.jaccard, with_metrics);
  bind_real (stmt, 4, attempt->metrics.levenshtein_norm, with_metrics);
  sqlite3_bind_int64 (stmt, 5, attempt->row);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return set_sqlite_error (error, self->db, self->path, _("update a row"));
    }
  sqlite3_reset (stmt);

  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Row %u is not in project “%s”"), attempt->row, self->path);
      return FALSE;
    }

  return TRUE;
}

/* Marks the batch request @attempt answers (same row, same request), if a batch asked for it. */
static gboolean
mark_batch_result_locked (ClairProject  *self,
                          ClairAttempt  *attempt,
                          GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (self->db,
                          "UPDATE batch_requests SET result_attempt = ?1 "
                          "WHERE row_idx = ?2 AND request_hash IS ?3", -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (error, self->db, self->path, _("record a batch result"));
  sqlite3_bind_int64 (stmt, 1, attempt->id);
  sqlite3_bind_int64 (stmt, 2, attempt->row);
  bind_text (stmt, 3, attempt->request_hash);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);
  return ok || set_sqlite_error (error, self->db, self->path, _("record a batch result"));
}

static gboolean
add_attempts (ClairProject  *self,
              ClairAttempt **attempts,
              guint          n_attempts,
              gboolean       batch_results,
              GError       **error)
{
  gboolean ret = FALSE;

  if (n_attempts == 0)
    return TRUE;

  g_rec_mutex_lock (&self->lock);
  if (!exec_sql (self, "BEGIN IMMEDIATE", _("start saving results"), error))
    goto out;

  for (guint i = 0; i < n_attempts; i++)
    {
      if (!store_attempt_locked (self, attempts[i], error) ||
          (batch_results && !mark_batch_result_locked (self, attempts[i], error)))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          for (guint j = 0; j <= i; j++)
            attempts[j]->id = 0;
          goto out;
        }
    }

  if (!exec_sql (self, "COMMIT", _("save results"), error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      goto out;
    }
  ret = TRUE;

out:
  g_rec_mutex_unlock (&self->lock);
  return ret;
}

gboolean
clair_project_add_attempts (ClairProject  *self,
                            ClairAttempt **attempts,
                            guint          n_attempts,
                            GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (attempts != NULL || n_attempts == 0, FALSE);

  return add_attempts (self, attempts, n_attempts, FALSE, error);
}

gboolean
clair_project_add_batch_results (ClairProject  *self,
                                 ClairAttempt **attempts,
                                 guint          n_attempts,
                                 GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (attempts != NULL || n_attempts == 0, FALSE);

  return add_attempts (self, attempts, n_attempts, TRUE, error);
}

gboolean
clair_project_store_batch (ClairProject          *self,
                           const char            *model,
                           const ClairBatchEntry *entries,
                           guint                  n_entries,
                           GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time ();
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (entries != NULL || n_entries == 0, FALSE);

  g_rec_mutex_lock (&self->lock);
  ok = exec_sql (self, "BEGIN IMMEDIATE", _("start recording the batch"), error);
  if (ok && sqlite3_prepare_v2 (self->db,
                                "INSERT OR REPLACE INTO batch_requests "
                                "(row_idx, request_hash, model, exported_at, result_attempt) "
                                "VALUES (?, ?, ?, ?, NULL)", -1, &stmt, NULL) != SQLITE_OK)
    ok = set_sqlite_error (error, self->db, self->path, _("record the batch"));
  for (guint i = 0; ok && i < n_entries; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, entries[i].row);
      bind_text (stmt, 2, entries[i].request_hash);
      bind_text (stmt, 3, model);
      sqlite3_bind_int64 (stmt, 4, now);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = set_sqlite_error (error, self->db, self->path, _("record the batch"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (ok)
    ok = exec_sql (self, "COMMIT", _("record the batch"), error);
  if (!ok)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

gboolean
clair_project_get_batch_request (ClairProject  *self,
                                 guint          row,
                                 char         **request_hash,
                                 char         **model)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "SELECT request_hash, model FROM batch_requests WHERE row_idx = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, row);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          found = TRUE;
          if (request_hash != NULL)
            *request_hash = column_strdup (stmt, 0);
          if (model != NULL)
            *model = column_strdup (stmt, 1);
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (&self->lock);
  return found;
}

guint
clair_project_count_batch_missing (ClairProject *self)
{
  int n;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), 0);

  g_rec_mutex_lock (&self->lock);
  n = pragma_int (self, "SELECT count(*) FROM batch_requests WHERE result_attempt IS NULL");
  g_rec_mutex_unlock (&self->lock);
  return MAX (n, 0);
}

gboolean
clair_project_reparse (ClairProject  *self,
                       guint          index,
                       GError       **error)
{
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(ClairParseResult) parsed = NULL;
  ClairAttempt *attempt;
  ClairRowStatus status;
  ClairMetrics metrics;
  gboolean ret;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  self->rows_generation++;

  record = clair_project_get_record (self, index, error);
  if (record == NULL)
    {
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }
  /* The row's status follows its latest attempt, whichever one a decision keeps current. */
  attempt = clair_record_get_latest (record);
  if (attempt == NULL || attempt->raw_output == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Row %u has no model output to parse"), index);
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }

  parsed = clair_parse_reply (attempt->raw_output, attempt->finish_reason);
  status = parsed->status == CLAIR_PARSE_OK ? CLAIR_ROW_REVISED : CLAIR_ROW_PARSE_FAILED;
  memset (&metrics, 0, sizeof metrics);
  if (parsed->revision != NULL)
    clair_metrics_compute (record->solution, parsed->revision, &metrics);

  ret = exec_sql (self, "BEGIN IMMEDIATE", _("start re-parsing"), error);
  if (ret)
    {
      sqlite3_stmt *stmt = NULL;
      gboolean with_metrics = parsed->revision != NULL;

      ret = FALSE;
      if (sqlite3_prepare_v2 (self->db,
                              "UPDATE attempts SET status = ?1, revision = ?2, rationale = ?3, "
                              "marker = ?4, parse_status = ?5, error = ?6, has_metrics = ?7, "
                              "jaccard = ?8, levenshtein = ?9, levenshtein_norm = ?10, "
                              "changed_share = ?11, length_ratio = ?12, similarity_ratio = ?13 "
                              "WHERE id = ?14", -1, &stmt, NULL) == SQLITE_OK)
        {
          int bound = sqlite3_bind_int (stmt, 1, status);

          bound |= bind_text (stmt, 2, parsed->revision);
          bound |= bind_text (stmt, 3, parsed->rationale);
          bound |= bind_text (stmt, 4, parsed->marker);
          bound |= bind_text (stmt, 5, clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, parsed->status));
          bound |= bind_text (stmt, 6, parsed->reason);
          sqlite3_bind_int (stmt, 7, with_metrics);
          bind_real (stmt, 8, metrics.jaccard, with_metrics);
          bind_real (stmt, 9, metrics.levenshtein, with_metrics);
          bind_real (stmt, 10, metrics.levenshtein_norm, with_metrics);
          bind_real (stmt, 11, metrics.changed_share, with_metrics);
          bind_real (stmt, 12, metrics.length_ratio, with_metrics);
          bind_real (stmt, 13, metrics.similarity_ratio, with_metrics);
          sqlite3_bind_int64 (stmt, 14, attempt->id);
          ret = bound == SQLITE_OK && sqlite3_step (stmt) == SQLITE_DONE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
      if (ret &&
          sqlite3_prepare_v2 (self->db,
                              "UPDATE rows SET status = ?1, jaccard = ?2, levenshtein_norm = ?3 "
                              "WHERE idx = ?4", -1, &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_int (stmt, 1, status);
          bind_real (stmt, 2, metrics.jaccard, with_metrics);
          bind_real (stmt, 3, metrics.levenshtein_norm, with_metrics);
          sqlite3_bind_int64 (stmt, 4, index);
          ret = sqlite3_step (stmt) == SQLITE_DONE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
      if (!ret)
        set_sqlite_error (error, self->db, self->path, _("store the new parse"));
      ret = ret && exec_sql (self, "COMMIT", _("store the new parse"), error);
      if (!ret)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }

  g_rec_mutex_unlock (&self->lock);
  return ret;
}

GArray *
clair_project_list_rows_to_run (ClairProject       *self,
                                ClairRunSelection   selection,
                                guint               first,
                                guint               last,
                                guint               limit,
                                GError            **error)
{
  g_autoptr(GArray) rows = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *where;
  g_autofree char *sql = NULL;
  int rc;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  switch (selection)
    {
    case CLAIR_SELECT_PENDING:
      where = "status = 0";
      break;
    case CLAIR_SELECT_FAILED:
      where = "status IN (0, 2, 3)";
      break;
    case CLAIR_SELECT_ALL:
    default:
      where = "1";
      break;
    }

  sql = g_strdup_printf ("SELECT idx FROM rows WHERE %s AND idx BETWEEN ? AND ? ORDER BY idx "
                         "LIMIT ?", where);
  rows = g_array_new (FALSE, FALSE, sizeof (guint));

  g_rec_mutex_lock (&self->lock);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("list rows to run"));
      g_clear_pointer (&rows, g_array_unref);
      goto out;
    }
  sqlite3_bind_int64 (stmt, 1, first);
  sqlite3_bind_int64 (stmt, 2, last);
  sqlite3_bind_int64 (stmt, 3, limit == 0 ? -1 : (gint64) limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint index = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (rows, index);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, self->path, _("list rows to run"));
      g_clear_pointer (&rows, g_array_unref);
    }

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (&self->lock);
  return g_steal_pointer (&rows);
}

char *
clair_project_get_revised_hash (ClairProject *self,
                                guint         index)
{
  sqlite3_stmt *stmt = NULL;
  char *hash = NULL;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  g_rec_mutex_lock (&self->lock);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT a.request_hash FROM rows r JOIN attempts a ON a.id = r.latest_attempt "
                          "WHERE r.idx = ? AND a.status = 1", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, index);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        hash = column_strdup (stmt, 0);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (&self->lock);

  return hash;
}

/* Writes the current annotator's decision on one row (deleting it when nothing is left to keep),
 * tied to @attempt_id (CLAIR_ATTEMPT_LATEST: the row's latest attempt; CLAIR_ATTEMPT_NONE: none),
 * and brings the row's effective decision up to date; the caller holds the lock. Autocommit
 * unless the caller opened a transaction (then the annotation and the effective decision are
 * written together). */
static gboolean
write_decision (ClairProject   *self,
                guint           index,
                gint64          attempt_id,
                ClairDecision   decision,
                const char     *edited_revision,
                const char     *note,
                GError        **error)
{
  gboolean clear = decision == CLAIR_DECISION_NONE && edited_revision == NULL && (note == NULL || !*note);
  gboolean own_transaction;
  gboolean ok;

  if (!clear && attempt_id > 0)
    {
      sqlite3_stmt *check = prepare (self, &self->stmt_attempt_of_row,
                                     "SELECT 1 FROM attempts WHERE id = ? AND row_idx = ?", error);
      gboolean found;

      if (check == NULL)
        return FALSE;
      sqlite3_bind_int64 (check, 1, attempt_id);
      sqlite3_bind_int64 (check, 2, index);
      found = sqlite3_step (check) == SQLITE_ROW;
      sqlite3_reset (check);
      if (!found)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                       _("Row %u has no attempt %" PRId64 " in project “%s”"), index,
                       attempt_id, self->path);
          return FALSE;
        }
    }

  /* The annotation and the row's effective decision go to disk together. */
  own_transaction = sqlite3_get_autocommit (self->db);
  if (own_transaction && !exec_sql (self, "BEGIN IMMEDIATE", _("save the decision"), error))
    return FALSE;
  ok = _clair_team_write_locked (self, index, clair_project_get_annotator (self), FALSE, TRUE,
                                 attempt_id, decision, edited_revision, note, g_get_real_time (),
                                 error);
  if (own_transaction)
    {
      if (ok)
        ok = exec_sql (self, "COMMIT", _("save the decision"), error);
      if (!ok)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }
  return ok;
}

gboolean
clair_project_set_decision (ClairProject   *self,
                            guint           index,
                            ClairDecision   decision,
                            const char     *edited_revision,
                            const char     *note,
                            GError        **error)
{
  return clair_project_set_decision_on (self, index, CLAIR_ATTEMPT_LATEST, decision, edited_revision,
                                        note, error);
}

gboolean
clair_project_set_decision_on (ClairProject   *self,
                               guint           index,
                               gint64          attempt_id,
                               ClairDecision   decision,
                               const char     *edited_revision,
                               const char     *note,
                               GError        **error)
{
  gboolean ret = FALSE;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (decision <= CLAIR_DECISION_SKIPPED, FALSE);

  g_rec_mutex_lock (&self->lock);

  {
    g_autofree char *sql = sqlite3_mprintf ("SELECT count(*) FROM rows WHERE idx = %u", index);
    if (pragma_int (self, sql) != 1)
      {
        sqlite3_free (g_steal_pointer (&sql));
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                     _("Row %u is not in project “%s”"), index, self->path);
        goto out;
      }
    sqlite3_free (g_steal_pointer (&sql));
  }

  /* Autocommit: the decision is on disk (in the WAL) when this returns. */
  ret = write_decision (self, index, attempt_id, decision, edited_revision, note, error);

out:
  g_rec_mutex_unlock (&self->lock);
  return ret;
}

/* Bulk decisions. Chunks keep the lock (and SQLite's write lock) short, so a decision made on
 * the main thread while a bulk change runs on a worker waits a few milliseconds at most. */

#define DECISION_CHUNK 1000

void
clair_decision_state_clear (ClairDecisionState *state)
{
  g_clear_pointer (&state->edited_revision, g_free);
  g_clear_pointer (&state->note, g_free);
}

GArray *
clair_project_read_decisions (ClairProject  *self,
                              const guint   *rows,
                              guint          n_rows,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GArray) states = NULL;
  guint done = 0;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);
  g_return_val_if_fail (rows != NULL || n_rows == 0, NULL);

  states = g_array_sized_new (FALSE, TRUE, sizeof (ClairDecisionState), n_rows);
  g_array_set_clear_func (states, (GDestroyNotify) clair_decision_state_clear);
  while (done < n_rows)
    {
      guint end = MIN (n_rows, done + DECISION_CHUNK);
      sqlite3_stmt *stmt;
      gboolean ok = TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_rec_mutex_lock (&self->lock);
      stmt = prepare (self, &self->stmt_read_decision,
                      "SELECT r.status, d.decision, d.edited_revision, d.note, "
                      "       CASE WHEN d.row_idx IS NULL THEN 0 ELSE coalesce(d.attempt_id, -1) END "
                      "FROM rows r LEFT JOIN decisions d ON d.row_idx = r.idx WHERE r.idx = ?", error);
      ok = stmt != NULL && exec_sql (self, "BEGIN", _("start reading decisions"), error);
      for (; ok && done < end; done++)
        {
          int rc;

          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, rows[done]);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            {
              ClairDecisionState state = { 0 };

              state.index = rows[done];
              state.has_revision = sqlite3_column_int (stmt, 0) == CLAIR_ROW_REVISED;
              state.decision = sqlite3_column_type (stmt, 1) == SQLITE_NULL ? CLAIR_DECISION_NONE
                                                                             : sqlite3_column_int (stmt, 1);
              state.edited_revision = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
              state.note = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
              state.attempt_id = sqlite3_column_int64 (stmt, 4);
              g_array_append_val (states, state);
            }
          else if (rc != SQLITE_DONE)
            ok = set_sqlite_error (error, self->db, self->path, _("read the decisions"));
        }
      if (stmt != NULL)
        sqlite3_reset (stmt);
      sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
      g_rec_mutex_unlock (&self->lock);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&states);
}

gboolean
clair_project_write_decisions (ClairProject              *self,
                               const ClairDecisionState  *states,
                               guint                      n_states,
                               GCancellable              *cancellable,
                               guint                     *n_written,
                               GError                   **error)
{
  guint done = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (states != NULL || n_states == 0, FALSE);

  while (ok && done < n_states)
    {
      guint end = MIN (n_states, done + DECISION_CHUNK);
      guint start = done;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      g_rec_mutex_lock (&self->lock);
      ok = exec_sql (self, "BEGIN IMMEDIATE", _("start saving decisions"), error);
      for (; ok && done < end; done++)
        {
          const ClairDecisionState *state = &states[done];

          ok = write_decision (self, state->index, state->attempt_id, state->decision,
                               state->edited_revision, state->note, error);
        }
      if (ok)
        ok = exec_sql (self, "COMMIT", _("save the decisions"), error);
      if (!ok)
        {
          /* Nothing of this chunk is kept; the chunks before it are. */
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          done = start;
        }
      g_rec_mutex_unlock (&self->lock);
    }
  if (n_written != NULL)
    *n_written = done;
  return ok;
}

gboolean
clair_project_get_counts (ClairProject        *self,
                          ClairProjectCounts  *counts,
                          GError             **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ret = FALSE;
  int data_version;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof *counts);

  g_rec_mutex_lock (&self->lock);

  data_version = pragma_int (self, "PRAGMA data_version");
  if (self->counts_cached && data_version >= 0 && data_version == self->counts_data_version &&
      self->counts_generation == self->rows_generation)
    {
      *counts = self->counts_cache;
      memset (counts->by_decision, 0, sizeof counts->by_decision);
      counts->n_edited = 0;
      counts->n_disagreements = 0;
      goto decisions;
    }
  self->counts_cached = FALSE;

  if (sqlite3_prepare_v2 (self->db, "SELECT status, count(*) FROM rows GROUP BY status", -1,
                          &stmt, NULL) != SQLITE_OK)
    goto fail;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int status = sqlite3_column_int (stmt, 0);
      guint n = sqlite3_column_int64 (stmt, 1);

      if (status >= 0 && status < (int) G_N_ELEMENTS (counts->by_status))
        counts->by_status[status] += n;
      counts->n_rows += n;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  counts->n_skipped_at_import = MAX (pragma_int (self, "SELECT count(*) FROM skipped"), 0);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT coalesce(sum(max(prompt_tokens, 0)), 0), "
                          "       coalesce(sum(max(completion_tokens, 0)), 0) FROM attempts",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto fail;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      counts->prompt_tokens = sqlite3_column_int64 (stmt, 0);
      counts->completion_tokens = sqlite3_column_int64 (stmt, 1);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  self->counts_cache = *counts;
  self->counts_generation = self->rows_generation;
  self->counts_data_version = data_version;
  self->counts_cached = data_version >= 0;

decisions:
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT decision, count(*), sum(edited_revision IS NOT NULL), "
                          "       sum(team_state = 2) FROM decisions "
                          "GROUP BY decision", -1, &stmt, NULL) != SQLITE_OK)
    goto fail;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int decision = sqlite3_column_int (stmt, 0);

      if (decision >= 0 && decision < (int) G_N_ELEMENTS (counts->by_decision))
        counts->by_decision[decision] += sqlite3_column_int64 (stmt, 1);
      counts->n_edited += sqlite3_column_int64 (stmt, 2);
      counts->n_disagreements += sqlite3_column_int64 (stmt, 3);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  counts->by_decision[CLAIR_DECISION_NONE] =
    counts->n_rows - counts->by_decision[CLAIR_DECISION_ACCEPTED]
    - counts->by_decision[CLAIR_DECISION_REJECTED] - counts->by_decision[CLAIR_DECISION_SKIPPED]
    - counts->n_disagreements;

  ret = TRUE;
  goto out;

fail:
  set_sqlite_error (error, self->db, self->path, _("count rows"));
  g_clear_pointer (&stmt, sqlite3_finalize);

out:
  g_rec_mutex_unlock (&self->lock);
  return ret;
}

guint
clair_project_count_newer (ClairProject *self)
{
  int n;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), 0);

  g_rec_mutex_lock (&self->lock);
  n = pragma_int (self, "SELECT count(*) FROM decisions d JOIN rows r ON r.idx = d.row_idx "
                        "WHERE " DECIDED_SQL " AND r.status = 1 AND d.attempt_id IS NOT r.latest_attempt");
  g_rec_mutex_unlock (&self->lock);
  return MAX (n, 0);
}

gboolean
clair_project_foreach_record (ClairProject     *self,
                              GCancellable     *cancellable,
                              ClairRecordFunc   func,
                              gpointer          user_data,
                              GError          **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ret = FALSE;
  guint n = 0;
  int rc;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  g_rec_mutex_lock (&self->lock);

  /* One read transaction, so the stream is a consistent snapshot even while a run writes. */
  if (!exec_sql (self, "BEGIN", _("start reading"), error))
    goto out;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT r.idx, r.line, r.task, r.solution, r.extra, r.n_attempts, "
                          "       d.decision, d.edited_revision, d.note, d.decided_at, "
                          ATTEMPT_COLUMNS_OF ("a") ", " ATTEMPT_COLUMNS_OF ("n") ", d.team_state "
                          "FROM rows r LEFT JOIN decisions d ON d.row_idx = r.idx "
                          /* The current attempt: the one decided on, else the latest. */
                          "LEFT JOIN attempts a ON a.id = CASE WHEN " DECIDED_SQL " THEN d.attempt_id "
                          "                                    ELSE r.latest_attempt END "
                          /* The latest, when a decision keeps an older one current. */
                          "LEFT JOIN attempts n ON n.id = r.latest_attempt AND " DECIDED_SQL " "
                          "                    AND d.attempt_id IS NOT r.latest_attempt "
                          "ORDER BY r.idx",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, self->path, _("read rows"));
      goto end;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ClairRecord) record = g_new0 (ClairRecord, 1);

      if ((n++ & 255) == 0 && is_cancelled (cancellable, error))
        goto end;

      record->index = sqlite3_column_int64 (stmt, 0);
      record->line = sqlite3_column_int64 (stmt, 1);
      record->task = column_strdup (stmt, 2);
      record->solution = column_strdup (stmt, 3);
      record->extra_json = column_strdup (stmt, 4);
      record->n_attempts = sqlite3_column_int (stmt, 5);
      record->decision = sqlite3_column_int (stmt, 6);
      record->edited_revision = column_strdup (stmt, 7);
      record->note = column_strdup (stmt, 8);
      record->decided_at = sqlite3_column_int64 (stmt, 9);
      if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
        record->attempt = attempt_from_statement (stmt, 10);
      if (sqlite3_column_type (stmt, 10 + N_ATTEMPT_COLUMNS) != SQLITE_NULL)
        record->newer = attempt_from_statement (stmt, 10 + N_ATTEMPT_COLUMNS);
      record->team_state = sqlite3_column_int (stmt, 10 + 2 * N_ATTEMPT_COLUMNS);

      if (!func (record, user_data))
        break;
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, self->path, _("read rows"));
      goto end;
    }
  ret = TRUE;

end:
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

out:
  g_rec_mutex_unlock (&self->lock);
  return ret;
}
