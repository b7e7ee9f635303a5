/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-client.h"
#include "clair-project.h"

G_BEGIN_DECLS

/* The scheduler: runs a project's rows against a chat-completions server with N requests in
 * flight, acting on each reply as the client classifies it (ClairReplyAction: retry, fail the row,
 * stop the run), and commits results in small groups.
 *
 * Threads: request bodies are prepared on a worker thread (reading the project through a second,
 * read-only connection); parsing, metrics and commits run on a writer thread; HTTP and every
 * signal run on the main context of the thread that called clair_runner_start(). A row counts as
 * in flight from its first send until its result is committed, so a crash at any moment loses at
 * most the rows in flight. */

typedef enum
{
  CLAIR_RUNNER_IDLE,
  CLAIR_RUNNER_RUNNING,
  CLAIR_RUNNER_PAUSED,
  CLAIR_RUNNER_STOPPING,   /* stop or fatal error: waiting for in-flight rows and commits */
  CLAIR_RUNNER_FINISHED,   /* every selected row answered or failed */
  CLAIR_RUNNER_STOPPED,    /* stopped on request; unfinished rows stay pending */
  CLAIR_RUNNER_FAILED,     /* stopped by a fatal error: see clair_runner_get_error() */
} ClairRunnerState;

typedef struct
{
  guint   total;               /* rows selected for this run */
  guint   done;                /* revised + parse_failed + failed + unchanged */
  guint   revised;
  guint   parse_failed;
  guint   failed;
  guint   unchanged;           /* skipped: the request hash matched the row's revised attempt */
  guint   in_flight;
  guint   limit;               /* the in-flight limit now: halved by a 429, then +1 per `limit` answers */
  guint   retries;
  gint64  prompt_tokens;
  gint64  completion_tokens;
  double  elapsed;             /* seconds */
  double  rows_per_second;
  double  tokens_per_second;   /* completion tokens */
  double  eta;                 /* seconds, < 0 when unknown */
} ClairRunProgress;

typedef struct
{
  char              *base_url;      /* NULL: the project's "run.base_url" */
  char              *api_key;       /* NULL: no Authorization header */
  GStrv              headers;       /* extra headers as "Name: value" */
  guint              concurrency;   /* 0: 16; at most 512 */
  double             timeout;       /* per-request deadline in seconds; 0: 600 */
  guint              max_attempts;  /* 0: 6 */
  gboolean           stream;
  ClairRunSelection  selection;
  guint              first;         /* row range, inclusive */
  guint              last;          /* G_MAXUINT: no bound */
  guint              limit;         /* at most this many rows; 0: all */
  GArray            *rows;          /* of guint: exactly these rows (a re-run); overrides the above */
  gboolean           force;         /* request even when the request hash did not change */
} ClairRunOptions;

void clair_run_options_init  (ClairRunOptions *options);
void clair_run_options_clear (ClairRunOptions *options);

#define CLAIR_RUNNER_DEFAULT_CONCURRENCY 16
#define CLAIR_RUNNER_MAX_CONCURRENCY     512
#define CLAIR_RUNNER_DEFAULT_ATTEMPTS    6

#define CLAIR_TYPE_RUNNER (clair_runner_get_type ())
G_DECLARE_FINAL_TYPE (ClairRunner, clair_runner, CLAIR, RUNNER, GObject)

/* The generation parameters and the prompt come from the project (clair_project_load_params(),
 * clair_project_load_prompt()). Fails when the base URL or the model is missing or invalid. */
ClairRunner      *clair_runner_new         (ClairProject           *project,
                                            const ClairRunOptions  *options,
                                            GError                **error);
ClairClient      *clair_runner_get_client  (ClairRunner            *self);
/* Takes the project's run lock (clair_project_lock_run()) until the run reaches its final state
 * or the runner is disposed, lists the rows and starts sending. Returns FALSE with
 * CLAIR_ERROR_BUSY when another run holds the lock, or when the rows cannot be listed. */
gboolean          clair_runner_start       (ClairRunner            *self,
                                            GError                **error);
/* Signals: row-started (row), row-retry (row), row-delta (row, text), row-finished (row,
 * ClairAttempt *), row-failed (row, message), progress, state-changed (ClairRunnerState). */
/* Stops sending new requests; rows in flight finish. */
void              clair_runner_pause       (ClairRunner            *self);
void              clair_runner_resume      (ClairRunner            *self);
/* Cancels rows in flight (they stay pending), keeps every finished result, then STOPPED. */
void              clair_runner_stop        (ClairRunner            *self);
ClairRunnerState  clair_runner_get_state   (ClairRunner            *self);
/* One line per row in flight: where it is and for how long ("row 12: waiting for the server for
 * 0.8 s (attempt 2)"), for logs and for finding out why a run does not end. */
char             *clair_runner_describe_jobs (ClairRunner          *self);
void              clair_runner_get_progress (ClairRunner           *self,
                                            ClairRunProgress       *progress);
/* Why the run FAILED, a sentence saying what to fix; NULL otherwise. */
const char       *clair_runner_get_error   (ClairRunner            *self);
/* When the run FAILED because nothing answered at the base URL (refused, unresolvable,
 * unreachable), the transport error; NULL otherwise. */
const GError     *clair_runner_get_unreachable_error (ClairRunner  *self);

G_END_DECLS
