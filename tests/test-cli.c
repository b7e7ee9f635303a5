/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "clair-prompt.h"
#include "test-util.h"

/* The `clair` binary end to end, as scripts use it: exit codes, stdout, one-line errors. */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static char *tmpdir;

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

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
write_tmp (const char *name,
           const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = tmp_path (name);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
is_one_line (const char *text)
{
  const char *newline = strchr (text, '\n');

  return newline != NULL && newline[1] == '\0';
}

static void
test_help_and_usage (void)
{
  static const char * const commands[] = {
    "import", "info", "show", "prompt", "run", "decide", "export", "import-results", "diff",
  };
  g_auto(Result) top = { 0 };
  g_auto(Result) unknown = { 0 };
  g_auto(Result) version = { 0 };
  g_auto(Result) none = { 0 };

  run_clair (&top, "--help", NULL);
  g_assert_cmpint (top.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (top.out, commands[i]));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Result) help = { 0 };
      g_autofree char *usage = g_strdup_printf ("clair %s", commands[i]);

      run_clair (&help, commands[i], "--help", NULL);
      g_assert_cmpint (help.status, ==, 0);
      g_assert_nonnull (strstr (help.out, usage));
    }

  run_clair (&unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));

  run_clair (&none, NULL);
  g_assert_cmpint (none.status, ==, 2);

  run_clair (&version, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, "clair " PACKAGE_VERSION "\n");
}

static const char dataset_text[] =
  "{\"question\":\"What is 6 × 7?\",\"answer\":\"42, or maybe 43.\",\"source\":\"quiz\"}\n"
  "{\"question\":\"Spell 'necessary'.\",\"answer\":\"neccessary\",\"source\":\"spelling\"}\n"
  "{\"question\":\"Largest planet?\",\"answer\":\"Saturn\",\"source\":\"astro\"}\n";

