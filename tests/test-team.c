/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE   /* memmem */
#define G_LOG_DOMAIN "test-team"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "clair-error.h"
#include "clair-export.h"
#include "clair-project.h"
#include "clair-team.h"
#include "test-util.h"

/* Team curation: split assignment, shards, merge rules, agreement measures, disagreements through
 * to exports, guidelines, and the upgrade of a version 3 project. */

#define SECRET "hf_teamtest_4c1d9e7b2a8f6053e1d2c3b4a5968778"
#define N_ROWS 20

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* A project of @n_rows rows, every one revised (so every row can go out as a pair). */
static ClairProject *
make_project (const char *name,
              guint       n_rows,
              const char *flavour)
{
  g_autofree char *dataset_name = g_strconcat (name, ".jsonl", NULL);
  g_autofree char *project_name = g_strconcat (name, ".clair", NULL);
  g_autofree char *dataset = tmp_path (dataset_name);
  g_autofree char *path = tmp_path (project_name);
  g_autoptr(GString) text = g_string_new (NULL);
  ClairProject *project;

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "{\"task\":\"%s question %u?\",\"student_solution\":\"answer %u\"}\n",
                            flavour, i, i);
  g_assert_true (g_file_set_contents (dataset, text->str, text->len, NULL));
  project = import_jsonl (dataset, path, n_rows);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *revision = g_strdup_printf ("answer %u, corrected", i);

      add_revision (project, i, revision, "because");
    }
  return project;
}

