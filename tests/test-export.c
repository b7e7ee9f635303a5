/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clair-batch.h"
#include "clair-error.h"
#include "clair-json.h"
#include "clair-export.h"
#include "clair-project.h"

typedef struct
{
  char         *dir;
  ClairProject *project;
} Fixture;

/* Row 0: revised and accepted. Row 1: revised, edited (no explicit accept). Row 2: revised and
 * rejected. Row 3: revised, undecided. Row 4: failed. Row 5: pending. */
static const char dataset_text[] =
  "{\"id\":\"r0\",\"task\":\"Add 2 and 2.\",\"student_solution\":\"2 + 2 = 5\"}\n"
  "{\"id\":\"r1\",\"task\":\"Name a prime.\",\"student_solution\":\"Nine is prime.\"}\n"
  "{\"id\":\"r2\",\"task\":\"Quote \\\"this\\\"\",\"student_solution\":\"no\"}\n"
  "{\"id\":\"r3\",\"task\":\"Capital of France?\",\"student_solution\":\"Lyon\",\"prompt\":\"shadow\"}\n"
  "{\"id\":\"r4\",\"task\":\"T4\",\"student_solution\":\"S4\"}\n"
  "{\"id\":\"r5\",\"task\":\"T5\",\"student_solution\":\"S5\"}\n";

static char *
path_in (Fixture    *fixture,
         const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static void
add_attempt (ClairProject   *project,
             guint           row,
             ClairRowStatus  status,
             const char     *revision,
             const char     *rationale)
{
  g_autoptr(GError) error = NULL;
  ClairAttempt *attempt = clair_attempt_new ();

  attempt->row = row;
  attempt->status = status;
  attempt->revision = g_strdup (revision);
  attempt->rationale = g_strdup (rationale);
  attempt->raw_output = revision ? g_strdup_printf ("RAW %u", row) : NULL;
  attempt->model_requested = g_strdup ("teacher");
  attempt->model_reported = g_strdup ("teacher-2024");
  attempt->prompt_tokens = 100 + row;
  attempt->completion_tokens = 50 + row;
  attempt->error = status == CLAIR_ROW_FAILED ? g_strdup ("boom") : NULL;
  clair_project_add_attempts (project, &attempt, 1, &error);
  g_assert_no_error (error);
  clair_attempt_free (attempt);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autofree char *dataset_path = NULL;
  g_autofree char *project_path = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };

  fixture->dir = g_dir_make_tmp ("clair-test-export-XXXXXX", &error);
  g_assert_no_error (error);
  dataset_path = path_in (fixture, "data.jsonl");
  project_path = path_in (fixture, "data.clair");
  g_file_set_contents (dataset_path, dataset_text, -1, &error);
  g_assert_no_error (error);

  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  fixture->project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_import_dataset (fixture->project, dataset, &mapping, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  add_attempt (fixture->project, 0, CLAIR_ROW_REVISED, "2 + 2 = 4", "Arithmetic.");
  add_attempt (fixture->project, 1, CLAIR_ROW_REVISED, "Seven is prime.", "Nine = 3 × 3.");
  add_attempt (fixture->project, 2, CLAIR_ROW_REVISED, "yes", "r");
  add_attempt (fixture->project, 3, CLAIR_ROW_REVISED, "Paris", "Lyon is not the capital.");
  add_attempt (fixture->project, 4, CLAIR_ROW_FAILED, NULL, NULL);

  clair_project_set_decision (fixture->project, 0, CLAIR_DECISION_ACCEPTED, NULL, NULL, &error);
  g_assert_no_error (error);
  clair_project_set_decision (fixture->project, 1, CLAIR_DECISION_NONE, "Seven is a prime.", NULL, &error);
  g_assert_no_error (error);
  clair_project_set_decision (fixture->project, 2, CLAIR_DECISION_REJECTED, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&fixture->project);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = path_in (fixture, name);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
export_with (Fixture                  *fixture,
             const ClairExportOptions *options,
             ClairExportSummary       *summary)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = path_in (fixture, "out.jsonl");
  ClairExportSummary own = { 0 };
  char *contents = NULL;

  if (summary == NULL)
    summary = &own;
  clair_export_to_file (fixture->project, options, path, NULL, NULL, NULL, summary, &error);
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);
  clair_export_summary_clear (&own);

  /* Every line of every preset is one JSON object. */
  {
    g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
    g_autoptr(JsonParser) parser = json_parser_new ();

    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
      {
        json_parser_load_from_data (parser, lines[i], -1, &error);
        g_assert_no_error (error);
        g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      }
  }
  return contents;
}

static char *
export_to_string (Fixture              *fixture,
                  ClairExportFormat     format,
                  ClairExportSelection  selection,
                  gboolean              include_rationale,
                  guint64              *n_written)
{
  ClairExportOptions options = { 0 };
  ClairExportSummary summary = { 0 };
  ClairGenParams params;
  char *contents;

  clair_gen_params_init (&params);
  params.model = g_strdup ("teacher");
  params.temperature = 0.7;
  params.max_tokens = 4096;

  options.format = format;
  options.selection = selection;
  options.include_rationale = include_rationale;
  options.params = &params;
  contents = export_with (fixture, &options, &summary);
  clair_gen_params_clear (&params);
  if (n_written != NULL)
    *n_written = summary.n_lines;
  clair_export_summary_clear (&summary);
  return contents;
}