static void
test_workflow (void)
{
  g_autofree char *dataset = write_tmp ("quiz.jsonl", dataset_text);
  g_autofree char *project = tmp_path ("quiz.jsonl.clair");
  g_autofree char *edited = write_tmp ("edit.txt", "Jupiter, by far.");
  g_autofree char *export_path = tmp_path ("pairs.jsonl");
  g_autofree char *results = NULL;
  g_autofree char *exported = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
  g_autofree char *expected_user = clair_prompt_render_user (prompt, "Spell 'necessary'.", "neccessary");
  g_auto(Result) import = { 0 };
  g_auto(Result) again = { 0 };
  g_auto(Result) info = { 0 };
  g_auto(Result) dataset_info = { 0 };
  g_auto(Result) prompt_out = { 0 };
  g_auto(Result) decide = { 0 };
  g_auto(Result) missing_row = { 0 };
  g_auto(Result) bad_decision = { 0 };
  g_auto(Result) import_results = { 0 };
  g_auto(Result) reject = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) list = { 0 };
  g_auto(Result) export = { 0 };
  g_auto(Result) bad_format = { 0 };
  g_auto(Result) bad_selection = { 0 };
  JsonArray *messages;
  JsonObject *row;

  /* Default project name is DATASET.clair; the mapping is guessed from question/answer. */
  run_clair (&import, "import", dataset, NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_nonnull (strstr (import.err, "Imported 3 rows"));
  g_assert_true (g_file_test (project, G_FILE_TEST_EXISTS));

  run_clair (&again, "import", dataset, "-p", project, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_true (is_one_line (again.err));

  run_clair (&info, "info", project, NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "Rows:     3"));
  g_assert_nonnull (strstr (info.out, "task ← question, student_solution ← answer"));
  g_assert_nonnull (strstr (info.out, "pending 3, revised 0"));

  run_clair (&dataset_info, "info", dataset, NULL);
  g_assert_cmpint (dataset_info.status, ==, 0);
  g_assert_nonnull (strstr (dataset_info.out, "Format:   jsonl"));
  g_assert_nonnull (strstr (dataset_info.out, "Columns:  question, answer, source"));

  run_clair (&prompt_out, "prompt", project, "--row", "1", NULL);
  g_assert_cmpint (prompt_out.status, ==, 0);
  json_parser_load_from_data (parser, prompt_out.out, -1, &error);
  g_assert_no_error (error);
  messages = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"),
                   ==, clair_prompt_default_system);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "content"),
                   ==, expected_user);

  /* A batch result comes back for rows 0 and 2. */
  results = write_tmp ("out.jsonl",
    "{\"custom_id\":\"row-2\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"t\",\"choices\":"
    "[{\"message\":{\"content\":\"{teacher_reasoning}: wrong planet\\n{corrected_student_solution}: Jupiter\"},"
    "\"finish_reason\":\"stop\"}]}},\"error\":null}\n"
    "{\"custom_id\":\"row-0\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"t\",\"choices\":"
    "[{\"message\":{\"content\":\"{teacher_reasoning}: hedge\\n{corrected_student_solution}: 42.\"},"
    "\"finish_reason\":\"stop\"}]}},\"error\":null}\n");
  run_clair (&import_results, "import-results", project, results, NULL);
  g_assert_cmpint (import_results.status, ==, 0);
  g_assert_cmpstr (import_results.out, ==, "imported 2, errors 0, rows in the batch without a result 0\n");

  run_clair (&decide, "decide", project, "--row", "2", "accept", "--revision-file", edited,
             "--note", "tightened", NULL);
  g_assert_cmpint (decide.status, ==, 0);
  run_clair (&reject, "decide", project, "--row", "0", "reject", NULL);
  g_assert_cmpint (reject.status, ==, 0);

  run_clair (&missing_row, "decide", project, "--row", "9", "accept", NULL);
  g_assert_cmpint (missing_row.status, ==, 1);
  g_assert_true (is_one_line (missing_row.err));
  g_assert_nonnull (strstr (missing_row.err, "Row 9"));

  run_clair (&bad_decision, "decide", project, "--row", "1", "maybe", NULL);
  g_assert_cmpint (bad_decision.status, ==, 2);

  run_clair (&show, "show", project, "--row", "2", "--json", NULL);
  g_assert_cmpint (show.status, ==, 0);
  json_parser_load_from_data (parser, show.out, -1, &error);
  g_assert_no_error (error);
  row = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (row, "row"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "revised");
  g_assert_cmpstr (json_object_get_string_member (row, "decision"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (row, "revision"), ==, "Jupiter");
  g_assert_cmpstr (json_object_get_string_member (row, "edited_revision"), ==, "Jupiter, by far.");
  g_assert_cmpstr (json_object_get_string_member (row, "note"), ==, "tightened");
  g_assert_cmpstr (json_object_get_string_member (row, "rational"), ==, "wrong planet");

  run_clair (&list, "show", project, NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "Largest planet?"));

  run_clair (&export, "export", project, "--format", "trl", "-o", export_path, NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_file_get_contents (export_path, &exported, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exported, ==,
                   "{\"prompt\":\"Largest planet?\",\"chosen\":\"Jupiter, by far.\","
                   "\"rejected\":\"Saturn\",\"source\":\"astro\"}\n");

  run_clair (&bad_format, "export", project, "--format", "parquet", "-o", export_path, NULL);
  g_assert_cmpint (bad_format.status, ==, 2);
  /* The choices are the nicks of ClairExportFormat / ClairExportSelection, in their order. */
  g_assert_nonnull (strstr (bad_format.err, "trl, trl-chat, kto, contextual, distilabel, "
                                            "batch-requests"));
  run_clair (&bad_selection, "export", project, "--format", "trl", "--select", "some", "-o",
             export_path, NULL);
  g_assert_cmpint (bad_selection.status, ==, 2);
  g_assert_nonnull (strstr (bad_selection.err, "accepted, revised, all"));
}

/* A CLAIR answer for @row as a batch output line. */
static void
append_result (GString    *out,
               const char *custom_id,
               const char *revision)
{
  g_string_append_printf (out,
    "{\"custom_id\":\"%s\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"m\",\"choices\":"
    "[{\"message\":{\"content\":\"{teacher_reasoning}: fix\\n{corrected_student_solution}: %s\"},"
    "\"finish_reason\":\"stop\"}]}},\"error\":null}\n", custom_id, revision);
}

static gint64
server_chat_requests (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *base = g_strndup (url, strstr (url, "/v1") - url);
  g_autofree char *stats = g_strdup_printf ("%s/stats", base);

  message = soup_message_new ("GET", stats);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "chat_requests");
}

/* The batch round trip: export the requests, import their results (several files, some lines
 * bad), and a run with the same settings pays for nothing that came back. A row decided before
 * its result arrived keeps the reviewed revision. */