static void
decide_as (ClairProject  *project,
           const char    *annotator,
           guint          row,
           ClairDecision  decision)
{
  g_autoptr(GError) error = NULL;

  clair_project_set_annotator (project, annotator);
  g_assert_true (clair_project_set_decision (project, row, decision, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------------------------------
 * Assignment */

static void
check_assignment (guint   n_rows,
                  guint   n_annotators,
                  double  overlap,
                  guint64 seed)
{
  g_autofree guint *rows = g_new (guint, n_rows);
  g_autofree guint *load = g_new0 (guint, n_annotators);
  g_autofree guint *pair_load = g_new0 (guint, n_annotators * n_annotators);
  g_autoptr(GArray) assignments = NULL;
  guint n_shared = 0;
  guint expected_shared = n_annotators >= 2 ? (guint) floor (overlap * n_rows + 0.5) : 0;
  guint min_load = G_MAXUINT, max_load = 0;
  guint min_pair = G_MAXUINT, max_pair = 0;

  for (guint i = 0; i < n_rows; i++)
    rows[i] = 1000 + 3 * i;   /* indexes that are not positions */
  assignments = clair_team_assign (rows, n_rows, n_annotators, overlap, seed);
  g_assert_cmpuint (assignments->len, ==, n_rows);
  for (guint i = 0; i < n_rows; i++)
    {
      const ClairAssignment *a = &g_array_index (assignments, ClairAssignment, i);

      /* Every row, in order, to one annotator at least. */
      g_assert_cmpuint (a->row, ==, rows[i]);
      g_assert_cmpint (a->first, >=, 0);
      g_assert_cmpint (a->first, <, (int) n_annotators);
      load[a->first]++;
      if (a->second >= 0)
        {
          g_assert_cmpint (a->second, <, (int) n_annotators);
          g_assert_cmpint (a->second, !=, a->first);
          load[a->second]++;
          pair_load[MIN (a->first, a->second) * n_annotators + MAX (a->first, a->second)]++;
          n_shared++;
        }
    }
  g_assert_cmpuint (n_shared, ==, expected_shared);
  for (guint i = 0; i < n_annotators; i++)
    {
      min_load = MIN (min_load, load[i]);
      max_load = MAX (max_load, load[i]);
      for (guint j = i + 1; j < n_annotators; j++)
        {
          min_pair = MIN (min_pair, pair_load[i * n_annotators + j]);
          max_pair = MAX (max_pair, pair_load[i * n_annotators + j]);
        }
    }
  /* Spread evenly: loads within one row, and every pair gets its share of the shared rows. */
  g_assert_cmpuint (max_load - min_load, <=, 1);
  if (n_annotators >= 2)
    g_assert_cmpuint (max_pair - min_pair, <=, 1);
}

static void
test_assign (void)
{
  g_autofree guint *rows = g_new (guint, 1000);
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) again = NULL;
  g_autoptr(GArray) other = NULL;
  g_autoptr(GArray) all = NULL;
  guint per_tenth[10] = { 0 };
  guint n_same = 0;

  check_assignment (1000, 3, 0.1, 42);
  check_assignment (1001, 4, 0.37, 7);
  check_assignment (20, 3, 0.25, 5);
  check_assignment (17, 2, 1.0, 1);
  check_assignment (50, 5, 0.0, 9);
  check_assignment (30, 1, 0.5, 3);
  check_assignment (0, 3, 0.1, 3);

  for (guint i = 0; i < 1000; i++)
    rows[i] = i;

  /* Determinism with the seed; another seed chooses other rows. */
  first = clair_team_assign (rows, 1000, 3, 0.1, 42);
  again = clair_team_assign (rows, 1000, 3, 0.1, 42);
  other = clair_team_assign (rows, 1000, 3, 0.1, 43);
  g_assert_cmpmem (first->data, first->len * sizeof (ClairAssignment),
                   again->data, again->len * sizeof (ClairAssignment));
  for (guint i = 0; i < 1000; i++)
    {
      const ClairAssignment *a = &g_array_index (first, ClairAssignment, i);
      const ClairAssignment *b = &g_array_index (other, ClairAssignment, i);

      n_same += a->first == b->first && a->second == b->second;
      if (a->second >= 0)
        per_tenth[i / 100]++;
    }
  g_assert_cmpuint (n_same, <, 900);
  /* The shared rows are chosen at random, not the first hundred: each tenth holds some. */
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpuint (per_tenth[i], >=, 2);
      g_assert_cmpuint (per_tenth[i], <=, 25);
    }

  /* --overlap 1 with two annotators: both get every row. */
  all = clair_team_assign (rows, 1000, 2, 1.0, 5);
  for (guint i = 0; i < 1000; i++)
    {
      const ClairAssignment *a = &g_array_index (all, ClairAssignment, i);

      g_assert_true ((a->first == 0 && a->second == 1) || (a->first == 1 && a->second == 0));
    }
}

/* ------------------------------------------------------------------------------------------------
 * Split and merge */

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

static guint
count_annotations (ClairProject *project)
{
  guint n = 0;

  for (guint i = 0; i < clair_project_get_n_rows (project); i++)
    {
      g_autoptr(GPtrArray) annotations = clair_project_get_annotations (project, i, NULL);

      n += annotations->len;
    }
  return n;
}

static ClairAnnotation *
find_annotation (ClairProject *project,
                 guint         row,
                 const char   *annotator)
{
  g_autoptr(GPtrArray) annotations = clair_project_get_annotations (project, row, NULL);

  for (guint i = 0; i < annotations->len; i++)
    {
      ClairAnnotation *annotation = annotations->pdata[i];

      if (!annotation->resolution && g_str_equal (annotation->annotator, annotator))
        return g_ptr_array_steal_index (annotations, i);
    }
  return NULL;
}

static void
test_split_merge (void)
{
  static const char * const names[] = { "alice", "bob", "carol", NULL };
  g_autoptr(ClairProject) project = make_project ("split", N_ROWS, "split");
  g_autoptr(ClairProject) foreign = make_project ("foreign", N_ROWS, "split");
  g_autoptr(GPtrArray) shards = NULL;
  g_autoptr(GPtrArray) foreign_shards = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tmp_path ("shards");
  g_autofree char *foreign_dir = tmp_path ("foreign-shards");
  g_autofree char *corrupt = tmp_path ("corrupt.clair");
  g_autofree char *alice_path = NULL;
  g_autofree char *bob_path = NULL;
  g_autofree char *carol_path = NULL;
  ClairSplitOptions options = { names, 0.25, 5, FALSE };
  ClairMergeReport report;
  guint covered[N_ROWS] = { 0 };
  guint n_shared_rows = 0;
  guint before;
  gint64 shared_row = -1;
  gint64 alice_row = -1;

  g_assert_true (clair_project_set_guidelines (project, "# Guidelines\n\nAccept minimal fixes.", &error));
  g_assert_no_error (error);
  g_assert_true (clair_project_set_setting (project, "run.base_url", "http://localhost:8000/v1", &error));
  /* Should a credential ever land in the settings, no shard carries it. */
  g_assert_true (clair_project_set_setting (project, "hub.token", SECRET, &error));
  g_assert_true (clair_project_set_setting (project, "run.api_key", SECRET, &error));
  g_assert_no_error (error);
  /* The split follows clair_team_assign() over every row: alice's first row is known. */
  {
    guint all_rows[N_ROWS];
    g_autoptr(GArray) assignments = NULL;

    for (guint i = 0; i < N_ROWS; i++)
      all_rows[i] = i;
    assignments = clair_team_assign (all_rows, N_ROWS, 3, 0.25, 5);
    for (guint i = 0; i < N_ROWS && alice_row < 0; i++)
      {
        const ClairAssignment *a = &g_array_index (assignments, ClairAssignment, i);

        if (a->first == 0 || a->second == 0)
          alice_row = i;
      }
  }
  g_assert_cmpint (alice_row, >=, 0);
  /* Alice decided a row before the split: her shard holds it, nobody else's does. Dave's
   * decision stays in the project only. */
  decide_as (project, "alice", alice_row, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "dave", alice_row == 1 ? 2 : 1, CLAIR_DECISION_REJECTED);

  shards = clair_team_split (project, &options, dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shards->len, ==, 3);
  alice_path = g_build_filename (dir, "alice.clair", NULL);
  bob_path = g_build_filename (dir, "bob.clair", NULL);
  carol_path = g_build_filename (dir, "carol.clair", NULL);

  for (guint s = 0; s < shards->len; s++)
    {
      ClairShard *info = shards->pdata[s];
      g_autoptr(ClairProject) shard = NULL;
      g_autoptr(GArray) summaries = NULL;
      g_autofree char *guidelines = NULL;
      g_autofree char *annotator = NULL;

      g_assert_cmpstr (info->annotator, ==, names[s]);
      g_assert_false (file_contains (info->path, SECRET));
      g_assert_false (g_file_test (info->path, G_FILE_TEST_IS_DIR));
      shard = clair_project_open (info->path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (clair_project_get_n_rows (shard), ==, info->n_rows);
      guidelines = clair_project_get_guidelines (shard);
      g_assert_cmpstr (guidelines, ==, "# Guidelines\n\nAccept minimal fixes.");
      g_assert_null (clair_project_get_setting (shard, "hub.token"));
      g_assert_null (clair_project_get_setting (shard, "run.api_key"));
      {
        g_autofree char *url = clair_project_get_setting (shard, "run.base_url");
        g_assert_cmpstr (url, ==, "http://localhost:8000/v1");
      }
      annotator = clair_project_get_setting (shard, CLAIR_TEAM_SHARD_ANNOTATOR_KEY);
      g_assert_cmpstr (annotator, ==, names[s]);
      /* Whoever opens alice.clair decides as alice. */
      g_assert_cmpstr (clair_project_get_annotator (shard), ==, names[s]);

      summaries = clair_project_get_summaries (shard, &error);
      for (guint i = 0; i < summaries->len; i++)
        {
          guint row = g_array_index (summaries, ClairRowSummary, i).index;
          g_autoptr(ClairRecord) mine = clair_project_get_record (shard, row, &error);
          g_autoptr(ClairRecord) theirs = clair_project_get_record (project, row, &error);

          g_assert_no_error (error);
          covered[row]++;
          /* Same row numbers, same texts and revisions. */
          g_assert_cmpstr (mine->task, ==, theirs->task);
          g_assert_cmpstr (mine->attempt->revision, ==, theirs->attempt->revision);
          if ((gint64) row == alice_row && s == 0)
            g_assert_cmpint (mine->decision, ==, CLAIR_DECISION_ACCEPTED);
          else
            g_assert_cmpint (mine->decision, ==, CLAIR_DECISION_NONE);
        }
    }
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_assert_cmpuint (covered[i], >=, 1);
      g_assert_cmpuint (covered[i], <=, 2);
      n_shared_rows += covered[i] == 2;
    }
  g_assert_cmpuint (n_shared_rows, ==, 5);
  /* No shard leaks the secret through its write-ahead log either: none is left. */
  {
    g_autofree char *wal = g_strconcat (alice_path, "-wal", NULL);
    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }

  /* A second split into the same folder overwrites nothing. */
  {
    g_autoptr(GPtrArray) again = clair_team_split (project, &options, dir, NULL, &error);

    g_assert_null (again);
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* Each annotator decides every row of their shard. */
  for (guint s = 0; s < shards->len; s++)
    {
      ClairShard *info = shards->pdata[s];
      g_autoptr(ClairProject) shard = clair_project_open (info->path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
      g_autoptr(GArray) summaries = clair_project_get_summaries (shard, &error);

      for (guint i = 0; i < summaries->len; i++)
        {
          guint row = g_array_index (summaries, ClairRowSummary, i).index;

          g_assert_true (clair_project_set_decision (shard, row, s == 1 ? CLAIR_DECISION_REJECTED
                                                                         : CLAIR_DECISION_ACCEPTED,
                                                    NULL, "seen", &error));
          g_assert_no_error (error);
        }
    }

  before = count_annotations (project);
  {
    const char * const paths[] = { alice_path, bob_path, carol_path, NULL };

    g_assert_true (clair_team_merge (project, paths, &report, &error));
    g_assert_no_error (error);
    /* Alice's row 0 came back newer; everything else is new. */
    g_assert_cmpuint (report.n_added + report.n_replaced, ==, N_ROWS + n_shared_rows);
    g_assert_cmpuint (report.n_replaced, ==, 1);
    g_assert_cmpuint (count_annotations (project), ==, before - 1 + N_ROWS + n_shared_rows);

    /* Merging again changes nothing. */
    before = count_annotations (project);
    g_assert_true (clair_team_merge (project, paths, &report, &error));
    g_assert_cmpuint (report.n_added, ==, 0);
    g_assert_cmpuint (report.n_replaced, ==, 0);
    g_assert_cmpuint (report.n_unchanged, ==, N_ROWS + n_shared_rows);
    g_assert_cmpuint (count_annotations (project), ==, before);
  }
  /* Dave's decision before the split stays his. */
  {
    g_autoptr(ClairAnnotation) dave = find_annotation (project, alice_row == 1 ? 2 : 1, "dave");
    g_assert_nonnull (dave);
    g_assert_cmpint (dave->decision, ==, CLAIR_DECISION_REJECTED);
  }

  /* A row bob shares with someone else. */
  for (guint i = 0; i < N_ROWS && shared_row < 0; i++)
    {
      g_autoptr(GPtrArray) annotations = clair_project_get_annotations (project, i, NULL);
      g_autoptr(ClairAnnotation) bob = find_annotation (project, i, "bob");

      if (bob != NULL && annotations->len == 2)
        shared_row = i;
    }
  g_assert_cmpint (shared_row, >=, 0);

  /* Bob changes his mind in his shard: his newer decision replaces his older one, and only his. */
  {
    g_autoptr(ClairProject) shard = clair_project_open (bob_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
    g_autoptr(GPtrArray) before_annotations = clair_project_get_annotations (project, shared_row, NULL);
    g_autoptr(GPtrArray) after_annotations = NULL;
    g_autoptr(ClairAnnotation) bob = NULL;
    g_autoptr(ClairRecord) record = NULL;
    const char * const paths[] = { bob_path, NULL };

    g_usleep (2000);
    g_assert_true (clair_project_set_decision (shard, shared_row, CLAIR_DECISION_ACCEPTED, NULL,
                                               "changed my mind", &error));
    g_assert_true (clair_team_merge (project, paths, &report, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (report.n_replaced, ==, 1);
    bob = find_annotation (project, shared_row, "bob");
    g_assert_cmpint (bob->decision, ==, CLAIR_DECISION_ACCEPTED);
    g_assert_cmpstr (bob->note, ==, "changed my mind");
    after_annotations = clair_project_get_annotations (project, shared_row, NULL);
    g_assert_cmpuint (after_annotations->len, ==, before_annotations->len);
    for (guint i = 0; i < after_annotations->len; i++)
      {
        ClairAnnotation *x = before_annotations->pdata[i];
        ClairAnnotation *y = after_annotations->pdata[i];

        g_assert_cmpstr (x->annotator, ==, y->annotator);
        if (!g_str_equal (x->annotator, "bob"))
          {
            g_assert_cmpint (x->decision, ==, y->decision);
            g_assert_cmpint (x->decided_at, ==, y->decided_at);
          }
      }
    /* Both accept now: agreed. */
    record = clair_project_get_record (project, shared_row, &error);
    g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_AGREED);
    g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  }

  /* A shard of another project (another id and dataset) is refused, and changes nothing. */
  {
    const char * const names_foreign[] = { "alice", NULL };
    ClairSplitOptions foreign_options = { names_foreign, 0, 1, FALSE };
    g_autofree char *foreign_alice = g_build_filename (foreign_dir, "alice.clair", NULL);
    const char * const paths[] = { foreign_alice, NULL };

    foreign_shards = clair_team_split (foreign, &foreign_options, foreign_dir, NULL, &error);
    g_assert_no_error (error);
    {
      g_autoptr(ClairProject) shard = clair_project_open (foreign_alice, CLAIR_PROJECT_OPEN_DEFAULT, &error);
      g_assert_true (clair_project_set_decision (shard, 3, CLAIR_DECISION_SKIPPED, NULL, NULL, &error));
    }
    before = count_annotations (project);
    g_assert_false (clair_team_merge (project, paths, &report, &error));
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "another project"));
    g_clear_error (&error);
    g_assert_cmpuint (count_annotations (project), ==, before);
  }

  /* Not a shard: a plain project, and a file that is no project at all. With a good shard first,
   * nothing of the good one is kept either. */
  {
    g_autofree char *plain = g_strdup (clair_project_get_path (foreign));
    const char * const not_shard[] = { plain, NULL };
    const char * const with_corrupt[] = { carol_path, corrupt, NULL };
    g_autoptr(ClairProject) shard = clair_project_open (carol_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
    g_autoptr(GArray) summaries = clair_project_get_summaries (shard, &error);
    guint carol_row = g_array_index (summaries, ClairRowSummary, 0).index;
    g_autoptr(ClairAnnotation) carol_before = find_annotation (project, carol_row, "carol");
    g_autoptr(ClairAnnotation) carol_after = NULL;

    g_assert_false (clair_team_merge (project, not_shard, &report, &error));
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
    g_clear_error (&error);

    g_assert_true (g_file_set_contents (corrupt, "this is not an SQLite database, not at all......"
                                        "................................................", -1, NULL));
    g_usleep (2000);
    g_assert_true (clair_project_set_decision (shard, carol_row, CLAIR_DECISION_SKIPPED, NULL, NULL, &error));
    g_assert_false (clair_team_merge (project, with_corrupt, &report, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "corrupt.clair"));
    g_clear_error (&error);
    carol_after = find_annotation (project, carol_row, "carol");
    g_assert_cmpint (carol_after->decision, ==, carol_before->decision);
    g_assert_cmpint (carol_after->decided_at, ==, carol_before->decided_at);
  }
}

/* ------------------------------------------------------------------------------------------------
 * Disagreements and exports */

static void
test_disagreement_export (void)
{
  g_autoptr(ClairProject) project = make_project ("disagree", 4, "disagree");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = NULL;
  g_autoptr(GArray) disagreements = NULL;
  g_autoptr(ClairRecord) record = NULL;
  ClairExportOptions options = { 0 };
  ClairExportSummary summary = { 0 };
  ClairProjectCounts counts;

  /* Row 0: alice and bob disagree. Row 1: they agree. Row 2: alice alone, twice. Row 3: nobody. */
  decide_as (project, "alice", 0, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "bob", 0, CLAIR_DECISION_REJECTED);
  decide_as (project, "alice", 1, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "bob", 1, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "alice", 2, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "alice", 2, CLAIR_DECISION_REJECTED);

  record = clair_project_get_record (project, 0, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_DISAGREED);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);
  g_assert_false (clair_record_is_decided (record));
  g_clear_pointer (&record, clair_record_free);
  record = clair_project_get_record (project, 1, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_AGREED);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_clear_pointer (&record, clair_record_free);
  record = clair_project_get_record (project, 2, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_SINGLE);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_REJECTED);
  g_clear_pointer (&record, clair_record_free);

  summaries = clair_project_get_summaries (project, &error);
  g_assert_cmpint (g_array_index (summaries, ClairRowSummary, 0).team_state, ==, CLAIR_TEAM_DISAGREED);
  g_assert_cmpint (g_array_index (summaries, ClairRowSummary, 1).team_state, ==, CLAIR_TEAM_AGREED);
  g_assert_cmpint (g_array_index (summaries, ClairRowSummary, 3).team_state, ==, CLAIR_TEAM_SINGLE);
  disagreements = clair_project_list_disagreements (project, &error);
  g_assert_cmpuint (disagreements->len, ==, 1);
  g_assert_cmpuint (g_array_index (disagreements, guint, 0), ==, 0);
  g_assert_true (clair_project_get_counts (project, &counts, &error));
  g_assert_cmpuint (counts.n_disagreements, ==, 1);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_NONE], ==, 1);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_ACCEPTED], ==, 1);
  g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_REJECTED], ==, 1);

  /* Every revised row not rejected: row 0 is left out as a disagreement, not exported. */
  options.format = CLAIR_EXPORT_TRL;
  options.selection = CLAIR_EXPORT_SELECT_REVISED;
  g_assert_true (clair_export_preview (project, &options, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_rows, ==, 2);   /* rows 1 and 3 */
  g_assert_cmpuint (summary.n_disagreement, ==, 1);
  clair_export_summary_clear (&summary);

  /* Carol resolves it: it goes out with her decision. */
  clair_project_set_annotator (project, "carol");
  g_assert_true (clair_project_resolve (project, 0, CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_ACCEPTED,
                                        NULL, "bob misread", &error));
  g_assert_no_error (error);
  record = clair_project_get_record (project, 0, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_RESOLVED);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpstr (record->note, ==, "bob misread");
  g_clear_pointer (&record, clair_record_free);
  options.selection = CLAIR_EXPORT_SELECT_ACCEPTED;
  g_assert_true (clair_export_preview (project, &options, NULL, &summary, &error));
  g_assert_cmpuint (summary.n_rows, ==, 2);   /* rows 0 and 1 */
  g_assert_cmpuint (summary.n_disagreement, ==, 0);
  clair_export_summary_clear (&summary);
  {
    g_autoptr(GPtrArray) annotations = clair_project_get_annotations (project, 0, &error);
    ClairAnnotation *last;

    g_assert_cmpuint (annotations->len, ==, 3);
    last = annotations->pdata[2];
    g_assert_cmpstr (last->annotator, ==, "carol");
    g_assert_true (last->resolution);
  }

  /* Withdrawn, the disagreement is back. */
  g_assert_true (clair_project_resolve (project, 0, CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_NONE, NULL,
                                        NULL, &error));
  record = clair_project_get_record (project, 0, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_DISAGREED);
  g_clear_pointer (&record, clair_record_free);

  /* Same decision, different edits: which text goes out is not agreed. */
  clair_project_set_annotator (project, "alice");
  g_assert_true (clair_project_set_decision (project, 3, CLAIR_DECISION_ACCEPTED, "edit A", NULL, &error));
  clair_project_set_annotator (project, "bob");
  g_assert_true (clair_project_set_decision (project, 3, CLAIR_DECISION_ACCEPTED, "edit B", NULL, &error));
  record = clair_project_get_record (project, 3, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_DISAGREED);
  g_clear_pointer (&record, clair_record_free);
  /* Editing one annotator's decision by name: bob's edit becomes alice's, and they agree. */
  g_assert_true (clair_project_decide_as (project, 3, "bob", CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_ACCEPTED,
                                          "edit A", NULL, &error));
  record = clair_project_get_record (project, 3, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_AGREED);
  g_assert_cmpstr (record->edited_revision, ==, "edit A");
  g_clear_pointer (&record, clair_record_free);
  g_assert_false (clair_project_decide_as (project, 3, "bad/name", CLAIR_ATTEMPT_LATEST,
                                           CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (clair_project_decide_as (project, 99, "bob", CLAIR_ATTEMPT_LATEST,
                                           CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* A note alone is no decision: no disagreement. */
  clair_project_set_annotator (project, "bob");
  g_assert_true (clair_project_set_decision (project, 2, CLAIR_DECISION_NONE, NULL, "hmm", &error));
  record = clair_project_get_record (project, 2, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_SINGLE);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_REJECTED);
}

/* ------------------------------------------------------------------------------------------------
 * Agreement measures */

static void
test_kappa_alpha (void)
{
  /* Two raters, ten items: 5 both accept, 2 accept/reject, 1 reject/accept, 2 both reject.
   * p_o = 0.7; p_e = 0.7 × 0.6 + 0.3 × 0.4 = 0.54; κ = 0.16 / 0.46. */
  static const guint8 a[] = { 1, 1, 2, 2, 1, 1, 2, 1, 1, 1 };
  static const guint8 b[] = { 1, 2, 2, 2, 1, 1, 1, 1, 1, 2 };
  static const guint8 same[] = { 1, 1, 1, 1 };
  static const guint8 other[] = { 2, 2, 2, 2 };
  static const guint8 gaps_a[] = { 1, 0, 2, 3 };
  static const guint8 gaps_b[] = { 1, 2, 0, 3 };
  /* Three coders: (1,1,1), (1,2,-), (2,2,-), (3,-,-). Coincidences o11 = 3, o12 = o21 = 1,
   * o22 = 2 (the lone 3 is not pairable); n1 = 4, n2 = 3, n = 7; α = 1 − 6 × 2 / 24 = 0.5. */
  static const guint8 units[] = { 1, 1, 1,   1, 2, 0,   2, 2, 0,   3, 0, 0 };
  static const guint8 one_category[] = { 1, 1, 0,   1, 1, 1 };
  static const guint8 unpairable[] = { 1, 0, 0,   0, 2, 0 };
  guint8 pairs[20];

  g_assert_cmpfloat_with_epsilon (clair_team_cohen_kappa (a, b, 10), 0.16 / 0.46, 1e-12);
  /* One category only: κ is 0/0. Opposite single categories: p_o = p_e = 0, κ = 0. */
  g_assert_true (isnan (clair_team_cohen_kappa (same, same, 4)));
  g_assert_cmpfloat_with_epsilon (clair_team_cohen_kappa (same, other, 4), 0.0, 1e-12);
  g_assert_true (isnan (clair_team_cohen_kappa (a, b, 0)));
  /* Missing values leave the item out: (1,1), (3,3) agree fully, in two categories: κ = 1. */
  g_assert_cmpfloat_with_epsilon (clair_team_cohen_kappa (gaps_a, gaps_b, 4), 1.0, 1e-12);

  g_assert_cmpfloat_with_epsilon (clair_team_krippendorff_alpha (units, 4, 3), 0.5, 1e-12);
  g_assert_true (isnan (clair_team_krippendorff_alpha (one_category, 2, 3)));
  g_assert_true (isnan (clair_team_krippendorff_alpha (unpairable, 2, 3)));
  g_assert_true (isnan (clair_team_krippendorff_alpha (NULL, 0, 3)));
  /* Two coders, the items above: o11 = 10, o22 = 4, o12 = o21 = 3; n1 = 13, n2 = 7, n = 20;
   * α = 1 − 19 × 6 / (2 × 13 × 7). */
  for (guint i = 0; i < 10; i++)
    {
      pairs[2 * i] = a[i];
      pairs[2 * i + 1] = b[i];
    }
  g_assert_cmpfloat_with_epsilon (clair_team_krippendorff_alpha (pairs, 10, 2), 1 - 114.0 / 182.0, 1e-12);
}

static void
set_decided_at (const char *path,
                const char *annotator,
                guint       row,
                gint64      seconds)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sql = sqlite3_mprintf ("UPDATE annotations SET decided_at = %lld WHERE row_idx = %u AND annotator = %Q",
                         (long long) (seconds * G_USEC_PER_SEC), row, annotator);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (g_steal_pointer (&sql));
  sqlite3_close (db);
}

static JsonObject *
array_object (JsonObject *object,
              const char *member,
              guint       i)
{
  return json_array_get_object_element (json_object_get_array_member (object, member), i);
}

static void
test_agreement_project (void)
{
  static const ClairDecision a[] = { 1, 1, 2, 2, 1, 1, 2, 1, 1, 1 };
  static const ClairDecision b[] = { 1, 2, 2, 2, 1, 1, 1, 1, 1, 2 };
  /* Alice's decision times: gaps 10, 10, 30, 5, 5, 100, 20, 1, 2 s; median 10. */
  static const gint64 times[] = { 0, 10, 20, 50, 55, 60, 160, 180, 181, 183 };
  g_autoptr(ClairProject) project = make_project ("agree", 14, "agree");
  g_autofree char *path = g_strdup (clair_project_get_path (project));
  g_autoptr(ClairAgreement) agreement = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  JsonObject *root;
  JsonObject *object;

  /* One annotator: no pair, α undefined. */
  decide_as (project, "alice", 0, a[0]);
  agreement = clair_project_compute_agreement (project, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (agreement->annotators->len, ==, 1);
  g_assert_cmpuint (agreement->pairs->len, ==, 0);
  g_assert_true (isnan (agreement->alpha));
  g_assert_true (isnan (((ClairAnnotatorStats *) agreement->annotators->pdata[0])->median_seconds));
  g_clear_pointer (&agreement, clair_agreement_free);

  for (guint i = 0; i < 10; i++)
    {
      decide_as (project, "alice", i, a[i]);
      decide_as (project, "bob", i, b[i]);
    }
  /* Carol decides rows nobody else did (no overlap: no pair with her), one with an edit. */
  decide_as (project, "carol", 10, CLAIR_DECISION_SKIPPED);
  clair_project_set_annotator (project, "carol");
  g_assert_true (clair_project_set_decision (project, 11, CLAIR_DECISION_ACCEPTED, "edited", NULL, &error));
  /* A note alone and a resolution count nowhere. */
  clair_project_set_annotator (project, "dave");
  g_assert_true (clair_project_set_decision (project, 12, CLAIR_DECISION_NONE, NULL, "a note", &error));
  g_assert_true (clair_project_resolve (project, 1, CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_SKIPPED, NULL,
                                        NULL, &error));
  for (guint i = 0; i < 10; i++)
    set_decided_at (path, "alice", i, 1700000000 + times[i]);

  agreement = clair_project_compute_agreement (project, NULL, &error);
  g_assert_no_error (error);
  json = clair_agreement_to_json (agreement);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (root), ==, 3);

  /* Annotators by name: alice, bob, carol (dave has no decision). */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "annotators")), ==, 3);
  object = array_object (root, "annotators", 0);
  g_assert_cmpuint (json_object_get_size (object), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (object, "decisions"), ==, 10);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "accepted"), 0.7, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "edited"), 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "median_seconds"), 10.0, 1e-9);
  object = array_object (root, "annotators", 2);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "carol");
  g_assert_cmpint (json_object_get_int_member (object, "decisions"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "accepted"), 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "edited"), 0.5, 1e-9);

  /* One pair: alice and bob (carol overlaps nobody). */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "pairs")), ==, 1);
  object = array_object (root, "pairs", 0);
  g_assert_cmpuint (json_object_get_size (object), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (object, "a"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (object, "b"), ==, "bob");
  g_assert_cmpint (json_object_get_int_member (object, "rows"), ==, 10);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "percent"), 70.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "kappa"), 0.16 / 0.46, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "alpha"), 1 - 114.0 / 182.0, 1e-9);
}

