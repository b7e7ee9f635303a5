/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-team"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "clair-endpoint.h"
#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-json.h"
#include "clair-project-private.h"
#include "clair-team.h"

/* Annotators, split shards, merging them back and agreement (see clair-team.h). The annotations
 * live in the project's "annotations" table (schema v4); the "decisions" table keeps each row's
 * effective decision, rewritten here whenever a row's annotations change. */

#define MAX_ANNOTATOR_BYTES 64

char *
clair_annotator_default (void)
{
  const char *name = g_getenv ("CLAIR_ANNOTATOR");

  if (name != NULL && *name != '\0' && g_utf8_validate (name, -1, NULL))
    return g_strdup (name);
  name = g_get_real_name ();
  /* GLib answers "Unknown" when the account has no real name. */
  if (name != NULL && *name != '\0' && !g_str_equal (name, "Unknown") && g_utf8_validate (name, -1, NULL))
    return g_strdup (name);
  name = g_get_user_name ();
  return g_strdup (name != NULL && *name != '\0' ? name : CLAIR_TEAM_UNKNOWN_ANNOTATOR);
}

gboolean
clair_annotator_name_is_valid (const char  *name,
                               GError     **error)
{
  const char *reason = NULL;

  if (name == NULL || *name == '\0')
    reason = "it is empty";
  else if (strlen (name) > MAX_ANNOTATOR_BYTES)
    reason = "it is longer than 64 bytes";
  else if (!g_utf8_validate (name, -1, NULL))
    reason = "it is not UTF-8";
  else if (name[0] == '.')
    reason = "it starts with a dot";
  else if (strchr (name, '/') != NULL || strchr (name, '\\') != NULL)
    reason = "it holds a slash";
  else
    {
      for (const char *p = name; *p; p = g_utf8_next_char (p))
        if (g_unichar_iscntrl (g_utf8_get_char (p)))
          reason = "it holds a control character";
    }
  if (reason == NULL)
    return TRUE;
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
               _("“%s” cannot be an annotator name: %s"), name != NULL ? name : "", reason);
  return FALSE;
}

void
clair_annotation_free (ClairAnnotation *annotation)
{
  if (annotation == NULL)
    return;
  g_free (annotation->annotator);
  g_free (annotation->edited_revision);
  g_free (annotation->note);
  g_free (annotation);
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

static int
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, column);
  return sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