static void
test_batch_round_trip (void)
{
  g_autofree char *dataset = write_tmp ("batch.jsonl", dataset_text);
  g_autofree char *project = tmp_path ("batch.clair");
  g_autofree char *requests = tmp_path ("requests.jsonl");
  g_autofree char *pairs = tmp_path ("batch-pairs.jsonl");
  g_autofree char *edited = write_tmp ("batch-edit.txt", "Jupiter, clearly.");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GString) good = g_string_new (NULL);
  g_autoptr(GString) mixed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Result) import = { 0 };
  g_auto(Result) batch = { 0 };
  g_auto(Result) results = { 0 };
  g_auto(Result) decide = { 0 };
  g_auto(Result) late = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) show_json = { 0 };
  g_auto(Result) to_stdout = { 0 };
  g_auto(Result) run = { 0 };
  g_auto(Result) export = { 0 };

  run_clair (&import, "import", dataset, "-p", project, NULL);
  g_assert_cmpint (import.status, ==, 0);
  run_clair (&batch, "export", project, "--format", "batch-requests", "--model", "teacher-m",
             "-o", requests, NULL);
  g_assert_cmpint (batch.status, ==, 0);
  g_assert_nonnull (strstr (batch.err, "Wrote 3 requests"));

  /* Row 2 is decided (by hand, with an edit) before its batch result arrives. */
  run_clair (&decide, "decide", project, "--row", "2", "accept", "--revision-file", edited, NULL);
  g_assert_cmpint (decide.status, ==, 0);

  append_result (good, "row-0", "42.");
  first = write_tmp ("results-1.jsonl", good->str);
  append_result (mixed, "row-7", "nope");                       /* line 1: no such row */
  g_string_append (mixed, "not json at all\n");                 /* line 2 */
  append_result (mixed, "row-2", "Jupiter");                    /* line 3: good, row decided */
  append_result (mixed, "row-0", "42 again");                   /* line 4: duplicate */
  second = write_tmp ("results-2.jsonl", mixed->str);
  run_clair (&results, "import-results", project, first, second, NULL);
  g_assert_cmpint (results.status, ==, 3);
  g_assert_cmpstr (results.out, ==, "imported 2, errors 3, rows in the batch without a result 1\n");
  g_assert_nonnull (strstr (results.err, "results-2.jsonl:1: custom_id “row-7”: the project has no row 7"));
  g_assert_nonnull (strstr (results.err, "results-2.jsonl:2: not a batch output record"));
  g_assert_nonnull (strstr (results.err, "results-2.jsonl:4: custom_id “row-0” again"));
  g_assert_nonnull (strstr (results.err, "1 row already had a decision"));

  run_clair (&show, "show", project, "--row", "2", NULL);
  g_assert_nonnull (strstr (show.out, "A newer revision since your decision"));
  g_assert_nonnull (strstr (show.out, "Jupiter, clearly."));
  run_clair (&show_json, "show", project, "--row", "2", "--json", NULL);
  g_assert_nonnull (strstr (show_json.out, "\"newer_revision\":\"Jupiter\""));

  /* "-" is standard output. */
  run_clair (&to_stdout, "export", project, "--format", "trl", "-o", "-", NULL);
  g_assert_cmpint (to_stdout.status, ==, 0);
  g_assert_nonnull (strstr (to_stdout.out, "{\"prompt\":\"Largest planet?\",\"chosen\":\"Jupiter, clearly.\""));

  /* The accepted row still exports the text its annotator wrote. */
  run_clair (&export, "export", project, "--format", "trl", "-o", pairs, NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_assert_true (g_file_get_contents (pairs, &exported, NULL, &error));
  g_assert_nonnull (strstr (exported, "\"chosen\":\"Jupiter, clearly.\""));

  server = start_test_server ("", &url);
  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  run_clair (&run, "run", project, "--base-url", url, "--model", "teacher-m", "--rerun", "all", NULL);
  g_assert_cmpint (run.status, ==, 0);
  /* Only row 1 had no result: one request, not three. */
  g_assert_cmpint (server_chat_requests (url), ==, 1);
  g_subprocess_force_exit (server);

  run_clair (&late, "decide", project, "--row", "2", "--latest", "accept", NULL);
  g_assert_cmpint (late.status, ==, 0);
}