/* ------------------------------------------------------------------------------------------------
 * Guidelines */

static void
test_guidelines (void)
{
  g_autoptr(ClairProject) project = make_project ("guidelines", 2, "guidelines");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  static const char markdown[] = "# Rules\n\n- Accept *minimal* fixes.\n- Reject rewrites — ünïcode.\n";

  g_assert_null (clair_project_get_guidelines (project));
  g_assert_true (clair_project_set_guidelines (project, markdown, &error));
  g_assert_no_error (error);
  g_clear_object (&project);
  {
    g_autofree char *path = tmp_path ("guidelines.clair");

    project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  }
  text = clair_project_get_guidelines (project);
  g_assert_cmpstr (text, ==, markdown);
  g_assert_false (clair_project_set_guidelines (project, "bad \xff byte", &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_true (clair_project_set_guidelines (project, NULL, &error));
  g_assert_null (clair_project_get_guidelines (project));
}

/* ------------------------------------------------------------------------------------------------
 * A version 3 project (the format before annotators), written with the v3 schema's SQL. */

static const char v3_schema[] =
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE rows (idx INTEGER PRIMARY KEY, line INTEGER NOT NULL, task TEXT NOT NULL,"
  "  solution TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}', status INTEGER NOT NULL DEFAULT 0,"
  "  latest_attempt INTEGER, n_attempts INTEGER NOT NULL DEFAULT 0, jaccard REAL, levenshtein_norm REAL);"
  "CREATE TABLE skipped (idx INTEGER PRIMARY KEY, line INTEGER NOT NULL, reason TEXT NOT NULL);"
  "CREATE TABLE attempts (id INTEGER PRIMARY KEY, row_idx INTEGER NOT NULL REFERENCES rows (idx),"
  "  request_hash TEXT, status INTEGER NOT NULL, http_status INTEGER NOT NULL DEFAULT 0,"
  "  error TEXT, raw_output TEXT, revision TEXT, rationale TEXT, marker TEXT, parse_status TEXT,"
  "  finish_reason TEXT, model_requested TEXT, model_reported TEXT,"
  "  prompt_tokens INTEGER NOT NULL DEFAULT -1, completion_tokens INTEGER NOT NULL DEFAULT -1,"
  "  latency_ms REAL NOT NULL DEFAULT 0, started_at INTEGER NOT NULL DEFAULT 0,"
  "  finished_at INTEGER NOT NULL DEFAULT 0, has_metrics INTEGER NOT NULL DEFAULT 0,"
  "  jaccard REAL, levenshtein REAL, levenshtein_norm REAL, changed_share REAL,"
  "  length_ratio REAL, similarity_ratio REAL);"
  "CREATE INDEX attempts_by_row ON attempts (row_idx);"
  "CREATE TABLE decisions (row_idx INTEGER PRIMARY KEY REFERENCES rows (idx),"
  "  decision INTEGER NOT NULL, edited_revision TEXT, note TEXT, decided_at INTEGER NOT NULL,"
  "  attempt_id INTEGER);"
  "CREATE INDEX rows_by_status ON rows (status);"
  "CREATE TABLE batch_requests (row_idx INTEGER PRIMARY KEY REFERENCES rows (idx),"
  "  request_hash TEXT NOT NULL, model TEXT, exported_at INTEGER NOT NULL, result_attempt INTEGER);"
  "INSERT INTO settings VALUES ('source.checksum', 'abc123'), ('mapping.task', 'task');"
  "INSERT INTO rows (idx, line, task, solution, status, latest_attempt, n_attempts) VALUES"
  "  (0, 1, 'Task zero', 'wrong zero', 1, 1, 1), (1, 2, 'Task one', 'wrong one', 1, 2, 1),"
  "  (2, 3, 'Task two', 'wrong two', 0, NULL, 0);"
  "INSERT INTO attempts (id, row_idx, status, raw_output, revision, rationale, parse_status) VALUES"
  "  (1, 0, 1, 'raw', 'right zero', 'r0', 'ok'), (2, 1, 1, 'raw', 'right one', 'r1', 'ok');"
  "INSERT INTO decisions VALUES (0, 1, 'right zero, edited', 'old note', 1600000000000000, 1),"
  "  (1, 2, NULL, NULL, 1600000001000000, 2);"
  "PRAGMA application_id = 1129070921; PRAGMA user_version = 3;";

static void
test_migration_v3 (void)
{
  g_autofree char *path = tmp_path ("old-v3.clair");
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(GPtrArray) annotations = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  ClairExportOptions options = { 0 };
  ClairExportSummary summary = { 0 };
  ClairAnnotation *annotation;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v3_schema, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* Read-only, an old project asks to be opened for writing once. */
  project = clair_project_open (path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_null (project);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  record = clair_project_get_record (project, 0, &error);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpstr (record->edited_revision, ==, "right zero, edited");
  g_assert_cmpstr (record->note, ==, "old note");
  g_assert_cmpint (record->decided_at, ==, 1600000000000000);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_SINGLE);
  g_assert_cmpint (record->attempt->id, ==, 1);
  g_clear_pointer (&record, clair_record_free);

  annotations = clair_project_get_annotations (project, 0, &error);
  g_assert_cmpuint (annotations->len, ==, 1);
  annotation = annotations->pdata[0];
  g_assert_cmpstr (annotation->annotator, ==, CLAIR_TEAM_UNKNOWN_ANNOTATOR);
  g_assert_cmpint (annotation->decided_at, ==, 1600000000000000);
  g_assert_cmpint (annotation->attempt_id, ==, 1);
  id = clair_project_get_setting (project, CLAIR_TEAM_PROJECT_ID_KEY);
  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 32);

  /* The old decisions export as before: row 0 (edited) goes out, row 1 was rejected. */
  options.format = CLAIR_EXPORT_TRL;
  options.selection = CLAIR_EXPORT_SELECT_ACCEPTED;
  g_assert_true (clair_export_preview (project, &options, NULL, &summary, &error));
  g_assert_cmpuint (summary.n_rows, ==, 1);
  g_assert_cmpuint (summary.n_edited, ==, 1);
  clair_export_summary_clear (&summary);

  /* A named annotator's decision takes over "unknown"'s: no disagreement in a one-person project. */
  decide_as (project, "alice", 1, CLAIR_DECISION_ACCEPTED);
  record = clair_project_get_record (project, 1, &error);
  g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_SINGLE);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_clear_pointer (&annotations, g_ptr_array_unref);
  annotations = clair_project_get_annotations (project, 1, &error);
  g_assert_cmpuint (annotations->len, ==, 1);
  g_assert_cmpstr (((ClairAnnotation *) annotations->pdata[0])->annotator, ==, "alice");

  /* Reopened, it is a version 4 project like any other. */
  g_clear_object (&project);
  project = clair_project_open (path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------------------------------
 * The CLI, end to end: guidelines, split, decide in shards, merge, disagreement, resolve, export. */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
run_clair (Result *result,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("CLAIR_CLI"));
  va_start (ap, result);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_subprocess_launcher_setenv (launcher, "CLAIR_ANNOTATOR", "env-annotator", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

static guint
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  for (const char *p = contents; *p; p++)
    n += *p == '\n';
  return n;
}

static void
test_cli (void)
{
  g_autofree char *project_path = NULL;
  g_autofree char *dir = tmp_path ("cli-shards");
  g_autofree char *alice = g_build_filename (dir, "alice.clair", NULL);
  g_autofree char *bob = g_build_filename (dir, "bob.clair", NULL);
  g_autofree char *rules = tmp_path ("rules.md");
  g_autofree char *out = tmp_path ("cli-out.jsonl");
  g_autofree char *other_dir = tmp_path ("cli-other");
  g_autofree char *other_shard = g_build_filename (other_dir, "alice.clair", NULL);
  /* Alice accepts rows 0–3 and rejects 4; bob rejects 2 and 4 and accepts the rest. */
  static const char * const alice_says[] = { "accept", "accept", "accept", "accept", "reject" };
  static const char * const bob_says[] = { "accept", "accept", "reject", "accept", "reject" };

  {
    g_autoptr(ClairProject) project = make_project ("cli", 5, "cli");
    g_autoptr(ClairProject) other = make_project ("cli-other", 5, "other");

    project_path = g_strdup (clair_project_get_path (project));
    {
      g_auto(Result) split_other = { 0 };

      run_clair (&split_other, "split", clair_project_get_path (other), "--annotators", "alice",
                 "--seed", "1", "-o", other_dir, NULL);
      g_assert_cmpint (split_other.status, ==, 0);
    }
  }
  g_assert_true (g_file_set_contents (rules, "# Rules\nBe kind.\n", -1, NULL));

  {
    g_auto(Result) set = { 0 };
    g_auto(Result) get = { 0 };
    g_auto(Result) split = { 0 };
    g_auto(Result) bad = { 0 };
    g_auto(Result) shard_rules = { 0 };

    run_clair (&set, "guidelines", project_path, "--set", rules, NULL);
    g_assert_cmpint (set.status, ==, 0);
    run_clair (&get, "guidelines", project_path, NULL);
    g_assert_cmpstr (get.out, ==, "# Rules\nBe kind.\n");

    run_clair (&bad, "split", project_path, "--annotators", "alice,alice", "-o", dir, NULL);
    g_assert_cmpint (bad.status, ==, 1);
    g_assert_nonnull (strstr (bad.err, "twice"));

    run_clair (&split, "split", project_path, "--annotators", "alice,bob", "--overlap", "1",
               "--seed", "3", "-o", dir, NULL);
    g_assert_cmpint (split.status, ==, 0);
    g_assert_nonnull (strstr (split.err, "seed 3"));
    g_assert_nonnull (strstr (split.err, "5 rows, 5 shared"));
    run_clair (&shard_rules, "guidelines", alice, NULL);
    g_assert_cmpstr (shard_rules.out, ==, "# Rules\nBe kind.\n");
  }

  for (guint i = 0; i < 5; i++)
    {
      g_auto(Result) by_alice = { 0 };
      g_auto(Result) by_bob = { 0 };
      g_autofree char *row = g_strdup_printf ("%u", i);

      /* In her shard alice is alice, whatever CLAIR_ANNOTATOR says; bob names himself. */
      run_clair (&by_alice, "decide", alice, "--row", row, alice_says[i], NULL);
      g_assert_cmpint (by_alice.status, ==, 0);
      run_clair (&by_bob, "decide", bob, "--row", row, bob_says[i], "--annotator", "bob", NULL);
      g_assert_cmpint (by_bob.status, ==, 0);
    }

  /* Deciding a disagreement without --resolve says so. */
  {
    g_autoptr(ClairProject) project = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(Result) third = { 0 };
    g_autofree char *copy = tmp_path ("cli-copy.clair");
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (project_path, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (copy, contents, len, NULL));
    project = clair_project_open (copy, CLAIR_PROJECT_OPEN_DEFAULT, &error);
    g_assert_no_error (error);
    decide_as (project, "x", 0, CLAIR_DECISION_ACCEPTED);
    decide_as (project, "y", 0, CLAIR_DECISION_REJECTED);
    g_clear_object (&project);
    run_clair (&third, "decide", copy, "--row", "0", "skip", NULL);
    g_assert_cmpint (third.status, ==, 0);
    g_assert_nonnull (strstr (third.err, "--resolve"));
  }

  {
    g_auto(Result) merge = { 0 };
    g_auto(Result) again = { 0 };
    g_auto(Result) foreign = { 0 };
    g_auto(Result) show = { 0 };
    g_auto(Result) info = { 0 };
    g_auto(Result) export = { 0 };

    run_clair (&merge, "merge", project_path, alice, bob, NULL);
    g_assert_cmpint (merge.status, ==, 0);
    g_assert_nonnull (strstr (merge.err, "10 decisions added"));
    run_clair (&again, "merge", project_path, alice, bob, NULL);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_nonnull (strstr (again.err, "0 decisions added, 0 replaced by newer ones, 10 unchanged"));
    run_clair (&foreign, "merge", project_path, other_shard, NULL);
    g_assert_cmpint (foreign.status, ==, 1);
    g_assert_nonnull (strstr (foreign.err, "another project"));

    run_clair (&show, "show", project_path, "--disagreements", NULL);
    g_assert_cmpint (show.status, ==, 0);
    g_assert_nonnull (strstr (show.out, "     2  "));
    g_assert_null (strstr (show.out, "     0  "));
    g_assert_null (strstr (show.out, "     4  "));
    run_clair (&info, "info", project_path, NULL);
    g_assert_nonnull (strstr (info.out, "Disagree: 1 rows"));
    g_assert_nonnull (strstr (info.out, "Team:     alice, bob"));

    run_clair (&export, "export", project_path, "-f", "trl", "-o", out, NULL);
    g_assert_cmpint (export.status, ==, 0);
    g_assert_nonnull (strstr (export.err, "1 rows left out: unresolved disagreement"));
    g_assert_cmpuint (count_lines (out), ==, 3);   /* rows 0, 1, 3 */
  }

  {
    g_auto(Result) agreement = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *root;
    JsonObject *pair;

    run_clair (&agreement, "agreement", project_path, "--json", NULL);
    g_assert_cmpint (agreement.status, ==, 0);
    g_assert_true (json_parser_load_from_data (parser, agreement.out, -1, &error));
    root = json_node_get_object (json_parser_get_root (parser));
    pair = array_object (root, "pairs", 0);
    /* (acc,acc) 3, (acc,rej) 1, (rej,rej) 1: p_o = 0.8, p_e = 0.8 × 0.6 + 0.2 × 0.4 = 0.56. */
    g_assert_cmpint (json_object_get_int_member (pair, "rows"), ==, 5);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (pair, "percent"), 80.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (pair, "kappa"), 0.24 / 0.44, 1e-9);
  }

  {
    g_auto(Result) resolve = { 0 };
    g_auto(Result) export = { 0 };
    g_auto(Result) show = { 0 };
    g_autofree char *contents = NULL;

    run_clair (&resolve, "decide", project_path, "--row", "2", "accept", "--resolve",
               "--annotator", "carol", NULL);
    g_assert_cmpint (resolve.status, ==, 0);
    run_clair (&show, "show", project_path, "--row", "2", NULL);
    g_assert_nonnull (strstr (show.out, "carol (resolution): accepted"));
    g_assert_nonnull (strstr (show.out, "bob: rejected"));

    run_clair (&export, "export", project_path, "-f", "trl", "--annotator-columns", "-o", out, NULL);
    g_assert_cmpint (export.status, ==, 0);
    g_assert_null (strstr (export.err, "disagreement"));
    g_assert_cmpuint (count_lines (out), ==, 4);
    g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "\"annotators\":{\"alice\":\"accepted\",\"bob\":\"rejected\","
                                        "\"carol\":null},\"resolved_by\":\"carol\""));
    g_assert_nonnull (strstr (contents, "\"annotators\":{\"alice\":\"accepted\",\"bob\":\"accepted\","
                                        "\"carol\":null},\"resolved_by\":null"));
  }
}

