/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"

G_BEGIN_DECLS

/* Team curation without a server: annotators, split shards, merging them back, agreement and
 * disagreements.
 *
 * Every decision, edit and note is an annotation: (row, annotator, resolution) → decision, edited
 * revision, note, time, attempt. One current annotation per annotator per row (a new one replaces
 * the annotator's older one) plus at most one resolution per annotator per row. A row's effective
 * decision — what the row list, the counts and the exports read — is the newest resolution; else,
 * when every annotator who decided agrees (same decision and same edited text), theirs; else the
 * row is a disagreement (ClairTeamState DISAGREED) with no effective decision. A note alone is not
 * a decision and never makes a disagreement. A project with one annotator works as before. */

#define CLAIR_TEAM_UNKNOWN_ANNOTATOR    "unknown"   /* decisions made before annotators existed */
#define CLAIR_TEAM_SHARD_ANNOTATOR_KEY  "team.shard.annotator"
#define CLAIR_TEAM_SOURCE_ID_KEY        "team.source.id"
#define CLAIR_TEAM_SOURCE_CHECKSUM_KEY  "team.source.checksum"
#define CLAIR_TEAM_PROJECT_ID_KEY       "project.id"
#define CLAIR_TEAM_GUIDELINES_KEY       "guidelines"

/* FALSE with a sentence in @error when @name cannot be an annotator (empty, over 64 bytes, control
 * characters, a slash, a leading dot: it becomes a file name in clair_team_split()). */
gboolean        clair_annotator_name_is_valid (const char     *name,
                                               GError        **error);

typedef struct
{
  guint          row;
  char          *annotator;
  gboolean       resolution;
  ClairDecision  decision;
  char          *edited_revision;
  char          *note;
  gint64         decided_at;        /* unix microseconds */
  gint64         attempt_id;        /* the attempt decided on, CLAIR_ATTEMPT_NONE when none */
} ClairAnnotation;

void            clair_annotation_free        (ClairAnnotation *annotation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairAnnotation, clair_annotation_free)

/* Every annotation of row @index (of ClairAnnotation): annotators' by name, then resolutions,
 * newest first. The record pane's side-by-side view. */
GPtrArray      *clair_project_get_annotations (ClairProject   *self,
                                               guint           index,
                                               GError        **error);
/* Names of everyone with an annotation in the project, sorted; NULL-terminated. */
char          **clair_project_list_annotators (ClairProject   *self,
                                               GError        **error);
/* clair_project_set_decision_on() as @annotator (NULL: the current one), e.g. the app's
 * side-by-side view editing one annotator's decision. */
gboolean        clair_project_decide_as      (ClairProject   *self,
                                              guint           index,
                                              const char     *annotator,
                                              gint64          attempt_id,
                                              ClairDecision   decision,
                                              const char     *edited_revision,
                                              const char     *note,
                                              GError        **error);
/* Records the current annotator's resolution of row @index (usually a disagreement): it decides
 * the row whatever the annotators say. NONE with no edit and no note withdraws it. */
gboolean        clair_project_resolve        (ClairProject   *self,
                                              guint           index,
                                              gint64          attempt_id,
                                              ClairDecision   decision,
                                              const char     *edited_revision,
                                              const char     *note,
                                              GError        **error);
/* Indexes (guint) of the rows in disagreement, in order: the "Disagreements" filter
 * (ClairRowSummary.team_state says the same per row). */
GArray         *clair_project_list_disagreements (ClairProject *self,
                                                  GError      **error);

/* Annotation guidelines, Markdown; NULL when none. Travel with split shards. */
char           *clair_project_get_guidelines (ClairProject   *self);
/* NULL or "" removes them. */
gboolean        clair_project_set_guidelines (ClairProject   *self,
                                              const char     *markdown,
                                              GError        **error);
/* The project's identity shards carry (made by the v4 migration, or now when missing). */
char           *clair_project_get_id         (ClairProject   *self,
                                              GError        **error);

/* ---------------------------------------------------------------------------------------------
 * Split */

/* Which annotators get a row: @second is -1 unless the row is shared. */
typedef struct
{
  guint  row;
  gint   first;
  gint   second;
} ClairAssignment;

/* Assigns @rows to @n_annotators: every row to one annotator, round(@overlap × n) rows (chosen
 * with @seed, the same on every machine) to two; the shared rows go round the pairs in turn and
 * the others to whoever has least, so loads differ by one at most. With one annotator nothing is
 * shared. Returns an array of ClairAssignment in the order of @rows. */
GArray         *clair_team_assign            (const guint    *rows,
                                              guint           n_rows,
                                              guint           n_annotators,
                                              double          overlap,
                                              guint64         seed);

typedef struct
{
  const char * const *annotators;       /* names, NULL-terminated */
  double              overlap;          /* 0–1 */
  guint64             seed;
  gboolean            undecided_only;   /* leave out rows with an effective decision */
} ClairSplitOptions;