static gboolean
exec_sql (ClairProject  *self,
          const char    *sql,
          const char    *doing,
          GError       **error)
{
  if (sqlite3_exec (_clair_project_get_db (self), sql, NULL, NULL, NULL) != SQLITE_OK)
    return _clair_project_sqlite_error (self, doing, error);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------------
 * A row's annotations and its effective decision. */

/* Whether an annotation decides (a decision or an edit), as clair_record_is_decided() reads it. */
static gboolean
annotation_decides (const ClairAnnotation *annotation)
{
  return annotation->decision != CLAIR_DECISION_NONE || annotation->edited_revision != NULL;
}

static gboolean
same_decision (const ClairAnnotation *a,
               const ClairAnnotation *b)
{
  return a->decision == b->decision && g_strcmp0 (a->edited_revision, b->edited_revision) == 0;
}

static ClairAnnotation *
annotation_from_statement (sqlite3_stmt *stmt)
{
  ClairAnnotation *annotation = g_new0 (ClairAnnotation, 1);

  annotation->row = sqlite3_column_int64 (stmt, 0);
  annotation->annotator = column_strdup (stmt, 1);
  annotation->resolution = sqlite3_column_int (stmt, 2) != 0;
  annotation->decision = CLAMP (sqlite3_column_int (stmt, 3), CLAIR_DECISION_NONE, CLAIR_DECISION_SKIPPED);
  annotation->edited_revision = column_strdup (stmt, 4);
  annotation->note = column_strdup (stmt, 5);
  annotation->decided_at = sqlite3_column_int64 (stmt, 6);
  annotation->attempt_id = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? CLAIR_ATTEMPT_NONE
                                                                          : sqlite3_column_int64 (stmt, 7);
  return annotation;
}

#define ANNOTATION_COLUMNS \
  "row_idx, annotator, resolution, decision, edited_revision, note, decided_at, attempt_id"

/* The row's annotations, resolutions first, then newest first. */
static GPtrArray *
read_row_locked (ClairProject  *self,
                 guint          index,
                 GError       **error)
{
  g_autoptr(GPtrArray) annotations = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_annotation_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _clair_project_prepare_team (self, CLAIR_TEAM_STMT_READ_ROW,
                                      "SELECT " ANNOTATION_COLUMNS " FROM annotations "
                                      "WHERE row_idx = ? ORDER BY resolution DESC, decided_at DESC, "
                                      "annotator", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, index);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (annotations, annotation_from_statement (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _clair_project_sqlite_error (self, _("read the annotations"), error);
      return NULL;
    }
  return g_steal_pointer (&annotations);
}

/* What the row list and exports read of a row: the newest resolution, else the decision everyone
 * who decided agrees on (the newest of them, with its note), else nothing (a disagreement). A row
 * where nobody decided keeps the newest note. */
static const ClairAnnotation *
effective_annotation (GPtrArray      *annotations,
                      ClairTeamState *state)
{
  const ClairAnnotation *newest_decider = NULL;
  GHashTable *deciders;
  gboolean agree = TRUE;

  *state = CLAIR_TEAM_SINGLE;
  if (annotations->len == 0)
    return NULL;
  if (((ClairAnnotation *) annotations->pdata[0])->resolution)
    {
      *state = CLAIR_TEAM_RESOLVED;
      return annotations->pdata[0];
    }

  deciders = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < annotations->len; i++)
    {
      const ClairAnnotation *annotation = annotations->pdata[i];

      if (!annotation_decides (annotation))
        continue;
      g_hash_table_add (deciders, annotation->annotator);
      if (newest_decider == NULL)
        newest_decider = annotation;
      else if (!same_decision (newest_decider, annotation))
        agree = FALSE;
    }

  if (g_hash_table_size (deciders) > 1)
    *state = agree ? CLAIR_TEAM_AGREED : CLAIR_TEAM_DISAGREED;
  g_hash_table_unref (deciders);

  if (newest_decider == NULL)
    return annotations->pdata[0];
  return agree ? newest_decider : NULL;
}

gboolean
_clair_team_refresh_row_locked (ClairProject  *self,
                                guint          index,
                                GError       **error)
{
  g_autoptr(GPtrArray) annotations = read_row_locked (self, index, error);
  const ClairAnnotation *effective;
  ClairTeamState state;
  sqlite3_stmt *stmt;
  gboolean ok;

  if (annotations == NULL)
    return FALSE;

  if (annotations->len == 0)
    {
      stmt = _clair_project_prepare_team (self, CLAIR_TEAM_STMT_CLEAR_EFFECTIVE,
                                          "DELETE FROM decisions WHERE row_idx = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, index);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
      sqlite3_reset (stmt);
      return ok || _clair_project_sqlite_error (self, _("save the decision"), error);
    }

  effective = effective_annotation (annotations, &state);
  stmt = _clair_project_prepare_team (self, CLAIR_TEAM_STMT_SET_EFFECTIVE,
                                      "INSERT INTO decisions (row_idx, decision, edited_revision, note, "
                                      "  decided_at, attempt_id, annotator, team_state) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                                      "ON CONFLICT (row_idx) DO UPDATE SET "
                                      "decision = excluded.decision, "
                                      "edited_revision = excluded.edited_revision, "
                                      "note = excluded.note, decided_at = excluded.decided_at, "
                                      "attempt_id = excluded.attempt_id, "
                                      "annotator = excluded.annotator, "
                                      "team_state = excluded.team_state", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, index);
  sqlite3_bind_int (stmt, 8, state);
  if (effective != NULL)
    {
      sqlite3_bind_int (stmt, 2, effective->decision);
      bind_text (stmt, 3, effective->edited_revision);
      bind_text (stmt, 4, effective->note);
      sqlite3_bind_int64 (stmt, 5, effective->decided_at);
      if (effective->attempt_id > 0)
        sqlite3_bind_int64 (stmt, 6, effective->attempt_id);
      bind_text (stmt, 7, effective->annotator);
    }
  else
    {
      /* A disagreement: no decision, the time of the newest annotation. */
      sqlite3_bind_int (stmt, 2, CLAIR_DECISION_NONE);
      sqlite3_bind_int64 (stmt, 5, ((ClairAnnotation *) annotations->pdata[0])->decided_at);
    }
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok || _clair_project_sqlite_error (self, _("save the decision"), error);
}

gboolean
_clair_team_write_locked (ClairProject   *self,
                          guint           index,
                          const char     *annotator,
                          gboolean        resolution,
                          gboolean        replace_unknown,
                          gint64          attempt_id,
                          ClairDecision   decision,
                          const char     *edited_revision,
                          const char     *note,
                          gint64          decided_at,
                          GError        **error)
{
  gboolean clear = decision == CLAIR_DECISION_NONE && edited_revision == NULL && (note == NULL || !*note);
  sqlite3_stmt *stmt;
  gboolean ok;

  g_assert (annotator != NULL);

  if (clear)
    stmt = _clair_project_prepare_team (self, CLAIR_TEAM_STMT_DELETE,
                                        "DELETE FROM annotations "
                                        "WHERE row_idx = ?1 AND annotator = ?2 AND resolution = ?3",
                                        error);
  else
    stmt = _clair_project_prepare_team (self, CLAIR_TEAM_STMT_UPSERT,
                                        "INSERT INTO annotations (" ANNOTATION_COLUMNS ") "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?8 > 0 THEN ?8 "
                                        "WHEN ?8 = 0 THEN (SELECT latest_attempt FROM rows WHERE idx = ?1) END) "
                                        "ON CONFLICT (row_idx, annotator, resolution) DO UPDATE SET "
                                        "decision = excluded.decision, "
                                        "edited_revision = excluded.edited_revision, "
                                        "note = excluded.note, decided_at = excluded.decided_at, "
                                        "attempt_id = excluded.attempt_id", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, index);
  if (bind_text (stmt, 2, annotator) != SQLITE_OK)
    {
      sqlite3_reset (stmt);
      return _clair_project_sqlite_error (self, _("save the decision"), error);
    }
  sqlite3_bind_int (stmt, 3, resolution ? 1 : 0);
  if (!clear)
    {
      sqlite3_bind_int (stmt, 4, decision);
      if ((bind_text (stmt, 5, edited_revision) | bind_text (stmt, 6, note)) != SQLITE_OK)
        {
          sqlite3_reset (stmt);
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                       _("Could not save the decision in “%s”: a text is larger than the project "
                       "can hold"), clair_project_get_path (self));
          return FALSE;
        }
      sqlite3_bind_int64 (stmt, 7, decided_at);
      sqlite3_bind_int64 (stmt, 8, MAX (attempt_id, CLAIR_ATTEMPT_NONE));
    }
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (!ok)
    return _clair_project_sqlite_error (self, _("save the decision"), error);

  /* "unknown" stands for whoever decided before names were kept: the project's one annotator,
   * whose decision a named one now takes over, rather than a person to disagree with. */
  if (replace_unknown && !resolution && !g_str_equal (annotator, CLAIR_TEAM_UNKNOWN_ANNOTATOR))
    {
      stmt = _clair_project_prepare_team (self, CLAIR_TEAM_STMT_DELETE_UNKNOWN,
                                          "DELETE FROM annotations WHERE row_idx = ? "
                                          "AND annotator = '" CLAIR_TEAM_UNKNOWN_ANNOTATOR "' "
                                          "AND resolution = 0", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, index);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
      sqlite3_reset (stmt);
      if (!ok)
        return _clair_project_sqlite_error (self, _("save the decision"), error);
    }

  return _clair_team_refresh_row_locked (self, index, error);
}

static gboolean
row_exists_locked (ClairProject  *self,
                   guint          index,
                   GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  if (sqlite3_prepare_v2 (_clair_project_get_db (self), "SELECT 1 FROM rows WHERE idx = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return _clair_project_sqlite_error (self, _("read a row"), error);
  sqlite3_bind_int64 (stmt, 1, index);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  if (!found)
    g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND, _("Row %u is not in project “%s”"), index,
                 clair_project_get_path (self));
  return found;
}

static gboolean
attempt_of_row_locked (ClairProject *self,
                       gint64        attempt_id,
                       guint         index)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  if (sqlite3_prepare_v2 (_clair_project_get_db (self),
                          "SELECT 1 FROM attempts WHERE id = ? AND row_idx = ?", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, attempt_id);
  sqlite3_bind_int64 (stmt, 2, index);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

/* One annotation, with its checks, in a transaction of its own. */
static gboolean
write_as (ClairProject   *self,
          guint           index,
          const char     *annotator,
          gboolean        resolution,
          gint64          attempt_id,
          ClairDecision   decision,
          const char     *edited_revision,
          const char     *note,
          GError        **error)
{
  GRecMutex *lock = _clair_project_get_lock (self);
  gboolean ok;

  g_rec_mutex_lock (lock);
  if (annotator == NULL)
    annotator = clair_project_get_annotator (self);
  ok = clair_annotator_name_is_valid (annotator, error) && row_exists_locked (self, index, error);
  if (ok && attempt_id > 0 && !attempt_of_row_locked (self, attempt_id, index))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Row %u has no attempt %" PRId64 " in project “%s”"), index, attempt_id,
                   clair_project_get_path (self));
      ok = FALSE;
    }
  ok = ok && exec_sql (self, "BEGIN IMMEDIATE", _("save the decision"), error);
  if (ok)
    {
      ok = _clair_team_write_locked (self, index, annotator, resolution, !resolution, attempt_id,
                                     decision, edited_revision, note, g_get_real_time (), error) &&
           exec_sql (self, "COMMIT", _("save the decision"), error);
      if (!ok)
        sqlite3_exec (_clair_project_get_db (self), "ROLLBACK", NULL, NULL, NULL);
    }
  g_rec_mutex_unlock (lock);
  return ok;
}

gboolean
clair_project_decide_as (ClairProject   *self,
                         guint           index,
                         const char     *annotator,
                         gint64          attempt_id,
                         ClairDecision   decision,
                         const char     *edited_revision,
                         const char     *note,
                         GError        **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (decision <= CLAIR_DECISION_SKIPPED, FALSE);

  return write_as (self, index, annotator, FALSE, attempt_id, decision, edited_revision, note, error);
}

gboolean
clair_project_resolve (ClairProject   *self,
                       guint           index,
                       gint64          attempt_id,
                       ClairDecision   decision,
                       const char     *edited_revision,
                       const char     *note,
                       GError        **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (decision <= CLAIR_DECISION_SKIPPED, FALSE);

  return write_as (self, index, NULL, TRUE, attempt_id, decision, edited_revision, note, error);
}

static gint
compare_for_display (gconstpointer a,
                     gconstpointer b)
{
  const ClairAnnotation *x = *(ClairAnnotation * const *) a;
  const ClairAnnotation *y = *(ClairAnnotation * const *) b;

  if (x->resolution != y->resolution)
    return x->resolution ? 1 : -1;
  if (x->resolution && x->decided_at != y->decided_at)
    return x->decided_at > y->decided_at ? -1 : 1;
  return g_strcmp0 (x->annotator, y->annotator);
}

GPtrArray *
clair_project_get_annotations (ClairProject  *self,
                               guint          index,
                               GError       **error)
{
  GRecMutex *lock;
  GPtrArray *annotations;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  lock = _clair_project_get_lock (self);
  g_rec_mutex_lock (lock);
  annotations = read_row_locked (self, index, error);
  g_rec_mutex_unlock (lock);
  if (annotations != NULL)
    g_ptr_array_sort (annotations, compare_for_display);
  return annotations;
}

/* The strings of the first column of @sql, in order. */
static char **
list_strings (ClairProject  *self,
              const char    *sql,
              const char    *doing,
              GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GRecMutex *lock = _clair_project_get_lock (self);
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_ERROR;

  g_rec_mutex_lock (lock);
  if (sqlite3_prepare_v2 (_clair_project_get_db (self), sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (names, column_strdup (stmt, 0));
    }
  if (rc != SQLITE_DONE)
    _clair_project_sqlite_error (self, doing, error);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (lock);
  if (rc != SQLITE_DONE)
    return NULL;
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

char **
clair_project_list_annotators (ClairProject  *self,
                               GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  return list_strings (self, "SELECT DISTINCT annotator FROM annotations ORDER BY annotator",
                       _("list the annotators"), error);
}

GArray *
clair_project_list_disagreements (ClairProject  *self,
                                  GError       **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  GRecMutex *lock;
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  lock = _clair_project_get_lock (self);
  g_rec_mutex_lock (lock);
  if (sqlite3_prepare_v2 (_clair_project_get_db (self),
                          "SELECT row_idx FROM decisions WHERE team_state = 2 ORDER BY row_idx", -1,
                          &stmt, NULL) == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          guint index = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (rows, index);
        }
    }
  if (rc != SQLITE_DONE)
    _clair_project_sqlite_error (self, _("list the disagreements"), error);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (lock);
  return rc == SQLITE_DONE ? g_steal_pointer (&rows) : NULL;
}

char *
clair_project_get_guidelines (ClairProject *self)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  return clair_project_get_setting (self, CLAIR_TEAM_GUIDELINES_KEY);
}

gboolean
clair_project_set_guidelines (ClairProject  *self,
                              const char    *markdown,
                              GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);

  if (markdown != NULL && !g_utf8_validate (markdown, -1, NULL))
    {
      g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                           _("The guidelines are not UTF-8 text"));
      return FALSE;
    }
  return clair_project_set_setting (self, CLAIR_TEAM_GUIDELINES_KEY,
                                    markdown != NULL && *markdown != '\0' ? markdown : NULL, error);
}

