/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-dataset.h"
#include "clair-metrics.h"
#include "clair-prompt.h"
#include "clair-request.h"

G_BEGIN_DECLS

/* The schema version this build writes; older projects are migrated, newer ones refused. */
#define CLAIR_PROJECT_SCHEMA_VERSION 4

typedef enum
{
  CLAIR_ROW_PENDING,        /*< nick=pending >*/
  CLAIR_ROW_REVISED,        /*< nick=revised >*/
  /* An answer came back but held no usable revision (or was truncated). */
  CLAIR_ROW_PARSE_FAILED,   /*< nick=parse-failed >*/
  /* No answer: HTTP or network failure after retries. */
  CLAIR_ROW_FAILED,         /*< nick=failed >*/
} ClairRowStatus;

typedef enum
{
  CLAIR_DECISION_NONE,       /*< nick=none >*/
  CLAIR_DECISION_ACCEPTED,   /*< nick=accepted >*/
  CLAIR_DECISION_REJECTED,   /*< nick=rejected >*/
  CLAIR_DECISION_SKIPPED,    /*< nick=skipped >*/
} ClairDecision;

/* How a row's annotators stand (see clair-team.h). A row decided by one annotator (or none) is
 * SINGLE, which is every row of a project nobody split. */
typedef enum
{
  /* One annotator decided, or none. */
  CLAIR_TEAM_SINGLE,       /*< nick=single >*/
  /* Several decided the same (decision and edited text). */
  CLAIR_TEAM_AGREED,       /*< nick=agreed >*/
  /* Several decided differently and nobody resolved it: not exported. */
  CLAIR_TEAM_DISAGREED,    /*< nick=disagreed >*/
  /* A resolution decides the row. */
  CLAIR_TEAM_RESOLVED,     /*< nick=resolved >*/
} ClairTeamState;

/* One request for one row and what came of it. */
typedef struct
{
  gint64          id;                  /* assigned when stored */
  guint           row;
  char           *request_hash;
  ClairRowStatus  status;
  guint           http_status;         /* 0 when no HTTP answer */
  char           *error;               /* a sentence, for FAILED and PARSE_FAILED */
  char           *raw_output;
  char           *revision;
  char           *rationale;
  char           *marker;
  char           *parse_status;        /* "ok", "truncated", "no-marker" */
  char           *finish_reason;
  char           *model_requested;
  char           *model_reported;
  gint64          prompt_tokens;       /* -1 when unknown */
  gint64          completion_tokens;   /* -1 when unknown */
  double          latency_ms;
  gint64          started_at;          /* unix microseconds */
  gint64          finished_at;
  gboolean        has_metrics;
  ClairMetrics    metrics;
} ClairAttempt;

ClairAttempt   *clair_attempt_new            (void);
/* Fills the attempt's outcome from a model's answer: @content (taken; may be NULL, the reply had
 * no text) is parsed with attempt->finish_reason; @refusal (an OpenAI refusal, or NULL) becomes
 * the reason when no revision came. Metrics are left to the caller. */
void            clair_attempt_take_answer    (ClairAttempt   *attempt,
                                              char           *content,
                                              const char     *refusal);
void            clair_attempt_free           (ClairAttempt   *attempt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairAttempt, clair_attempt_free)

/* Which attempt a decision is about, for clair_project_set_decision_on() and ClairDecisionState. */
#define CLAIR_ATTEMPT_LATEST 0     /* the row's latest attempt when the decision is written */
#define CLAIR_ATTEMPT_NONE   (-1)  /* no attempt: the row had none when it was decided */

/* A row, its current attempt and the annotator's decision.
 *
 * A decision (or an edit) is tied to the attempt the annotator reviewed. A result that arrives
 * later (a rerun, an imported batch) never replaces it: the reviewed attempt stays current, so
 * exports keep the reviewed text, and the newer one waits in @newer until someone reviews it. */
typedef struct
{
  guint           index;
  guint           line;
  char           *task;
  char           *solution;
  char           *extra_json;
  ClairAttempt   *attempt;            /* current: the one decided on, else the latest; NULL if none */
  ClairAttempt   *newer;              /* the latest attempt when it came after the decision, else NULL */
  guint           n_attempts;
  ClairDecision   decision;
  char           *edited_revision;    /* NULL unless the annotator edited the revision */
  char           *note;
  gint64          decided_at;         /* unix microseconds, 0 when undecided */
  ClairTeamState  team_state;         /* DISAGREED: decision is NONE, the annotators' are apart */
} ClairRecord;