static void
test_trl (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *accepted = NULL;
  g_autofree char *revised = NULL;
  g_autofree char *all = NULL;
  guint64 n = 0;

  accepted = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, &n);
  g_assert_cmpstr (accepted, ==,
    "{\"prompt\":\"Add 2 and 2.\",\"chosen\":\"2 + 2 = 4\",\"rejected\":\"2 + 2 = 5\",\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"chosen\":\"Seven is a prime.\",\"rejected\":\"Nine is prime.\",\"id\":\"r1\"}\n");
  g_assert_cmpuint (n, ==, 2);

  /* revised: every revised row not rejected; a dataset column named like a field never shadows it:
   * it passes through renamed. */
  revised = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_REVISED, FALSE, &n);
  g_assert_cmpstr (revised, ==,
    "{\"prompt\":\"Add 2 and 2.\",\"chosen\":\"2 + 2 = 4\",\"rejected\":\"2 + 2 = 5\",\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"chosen\":\"Seven is a prime.\",\"rejected\":\"Nine is prime.\",\"id\":\"r1\"}\n"
    "{\"prompt\":\"Capital of France?\",\"chosen\":\"Paris\",\"rejected\":\"Lyon\",\"id\":\"r3\","
    "\"source_prompt\":\"shadow\"}\n");
  g_assert_cmpuint (n, ==, 3);

  /* "all" never puts a rejected revision forward as chosen (row 2 was rejected). */
  all = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ALL, TRUE, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_null (strstr (all, "\"id\":\"r2\""));
  g_assert_nonnull (strstr (all,
    "{\"prompt\":\"Add 2 and 2.\",\"chosen\":\"2 + 2 = 4\",\"rejected\":\"2 + 2 = 5\",\"rational\":\"Arithmetic.\",\"id\":\"r0\"}\n"));
}

static void
test_trl_chat (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *text = export_to_string (fixture, CLAIR_EXPORT_TRL_CHAT,
                                            CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, NULL);

  g_assert_cmpstr (text, ==,
    "{\"prompt\":[{\"role\":\"user\",\"content\":\"Add 2 and 2.\"}],"
    "\"chosen\":[{\"role\":\"assistant\",\"content\":\"2 + 2 = 4\"}],"
    "\"rejected\":[{\"role\":\"assistant\",\"content\":\"2 + 2 = 5\"}],\"id\":\"r0\"}\n"
    "{\"prompt\":[{\"role\":\"user\",\"content\":\"Name a prime.\"}],"
    "\"chosen\":[{\"role\":\"assistant\",\"content\":\"Seven is a prime.\"}],"
    "\"rejected\":[{\"role\":\"assistant\",\"content\":\"Nine is prime.\"}],\"id\":\"r1\"}\n");
}

static void
test_kto (Fixture       *fixture,
          gconstpointer  data)
{
  guint64 n = 0;
  g_autofree char *text = export_to_string (fixture, CLAIR_EXPORT_KTO,
                                            CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, &n);

  /* Every desirable line, then every undesirable one: TRL pairs each completion with the previous
   * line's prompt for its KL estimate, so a prompt's two lines must not touch. */
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (text, ==,
    "{\"prompt\":\"Add 2 and 2.\",\"completion\":\"2 + 2 = 4\",\"label\":true,\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"completion\":\"Seven is a prime.\",\"label\":true,\"id\":\"r1\"}\n"
    "{\"prompt\":\"Add 2 and 2.\",\"completion\":\"2 + 2 = 5\",\"label\":false,\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"completion\":\"Nine is prime.\",\"label\":false,\"id\":\"r1\"}\n");
}

static void
test_contextual (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *text = export_to_string (fixture, CLAIR_EXPORT_CONTEXTUAL,
                                            CLAIR_EXPORT_SELECT_REVISED, FALSE, NULL);
  /* SHA-256 of the prompt, computed independently (Python's hashlib), as distilabel's FormatAPO. */
  const char *id = "221acfeb028204b9565adf8ef233b883e07b26e68056c185a3f4a7718547a617";
  g_autofree char *expected = g_strdup_printf (
    "{\"prompt\":\"Capital of France?\","
    "\"chosen\":[{\"role\":\"user\",\"content\":\"Capital of France?\"},{\"role\":\"assistant\",\"content\":\"Paris\"}],"
    "\"rejected\":[{\"role\":\"user\",\"content\":\"Capital of France?\"},{\"role\":\"assistant\",\"content\":\"Lyon\"}],"
    "\"rational\":\"Lyon is not the capital.\",\"prompt_id\":\"%s\",\"id\":\"r3\",\"source_prompt\":\"shadow\"}\n", id);

  g_assert_true (g_str_has_suffix (text, expected));
  g_assert_true (g_str_has_prefix (text, "{\"prompt\":\"Add 2 and 2.\","));
}