char *
clair_project_get_id (ClairProject  *self,
                      GError       **error)
{
  char *id;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  id = clair_project_get_setting (self, CLAIR_TEAM_PROJECT_ID_KEY);
  if (id == NULL)
    {
      id = g_uuid_string_random ();
      if (!clair_project_set_setting (self, CLAIR_TEAM_PROJECT_ID_KEY, id, error))
        g_clear_pointer (&id, g_free);
    }
  return id;
}

/* ---------------------------------------------------------------------------------------------
 * Split. The random choice must be the same on every machine for a seed, so it is SplitMix64
 * (Steele, Lea, Flood 2014) with rejection sampling, not g_random (whose sequence GLib may change). */

static guint64
splitmix64_next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform in [0, @bound), without the bias of a plain modulo. */
static guint64
random_below (guint64 *state,
              guint64  bound)
{
  guint64 threshold = (0 - bound) % bound;   /* 2^64 mod bound */

  for (;;)
    {
      guint64 r = splitmix64_next (state);

      if (r >= threshold)
        return r % bound;
    }
}

GArray *
clair_team_assign (const guint *rows,
                   guint        n_rows,
                   guint        n_annotators,
                   double       overlap,
                   guint64      seed)
{
  g_autofree guint *order = NULL;
  g_autofree guint *load = NULL;
  GArray *assignments;
  guint64 state = seed;
  guint n_shared = 0;
  guint n_pairs;
  guint pair = 0;
  guint pair_a = 0;
  guint pair_b = 1;

  g_return_val_if_fail (rows != NULL || n_rows == 0, NULL);
  g_return_val_if_fail (n_annotators > 0, NULL);

  assignments = g_array_sized_new (FALSE, TRUE, sizeof (ClairAssignment), n_rows);
  g_array_set_size (assignments, n_rows);
  order = g_new (guint, MAX (n_rows, 1));
  load = g_new0 (guint, n_annotators);
  for (guint i = 0; i < n_rows; i++)
    order[i] = i;
  /* Fisher–Yates: the shared rows are the first ones of a random order. */
  for (guint i = n_rows; i > 1; i--)
    {
      guint j = (guint) random_below (&state, i);
      guint tmp = order[i - 1];

      order[i - 1] = order[j];
      order[j] = tmp;
    }

  overlap = CLAMP (overlap, 0.0, 1.0);
  if (n_annotators >= 2)
    n_shared = MIN (n_rows, (guint) floor (overlap * n_rows + 0.5));
  n_pairs = n_annotators * (n_annotators - 1) / 2;

  for (guint j = 0; j < n_rows; j++)
    {
      ClairAssignment *assignment = &g_array_index (assignments, ClairAssignment, order[j]);

      assignment->row = rows[order[j]];
      if (j < n_shared)
        {
          /* The pairs in turn: (0,1), (0,2), … (1,2), …, so each pair gets its share. */
          assignment->first = pair_a;
          assignment->second = pair_b;
          load[pair_a]++;
          load[pair_b]++;
          if (++pair == n_pairs)
            pair = 0;
          if (pair == 0)
            {
              pair_a = 0;
              pair_b = 1;
            }
          else if (++pair_b == n_annotators)
            {
              pair_a++;
              pair_b = pair_a + 1;
            }
        }
      else
        {
          /* Whoever has least, looking from a place that moves on, so ties take turns. */
          guint best = j % n_annotators;

          for (guint k = 1; k < n_annotators; k++)
            {
              guint candidate = (j + k) % n_annotators;

              if (load[candidate] < load[best])
                best = candidate;
            }
          assignment->first = best;
          assignment->second = -1;
          load[best]++;
        }
    }

  return assignments;
}