typedef struct
{
  char   *annotator;
  char   *path;
  guint   n_rows;
  guint   n_shared;
} ClairShard;

void            clair_shard_free             (ClairShard     *shard);

/* Writes DIR/NAME.clair for each annotator: a project with that annotator's rows (same indexes),
 * their attempts, the settings (the guidelines among them; never anything named like a key,
 * token, secret or password) and that annotator's own annotations, recording the source's id and
 * checksum and the annotator. Refuses to overwrite a file; a failure leaves no shard behind.
 * Returns the shards (ClairShard), in the order of the annotators. */
GPtrArray      *clair_team_split             (ClairProject            *self,
                                              const ClairSplitOptions *options,
                                              const char              *dir,
                                              GCancellable            *cancellable,
                                              GError                 **error);

/* ---------------------------------------------------------------------------------------------
 * Merge */

typedef struct
{
  guint  n_added;       /* annotations the project did not have */
  guint  n_replaced;    /* an annotator's older annotation replaced by the shard's newer one */
  guint  n_unchanged;   /* the project's was as new or newer */
} ClairMergeReport;

/* Brings the annotations of each shard into the project, per annotator: a newer one replaces that
 * annotator's older one, never another annotator's; merging a shard again changes nothing. A
 * shard of another project (another id or dataset checksum), a file that is not a shard or not
 * readable is refused. All shards in one transaction: on an error the project is as it was. */
gboolean        clair_team_merge             (ClairProject            *self,
                                              const char * const      *shard_paths,
                                              ClairMergeReport        *report,
                                              GError                 **error);

/* ---------------------------------------------------------------------------------------------
 * Agreement. Categories are accepted, rejected, skipped (an edit without a decision counts as
 * accepted, as exports read it); resolutions and notes are not annotations of a category. */

typedef struct
{
  char    *name;
  guint    decisions;         /* rows decided (a decision or an edit) */
  double   accepted;          /* share of those accepted, 0–1 */
  double   edited;            /* share of those with an edit, 0–1 */
  double   median_seconds;    /* between consecutive decisions; NAN with fewer than two */
} ClairAnnotatorStats;

typedef struct
{
  char    *a;
  char    *b;
  guint    rows;              /* rows both decided */
  double   percent;           /* 0–100 */
  double   kappa;             /* Cohen's κ; NAN when undefined (both used one and the same category) */
} ClairPairStats;

typedef struct
{
  GPtrArray *annotators;      /* of ClairAnnotatorStats with decisions > 0, by name */
  GPtrArray *pairs;           /* of ClairPairStats with rows > 0, a < b by name */
  double     alpha;           /* Krippendorff's α (nominal); NAN when undefined */
} ClairAgreement;

void            clair_agreement_free         (ClairAgreement *agreement);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairAgreement, clair_agreement_free)

ClairAgreement *clair_project_compute_agreement (ClairProject  *self,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
/* {"annotators":[{"name","decisions","accepted","edited","median_seconds"}],
 *  "pairs":[{"a","b","rows","percent","kappa"}],"alpha"}, null where undefined. */
char           *clair_agreement_to_json      (const ClairAgreement *agreement);

/* The same in a worker thread, on a reader connection of its own (the row list and decisions
 * carry on meanwhile): the statistics popover. */
void            clair_project_compute_agreement_async  (ClairProject        *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
ClairAgreement *clair_project_compute_agreement_finish (ClairProject        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* clair_team_split() in a worker thread (the split dialog); @options is copied. */
void            clair_team_split_async       (ClairProject            *self,
                                              const ClairSplitOptions *options,
                                              const char              *dir,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data);
GPtrArray      *clair_team_split_finish      (ClairProject            *self,
                                              GAsyncResult            *result,
                                              GError                 **error);

/* clair_team_merge() in a worker thread; the report is the result. */
void            clair_team_merge_async       (ClairProject            *self,
                                              const char * const      *shard_paths,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data);
gboolean        clair_team_merge_finish      (ClairProject            *self,
                                              GAsyncResult            *result,
                                              ClairMergeReport        *report,
                                              GError                 **error);

/* Cohen's κ of two raters over @n items, categories 1..3 (0: missing, the item is left out).
 * NAN when no item is left or the expected agreement is 1 (one category only). */
double          clair_team_cohen_kappa       (const guint8   *a,
                                              const guint8   *b,
                                              guint           n);
/* Krippendorff's α, nominal, over @n_units × @n_coders values (row-major, categories 1..3, 0
 * missing). Units with fewer than two values are left out. NAN when no pairable value is left or
 * only one category is used. */
double          clair_team_krippendorff_alpha (const guint8  *values,
                                               guint          n_units,
                                               guint          n_coders);

G_END_DECLS