static void
test_distilabel (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = export_to_string (fixture, CLAIR_EXPORT_DISTILABEL,
                                            CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
  g_autofree char *user = clair_prompt_render_user (prompt, "Add 2 and 2.", "2 + 2 = 5");
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonObject *metadata;
  JsonArray *raw_input;

  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  json_parser_load_from_data (parser, lines[0], -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (object, "task"), ==, "Add 2 and 2.");
  g_assert_cmpstr (json_object_get_string_member (object, "student_solution"), ==, "2 + 2 = 5");
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "r0");
  g_assert_cmpstr (json_object_get_string_member (object, "revision"), ==, "2 + 2 = 4");
  g_assert_cmpstr (json_object_get_string_member (object, "rational"), ==, "Arithmetic.");
  /* The model asked for, as distilabel names it (the server reported "teacher-2024"). */
  g_assert_cmpstr (json_object_get_string_member (object, "model_name"), ==, "teacher");
  g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, "accepted");
  metadata = json_object_get_object_member (object, "distilabel_metadata");
  g_assert_cmpstr (json_object_get_string_member (metadata, "raw_output_c_l_a_i_r_0"), ==, "RAW 0");
  raw_input = json_object_get_array_member (metadata, "raw_input_c_l_a_i_r_0");
  g_assert_cmpuint (json_array_get_length (raw_input), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (raw_input, 0), "role"),
                   ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (raw_input, 0), "content"),
                   ==, clair_prompt_default_system);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (raw_input, 1), "content"),
                   ==, user);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (metadata, "statistics_c_l_a_i_r_0"),
                                              "input_tokens"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (metadata, "statistics_c_l_a_i_r_0"),
                                              "output_tokens"), ==, 50);

  /* Key order: input columns first, then the step's outputs. */
  g_assert_true (g_str_has_prefix (lines[0], "{\"task\":\"Add 2 and 2.\",\"student_solution\":\"2 + 2 = 5\",\"id\":\"r0\",\"revision\":"));
  /* The edited row carries the edited text as its revision. */
  g_assert_nonnull (strstr (lines[1], "\"revision\":\"Seven is a prime.\""));
}

static void
test_batch_requests (Fixture       *fixture,
                     gconstpointer  data)
{
  guint64 n = 0;
  g_autofree char *pending = export_to_string (fixture, CLAIR_EXPORT_BATCH_REQUESTS,
                                               CLAIR_EXPORT_SELECT_REVISED, FALSE, &n);
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
  g_autofree char *system = clair_prompt_render_system (prompt, "T4", "S4");
  g_autofree char *user = clair_prompt_render_user (prompt, "T4", "S4");
  g_autofree char *body = NULL;
  g_autofree char *expected_line = NULL;
  g_autofree char *all = NULL;
  ClairGenParams params;

  clair_gen_params_init (&params);
  params.model = g_strdup ("teacher");
  params.temperature = 0.7;
  params.max_tokens = 4096;
  body = clair_request_build_body (&params, system, user, FALSE);
  clair_gen_params_clear (&params);

  /* Rows still needing a revision: the failed row 4 and the pending row 5. */
  g_assert_cmpuint (n, ==, 2);
  expected_line = g_strdup_printf ("{\"custom_id\":\"row-4\",\"method\":\"POST\","
                                   "\"url\":\"/v1/chat/completions\",\"body\":%s}\n", body);
  g_assert_true (g_str_has_prefix (pending, expected_line));
  g_assert_nonnull (strstr (pending, "{\"custom_id\":\"row-5\","));
  g_assert_null (strstr (pending, "\"stream\""));

  all = export_to_string (fixture, CLAIR_EXPORT_BATCH_REQUESTS, CLAIR_EXPORT_SELECT_ALL, FALSE, &n);
  g_assert_cmpuint (n, ==, 6);
}