void
clair_shard_free (ClairShard *shard)
{
  if (shard == NULL)
    return;
  g_free (shard->annotator);
  g_free (shard->path);
  g_free (shard);
}

static void
unlink_project_files (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

/* Settings a shard never carries: the team's own (a shard of a shard records its own source) and
 * anything named like a credential, should one ever be stored by mistake. */
#define SHARD_SETTINGS_FILTER \
  "key NOT LIKE 'team.%' AND lower(key) NOT GLOB '*key*' AND lower(key) NOT GLOB '*token*' " \
  "AND lower(key) NOT GLOB '*secret*' AND lower(key) NOT GLOB '*password*' " \
  "AND lower(key) NOT GLOB '*auth*' AND lower(key) NOT GLOB '*credential*'"

static gboolean
exec_bound (ClairProject  *self,
            const char    *sql,
            const char    *text,
            const char    *doing,
            GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (_clair_project_get_db (self), sql, -1, &stmt, NULL) != SQLITE_OK)
    return _clair_project_sqlite_error (self, doing, error);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);
  return ok || _clair_project_sqlite_error (self, doing, error);
}

typedef struct
{
  const char *source_path;
  const char *source_id;
  const char *source_checksum;
  guint64     seed;
} SplitSource;

/* Fills the new shard @shard with @rows of the source. */
static gboolean
fill_shard (ClairProject       *shard,
            const SplitSource  *source,
            const char         *annotator,
            GArray             *rows,
            GError            **error)
{
  sqlite3 *db = _clair_project_get_db (shard);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *seed_text = g_strdup_printf ("%" G_GUINT64_FORMAT, source->seed);
  g_autofree char *base_url = NULL;
  gboolean ok;

  if (!exec_bound (shard, "ATTACH DATABASE ?1 AS src", source->source_path, "read the source project",
                   error))
    return FALSE;
  /* A deferred transaction: BEGIN IMMEDIATE would take the write lock of the attached source too,
   * and hold up a run writing to it while the shard is made. */
  ok = exec_sql (shard, "CREATE TEMP TABLE pick (idx INTEGER PRIMARY KEY)", _("split the project"), error) &&
       exec_sql (shard, "BEGIN", _("write the shard"), error);
  if (ok && sqlite3_prepare_v2 (db, "INSERT INTO temp.pick (idx) VALUES (?)", -1, &stmt, NULL) != SQLITE_OK)
    ok = _clair_project_sqlite_error (shard, _("split the project"), error);
  for (guint i = 0; ok && i < rows->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_array_index (rows, guint, i));
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _clair_project_sqlite_error (shard, _("split the project"), error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  ok = ok &&
       exec_sql (shard, "DELETE FROM main.settings;"
                        "INSERT INTO main.settings (key, value) SELECT key, value FROM src.settings "
                        "  WHERE " SHARD_SETTINGS_FILTER ";"
                        "INSERT INTO main.rows SELECT * FROM src.rows "
                        "  WHERE idx IN (SELECT idx FROM temp.pick);"
                        "INSERT INTO main.attempts SELECT * FROM src.attempts "
                        "  WHERE row_idx IN (SELECT idx FROM temp.pick);",
                 _("copy the rows into the shard"), error) &&
       /* The annotator's own earlier decisions come along; nobody else's (they decide blind). */
       exec_bound (shard, "INSERT INTO main.annotations SELECT * FROM src.annotations "
                          "WHERE row_idx IN (SELECT idx FROM temp.pick) AND annotator = ?1",
                   annotator, _("copy the decisions into the shard"), error) &&
       clair_project_set_setting (shard, CLAIR_TEAM_SHARD_ANNOTATOR_KEY, annotator, error) &&
       clair_project_set_setting (shard, CLAIR_TEAM_SOURCE_ID_KEY, source->source_id, error) &&
       clair_project_set_setting (shard, CLAIR_TEAM_SOURCE_CHECKSUM_KEY, source->source_checksum, error) &&
       clair_project_set_setting (shard, "team.split.seed", seed_text, error);

  /* An address with a password in it never leaves, whatever wrote it there. */
  if (ok && (base_url = clair_project_get_setting (shard, "run.base_url")) != NULL &&
      !clair_endpoint_check_url (base_url, NULL))
    ok = exec_sql (shard, "DELETE FROM main.settings WHERE key = 'run.base_url'", _("write the shard"), error);

  if (ok && sqlite3_prepare_v2 (db, "SELECT DISTINCT row_idx FROM main.annotations", -1, &stmt, NULL) != SQLITE_OK)
    ok = _clair_project_sqlite_error (shard, _("write the shard"), error);
  while (ok && sqlite3_step (stmt) == SQLITE_ROW)
    ok = _clair_team_refresh_row_locked (shard, sqlite3_column_int64 (stmt, 0), error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  ok = ok && exec_sql (shard, "COMMIT", _("write the shard"), error);
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_exec (db, "DETACH DATABASE src", NULL, NULL, NULL);
  return ok;
}

static GArray *
rows_to_split (ClairProject  *self,
               gboolean       undecided_only,
               GError       **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  GRecMutex *lock = _clair_project_get_lock (self);
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_ERROR;

  g_rec_mutex_lock (lock);
  if (sqlite3_prepare_v2 (_clair_project_get_db (self),
                          undecided_only
                          ? "SELECT idx FROM rows r WHERE NOT EXISTS (SELECT 1 FROM decisions d "
                            "WHERE d.row_idx = r.idx AND (d.decision != 0 OR d.edited_revision IS NOT NULL)) "
                            "ORDER BY idx"
                          : "SELECT idx FROM rows ORDER BY idx", -1, &stmt, NULL) == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          guint index = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (rows, index);
        }
    }
  if (rc != SQLITE_DONE)
    _clair_project_sqlite_error (self, _("list the rows"), error);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (lock);
  return rc == SQLITE_DONE ? g_steal_pointer (&rows) : NULL;
}

GPtrArray *
clair_team_split (ClairProject             *self,
                  const ClairSplitOptions  *options,
                  const char               *dir,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  g_autoptr(GPtrArray) shards = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) assignments = NULL;
  g_autoptr(GPtrArray) picks = NULL;
  g_autofree char *id = NULL;
  g_autofree char *checksum = NULL;
  SplitSource source;
  guint n_annotators;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);
  g_return_val_if_fail (options != NULL && options->annotators != NULL, NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  n_annotators = g_strv_length ((char **) options->annotators);
  if (n_annotators == 0)
    {
      g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA, _("Name at least one annotator"));
      return NULL;
    }
  for (guint i = 0; i < n_annotators; i++)
    {
      if (!clair_annotator_name_is_valid (options->annotators[i], error))
        return NULL;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (options->annotators[i], options->annotators[j]))
          {
            g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                         _("Annotator “%s” is named twice"), options->annotators[i]);
            return NULL;
          }
    }
  if (!(options->overlap >= 0 && options->overlap <= 1))
    {
      g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                           _("The overlap must be between 0 and 1"));
      return NULL;
    }

  if (g_mkdir_with_parents (dir, 0755) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not make folder “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  shards = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_shard_free);
  for (guint i = 0; i < n_annotators; i++)
    {
      ClairShard *shard = g_new0 (ClairShard, 1);
      g_autofree char *name = g_strconcat (options->annotators[i], ".clair", NULL);

      shard->annotator = g_strdup (options->annotators[i]);
      shard->path = g_build_filename (dir, name, NULL);
      g_ptr_array_add (shards, shard);
      if (g_file_test (shard->path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                       _("“%s” already exists; remove it or split into another folder"), shard->path);
          return NULL;
        }
    }

  id = clair_project_get_id (self, error);
  if (id == NULL)
    return NULL;
  checksum = clair_project_get_setting (self, "source.checksum");
  rows = rows_to_split (self, options->undecided_only, error);
  if (rows == NULL)
    return NULL;

  assignments = clair_team_assign (rows->len > 0 ? &g_array_index (rows, guint, 0) : NULL, rows->len,
                                   n_annotators, options->overlap, options->seed);
  picks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < n_annotators; i++)
    g_ptr_array_add (picks, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint i = 0; i < assignments->len; i++)
    {
      const ClairAssignment *assignment = &g_array_index (assignments, ClairAssignment, i);
      ClairShard *first = shards->pdata[assignment->first];

      g_array_append_val ((GArray *) picks->pdata[assignment->first], assignment->row);
      first->n_rows++;
      if (assignment->second >= 0)
        {
          ClairShard *second = shards->pdata[assignment->second];

          g_array_append_val ((GArray *) picks->pdata[assignment->second], assignment->row);
          second->n_rows++;
          first->n_shared++;
          second->n_shared++;
        }
    }

  source.source_path = clair_project_get_path (self);
  source.source_id = id;
  source.source_checksum = checksum != NULL ? checksum : "";
  source.seed = options->seed;

  for (guint i = 0; i < n_annotators; i++)
    {
      ClairShard *shard = shards->pdata[i];
      g_autofree char *part = g_strconcat (shard->path, ".part", NULL);
      g_autoptr(ClairProject) project = NULL;
      gboolean ok;

      unlink_project_files (part);
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error);
      if (ok)
        ok = (project = clair_project_open (part, CLAIR_PROJECT_OPEN_CREATE, error)) != NULL;
      if (ok)
        {
          GRecMutex *lock = _clair_project_get_lock (project);

          g_rec_mutex_lock (lock);
          ok = fill_shard (project, &source, shard->annotator, picks->pdata[i], error);
          g_rec_mutex_unlock (lock);
        }
      /* Closed before it is renamed: the last connection folds the WAL into the file. */
      g_clear_object (&project);
      if (ok && g_rename (part, shard->path) < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not write “%s”: %s"), shard->path, g_strerror (saved_errno));
          ok = FALSE;
        }
      if (!ok)
        {
          unlink_project_files (part);
          for (guint j = 0; j < i; j++)
            unlink_project_files (((ClairShard *) shards->pdata[j])->path);
          return NULL;
        }
    }

  return g_steal_pointer (&shards);
}

