/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clair-error.h"
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
export_to_string (Fixture              *fixture,
                  ClairExportFormat     format,
                  ClairExportSelection  selection,
                  gboolean              include_rationale,
                  guint64              *n_written)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = path_in (fixture, "out.jsonl");
  ClairExportOptions options = { 0 };
  ClairGenParams params;
  char *contents = NULL;

  clair_gen_params_init (&params);
  params.model = g_strdup ("teacher");
  params.temperature = 0.7;
  params.max_tokens = 4096;

  options.format = format;
  options.selection = selection;
  options.include_rationale = include_rationale;
  options.params = &params;
  clair_export_to_file (fixture->project, &options, path, NULL, NULL, NULL, n_written, &error);
  g_assert_no_error (error);
  clair_gen_params_clear (&params);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);

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

  /* revised: every revised row not rejected; a dataset column named like a field never shadows it. */
  revised = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_REVISED, FALSE, &n);
  g_assert_cmpstr (revised, ==,
    "{\"prompt\":\"Add 2 and 2.\",\"chosen\":\"2 + 2 = 4\",\"rejected\":\"2 + 2 = 5\",\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"chosen\":\"Seven is a prime.\",\"rejected\":\"Nine is prime.\",\"id\":\"r1\"}\n"
    "{\"prompt\":\"Capital of France?\",\"chosen\":\"Paris\",\"rejected\":\"Lyon\",\"id\":\"r3\"}\n");
  g_assert_cmpuint (n, ==, 3);

  all = export_to_string (fixture, CLAIR_EXPORT_TRL, CLAIR_EXPORT_SELECT_ALL, TRUE, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_nonnull (strstr (all,
    "{\"prompt\":\"Quote \\\"this\\\"\",\"chosen\":\"yes\",\"rejected\":\"no\",\"rational\":\"r\",\"id\":\"r2\"}\n"));
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

  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (text, ==,
    "{\"prompt\":\"Add 2 and 2.\",\"completion\":\"2 + 2 = 4\",\"label\":true,\"id\":\"r0\"}\n"
    "{\"prompt\":\"Add 2 and 2.\",\"completion\":\"2 + 2 = 5\",\"label\":false,\"id\":\"r0\"}\n"
    "{\"prompt\":\"Name a prime.\",\"completion\":\"Seven is a prime.\",\"label\":true,\"id\":\"r1\"}\n"
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
    "\"rational\":\"Lyon is not the capital.\",\"prompt_id\":\"%s\",\"id\":\"r3\"}\n", id);

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
  g_assert_cmpstr (json_object_get_string_member (object, "model_name"), ==, "teacher-2024");
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

static void
test_import_results (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *results = path_in (fixture, "results.jsonl");
  g_autofree char *bad = path_in (fixture, "bad.jsonl");
  g_autoptr(ClairRecord) r4 = NULL;
  g_autoptr(ClairRecord) r5 = NULL;
  g_autoptr(ClairRecord) r3 = NULL;
  guint n_imported = 0;
  guint n_failed = 0;
  ClairGenParams params;

  clair_gen_params_init (&params);
  params.model = g_strdup ("teacher");
  clair_project_save_params (fixture->project, &params, &error);
  g_assert_no_error (error);
  clair_gen_params_clear (&params);

  /* Out of order, as batch output is: an OpenAI success, a vLLM failure with a string error. */
  g_file_set_contents (results,
    "{\"id\":\"b1\",\"custom_id\":\"row-5\",\"response\":{\"status_code\":200,\"request_id\":\"q\","
    "\"body\":{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"teacher-x\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"{teacher_reasoning}: S5 was vague.\\n\\n"
    "{corrected_student_solution}: S5, made precise.\"},\"finish_reason\":\"stop\"}],"
    "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":9}}},\"error\":null}\n"
    "\n"
    "{\"id\":\"b2\",\"custom_id\":\"row-4\",\"response\":{\"status_code\":400,\"request_id\":\"q2\","
    "\"body\":null},\"error\":\"This model's maximum context length is 8192 tokens\"}\n"
    "{\"id\":\"b3\",\"custom_id\":\"row-3\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"m\","
    "\"choices\":[{\"message\":{\"content\":\"I cannot help.\"},\"finish_reason\":\"stop\"}]}},\"error\":null}\n",
    -1, &error);
  g_assert_no_error (error);

  clair_import_results (fixture->project, results, &n_imported, &n_failed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_imported, ==, 3);
  g_assert_cmpuint (n_failed, ==, 2);

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
  g_assert_cmpint (r3->attempt->status, ==, CLAIR_ROW_PARSE_FAILED);
  g_assert_cmpstr (r3->attempt->raw_output, ==, "I cannot help.");

  /* A malformed line names itself and stores nothing. */
  g_file_set_contents (bad,
    "{\"custom_id\":\"row-0\",\"response\":{\"status_code\":500,\"body\":null},\"error\":{\"code\":\"x\",\"message\":\"m\"}}\n"
    "{\"custom_id\": oops}\n", -1, &error);
  g_assert_no_error (error);
  g_assert_false (clair_import_results (fixture->project, bad, NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  {
    g_autoptr(ClairRecord) r0 = clair_project_get_record (fixture->project, 0, &error);
    g_assert_cmpuint (r0->n_attempts, ==, 1);
  }

  /* An unknown row is an error that names the row. */
  g_file_set_contents (bad, "{\"custom_id\":\"row-77\",\"response\":null,\"error\":\"x\"}\n", -1, &error);
  g_assert_false (clair_import_results (fixture->project, bad, NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "77"));
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
#undef ADD

  return g_test_run ();
}