void            clair_record_free            (ClairRecord    *record);
/* The text that goes out as "chosen": the edited revision when there is one, else the current
 * attempt's parsed revision. */
const char     *clair_record_get_chosen      (ClairRecord    *record);
/* The row's latest attempt, whether or not it is current. */
ClairAttempt   *clair_record_get_latest      (ClairRecord    *record);
/* TRUE when a revision arrived after the row was decided (or edited) and nobody reviewed it yet. */
gboolean        clair_record_has_newer_revision (ClairRecord *record);
/* TRUE when the row carries a decision or an edit (a note alone is not a decision). */
gboolean        clair_record_is_decided      (ClairRecord    *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairRecord, clair_record_free)

/* What the row list needs of every row, kept small so 400k rows fit comfortably. */
typedef struct
{
  guint           index;
  guint8          status;             /* ClairRowStatus */
  guint8          decision;           /* ClairDecision */
  guint8          edited : 1;
  guint8          team_state : 3;     /* ClairTeamState: the "Disagreements" filter */
  guint8          n_attempts;         /* saturates at 255 */
  float           jaccard;            /* NAN when no revision */
  float           levenshtein_norm;   /* NAN when no revision */
} ClairRowSummary;

/* 16 bytes: 400k rows are read, filtered and sorted over and over. */
G_STATIC_ASSERT (sizeof (ClairRowSummary) == 16);

typedef struct
{
  guint           index;
  guint           line;
  char           *reason;
} ClairSkippedRow;

typedef struct
{
  guint           n_imported;
  GArray         *skipped;            /* of ClairSkippedRow */
} ClairImportReport;

void            clair_import_report_clear    (ClairImportReport *report);

typedef enum
{
  CLAIR_PROJECT_OPEN_DEFAULT   = 0,
  CLAIR_PROJECT_OPEN_CREATE    = 1 << 0,  /* create when missing */
  CLAIR_PROJECT_OPEN_READ_ONLY = 1 << 1,
} ClairProjectOpenFlags;

typedef enum
{
  CLAIR_SELECT_PENDING,   /* rows with no attempt yet */
  CLAIR_SELECT_FAILED,    /* pending + rows whose latest attempt failed or did not parse */
  CLAIR_SELECT_ALL,       /* every row */
} ClairRunSelection;

typedef void (*ClairProgressFunc) (guint64  done,
                                   guint64  total,
                                   gpointer user_data);

#define CLAIR_TYPE_PROJECT (clair_project_get_type ())
G_DECLARE_FINAL_TYPE (ClairProject, clair_project, CLAIR, PROJECT, GObject)

/* Opens (or with CREATE, creates) a project file. Refuses a file written by a newer schema
 * version with CLAIR_ERROR_UNSUPPORTED, and a file that is not a project with CLAIR_ERROR_CORRUPT.
 * The connection is serialised by the object, so it may be used from several threads; long
 * readers in worker threads should use clair_project_open_reader() instead. */
ClairProject   *clair_project_open           (const char            *path,
                                              ClairProjectOpenFlags  flags,
                                              GError               **error);
/* A second, read-only connection to the same file (WAL lets it read while another writes). */
ClairProject   *clair_project_open_reader    (ClairProject          *self,
                                              GError               **error);
const char     *clair_project_get_path       (ClairProject          *self);
guint           clair_project_get_n_rows     (ClairProject          *self);

/* The run lock: at most one run per project file, whichever process or ClairProject object starts
 * it, so no row is paid for twice. It is an open-file-description lock (fcntl F_OFD_SETLK) on
 * "PROJECT-run" next to the project, which holds the holder's pid for the message; the kernel
 * drops it when the holder's process ends, even by kill -9. SQLite's own locks on the project are
 * left alone. The file stays behind (empty after a run that ended, with a dead pid after a
 * crash); it may be deleted when no run is going. */
typedef struct _ClairProjectLock ClairProjectLock;