/* ------------------------------------------------------------------------------------------------
 * --undecided-only, and the calls the app makes from its main loop. */

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_undecided_async (void)
{
  static const char * const names[] = { "ann", "ben", NULL };
  g_autoptr(ClairProject) project = make_project ("undecided", 10, "undecided");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) shards = NULL;
  g_autoptr(ClairAgreement) sync_agreement = NULL;
  g_autoptr(ClairAgreement) async_agreement = NULL;
  g_autofree char *dir = tmp_path ("undecided-shards");
  g_autofree char *sync_json = NULL;
  g_autofree char *async_json = NULL;
  GAsyncResult *result = NULL;
  ClairSplitOptions options = { names, 0.5, 11, TRUE };
  ClairMergeReport report = { 0 };
  const char *paths[3];
  guint n_rows = 0;

  /* Rows 0–3 are decided already (one a disagreement, which still needs a decision). */
  decide_as (project, "zoe", 0, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "zoe", 1, CLAIR_DECISION_REJECTED);
  decide_as (project, "zoe", 2, CLAIR_DECISION_SKIPPED);
  decide_as (project, "zoe", 3, CLAIR_DECISION_ACCEPTED);
  decide_as (project, "yan", 3, CLAIR_DECISION_REJECTED);

  clair_team_split_async (project, &options, dir, NULL, async_done_cb, &result);
  shards = clair_team_split_finish (project, wait_for (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (shards->len, ==, 2);
  for (guint s = 0; s < shards->len; s++)
    {
      ClairShard *info = shards->pdata[s];
      g_autoptr(ClairProject) shard = clair_project_open (info->path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
      g_autoptr(GArray) summaries = clair_project_get_summaries (shard, &error);

      for (guint i = 0; i < summaries->len; i++)
        {
          guint row = g_array_index (summaries, ClairRowSummary, i).index;

          g_assert_cmpuint (row, >=, 3);
          g_assert_true (clair_project_set_decision (shard, row, CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
        }
      n_rows += summaries->len;
      paths[s] = info->path;
    }
  paths[2] = NULL;
  /* Seven rows left (3–9), half of them (4, rounded) given to both. */
  g_assert_cmpuint (n_rows, ==, 7 + 4);

  clair_team_merge_async (project, paths, NULL, async_done_cb, &result);
  g_assert_true (clair_team_merge_finish (project, wait_for (&result), &report, &error));
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_added, ==, 11);

  sync_agreement = clair_project_compute_agreement (project, NULL, &error);
  clair_project_compute_agreement_async (project, NULL, async_done_cb, &result);
  async_agreement = clair_project_compute_agreement_finish (project, wait_for (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  sync_json = clair_agreement_to_json (sync_agreement);
  async_json = clair_agreement_to_json (async_agreement);
  g_assert_cmpstr (sync_json, ==, async_json);
  /* ann and ben accepted every row they shared: one category only, κ and α undefined. */
  g_assert_cmpuint (sync_agreement->pairs->len, >=, 1);
  g_assert_nonnull (strstr (sync_json, "\"a\":\"ann\",\"b\":\"ben\",\"rows\":4,\"percent\":100,\"kappa\":null"));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  tmpdir = make_temp_dir ("clair-test-team-XXXXXX");

  g_test_add_func ("/team/assign", test_assign);
  g_test_add_func ("/team/split-merge", test_split_merge);
  g_test_add_func ("/team/disagreement-export", test_disagreement_export);
  g_test_add_func ("/team/kappa-alpha", test_kappa_alpha);
  g_test_add_func ("/team/agreement-project", test_agreement_project);
  g_test_add_func ("/team/guidelines", test_guidelines);
  g_test_add_func ("/team/migration-v3", test_migration_v3);
  g_test_add_func ("/team/undecided-async", test_undecided_async);
  g_test_add_func ("/team/cli", test_cli);

  rc = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return rc;
}