static void
test_failed_export_leaves_nothing (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *missing_dir = path_in (fixture, "no-such-dir/out.jsonl");
  g_autofree char *existing = path_in (fixture, "keep.jsonl");
  g_autofree char *contents = NULL;
  ClairExportOptions options = { CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ALL, FALSE, NULL, NULL };
  ClairGenParams params;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_false (clair_export_to_file (fixture->project, &options, missing_dir, NULL, NULL, NULL,
                                        NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A cancelled export keeps the old file untouched and leaves no temporary behind. */
  g_file_set_contents (existing, "old\n", -1, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_false (clair_export_to_file (fixture->project, &options, existing, cancellable, NULL, NULL,
                                        NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_file_get_contents (existing, &contents, NULL, &error);
  g_assert_cmpstr (contents, ==, "old\n");

  /* Batch requests without a model say what is missing. */
  clair_gen_params_init (&params);
  options.format = CLAIR_EXPORT_BATCH_REQUESTS;
  options.params = &params;
  g_assert_false (clair_export_to_file (fixture->project, &options, existing, NULL, NULL, NULL, NULL,
                                        &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "model"));

  dir = g_dir_open (fixture->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "keep.jsonl."));
}

/* One batch output line with a CLAIR reply for row @row. */
static char *
result_line (guint       row,
             const char *rationale,
             const char *revision)
{
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_printf (content, "{teacher_reasoning}: %s\n\n{corrected_student_solution}: %s", rationale, revision);
  g_string_printf (line, "{\"id\":\"b%u\",\"custom_id\":\"row-%u\",\"response\":{\"status_code\":200,"
                   "\"request_id\":\"q\",\"body\":{\"id\":\"c\",\"object\":\"chat.completion\","
                   "\"model\":\"teacher-x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                   "\"content\":", row, row);
  clair_json_append_string (line, content->str, -1);
  g_string_append (line, "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,"
                   "\"completion_tokens\":9}}},\"error\":null}\n");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
import_files (Fixture                  *fixture,
              ClairImportResultsReport *report,
              const char               *first,
              ...)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *contents;
  va_list args;

  va_start (args, first);
  for (contents = first; contents != NULL; contents = va_arg (args, const char *))
    {
      char *path = g_strdup_printf ("%s/results-%u.jsonl", fixture->dir, paths->len);

      g_file_set_contents (path, contents, -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (paths, path);
    }
  va_end (args);
  g_ptr_array_add (paths, NULL);
  g_assert_true (clair_import_results_files (fixture->project, (const char * const *) paths->pdata,
                                             report, &error));
  g_assert_no_error (error);
}

static gboolean
has_problem (ClairImportResultsReport *report,
             const char               *where,
             const char               *words)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      const char *problem = g_ptr_array_index (report->problems, i);

      if (strstr (problem, where) != NULL && strstr (problem, words) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_import_results (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRecord) r4 = NULL;
  g_autoptr(ClairRecord) r5 = NULL;
  g_autoptr(ClairRecord) r3 = NULL;
  g_autofree char *good = result_line (5, "S5 was vague.", "S5, made precise.");
  g_autofree char *file = NULL;
  ClairImportResultsReport report = { 0 };
  ClairGenParams params;

  clair_gen_params_init (&params);
  params.model = g_strdup ("teacher");
  clair_project_save_params (fixture->project, &params, &error);
  g_assert_no_error (error);
  clair_gen_params_clear (&params);

  /* Out of order, as batch output is: an OpenAI success, a vLLM failure with a string error, an
   * answer without markers. */
  file = g_strconcat (good, "\n",
    "{\"id\":\"b2\",\"custom_id\":\"row-4\",\"response\":{\"status_code\":400,\"request_id\":\"q2\","
    "\"body\":null},\"error\":\"This model's maximum context length is 8192 tokens\"}\n"
    "{\"id\":\"b3\",\"custom_id\":\"row-3\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"m\","
    "\"choices\":[{\"message\":{\"content\":\"I cannot help.\"},\"finish_reason\":\"stop\"}]}},\"error\":null}\n",
    NULL);
  import_files (fixture, &report, file, NULL);
  g_assert_cmpuint (report.n_imported, ==, 3);
  g_assert_cmpuint (report.n_revised, ==, 1);
  /* The failed request is stored, and reported with its line. */
  g_assert_cmpuint (report.n_errors, ==, 1);
  g_assert_true (has_problem (&report, "results-0.jsonl:3:", "maximum context length"));
  clair_import_results_report_clear (&report);

  r5 = clair_project_get_record (fixture->project, 5, &error);
  g_assert_cmpint (r5->attempt->status, ==, CLAIR_ROW_REVISED);
  g_assert_cmpstr (r5->attempt->revision, ==, "S5, made precise.");
  g_assert_cmpstr (r5->attempt->rationale, ==, "S5 was vague.");
  g_assert_cmpstr (r5->attempt->model_reported, ==, "teacher-x");
  g_assert_cmpstr (r5->attempt->model_requested, ==, "teacher");
  g_assert_cmpint (r5->attempt->prompt_tokens, ==, 7);
  g_assert_true (r5->attempt->has_metrics);
  g_assert_nonnull (r5->attempt->request_hash);

  r4 = clair_project_get_record (fixture->project, 4, &error);
  g_assert_cmpint (r4->attempt->status, ==, CLAIR_ROW_FAILED);
  g_assert_cmpuint (r4->attempt->http_status, ==, 400);
  g_assert_cmpstr (r4->attempt->error, ==, "This model's maximum context length is 8192 tokens");
  g_assert_cmpuint (r4->n_attempts, ==, 2);

  r3 = clair_project_get_record (fixture->project, 3, &error);
  g_assert_cmpint (clair_record_get_latest (r3)->status, ==, CLAIR_ROW_PARSE_FAILED);
  g_assert_cmpstr (clair_record_get_latest (r3)->raw_output, ==, "I cannot help.");
}

/* One bad line does not throw the good ones away: each is reported with its line and reason. */
static void
test_import_results_bad_lines (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *row0 = result_line (0, "a", "2 + 2 = 4, always.");
  g_autofree char *row5 = result_line (5, "b", "S5, better.");
  g_autofree char *row5_again = result_line (5, "c", "S5, once more.");
  g_autofree char *row77 = result_line (77, "d", "nothing");
  g_autofree char *file = NULL;
  g_autoptr(ClairRecord) r5 = NULL;
  g_autoptr(GError) error = NULL;
  ClairImportResultsReport report = { 0 };

  file = g_strconcat ("{\"custom_id\": oops}\n",                      /* 1: not JSON */
                      row77,                                           /* 2: unknown row */
                      row5,                                            /* 3: good */
                      "{\"custom_id\":\"item-x\",\"response\":null}\n", /* 4: malformed id */
                      row5_again,                                      /* 5: duplicate */
                      "{\"custom_id\":\"row-4\",\"response\":{\"status_code\":500,\"body\":null},"
                      "\"error\":{\"code\":\"server_error\",\"message\":\"overloaded\"}}\n", /* 6: error */
                      "{\"a\":1}{\"b\":2}\n",                          /* 7: two values */
                      row0,                                            /* 8: good */
                      "{\"response\":null}\n",                         /* 9: no custom_id */
                      NULL);
  import_files (fixture, &report, file, NULL);

  g_assert_cmpuint (report.n_imported, ==, 3);   /* rows 5, 4 (failed) and 0 */
  g_assert_cmpuint (report.n_revised, ==, 2);
  g_assert_cmpuint (report.n_errors, ==, 7);
  g_assert_cmpuint (report.problems->len, ==, 7);
  g_assert_true (has_problem (&report, ":1:", "not a batch output record"));
  g_assert_true (has_problem (&report, ":2:", "no row 77"));
  g_assert_true (has_problem (&report, ":4:", "item-x"));
  g_assert_true (has_problem (&report, ":5:", "again"));
  g_assert_true (has_problem (&report, ":6:", "overloaded"));
  g_assert_true (has_problem (&report, ":7:", "not a batch output record"));
  g_assert_true (has_problem (&report, ":7:", "Not one JSON value"));
  g_assert_true (has_problem (&report, ":9:", "no custom_id"));
  clair_import_results_report_clear (&report);

  /* The first result of row 5 is the one kept. */
  r5 = clair_project_get_record (fixture->project, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r5->attempt->revision, ==, "S5, better.");
  g_assert_cmpuint (r5->n_attempts, ==, 1);
}

/* A result for a row an annotator decided on is kept as a newer attempt; the decision and the
 * export stay with the reviewed text until someone reviews the new one. */
static void
test_result_never_replaces_review (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *row0 = result_line (0, "again", "2 + 2 equals 4.");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *reviewed = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(ClairRecord) again = NULL;
  g_autoptr(GError) error = NULL;
  ClairImportResultsReport report = { 0 };

  before = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, NULL);
  import_files (fixture, &report, row0, NULL);
  g_assert_cmpuint (report.n_kept, ==, 1);
  clair_import_results_report_clear (&report);

  record = clair_project_get_record (fixture->project, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
  g_assert_cmpstr (record->attempt->revision, ==, "2 + 2 = 4");
  g_assert_cmpstr (clair_record_get_chosen (record), ==, "2 + 2 = 4");
  g_assert_true (clair_record_has_newer_revision (record));
  g_assert_cmpstr (clair_record_get_latest (record)->revision, ==, "2 + 2 equals 4.");
  g_assert_cmpuint (clair_project_count_newer (fixture->project), ==, 1);

  after = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, NULL);
  g_assert_cmpstr (after, ==, before);

  /* Reviewing the new revision ties the decision to it. */
  g_assert_true (clair_project_set_decision_on (fixture->project, 0, clair_record_get_latest (record)->id,
                                                CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
  again = clair_project_get_record (fixture->project, 0, &error);
  g_assert_false (clair_record_has_newer_revision (again));
  g_assert_null (again->newer);
  reviewed = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED, FALSE, NULL);
  g_assert_nonnull (strstr (reviewed, "\"chosen\":\"2 + 2 equals 4.\""));

  /* An attempt of another row is refused. */
  g_assert_false (clair_project_set_decision_on (fixture->project, 1, clair_record_get_latest (record)->id,
                                                 CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
}

/* vLLM's nested error objects give their message; an OpenAI refusal is the reason. */
static void
test_import_results_error_shapes (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClairImportResultsReport report = { 0 };
  static const struct { guint row; const char *expected; } cases[] = {
    { 4, "The prompt is too long for this model" },
    { 5, "Invalid temperature" },
    { 3, "The model refused: I can't help with that." },
  };

  import_files (fixture, &report,
    "{\"custom_id\":\"row-4\",\"response\":{\"status_code\":400,\"body\":null},\"error\":{\"error\":"
    "{\"message\":\"The prompt is too long for this model\",\"type\":\"BadRequestError\",\"param\":null,"
    "\"code\":400}}}\n"
    "{\"custom_id\":\"row-5\",\"response\":{\"status_code\":400,\"body\":{\"object\":\"error\","
    "\"message\":\"Invalid temperature\",\"type\":\"BadRequestError\",\"code\":400}},\"error\":null}\n"
    "{\"custom_id\":\"row-3\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"m\",\"choices\":"
    "[{\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},"
    "\"finish_reason\":\"stop\"}]}},\"error\":null}\n", NULL);
  g_assert_cmpuint (report.n_imported, ==, 3);
  clair_import_results_report_clear (&report);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (fixture->project, cases[i].row, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (clair_record_get_latest (record)->error, ==, cases[i].expected);
    }
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

/* Batch files split at the limits; the results of several files import together, carrying the
 * hash of the request each row was sent with. */
static void
test_batch_split (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = path_in (fixture, "batch.jsonl");
  g_autofree char *part1 = path_in (fixture, "batch-00001-of-00003.jsonl");
  g_autofree char *part2 = path_in (fixture, "batch-00002-of-00003.jsonl");
  g_autofree char *part3 = path_in (fixture, "batch-00003-of-00003.jsonl");
  g_autofree char *r1 = result_line (1, "x", "Seven.");
  g_autofree char *r4 = result_line (4, "y", "S4!");
  g_autoptr(ClairRecord) record = NULL;
  g_autofree char *hash = NULL;
  ClairExportOptions options = { 0 };
  ClairExportSummary summary = { 0 };
  ClairImportResultsReport report = { 0 };
  ClairGenParams params;

  clair_gen_params_init (&params);
  params.model = g_strdup ("batch-model");
  options.format = CLAIR_EXPORT_BATCH_REQUESTS;
  options.selection = CLAIR_EXPORT_SELECT_ALL;
  options.params = &params;
  options.max_requests_per_file = 2;
  g_assert_true (clair_export_to_file (fixture->project, &options, path, NULL, NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (summary.files), ==, 3);
  g_assert_cmpstr (summary.files[0], ==, part1);
  g_assert_cmpstr (summary.files[2], ==, part3);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_lines (part1), ==, 2);
  g_assert_cmpuint (count_lines (part2), ==, 2);
  g_assert_cmpuint (count_lines (part3), ==, 2);
  clair_export_summary_clear (&summary);

  /* A byte limit splits too: one request a file. */
  options.max_requests_per_file = 0;
  options.max_bytes_per_file = 1500;
  g_assert_true (clair_export_to_file (fixture->project, &options, path, NULL, NULL, NULL, &summary, &error));
  g_assert_cmpuint (g_strv_length (summary.files), ==, 6);
  clair_export_summary_clear (&summary);

  /* The request recorded for a row is exactly the line written for it. */
  g_assert_true (clair_project_get_batch_request (fixture->project, 4, &hash, NULL));
  {
    g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
    g_autofree char *system = clair_prompt_render_system (prompt, "T4", "S4");
    g_autofree char *user = clair_prompt_render_user (prompt, "T4", "S4");
    g_autofree char *expected = clair_request_hash (&params, system, user);

    g_assert_cmpstr (hash, ==, expected);
  }
  clair_gen_params_clear (&params);

  import_files (fixture, &report, r1, r4, NULL);
  g_assert_cmpuint (report.n_imported, ==, 2);
  g_assert_cmpuint (report.n_errors, ==, 0);
  g_assert_cmpuint (report.n_missing, ==, 4);
  clair_import_results_report_clear (&report);
  record = clair_project_get_record (fixture->project, 4, &error);
  g_assert_cmpstr (record->attempt->request_hash, ==, hash);
  g_assert_cmpstr (record->attempt->model_requested, ==, "batch-model");
}

static guint64
export_count (Fixture              *fixture,
              ClairExportFormat     format,
              ClairExportSelection  selection,
              ClairExportSummary   *summary)
{
  ClairExportOptions options = { format, selection };
  g_autofree char *text = export_with (fixture, &options, summary);

  return summary->n_rows;
}

/* A pair whose revision equals the original teaches nothing: it is dropped and counted; an
 * editor's final newline is not a difference. */
static void
test_identical_pairs (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClairExportSummary summary = { 0 };
  ClairExportOptions options = { CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED };
  g_autofree char *text = NULL;

  /* Row 3 edited to its original plus a newline; row 0 edited with a trailing newline. */
  g_assert_true (clair_project_set_decision (fixture->project, 3, CLAIR_DECISION_ACCEPTED, "Lyon\n", NULL, &error));
  g_assert_true (clair_project_set_decision (fixture->project, 0, CLAIR_DECISION_ACCEPTED, "2 + 2 = 4\n\n", NULL, &error));

  for (ClairExportFormat format = CLAIR_EXPORT_TRL; format <= CLAIR_EXPORT_CONTEXTUAL; format++)
    {
      export_count (fixture, format, CLAIR_EXPORT_SELECT_ALL, &summary);
      g_assert_cmpuint (summary.n_identical, ==, 1);
      g_assert_cmpuint (summary.n_rows, ==, 2);
      clair_export_summary_clear (&summary);
    }

  text = export_with (fixture, &options, &summary);
  g_assert_cmpstr (text, ==,
    "{\"prompt\":\"Add 2 and 2.\",\"chosen\":\"2 + 2 = 4\",\"rejected\":\"2 + 2 = 5\",\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"chosen\":\"Seven is a prime.\",\"rejected\":\"Nine is prime.\",\"id\":\"r1\"}\n");
  g_assert_cmpuint (summary.n_edited, ==, 2);
  clair_export_summary_clear (&summary);
}

/* Pair formats leave rejected rows out in every selection and count them; distilabel keeps every
 * row for "all", each with its decision, null revision and rationale where no revision came. */
static void
test_rejected_and_distilabel_rows (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  ClairExportSummary summary = { 0 };
  ClairExportOptions options = { CLAIR_EXPORT_DISTILABEL, CLAIR_EXPORT_SELECT_ALL };
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  ClairAttempt *attempt = clair_attempt_new ();
  JsonObject *row;

  for (ClairExportFormat format = CLAIR_EXPORT_TRL; format <= CLAIR_EXPORT_CONTEXTUAL; format++)
    for (ClairExportSelection selection = CLAIR_EXPORT_SELECT_REVISED; selection <= CLAIR_EXPORT_SELECT_ALL; selection++)
      {
        export_count (fixture, format, selection, &summary);
        g_assert_cmpuint (summary.n_rejected, ==, 1);
        clair_export_summary_clear (&summary);
      }

  /* Row 5 gets an answer without markers. */
  attempt->row = 5;
  attempt->status = CLAIR_ROW_PARSE_FAILED;
  attempt->raw_output = g_strdup ("I would rather not.");
  attempt->model_requested = g_strdup ("teacher");
  clair_project_add_attempts (fixture->project, &attempt, 1, &error);
  g_assert_no_error (error);
  clair_attempt_free (attempt);

  text = export_with (fixture, &options, &summary);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);   /* six rows and the final newline */
  g_assert_cmpuint (summary.n_rows, ==, 6);
  clair_export_summary_clear (&summary);

  json_parser_load_from_data (parser, lines[2], -1, &error);
  row = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (row, "decision"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (row, "revision"), ==, "yes");

  json_parser_load_from_data (parser, lines[5], -1, &error);
  row = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (row, "revision"));
  g_assert_true (json_object_get_null_member (row, "rational"));
  g_assert_true (json_object_get_null_member (row, "decision"));
  g_assert_cmpstr (json_object_get_string_member (row, "model_name"), ==, "teacher");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (row, "distilabel_metadata"),
                                                  "raw_output_c_l_a_i_r_0"), ==, "I would rather not.");

  json_parser_load_from_data (parser, lines[4], -1, &error);   /* failed: no answer at all */
  row = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (row, "revision"));
  g_assert_true (json_object_get_null_member (row, "model_name"));
}

/* UltraFeedback's shape: prompt, chosen and rejected conversations, messages, scores. */
static const char ultrafeedback_text[] =
  "{\"prompt\":\"Name a colour.\",\"prompt_id\":\"p1\",\"chosen\":[{\"role\":\"user\",\"content\":\"Name a colour.\"},"
  "{\"role\":\"assistant\",\"content\":\"Blue.\"}],\"rejected\":[{\"role\":\"user\",\"content\":\"Name a colour.\"},"
  "{\"role\":\"assistant\",\"content\":\"Bleu\"}],\"messages\":[],\"label\":1,\"source_prompt\":\"x\","
  "\"score_chosen\":8.0,\"note\":\"line\xe2\x80\xa8separator\"}\n"
  "{\"prompt\":\"Name a colour.\",\"prompt_id\":\"p1\",\"chosen\":[],\"rejected\":[{\"role\":\"assistant\","
  "\"content\":\"Gren\"}],\"messages\":[],\"label\":0,\"source_prompt\":\"y\",\"score_chosen\":7.5,\"note\":\"n\"}\n"
  "{\"prompt\":\"Name a shape.\",\"prompt_id\":\"p2\",\"chosen\":[],\"rejected\":[{\"role\":\"assistant\","
  "\"content\":\"Sqare\"}],\"messages\":[],\"label\":0,\"source_prompt\":\"z\",\"score_chosen\":6.0,\"note\":\"n\"}\n"
  "{\"prompt\":\"Name a fruit.\",\"prompt_id\":\"p3\",\"chosen\":[],\"rejected\":[{\"role\":\"assistant\","
  "\"content\":\"Aple\"}],\"messages\":[],\"label\":0,\"source_prompt\":\"w\",\"score_chosen\":5.0,\"note\":\"n\"}\n";

static void
ultrafeedback_setup (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autofree char *dataset_path = NULL;
  g_autofree char *project_path = NULL;
  ClairMapping mapping = { (char *) "prompt", (char *) "rejected" };
  static const char * const revisions[] = { "Blue", "Green", "Square", "Apple" };

  fixture->dir = g_dir_make_tmp ("clair-test-export-XXXXXX", &error);
  g_assert_no_error (error);
  dataset_path = path_in (fixture, "uf.jsonl");
  project_path = path_in (fixture, "uf.clair");
  g_file_set_contents (dataset_path, ultrafeedback_text, -1, &error);
  g_assert_no_error (error);
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  fixture->project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  clair_project_import_dataset (fixture->project, dataset, &mapping, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (revisions); i++)
    {
      add_attempt (fixture->project, i, CLAIR_ROW_REVISED, revisions[i], "typo");
      g_assert_true (clair_project_set_decision (fixture->project, i, CLAIR_DECISION_ACCEPTED, NULL, NULL, &error));
    }
}

static JsonObject *
parse_line (JsonParser *parser,
            const char *line)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* No source column passes through under a name the trainer reads. */
static void
test_column_collisions (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  ClairExportSummary summary = { 0 };
  ClairExportOptions options = { CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED };
  static const char * const keep[] = { "score_chosen", "label", NULL };
  static const char * const drop[] = { "note", "messages", NULL };
  g_autofree char *trl = NULL;
  g_autofree char *kto = NULL;
  g_autofree char *kept = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) columns = NULL;
  g_autoptr(GError) error = NULL;
  char *joined;
  JsonObject *row;

  columns = clair_export_list_columns (fixture->project, &error);
  g_assert_no_error (error);
  joined = g_strjoinv (",", columns);
  g_assert_cmpstr (joined, ==, "prompt_id,chosen,messages,label,source_prompt,score_chosen,note");
  g_free (joined);

  trl = export_with (fixture, &options, &summary);
  lines = g_strsplit (trl, "\n", -1);
  row = parse_line (parser, lines[0]);
  g_assert_cmpstr (json_object_get_string_member (row, "prompt"), ==, "Name a colour.");
  g_assert_cmpstr (json_object_get_string_member (row, "chosen"), ==, "Blue");
  g_assert_cmpstr (json_object_get_string_member (row, "rejected"), ==, "Bleu");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (row, "source_chosen")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (row, "source_messages")));
  g_assert_cmpint (json_object_get_int_member (row, "source_label"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (row, "source_prompt_id"), ==, "p1");
  g_assert_cmpstr (json_object_get_string_member (row, "source_source_prompt"), ==, "x");
  g_assert_cmpfloat (json_object_get_double_member (row, "score_chosen"), ==, 8.0);
  g_assert_false (json_object_has_member (row, "messages"));
  g_assert_false (json_object_has_member (row, "label"));
  /* U+2028 inside a passed-through value goes out escaped. */
  g_assert_nonnull (strstr (lines[0], "line\\u2028separator"));
  g_assert_null (strstr (trl, "\xe2\x80\xa8"));
  joined = g_strjoinv (",", summary.renamed);
  g_assert_cmpstr (joined, ==, "prompt_id,chosen,messages,label,source_prompt");
  g_free (joined);
  clair_export_summary_clear (&summary);

  /* KTO: the source's chosen and rejected never reach the file. */
  options.format = CLAIR_EXPORT_KTO;
  kto = export_with (fixture, &options, &summary);
  g_assert_null (strstr (kto, "\"source_chosen\""));
  g_assert_null (strstr (kto, "\"chosen\""));
  g_assert_nonnull (strstr (kto, "\"source_label\":1"));
  g_assert_true (g_strv_contains ((const char * const *) summary.left_out, "chosen"));
  clair_export_summary_clear (&summary);

  /* --keep-columns and --drop-columns. */
  options.format = CLAIR_EXPORT_TRL;
  options.keep_columns = keep;
  kept = export_with (fixture, &options, &summary);
  g_strfreev (lines);
  lines = g_strsplit (kept, "\n", -1);
  row = parse_line (parser, lines[0]);
  g_assert_cmpuint (json_object_get_size (row), ==, 5);   /* prompt, chosen, rejected, source_label, score_chosen */
  g_assert_true (json_object_has_member (row, "source_label"));
  clair_export_summary_clear (&summary);

  options.keep_columns = NULL;
  options.drop_columns = drop;
  g_free (kept);
  kept = export_with (fixture, &options, &summary);
  g_assert_null (strstr (kept, "messages"));
  g_assert_null (strstr (kept, "\"note\""));
  g_assert_nonnull (strstr (kept, "\"score_chosen\""));
  clair_export_summary_clear (&summary);
}

/* KTO: no two adjacent lines from the same prompt, also when rows share a prompt. */
static void
test_kto_prompts_apart (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  ClairExportSummary summary = { 0 };
  ClairExportOptions options = { CLAIR_EXPORT_KTO, CLAIR_EXPORT_SELECT_ACCEPTED };
  g_autofree char *text = export_with (fixture, &options, &summary);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *previous = NULL;
  guint n_true = 0;

  /* Two rows share "Name a colour.": its four lines go between the others'. */
  g_assert_cmpuint (summary.n_lines, ==, 8);
  g_assert_cmpuint (summary.n_adjacent, ==, 0);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      JsonObject *row = parse_line (parser, lines[i]);
      const char *prompt = json_object_get_string_member (row, "prompt");

      g_assert_cmpstr (prompt, !=, previous);
      n_true += json_object_get_boolean_member (row, "label");
      g_free (previous);
      previous = g_strdup (prompt);
    }
  g_assert_cmpuint (n_true, ==, 4);
  clair_export_summary_clear (&summary);
}