/* Takes the run lock, or fails with CLAIR_ERROR_BUSY ("… a run is already going on this project
 * (pid N) …") when a run holds it. On a file system that cannot lock, warns and returns a lock
 * that holds nothing rather than refuse every run. */
ClairProjectLock *clair_project_lock_run     (ClairProject          *self,
                                              GError               **error);
/* Lets go of the run lock. */
void            clair_project_lock_free      (ClairProjectLock      *lock);
/* FALSE with CLAIR_ERROR_BUSY when a run holds the lock now; takes nothing, so it only lets a
 * caller refuse early: clair_project_lock_run() is what keeps a second run out. */
gboolean        clair_project_check_run_lock (ClairProject          *self,
                                              GError               **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairProjectLock, clair_project_lock_free)

/* Imports every row of @dataset (indexing it if needed) in one transaction, or in batches (see
 * clair_project_set_import_batch()). A bad row never disappears silently: it is listed in
 * @report with its line and reason. A failed or cancelled import leaves no row. */
gboolean        clair_project_import_dataset (ClairProject          *self,
                                              ClairDataset          *dataset,
                                              const ClairMapping    *mapping,
                                              GCancellable          *cancellable,
                                              ClairProgressFunc      progress,
                                              gpointer               user_data,
                                              ClairImportReport     *report,
                                              GError               **error);
/* Makes the next imports commit every @n_rows rows (0, the default: once, at the end), so other
 * connections can show the rows while the rest is imported; the progress for row i is reported
 * after the rows before it are committed, when i is a multiple of @n_rows. Slower than one
 * transaction (the rows go through the write-ahead log). */
void            clair_project_set_import_batch (ClairProject        *self,
                                                guint                n_rows);
gboolean        clair_project_has_rows       (ClairProject          *self);
/* Rows skipped at import. Returns an array of ClairSkippedRow. */
GArray         *clair_project_get_skipped    (ClairProject          *self);

/* Free-form settings: "source.path", "source.size", "source.checksum", "source.format",
 * "mapping.task", "mapping.solution", "run.base_url", "run.params" (JSON), "prompt.system",
 * "prompt.user", ... Never an API key. */
char           *clair_project_get_setting    (ClairProject          *self,
                                              const char            *key);
gboolean        clair_project_set_setting    (ClairProject          *self,
                                              const char            *key,
                                              const char            *value,
                                              GError               **error);

/* The prompt stored in the project ("prompt.system", "prompt.user"; the distilabel default when
 * unset) and the generation parameters, model included ("run.params", JSON). */
ClairPrompt    *clair_project_load_prompt    (ClairProject          *self);
gboolean        clair_project_load_params    (ClairProject          *self,
                                              ClairGenParams        *params,
                                              GError               **error);
gboolean        clair_project_save_params    (ClairProject          *self,
                                              const ClairGenParams  *params,
                                              GError               **error);

ClairRecord    *clair_project_get_record     (ClairProject          *self,
                                              guint                  index,
                                              GError               **error);
/* Every attempt of a row, oldest first. */
GPtrArray      *clair_project_get_attempts   (ClairProject          *self,
                                              guint                  index,
                                              GError               **error);
/* Summaries of every row in index order. */
GArray         *clair_project_get_summaries  (ClairProject          *self,
                                              GError               **error);
/* Summaries of the rows whose index is @first or more, in index order. */
GArray         *clair_project_get_summaries_from (ClairProject      *self,
                                                  guint              first,
                                                  GError           **error);
/* Indexes of rows whose task, original or revision contains @needle (case-insensitive). */
GArray         *clair_project_search         (ClairProject          *self,
                                              const char            *needle,
                                              GCancellable          *cancellable,
                                              GError               **error);

/* Stores attempts in one transaction and assigns their ids. The runner calls it with small
 * groups (a few ms of results); the row's status follows its latest attempt. */
gboolean        clair_project_add_attempts   (ClairProject          *self,
                                              ClairAttempt         **attempts,
                                              guint                  n_attempts,
                                              GError               **error);
/* Re-parses the latest attempt's raw output in place (after the parser improved, or to retry a
 * parse failure). */
gboolean        clair_project_reparse        (ClairProject          *self,
                                              guint                  index,
                                              GError               **error);
/* The rows a run should request, in index order, within [@first, @last] (inclusive; G_MAXUINT for
 * no bound), at most @limit (0 = no limit). */