/* ---------------------------------------------------------------------------------------------
 * Merge */

typedef struct
{
  char      *path;
  GPtrArray *annotations;   /* of ClairAnnotation */
} ShardContent;

static void
shard_content_free (ShardContent *content)
{
  g_free (content->path);
  g_clear_pointer (&content->annotations, g_ptr_array_unref);
  g_free (content);
}

/* Reads a shard's annotations, refusing a file that is no shard of @self or whose rows are not
 * @self's. */
static ShardContent *
read_shard (ClairProject  *self,
            const char    *project_id,
            const char    *project_checksum,
            const char    *path,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ClairProject) shard = clair_project_open (path, CLAIR_PROJECT_OPEN_READ_ONLY, &local_error);
  g_autofree char *source_id = NULL;
  g_autofree char *source_checksum = NULL;
  g_autoptr(GPtrArray) annotations = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *task_stmt = NULL;
  ShardContent *content;
  int rc = SQLITE_ERROR;

  if (shard == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_CORRUPT, _("Shard “%s” cannot be merged: %s"), path,
                   local_error->message);
      return NULL;
    }
  source_id = clair_project_get_setting (shard, CLAIR_TEAM_SOURCE_ID_KEY);
  source_checksum = clair_project_get_setting (shard, CLAIR_TEAM_SOURCE_CHECKSUM_KEY);
  if (source_id == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("“%s” is not a shard made by “clair split”: it records no source project"), path);
      return NULL;
    }
  if (!g_str_equal (source_id, project_id) ||
      g_strcmp0 (source_checksum, project_checksum != NULL ? project_checksum : "") != 0)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("Shard “%s” was split from another project (another project id or dataset "
                   "checksum) and cannot be merged into “%s”"), path, clair_project_get_path (self));
      return NULL;
    }

  annotations = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_annotation_free);
  if (sqlite3_prepare_v2 (_clair_project_get_db (shard),
                          "SELECT a.row_idx, a.annotator, a.resolution, a.decision, a.edited_revision, "
                          "       a.note, a.decided_at, a.attempt_id, r.task "
                          "FROM annotations a LEFT JOIN rows r ON r.idx = a.row_idx "
                          "ORDER BY a.row_idx", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (_clair_project_get_db (self), "SELECT task FROM rows WHERE idx = ?", -1,
                          &task_stmt, NULL) != SQLITE_OK)
    goto fail;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClairAnnotation *annotation = annotation_from_statement (stmt);
      const char *task = (const char *) sqlite3_column_text (stmt, 8);
      gboolean same_row;

      g_ptr_array_add (annotations, annotation);
      sqlite3_reset (task_stmt);
      sqlite3_bind_int64 (task_stmt, 1, annotation->row);
      same_row = task != NULL && sqlite3_step (task_stmt) == SQLITE_ROW &&
                 g_strcmp0 ((const char *) sqlite3_column_text (task_stmt, 0), task) == 0;
      if (!same_row || annotation->annotator == NULL ||
          !clair_annotator_name_is_valid (annotation->annotator, NULL))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       _("Shard “%s” does not match “%s”: its row %u is not the project's"),
                       path, clair_project_get_path (self), annotation->row);
          g_clear_pointer (&stmt, sqlite3_finalize);
          g_clear_pointer (&task_stmt, sqlite3_finalize);
          return NULL;
        }
    }
  if (rc != SQLITE_DONE)
    goto fail;
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&task_stmt, sqlite3_finalize);

  content = g_new0 (ShardContent, 1);
  content->path = g_strdup (path);
  content->annotations = g_steal_pointer (&annotations);
  return content;