static void
test_errors (void)
{
  g_autofree char *csv = write_tmp ("odd.csv", "alpha,beta\nx,y\n");
  g_autofree char *csv_project = tmp_path ("odd.clair");
  g_autofree char *missing = tmp_path ("missing.clair");
  g_auto(Result) unguessable = { 0 };
  g_auto(Result) wrong_column = { 0 };
  g_auto(Result) explicit_columns = { 0 };
  g_auto(Result) no_project = { 0 };
  g_auto(Result) no_row = { 0 };

  run_clair (&unguessable, "import", csv, "-p", csv_project, NULL);
  g_assert_cmpint (unguessable.status, ==, 2);
  g_assert_nonnull (strstr (unguessable.err, "alpha, beta"));
  g_assert_false (g_file_test (csv_project, G_FILE_TEST_EXISTS));

  run_clair (&wrong_column, "import", csv, "-p", csv_project, "--task-column", "gamma",
             "--solution-column", "beta", NULL);
  g_assert_cmpint (wrong_column.status, ==, 2);
  g_assert_nonnull (strstr (wrong_column.err, "gamma"));

  run_clair (&explicit_columns, "import", csv, "-p", csv_project, "--task-column", "alpha",
             "--solution-column", "beta", NULL);
  g_assert_cmpint (explicit_columns.status, ==, 0);

  run_clair (&no_project, "show", missing, NULL);
  g_assert_cmpint (no_project.status, ==, 1);
  g_assert_true (is_one_line (no_project.err));
  g_assert_nonnull (strstr (no_project.err, "does not exist"));

  run_clair (&no_row, "prompt", csv_project, NULL);
  g_assert_cmpint (no_row.status, ==, 2);
}

/* What rows, server replies and file names may hold to take over a terminal: a window title
 * (OSC 0, ended by BEL), a screen clear, and a line that looks like clair's own. */
#define HOSTILE          "\x1b]0;pwned\x07\x1b[2J\nclair: everything is fine"
#define HOSTILE_JSON     "\\u001b]0;pwned\\u0007\\u001b[2J\\nclair: everything is fine"
#define HOSTILE_ESCAPED  "\\e]0;pwned\\x07\\e[2J"
#define HOSTILE_LINE     HOSTILE_ESCAPED "\\x0aclair: everything is fine"

/* The offset of the first byte a terminal would act on (a C0 control other than the newline, and
 * the tab when @tabs, DEL, a C1 control, or a byte that is not UTF-8), or -1. */
static gssize
find_control (const char *text,
              gboolean    tabs)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2 || (c >= 0x7f && c <= 0x9f) ||
          (c < 0x20 && c != '\n' && !(tabs && c == '\t')))
        return p - text;
    }
  return -1;
}

/* Asserts that @result printed nothing a terminal acts on and forged no line of its own. */
static void
assert_inert (const Result *result,
              gboolean      multi_line)
{
  g_assert_cmpint (find_control (result->out, multi_line), ==, -1);
  g_assert_cmpint (find_control (result->err, FALSE), ==, -1);
  if (!multi_line)
    g_assert_null (strstr (result->out, "\nclair: everything is fine"));
  g_assert_null (strstr (result->err, "\nclair: everything is fine"));
}