GArray         *clair_project_list_rows_to_run (ClairProject        *self,
                                              ClairRunSelection      selection,
                                              guint                  first,
                                              guint                  last,
                                              guint                  limit,
                                              GError               **error);
/* The request hash of the row's latest successful attempt, or NULL. */
char           *clair_project_get_revised_hash (ClairProject        *self,
                                              guint                  index);

/* Who decides through this object: @annotator (NULL: the default again). Every decision, edit
 * and note is stored under the annotator's name with its time; see clair-team.h. */
void            clair_project_set_annotator  (ClairProject          *self,
                                              const char            *annotator);
/* The name set above, else the annotator a split shard was made for, else
 * clair_annotator_default(). */
const char     *clair_project_get_annotator  (ClairProject          *self);
/* CLAIR_ANNOTATOR when set, else the account's real name, else the user name. */
char           *clair_annotator_default      (void);

/* Commits at once. @edited_revision NULL clears an edit; @note NULL clears the note. The decision
 * is about the row's latest attempt. It is the current annotator's (clair_project_get_annotator()):
 * it replaces that annotator's earlier one on the row and a legacy "unknown" one, and leaves other
 * annotators' decisions alone. */
gboolean        clair_project_set_decision   (ClairProject          *self,
                                              guint                  index,
                                              ClairDecision          decision,
                                              const char            *edited_revision,
                                              const char            *note,
                                              GError               **error);
/* The same, about the attempt @attempt_id of that row (or CLAIR_ATTEMPT_LATEST or _NONE): what the
 * annotator was shown when deciding. An attempt of another row is refused. */
gboolean        clair_project_set_decision_on (ClairProject         *self,
                                              guint                  index,
                                              gint64                 attempt_id,
                                              ClairDecision          decision,
                                              const char            *edited_revision,
                                              const char            *note,
                                              GError               **error);

/* A row's decision as bulk changes read and write it. */
typedef struct
{
  guint          index;
  ClairDecision  decision;
  char          *edited_revision;
  char          *note;
  gboolean       has_revision;   /* read only: the latest attempt is revised */
  gint64         attempt_id;     /* the attempt decided on; CLAIR_ATTEMPT_LATEST / _NONE as above */
} ClairDecisionState;

void            clair_decision_state_clear   (ClairDecisionState    *state);
/* The decision, edit and note of each of @rows that exists, in order (rows not in the project are
 * left out). The array frees its states' strings. Reads in chunks; may run in a worker thread. */
GArray         *clair_project_read_decisions (ClairProject          *self,
                                              const guint           *rows,
                                              guint                  n_rows,
                                              GCancellable          *cancellable,
                                              GError               **error);
/* Writes each state (decision, edit, note; a state with none of them deletes the decision), one
 * transaction per thousand rows, so other threads using the project wait for one chunk at most.
 * On an error or cancellation the chunks already committed stay: @n_written says how many
 * states are on disk. May run in a worker thread. */
gboolean        clair_project_write_decisions (ClairProject             *self,
                                               const ClairDecisionState *states,
                                               guint                     n_states,
                                               GCancellable             *cancellable,
                                               guint                    *n_written,
                                               GError                  **error);

typedef struct
{
  guint  n_rows;
  guint  by_status[4];       /* indexed by ClairRowStatus */
  guint  by_decision[4];     /* indexed by ClairDecision */
  guint  n_edited;
  guint  n_disagreements;    /* rows whose annotators disagree, unresolved (not in by_decision) */
  guint  n_skipped_at_import;
  gint64 prompt_tokens;
  gint64 completion_tokens;
} ClairProjectCounts;

gboolean        clair_project_get_counts     (ClairProject          *self,
                                              ClairProjectCounts    *counts,
                                              GError               **error);

/* Batch jobs (OpenAI Batch API, vllm run-batch): the exact request written for each row, so an
 * imported result carries that request's hash and a later run with the same settings does not
 * pay for the row again. */
typedef struct
{
  guint  row;
  char   request_hash[65];   /* SHA-256 of the request body, in hex */
} ClairBatchEntry;

/* Records (replacing earlier records of the same rows) what a batch file asked of each row. */
gboolean        clair_project_store_batch    (ClairProject          *self,
                                              const char            *model,
                                              const ClairBatchEntry *entries,
                                              guint                  n_entries,
                                              GError               **error);