fail:
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_CORRUPT, _("Shard “%s” cannot be read: %s"), path,
               sqlite3_errmsg (_clair_project_get_db (shard)));
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&task_stmt, sqlite3_finalize);
  return NULL;
}

/* The time of the project's annotation with the same key, or -1. */
static gint64
existing_time_locked (ClairProject          *self,
                      sqlite3_stmt          *stmt,
                      const ClairAnnotation *annotation)
{
  gint64 time = -1;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, annotation->row);
  sqlite3_bind_text (stmt, 2, annotation->annotator, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, annotation->resolution);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    time = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return time;
}

static gboolean
merge_annotations_locked (ClairProject      *self,
                          GPtrArray         *contents,
                          ClairMergeReport  *report,
                          GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (_clair_project_get_db (self),
                          "SELECT decided_at FROM annotations "
                          "WHERE row_idx = ? AND annotator = ? AND resolution = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return _clair_project_sqlite_error (self, _("merge the shards"), error);

  for (guint s = 0; ok && s < contents->len; s++)
    {
      ShardContent *content = contents->pdata[s];

      for (guint i = 0; ok && i < content->annotations->len; i++)
        {
          const ClairAnnotation *annotation = content->annotations->pdata[i];
          gint64 existing = existing_time_locked (self, stmt, annotation);
          gint64 attempt_id = annotation->attempt_id;

          if (existing >= annotation->decided_at)
            {
              report->n_unchanged++;
              continue;
            }
          /* An attempt made in the shard (a rerun there) is not the project's: the decision is
           * then about the row's latest attempt. */
          if (attempt_id > 0 && !attempt_of_row_locked (self, attempt_id, annotation->row))
            attempt_id = CLAIR_ATTEMPT_LATEST;
          ok = _clair_team_write_locked (self, annotation->row, annotation->annotator,
                                         annotation->resolution, FALSE, attempt_id,
                                         annotation->decision, annotation->edited_revision,
                                         annotation->note, annotation->decided_at, error);
          if (existing < 0)
            report->n_added++;
          else
            report->n_replaced++;
        }
    }
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
clair_team_merge (ClairProject        *self,
                  const char * const  *shard_paths,
                  ClairMergeReport    *report,
                  GError             **error)
{
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) shard_content_free);
  g_autofree char *id = NULL;
  g_autofree char *checksum = NULL;
  ClairMergeReport own_report = { 0 };
  GRecMutex *lock;
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (shard_paths != NULL, FALSE);

  if (report == NULL)
    report = &own_report;
  memset (report, 0, sizeof *report);

  id = clair_project_get_id (self, error);
  if (id == NULL)
    return FALSE;
  checksum = clair_project_get_setting (self, "source.checksum");

  /* Every shard is read and checked before anything is written. */
  for (guint i = 0; shard_paths[i] != NULL; i++)
    {
      ShardContent *content = read_shard (self, id, checksum, shard_paths[i], error);

      if (content == NULL)
        return FALSE;
      g_ptr_array_add (contents, content);
    }

  lock = _clair_project_get_lock (self);
  g_rec_mutex_lock (lock);
  ok = exec_sql (self, "BEGIN IMMEDIATE", _("merge the shards"), error);
  if (ok)
    {
      ok = merge_annotations_locked (self, contents, report, error) &&
           exec_sql (self, "COMMIT", _("merge the shards"), error);
      if (!ok)
        {
          sqlite3_exec (_clair_project_get_db (self), "ROLLBACK", NULL, NULL, NULL);
          memset (report, 0, sizeof *report);
        }
    }
  g_rec_mutex_unlock (lock);
  return ok;
}

/* ---------------------------------------------------------------------------------------------
 * Agreement */

#define N_CATEGORIES 3   /* accepted, rejected, skipped: ClairDecision 1..3 */

typedef struct
{
  guint64 cells[N_CATEGORIES][N_CATEGORIES];   /* [a's category - 1][b's category - 1] */
} Confusion;

typedef struct
{
  double cells[N_CATEGORIES][N_CATEGORIES];    /* Krippendorff's coincidences */
} Coincidence;

static double
kappa_from_confusion (const Confusion *confusion)
{
  double n = 0, observed = 0, expected = 0;
  double rows[N_CATEGORIES] = { 0 }, columns[N_CATEGORIES] = { 0 };

  for (guint i = 0; i < N_CATEGORIES; i++)
    for (guint j = 0; j < N_CATEGORIES; j++)
      {
        n += confusion->cells[i][j];
        rows[i] += confusion->cells[i][j];
        columns[j] += confusion->cells[i][j];
      }
  if (n == 0)
    return NAN;
  for (guint i = 0; i < N_CATEGORIES; i++)
    {
      observed += confusion->cells[i][i] / n;
      expected += (rows[i] / n) * (columns[i] / n);
    }
  /* Both raters used one and the same category: chance explains everything, κ is 0/0. */
  if (1 - expected < 1e-12)
    return NAN;
  return (observed - expected) / (1 - expected);
}

/* Adds one unit's values (0: missing) to the coincidences: each ordered pair of values of the
 * unit counts 1/(m − 1), m the number of values. */
static void
coincidence_add_unit (Coincidence  *coincidence,
                      const guint8 *values,
                      guint         n_coders)
{
  guint m = 0;

  for (guint i = 0; i < n_coders; i++)
    m += values[i] != 0;
  if (m < 2)
    return;
  for (guint i = 0; i < n_coders; i++)
    for (guint j = 0; j < n_coders; j++)
      if (i != j && values[i] != 0 && values[j] != 0)
        coincidence->cells[values[i] - 1][values[j] - 1] += 1.0 / (m - 1);
}

static double
alpha_from_coincidence (const Coincidence *coincidence)
{
  double totals[N_CATEGORIES] = { 0 };
  double n = 0, disagreement = 0, expected = 0;

  for (guint c = 0; c < N_CATEGORIES; c++)
    for (guint k = 0; k < N_CATEGORIES; k++)
      totals[c] += coincidence->cells[c][k];
  for (guint c = 0; c < N_CATEGORIES; c++)
    n += totals[c];
  for (guint c = 0; c < N_CATEGORIES; c++)
    for (guint k = 0; k < N_CATEGORIES; k++)
      if (c != k)
        {
          disagreement += coincidence->cells[c][k];
          expected += totals[c] * totals[k];
        }
  /* No pairable value, or one category only: α is 0/0. */
  if (n < 2 || expected <= 0)
    return NAN;
  return 1 - (n - 1) * disagreement / expected;
}