static void
test_hostile_text (void)
{
  g_autofree char *dataset = write_tmp ("hostile" HOSTILE ".jsonl",
    "{\"question\":\"Task " HOSTILE_JSON "\",\"answer\":\"Answer " HOSTILE_JSON
    " \\u0085\\u009b2J\\u007f\"}\n");
  g_autofree char *project = tmp_path ("hostile" HOSTILE ".jsonl.clair");
  g_autofree char *results = write_tmp ("results" HOSTILE ".jsonl",
    "{\"custom_id\":\"row-0\",\"response\":{\"status_code\":500,\"body\":{\"error\":{\"message\":"
    "\"Boom " HOSTILE_JSON "\"}}},\"error\":null}\n");
  g_autofree char *missing = tmp_path ("missing" HOSTILE ".clair");
  g_autofree char *not_utf8 = tmp_path ("latin1-\xe9\xff" HOSTILE ".jsonl");
  g_autofree char *export_path = tmp_path ("pairs" HOSTILE ".jsonl");
  g_auto(Result) import = { 0 };
  g_auto(Result) import_results = { 0 };
  g_auto(Result) decide = { 0 };
  g_auto(Result) list = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) info = { 0 };
  g_auto(Result) dataset_info = { 0 };
  g_auto(Result) show_missing = { 0 };
  g_auto(Result) info_missing = { 0 };
  g_auto(Result) info_not_utf8 = { 0 };
  g_auto(Result) diff_missing = { 0 };
  g_auto(Result) export = { 0 };

  run_clair (&import, "import", dataset, NULL);
  g_assert_cmpint (import.status, ==, 0);
  assert_inert (&import, FALSE);
  g_assert_nonnull (strstr (import.err, "hostile" HOSTILE_LINE ".jsonl.clair"));

  /* A failed row, as a batch job reports it: the server's message is printed as a problem line. */
  run_clair (&import_results, "import-results", project, results, NULL);
  g_assert_cmpint (import_results.status, ==, 3);
  assert_inert (&import_results, FALSE);
  g_assert_nonnull (strstr (import_results.err, "results" HOSTILE_LINE ".jsonl:1: "
                            "row 0 failed (HTTP 500): Boom " HOSTILE_LINE "\n"));

  run_clair (&decide, "decide", project, "--row", "0", "skip", "--note", "Note " HOSTILE, NULL);
  g_assert_cmpint (decide.status, ==, 0);

  run_clair (&list, "show", project, NULL);
  g_assert_cmpint (list.status, ==, 0);
  assert_inert (&list, FALSE);
  g_assert_nonnull (strstr (list.out, "Task " HOSTILE_ESCAPED " clair: everything is fine"));

  /* One row in full prints its texts as blocks: their own line breaks stay. */
  run_clair (&show, "show", project, "--row", "0", NULL);
  g_assert_cmpint (show.status, ==, 0);
  assert_inert (&show, TRUE);
  g_assert_nonnull (strstr (show.out, "\nTask " HOSTILE_ESCAPED "\nclair: everything is fine\n"));
  g_assert_nonnull (strstr (show.out, "\nAnswer " HOSTILE_ESCAPED "\nclair: everything is fine "
                                      "\\xc2\\x85\\xc2\\x9b2J\\x7f\n"));
  g_assert_nonnull (strstr (show.out, "\nBoom " HOSTILE_ESCAPED "\n"));
  g_assert_nonnull (strstr (show.out, "\nNote " HOSTILE_ESCAPED "\n"));

  run_clair (&info, "info", project, NULL);
  g_assert_cmpint (info.status, ==, 0);
  assert_inert (&info, FALSE);
  g_assert_nonnull (strstr (info.out, "Project:  "));
  g_assert_nonnull (strstr (info.out, "hostile" HOSTILE_LINE ".jsonl.clair\n"));
  g_assert_nonnull (strstr (info.out, "hostile" HOSTILE_LINE ".jsonl\n"));

  run_clair (&dataset_info, "info", dataset, NULL);
  g_assert_cmpint (dataset_info.status, ==, 0);
  assert_inert (&dataset_info, FALSE);
  g_assert_nonnull (strstr (dataset_info.out, "hostile" HOSTILE_LINE ".jsonl\n"));

  run_clair (&export, "export", project, "--format", "distilabel", "--select", "all",
             "-o", export_path, NULL);
  assert_inert (&export, FALSE);
  g_assert_nonnull (strstr (export.err, "pairs" HOSTILE_LINE ".jsonl"));

  /* Failures name the file on one line. */
  run_clair (&show_missing, "show", missing, NULL);
  g_assert_cmpint (show_missing.status, ==, 1);
  assert_inert (&show_missing, FALSE);
  g_assert_true (is_one_line (show_missing.err));
  g_assert_nonnull (strstr (show_missing.err, "missing" HOSTILE_LINE ".clair"));

  run_clair (&info_missing, "info", missing, NULL);
  g_assert_cmpint (info_missing.status, ==, 1);
  assert_inert (&info_missing, FALSE);
  g_assert_true (is_one_line (info_missing.err));
  g_assert_nonnull (strstr (info_missing.err, "missing" HOSTILE_LINE ".clair"));

  /* `clair diff` reports through the launcher's own copy of the error helpers. */
  run_clair (&diff_missing, "diff", dataset, missing, NULL);
  g_assert_cmpint (diff_missing.status, ==, 1);
  assert_inert (&diff_missing, FALSE);
  g_assert_true (is_one_line (diff_missing.err));
  g_assert_nonnull (strstr (diff_missing.err, HOSTILE_LINE));

  /* A name that is not UTF-8 shows its bytes; the output stays text. */
  run_clair (&info_not_utf8, "info", not_utf8, NULL);
  g_assert_cmpint (info_not_utf8.status, ==, 1);
  assert_inert (&info_not_utf8, FALSE);
  g_assert_nonnull (strstr (info_not_utf8.err, "latin1-\\xe9\\xff" HOSTILE_LINE ".jsonl"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CLAIR_CLI") == NULL)
    {
      g_test_message ("CLAIR_CLI is not set; run through meson test");
      return 77;
    }

  tmpdir = g_dir_make_tmp ("clair-test-cli-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/cli/help-and-usage", test_help_and_usage);
  g_test_add_func ("/cli/workflow", test_workflow);
  g_test_add_func ("/cli/batch-round-trip", test_batch_round_trip);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/hostile-text", test_hostile_text);

  rc = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = tmp_path (name);
        g_unlink (path);
      }
    g_rmdir (tmpdir);
    g_free (tmpdir);
  }
  return rc;
}
