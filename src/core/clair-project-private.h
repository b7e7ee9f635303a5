/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "clair-project.h"

G_BEGIN_DECLS

/* What clair-team.c needs of a project's connection. Callers hold the lock around every use of
 * the connection and of the statements. */

typedef enum
{
  CLAIR_TEAM_STMT_UPSERT,
  CLAIR_TEAM_STMT_DELETE,
  CLAIR_TEAM_STMT_DELETE_UNKNOWN,
  CLAIR_TEAM_STMT_READ_ROW,
  CLAIR_TEAM_STMT_SET_EFFECTIVE,
  CLAIR_TEAM_STMT_CLEAR_EFFECTIVE,
  N_CLAIR_TEAM_STMTS
} ClairTeamStmt;

sqlite3      *_clair_project_get_db        (ClairProject   *self);
GRecMutex    *_clair_project_get_lock      (ClairProject   *self);
/* A statement kept for the life of the project, reset and unbound. */
sqlite3_stmt *_clair_project_prepare_team  (ClairProject   *self,
                                            ClairTeamStmt   which,
                                            const char     *sql,
                                            GError        **error);
/* Sets @error from the connection's last error; returns FALSE. */
gboolean      _clair_project_sqlite_error  (ClairProject   *self,
                                            const char     *doing,
                                            GError        **error);

/* Writes (or, with nothing to keep, deletes) @annotator's decision on row @index — a resolution
 * when @resolution — and brings the row's effective decision up to date. @replace_unknown drops
 * a legacy "unknown" decision of the row. @attempt_id: an attempt id, CLAIR_ATTEMPT_LATEST or
 * CLAIR_ATTEMPT_NONE. No transaction of its own. */
gboolean      _clair_team_write_locked     (ClairProject   *self,
                                            guint           index,
                                            const char     *annotator,
                                            gboolean        resolution,
                                            gboolean        replace_unknown,
                                            gint64          attempt_id,
                                            ClairDecision   decision,
                                            const char     *edited_revision,
                                            const char     *note,
                                            gint64          decided_at,
                                            GError        **error);
/* Recomputes row @index's effective decision from its annotations. */
gboolean      _clair_team_refresh_row_locked (ClairProject *self,
                                              guint         index,
                                              GError      **error);

/* The project's workers (clair-project-async.c), made on first use. */
typedef struct _ClairProjectWorker ClairProjectWorker;

ClairProjectWorker *_clair_project_get_worker  (ClairProject       *self);
ClairProjectWorker *_clair_project_worker_new  (void);
void                _clair_project_worker_free (ClairProjectWorker *worker);

G_END_DECLS