double
clair_team_cohen_kappa (const guint8 *a,
                        const guint8 *b,
                        guint         n)
{
  Confusion confusion = { { { 0 } } };

  g_return_val_if_fail (n == 0 || (a != NULL && b != NULL), NAN);

  for (guint i = 0; i < n; i++)
    if (a[i] >= 1 && a[i] <= N_CATEGORIES && b[i] >= 1 && b[i] <= N_CATEGORIES)
      confusion.cells[a[i] - 1][b[i] - 1]++;
  return kappa_from_confusion (&confusion);
}

double
clair_team_krippendorff_alpha (const guint8 *values,
                               guint         n_units,
                               guint         n_coders)
{
  Coincidence coincidence = { { { 0 } } };
  g_autofree guint8 *unit = g_new0 (guint8, MAX (n_coders, 1));

  g_return_val_if_fail (n_units == 0 || n_coders == 0 || values != NULL, NAN);

  for (guint u = 0; u < n_units; u++)
    {
      for (guint c = 0; c < n_coders; c++)
        {
          guint8 value = values[(gsize) u * n_coders + c];

          unit[c] = value <= N_CATEGORIES ? value : 0;
        }
      coincidence_add_unit (&coincidence, unit, n_coders);
    }
  return alpha_from_coincidence (&coincidence);
}

static void
annotator_stats_free (ClairAnnotatorStats *stats)
{
  g_free (stats->name);
  g_free (stats);
}

static void
pair_stats_free (ClairPairStats *stats)
{
  g_free (stats->a);
  g_free (stats->b);
  g_free (stats);
}

void
clair_agreement_free (ClairAgreement *agreement)
{
  if (agreement == NULL)
    return;
  g_clear_pointer (&agreement->annotators, g_ptr_array_unref);
  g_clear_pointer (&agreement->pairs, g_ptr_array_unref);
  g_free (agreement);
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of the gaps between consecutive times (microseconds), in seconds; NAN below two. */
static double
median_gap_seconds (GArray *times)
{
  g_autoptr(GArray) gaps = NULL;
  guint n;

  if (times->len < 2)
    return NAN;
  g_array_sort (times, compare_gint64);
  gaps = g_array_sized_new (FALSE, FALSE, sizeof (double), times->len - 1);
  for (guint i = 1; i < times->len; i++)
    {
      double gap = (g_array_index (times, gint64, i) - g_array_index (times, gint64, i - 1)) / 1e6;
      g_array_append_val (gaps, gap);
    }
  g_array_sort (gaps, compare_double);
  n = gaps->len;
  if (n % 2 == 1)
    return g_array_index (gaps, double, n / 2);
  return (g_array_index (gaps, double, n / 2 - 1) + g_array_index (gaps, double, n / 2)) / 2;
}

/* The category an annotation gives a row: its decision, or accepted for an edit alone. */
static guint8
category_of (int      decision,
             gboolean edited)
{
  if (decision >= CLAIR_DECISION_ACCEPTED && decision <= CLAIR_DECISION_SKIPPED)
    return (guint8) decision;
  return edited ? CLAIR_DECISION_ACCEPTED : 0;
}

static void
finish_row (guint8      *values,
            guint        n,
            Confusion   *confusions,
            Coincidence *coincidence)
{
  for (guint a = 0; a < n; a++)
    for (guint b = a + 1; b < n; b++)
      if (values[a] != 0 && values[b] != 0)
        confusions[a * n + b].cells[values[a] - 1][values[b] - 1]++;
  coincidence_add_unit (coincidence, values, n);
  memset (values, 0, n);
}

ClairAgreement *
clair_project_compute_agreement (ClairProject  *self,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_auto(GStrv) names = NULL;
  g_autoptr(GHashTable) index_of = NULL;
  g_autofree guint8 *values = NULL;
  g_autofree Confusion *confusions = NULL;
  g_autofree guint *n_decided = NULL;
  g_autofree guint *n_accepted = NULL;
  g_autofree guint *n_edited = NULL;
  g_autoptr(GPtrArray) times = NULL;
  Coincidence coincidence = { { { 0 } } };
  ClairAgreement *agreement;
  GRecMutex *lock;
  sqlite3_stmt *stmt = NULL;
  gint64 current_row = -1;
  guint n;
  guint seen = 0;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (CLAIR_IS_PROJECT (self), NULL);

  names = list_strings (self, "SELECT DISTINCT annotator FROM annotations WHERE resolution = 0 "
                              "ORDER BY annotator", _("list the annotators"), error);
  if (names == NULL)
    return NULL;
  n = g_strv_length (names);
  index_of = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    g_hash_table_insert (index_of, names[i], GUINT_TO_POINTER (i));
  values = g_new0 (guint8, MAX (n, 1));
  confusions = g_new0 (Confusion, MAX ((gsize) n * n, 1));
  n_decided = g_new0 (guint, MAX (n, 1));
  n_accepted = g_new0 (guint, MAX (n, 1));
  n_edited = g_new0 (guint, MAX (n, 1));
  times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (times, g_array_new (FALSE, FALSE, sizeof (gint64)));

  lock = _clair_project_get_lock (self);
  g_rec_mutex_lock (lock);
  if (sqlite3_prepare_v2 (_clair_project_get_db (self),
                          "SELECT row_idx, annotator, decision, edited_revision IS NOT NULL, decided_at "
                          "FROM annotations WHERE resolution = 0 ORDER BY row_idx", -1, &stmt,
                          NULL) == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 row = sqlite3_column_int64 (stmt, 0);
          gpointer found;
          guint8 category;
          guint who;

          if ((++seen & 4095) == 0 && g_cancellable_is_cancelled (cancellable))
            break;
          if (!g_hash_table_lookup_extended (index_of, sqlite3_column_text (stmt, 1), NULL, &found))
            continue;
          who = GPOINTER_TO_UINT (found);
          if (row != current_row)
            {
              finish_row (values, n, confusions, &coincidence);
              current_row = row;
            }
          category = category_of (sqlite3_column_int (stmt, 2), sqlite3_column_int (stmt, 3));
          if (category == 0)
            continue;   /* a note alone */
          values[who] = category;
          n_decided[who]++;
          n_accepted[who] += category == CLAIR_DECISION_ACCEPTED;
          n_edited[who] += sqlite3_column_int (stmt, 3) != 0;
          {
            gint64 time = sqlite3_column_int64 (stmt, 4);
            g_array_append_val ((GArray *) times->pdata[who], time);
          }
        }
    }
  if (rc != SQLITE_DONE && !g_cancellable_is_cancelled (cancellable))
    _clair_project_sqlite_error (self, _("read the annotations"), error);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_rec_mutex_unlock (lock);
  if (g_cancellable_set_error_if_cancelled (cancellable, error) || rc != SQLITE_DONE)
    return NULL;
  finish_row (values, n, confusions, &coincidence);

  agreement = g_new0 (ClairAgreement, 1);
  agreement->annotators = g_ptr_array_new_with_free_func ((GDestroyNotify) annotator_stats_free);
  agreement->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_stats_free);
  for (guint i = 0; i < n; i++)
    {
      ClairAnnotatorStats *stats;

      /* Someone who only left notes decided nothing to measure. */
      if (n_decided[i] == 0)
        continue;
      stats = g_new0 (ClairAnnotatorStats, 1);

      stats->name = g_strdup (names[i]);
      stats->decisions = n_decided[i];
      stats->accepted = n_decided[i] > 0 ? (double) n_accepted[i] / n_decided[i] : NAN;
      stats->edited = n_decided[i] > 0 ? (double) n_edited[i] / n_decided[i] : NAN;
      stats->median_seconds = median_gap_seconds (times->pdata[i]);
      g_ptr_array_add (agreement->annotators, stats);
    }
  for (guint a = 0; a < n; a++)
    for (guint b = a + 1; b < n; b++)
      {
        const Confusion *confusion = &confusions[a * n + b];
        guint64 rows = 0, same = 0;
        ClairPairStats *stats;

        for (guint i = 0; i < N_CATEGORIES; i++)
          for (guint j = 0; j < N_CATEGORIES; j++)
            {
              rows += confusion->cells[i][j];
              same += i == j ? confusion->cells[i][j] : 0;
            }
        if (rows == 0)
          continue;
        stats = g_new0 (ClairPairStats, 1);
        stats->a = g_strdup (names[a]);
        stats->b = g_strdup (names[b]);
        stats->rows = (guint) rows;
        stats->percent = 100.0 * same / rows;
        stats->kappa = kappa_from_confusion (confusion);
        g_ptr_array_add (agreement->pairs, stats);
      }
  agreement->alpha = alpha_from_coincidence (&coincidence);
  return agreement;
}

