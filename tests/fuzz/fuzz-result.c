/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-result"

#include "config.h"

#include "clair-client.h"
#include "clair-error.h"
#include "clair-escape.h"
#include "clair-metrics.h"
#include "clair-project.h"
#include "clair-secret.h"
#include "fuzz-common.h"

/* The run's result path, as the runner takes it for a non-streamed answer, without a server:
 * a body answered with some status and content type is read into a reply
 * (clair_reply_read_body), the reply's text becomes an attempt (the CLAIR parse, the refusal, the
 * finish reason), its metrics are worked out against the row's answer, and every 64th attempt is
 * stored in a real project and read back. Whatever the body holds: the action is one of the
 * table's, a failure has a message, text is valid UTF-8 (visible escapes stay UTF-8 too), a
 * revision stored is the revision read back, and the key sent is never in anything kept. The
 * first byte picks the status and content type; the rest is the body. */

static const guint statuses[] = { 200, 200, 200, 201, 400, 401, 404, 429, 500, 503 };
static const char *content_types[] = {
  "application/json", NULL, "text/html", "text/plain; charset=utf-8", "application/octet-stream",
};
static const char solution[] = "The capital of Australia is Sydney, its largest city.";
#define KEY "sk-fuzz-0123456789abcdef0123"

static ClairProject *project;
static guint n_inputs;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *dataset_path = NULL;
  g_autofree char *project_path = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  g_autofree char *row = g_strdup_printf ("{\"task\":\"What is the capital of Australia?\","
                                          "\"student_solution\":\"%s\"}\n", solution);

  fuzz_init ();
  dataset_path = fuzz_path ("rows.jsonl");
  project_path = fuzz_path ("result.clair");
  fuzz_write_file (dataset_path, (const uint8_t *) row, strlen (row));
  fuzz_remove_db (project_path);
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_JSONL, &error);
  g_assert_no_error (error);
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return 0;
}

static void
check_text (const char *text)
{
  g_autofree char *visible = NULL;

  if (text == NULL)
    return;
  g_assert (g_utf8_validate (text, -1, NULL));
  g_assert (strstr (text, KEY) == NULL);
  visible = clair_escape_controls (text, CLAIR_ESCAPE_BLOCK | CLAIR_ESCAPE_MARKUP);
  g_assert (g_utf8_validate (visible, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ClairReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  ClairAttempt *attempt;
  ClairReplyAction action;
  guint8 pick;

  if (size < 1)
    return 0;
  pick = data[0];
  data++;
  size--;

  reply = g_new0 (ClairReply, 1);
  reply->http_status = statuses[pick % G_N_ELEMENTS (statuses)];
  reply->prompt_tokens = reply->completion_tokens = -1;
  reply->retry_after_ms = -1;
  action = clair_reply_read_body (reply, "http://127.0.0.1:1/v1",
                                  content_types[(pick / G_N_ELEMENTS (statuses)) % G_N_ELEMENTS (content_types)],
                                  (const char *) data, size, &error);
  g_assert (action == CLAIR_REPLY_OK || action == CLAIR_REPLY_RETRY || action == CLAIR_REPLY_FAIL_ROW ||
            action == CLAIR_REPLY_FATAL);
  g_assert ((action == CLAIR_REPLY_OK) == (error == NULL));

  /* What the runner keeps of it (make_attempt): redacted, parsed, measured. */
  attempt = clair_attempt_new ();
  attempt->row = 0;
  attempt->http_status = reply->http_status;
  attempt->prompt_tokens = reply->prompt_tokens;
  attempt->completion_tokens = reply->completion_tokens;
  attempt->model_reported = clair_secret_redact_key (g_steal_pointer (&reply->model), KEY);
  if (action != CLAIR_REPLY_OK)
    {
      attempt->status = CLAIR_ROW_FAILED;
      attempt->error = clair_secret_redact_key (g_strdup (error->message), KEY);
      g_assert (attempt->error[0] != '\0');
    }
  else
    {
      /* As the client hands them over (complete()): content and refusal redacted. */
      reply->refusal = clair_secret_redact_key (reply->refusal, KEY);
      attempt->finish_reason = g_steal_pointer (&reply->finish_reason);
      clair_attempt_take_answer (attempt, clair_secret_redact_key (g_steal_pointer (&reply->content), KEY),
                                 reply->refusal);
      g_assert (attempt->status == CLAIR_ROW_REVISED || attempt->status == CLAIR_ROW_PARSE_FAILED);
      /* A revised attempt has its revision; one that failed to parse keeps a revision only when
       * the answer was cut off (its partial text, to salvage). */
      g_assert (attempt->status != CLAIR_ROW_REVISED || attempt->revision != NULL);
      g_assert (attempt->status == CLAIR_ROW_REVISED || attempt->revision == NULL ||
                g_strcmp0 (attempt->parse_status, "truncated") == 0);
      if (attempt->revision != NULL)
        {
          clair_metrics_compute (solution, attempt->revision, &attempt->metrics);
          attempt->has_metrics = TRUE;
          g_assert (attempt->metrics.jaccard >= 0 && attempt->metrics.jaccard <= 1);
          g_assert (attempt->metrics.levenshtein_norm >= 0 && attempt->metrics.levenshtein_norm <= 1);
        }
    }
  check_text (attempt->error);
  check_text (attempt->revision);
  check_text (attempt->rationale);
  check_text (attempt->raw_output);
  check_text (attempt->model_reported);

  /* Stored and read back now and then: the project is real SQLite, slow next to the parse. */
  if (n_inputs++ % 64 == 0)
    {
      g_autoptr(ClairRecord) record = NULL;
      g_autoptr(GError) store_error = NULL;

      g_assert (clair_project_add_attempts (project, &attempt, 1, &store_error));
      record = clair_project_get_record (project, 0, &store_error);
      g_assert_no_error (store_error);
      g_assert (record->attempt != NULL);
      g_assert_cmpint (record->attempt->status, ==, attempt->status);
      g_assert_cmpstr (record->attempt->revision, ==, attempt->revision);
      g_assert_cmpstr (record->attempt->error, ==, attempt->error);
    }
  clair_attempt_free (attempt);
  return 0;
}