/* The request hash and model recorded for @row, or FALSE when no batch asked for it. */
gboolean        clair_project_get_batch_request (ClairProject       *self,
                                              guint                  row,
                                              char                 **request_hash,
                                              char                 **model);
/* Stores attempts like clair_project_add_attempts() and marks the batch requests they answer. */
gboolean        clair_project_add_batch_results (ClairProject       *self,
                                              ClairAttempt         **attempts,
                                              guint                  n_attempts,
                                              GError               **error);
/* Rows a batch asked for that have no result yet. */
guint           clair_project_count_batch_missing (ClairProject     *self);

/* Decided rows with a newer revision nobody reviewed yet (a scan of every decision: not for the
 * counts refreshed after each decision). */
guint           clair_project_count_newer    (ClairProject          *self);

typedef gboolean (*ClairRecordFunc) (ClairRecord *record,
                                     gpointer     user_data);

/* Streams records in index order without holding them all; stop early by returning FALSE. */
gboolean        clair_project_foreach_record (ClairProject          *self,
                                              GCancellable          *cancellable,
                                              ClairRecordFunc        func,
                                              gpointer               user_data,
                                              GError               **error);

/* Asynchronous calls, run on workers the project owns (clair-project-async.c): reads on a
 * read-only connection of its own, bulk writes on the project's connection in chunks. Each
 * finishes in the thread-default main context of the caller; a cancelled call fails with
 * G_IO_ERROR_CANCELLED. */

/* clair_project_search() as a set: keys are row indexes (GUINT_TO_POINTER), values unused. */
void            clair_project_search_async   (ClairProject          *self,
                                              const char            *needle,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
GHashTable     *clair_project_search_finish  (ClairProject          *self,
                                              GAsyncResult          *result,
                                              GError               **error);

typedef enum
{
  CLAIR_SUMMARY_DEFAULT     = 0,
  CLAIR_SUMMARY_COUNT       = 1 << 0,  /* count the rows too, on the read-only connection */
  CLAIR_SUMMARY_WARM_COUNTS = 1 << 1,  /* count on the project's own connection, so its next
                                        * clair_project_get_counts() is quick */
} ClairSummaryFlags;

/* The summaries of the rows whose index is @first or more, in index order, and with a COUNT
 * flag the project's counts (else zeroes) in @counts. */
void            clair_project_get_summaries_async  (ClairProject        *self,
                                                    guint                first,
                                                    ClairSummaryFlags    flags,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GArray         *clair_project_get_summaries_finish (ClairProject        *self,
                                                    GAsyncResult        *result,
                                                    ClairProjectCounts  *counts,
                                                    GError             **error);
/* The task of each of @rows as one line, in order: leading blanks and '#' dropped, line breaks
 * and tabs as spaces, at most @max_chars characters (0: all); "" for a row not in the project. */
void            clair_project_get_tasks_async  (ClairProject        *self,
                                                const guint         *rows,
                                                guint                n_rows,
                                                guint                max_chars,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray      *clair_project_get_tasks_finish (ClairProject        *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Decides each of @rows @decision on the attempt it is tied to, leaving its edit and note:
 * rows already so decided are left alone, and only rows with a revision or an edit are
 * accepted. @before (may be NULL) gets the states the written rows had before, in order, also
 * when the call fails part way (the chunks written stay, see clair_project_write_decisions()). */
void            clair_project_decide_bulk_async  (ClairProject        *self,
                                                  const guint         *rows,
                                                  guint                n_rows,
                                                  ClairDecision        decision,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        clair_project_decide_bulk_finish (ClairProject        *self,
                                                  GAsyncResult        *result,
                                                  GArray             **before,
                                                  GError             **error);
/* clair_project_write_decisions() on the worker. Keeps a reference to @states, which (and whose
 * strings) must not change until it finishes; @n_written as there, also on failure. */
void            clair_project_write_decisions_async  (ClairProject        *self,
                                                      GArray              *states,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean        clair_project_write_decisions_finish (ClairProject        *self,
                                                      GAsyncResult        *result,
                                                      guint               *n_written,
                                                      GError             **error);

G_END_DECLS