/* Shortest decimal that reads back, null for NAN (clair_json_append_double). */
char *
clair_agreement_to_json (const ClairAgreement *agreement)
{
  GString *out;

  g_return_val_if_fail (agreement != NULL, NULL);

  out = g_string_new ("{\"annotators\":[");
  for (guint i = 0; i < agreement->annotators->len; i++)
    {
      const ClairAnnotatorStats *stats = agreement->annotators->pdata[i];

      g_string_append (out, i > 0 ? ",{" : "{");
      clair_json_append_key (out, "name", TRUE);
      clair_json_append_string (out, stats->name, -1);
      clair_json_append_key (out, "decisions", FALSE);
      clair_json_append_int (out, stats->decisions);
      clair_json_append_key (out, "accepted", FALSE);
      clair_json_append_double (out, stats->accepted);
      clair_json_append_key (out, "edited", FALSE);
      clair_json_append_double (out, stats->edited);
      clair_json_append_key (out, "median_seconds", FALSE);
      clair_json_append_double (out, stats->median_seconds);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\"pairs\":[");
  for (guint i = 0; i < agreement->pairs->len; i++)
    {
      const ClairPairStats *stats = agreement->pairs->pdata[i];

      g_string_append (out, i > 0 ? ",{" : "{");
      clair_json_append_key (out, "a", TRUE);
      clair_json_append_string (out, stats->a, -1);
      clair_json_append_key (out, "b", FALSE);
      clair_json_append_string (out, stats->b, -1);
      clair_json_append_key (out, "rows", FALSE);
      clair_json_append_int (out, stats->rows);
      clair_json_append_key (out, "percent", FALSE);
      clair_json_append_double (out, stats->percent);
      clair_json_append_key (out, "kappa", FALSE);
      clair_json_append_double (out, stats->kappa);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\"alpha\":");
  clair_json_append_double (out, agreement->alpha);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------------------------------
 * In worker threads, for the app. */

static void
agreement_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autoptr(ClairProject) reader = NULL;
  GError *error = NULL;
  ClairAgreement *agreement;

  reader = clair_project_open_reader (source_object, &error);
  agreement = reader != NULL ? clair_project_compute_agreement (reader, cancellable, &error) : NULL;
  if (agreement == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, agreement, (GDestroyNotify) clair_agreement_free);
}

void
clair_project_compute_agreement_async (ClairProject        *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_project_compute_agreement_async);
  g_task_run_in_thread (task, agreement_thread);
}

ClairAgreement *
clair_project_compute_agreement_finish (ClairProject  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == clair_project_compute_agreement_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GStrv              annotators;
  ClairSplitOptions  options;
  char              *dir;
} SplitData;

static void
split_data_free (SplitData *data)
{
  g_strfreev (data->annotators);
  g_free (data->dir);
  g_free (data);
}

static void
split_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SplitData *data = task_data;
  GError *error = NULL;
  GPtrArray *shards = clair_team_split (source_object, &data->options, data->dir, cancellable, &error);

  if (shards == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, shards, (GDestroyNotify) g_ptr_array_unref);
}

void
clair_team_split_async (ClairProject             *self,
                        const ClairSplitOptions  *options,
                        const char               *dir,
                        GCancellable             *cancellable,
                        GAsyncReadyCallback       callback,
                        gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  SplitData *data;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (options != NULL && options->annotators != NULL);
  g_return_if_fail (dir != NULL);

  data = g_new0 (SplitData, 1);
  data->annotators = g_strdupv ((char **) options->annotators);
  data->options = *options;
  data->options.annotators = (const char * const *) data->annotators;
  data->dir = g_strdup (dir);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_team_split_async);
  g_task_set_task_data (task, data, (GDestroyNotify) split_data_free);
  g_task_run_in_thread (task, split_thread);
}

GPtrArray *
clair_team_split_finish (ClairProject  *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == clair_team_split_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
merge_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ClairMergeReport *report = g_new0 (ClairMergeReport, 1);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    g_free (report);
  else if (!clair_team_merge (source_object, task_data, report, &error))
    {
      g_free (report);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, report, g_free);
}

void
clair_team_merge_async (ClairProject        *self,
                        const char * const  *shard_paths,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CLAIR_IS_PROJECT (self));
  g_return_if_fail (shard_paths != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_team_merge_async);
  g_task_set_task_data (task, g_strdupv ((char **) shard_paths), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, merge_thread);
}

gboolean
clair_team_merge_finish (ClairProject      *self,
                         GAsyncResult      *result,
                         ClairMergeReport  *report,
                         GError           **error)
{
  g_autofree ClairMergeReport *done = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == clair_team_merge_async, FALSE);

  done = g_task_propagate_pointer (G_TASK (result), error);
  if (done == NULL)
    return FALSE;
  if (report != NULL)
    *report = *done;
  return TRUE;
}