/* A symbolic link's target is written (the link stays); a FIFO is streamed to, not replaced. */
static void
test_output_targets (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = path_in (fixture, "real.jsonl");
  g_autofree char *link = path_in (fixture, "link.jsonl");
  g_autofree char *fifo = path_in (fixture, "pipe.jsonl");
  g_autofree char *contents = NULL;
  g_autofree char *link_text = NULL;
  g_autoptr(GSubprocess) reader = NULL;
  g_autoptr(GBytes) read_back = NULL;
  ClairExportOptions options = { CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ACCEPTED };
  ClairExportSummary summary = { 0 };
  GStatBuf st;

  g_assert_cmpint (symlink ("real.jsonl", link), ==, 0);
  g_assert_true (clair_export_to_file (fixture->project, &options, link, NULL, NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  clair_export_summary_clear (&summary);
  g_assert_cmpint (g_lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  link_text = g_file_read_link (link, &error);
  g_assert_cmpstr (link_text, ==, "real.jsonl");
  g_assert_true (g_file_get_contents (target, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "\"chosen\":\"Blue\""));

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  reader = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "cat", fifo, NULL);
  g_assert_no_error (error);
  g_assert_true (clair_export_to_file (fixture->project, &options, fifo, NULL, NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  clair_export_summary_clear (&summary);
  g_assert_true (g_subprocess_communicate (reader, NULL, NULL, &read_back, NULL, &error));
  g_assert_cmpstr (g_bytes_get_data (read_back, NULL), ==, contents);
  g_assert_cmpint (g_stat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/export/trl", test_trl);
  ADD ("/export/trl-chat", test_trl_chat);
  ADD ("/export/kto", test_kto);
  ADD ("/export/contextual", test_contextual);
  ADD ("/export/distilabel", test_distilabel);
  ADD ("/export/batch-requests", test_batch_requests);
  ADD ("/export/failed-export-leaves-nothing", test_failed_export_leaves_nothing);
  ADD ("/export/import-results", test_import_results);
  ADD ("/export/import-results-bad-lines", test_import_results_bad_lines);
  ADD ("/export/import-results-error-shapes", test_import_results_error_shapes);
  ADD ("/export/result-never-replaces-review", test_result_never_replaces_review);
  ADD ("/export/batch-split", test_batch_split);
  ADD ("/export/identical-pairs", test_identical_pairs);
  ADD ("/export/rejected-and-distilabel-rows", test_rejected_and_distilabel_rows);
#undef ADD
  g_test_add ("/export/column-collisions", Fixture, NULL, ultrafeedback_setup, test_column_collisions,
              fixture_teardown);
  g_test_add ("/export/kto-prompts-apart", Fixture, NULL, ultrafeedback_setup, test_kto_prompts_apart,
              fixture_teardown);
  g_test_add ("/export/output-targets", Fixture, NULL, ultrafeedback_setup, test_output_targets,
              fixture_teardown);

  return g_test_run ();
}
