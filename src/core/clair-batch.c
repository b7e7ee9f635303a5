/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-batch"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "clair-batch.h"
#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-jscan.h"
#include "clair-json.h"
#include "clair-parse.h"
#include "clair-secret.h"

/* Reading batch output back: OpenAI Batch API output and error files and `vllm run-batch` output,
 * one JSON object a line, in any order, joined to rows by custom_id. A bad line is reported and
 * skipped; the good ones are stored. */

/* Results are stored in groups this large, each one transaction. */
#define STORE_GROUP 256

void
clair_import_results_report_clear (ClairImportResultsReport *report)
{
  g_clear_pointer (&report->problems, g_ptr_array_unref);
  memset (report, 0, sizeof *report);
}

/* The message of an error in any of the shapes servers use: a string; {"message": …} (OpenAI's
 * error file, llama.cpp); vLLM's ErrorResponse, flat ({"object":"error","message": …}) or nested
 * ({"error": {"message": …}}); FastAPI's {"detail": …}. Raw JSON only when none of these fits. */
static char *
describe_error_node (JsonNode *node,
                     guint     depth)
{
  JsonObject *object;
  JsonNode *inner;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (!JSON_NODE_HOLDS_OBJECT (node) || depth > 4)
    return json_to_string (node, FALSE);

  object = json_node_get_object (node);
  if (clair_json_member_string (object, "message") != NULL && clair_json_member_string (object, "message")[0] != '\0')
    return g_strdup (clair_json_member_string (object, "message"));
  if ((inner = json_object_get_member (object, "error")) != NULL && !JSON_NODE_HOLDS_NULL (inner))
    return describe_error_node (inner, depth + 1);
  if ((inner = json_object_get_member (object, "detail")) != NULL && !JSON_NODE_HOLDS_NULL (inner))
    return describe_error_node (inner, depth + 1);
  return json_to_string (node, FALSE);
}

/* Reads "row-N" (or a bare number) into a row index. */
static gboolean
parse_custom_id (const char *custom_id,
                 guint      *index)
{
  guint64 value;

  if (custom_id == NULL)
    return FALSE;
  if (g_str_has_prefix (custom_id, "row-"))
    custom_id += 4;
  if (!g_ascii_string_to_unsigned (custom_id, 10, 0, G_MAXUINT - 1, &value, NULL))
    return FALSE;
  *index = (guint) value;
  return TRUE;
}

typedef struct
{
  ClairProject             *project;
  ClairPrompt              *prompt;
  ClairGenParams            params;
  ClairImportResultsReport *report;
  GHashTable               *seen;       /* row → "FILE:LINE" of its first result */
  GPtrArray                *attempts;
  JsonParser               *parser;
} ImportState;

static void
add_problem (ImportState *state,
             const char  *where,
             const char  *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
add_problem (ImportState *state,
             const char  *where,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (state->report->problems, g_strdup_printf ("%s: %s", where, message));
  state->report->n_errors++;
}

/* The request the batch file recorded for the row; for a file written before projects recorded
 * them (or by another tool), the request this project would send now. */
static void
set_request (ImportState  *state,
             ClairAttempt *attempt,
             ClairRecord  *record)
{
  g_autofree char *hash = NULL;
  g_autofree char *model = NULL;

  if (clair_project_get_batch_request (state->project, record->index, &hash, &model))
    {
      attempt->request_hash = g_steal_pointer (&hash);
      attempt->model_requested = g_steal_pointer (&model);
      return;
    }
  attempt->model_requested = g_strdup (state->params.model);
  if (state->params.model != NULL)
    {
      g_autofree char *system = clair_prompt_render_system (state->prompt, record->task, record->solution);
      g_autofree char *user = clair_prompt_render_user (state->prompt, record->task, record->solution);

      attempt->request_hash = clair_request_hash (&state->params, system, user);
    }
}

static void
fill_answer (ClairAttempt *attempt,
             JsonObject   *body,
             const char   *original)
{
  JsonArray *choices = clair_json_member_array (body, "choices");
  JsonObject *usage = clair_json_member_object (body, "usage");
  JsonObject *choice = NULL;
  JsonObject *message = NULL;

  attempt->model_reported = g_strdup (clair_json_member_string (body, "model"));
  if (usage != NULL)
    {
      attempt->prompt_tokens = clair_json_member_int (usage, "prompt_tokens", -1);
      attempt->completion_tokens = clair_json_member_int (usage, "completion_tokens", -1);
    }
  if (choices != NULL && json_array_get_length (choices) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (choices, 0)))
    choice = json_array_get_object_element (choices, 0);
  if (choice != NULL)
    {
      attempt->finish_reason = g_strdup (clair_json_member_string (choice, "finish_reason"));
      message = clair_json_member_object (choice, "message");
    }

  clair_attempt_take_answer (attempt, g_strdup (clair_json_member_string (message, "content")),
                             clair_json_member_string (message, "refusal"));
  if (attempt->revision != NULL)
    {
      clair_metrics_compute (original, attempt->revision, &attempt->metrics);
      attempt->has_metrics = TRUE;
    }
}

/* One output line. Returns the attempt to store, or NULL when the line is not a result of this
 * project (reported). A failed request is stored and reported. */
static ClairAttempt *
read_line (ImportState *state,
           const char  *where,
           const char  *text,
           gsize        len)
{
  g_autoptr(ClairAttempt) attempt = NULL;
  g_autoptr(ClairRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *error_text = NULL;
  JsonObject *line;
  JsonObject *response;
  JsonObject *body = NULL;
  const char *custom_id;
  const char *first;
  guint index;

  /* One JSON object a line (clair_json_load() refuses "{…}{…}", which json-glib 1.6 would take
   * as one object). */
  line = clair_json_load_object (state->parser, text, len, &local_error);
  if (line == NULL)
    {
      add_problem (state, where, _("not a batch output record (%s)"), local_error->message);
      return NULL;
    }

  custom_id = clair_json_member_string (line, "custom_id");
  if (custom_id == NULL)
    {
      add_problem (state, where, _("no custom_id"));
      return NULL;
    }
  if (!parse_custom_id (custom_id, &index))
    {
      add_problem (state, where, _("custom_id “%s” is not of the form “row-N”"), custom_id);
      return NULL;
    }
  record = clair_project_get_record (state->project, index, &local_error);
  if (record == NULL)
    {
      add_problem (state, where, _("custom_id “%s”: the project has no row %u"), custom_id, index);
      return NULL;
    }
  if ((first = g_hash_table_lookup (state->seen, GUINT_TO_POINTER (index))) != NULL)
    {
      add_problem (state, where, _("custom_id “%s” again (its first result, at %s, is the one kept)"),
                   custom_id, first);
      return NULL;
    }
  g_hash_table_insert (state->seen, GUINT_TO_POINTER (index), g_strdup (where));

  attempt = clair_attempt_new ();
  attempt->row = index;
  attempt->finished_at = attempt->started_at = g_get_real_time ();
  set_request (state, attempt, record);

  error_text = describe_error_node (json_object_get_member (line, "error"), 0);
  response = clair_json_member_object (line, "response");
  if (response != NULL)
    {
      attempt->http_status = clair_json_member_int (response, "status_code", 0);
      body = clair_json_member_object (response, "body");
    }

  if (error_text == NULL && body != NULL && attempt->http_status >= 200 && attempt->http_status < 300)
    fill_answer (attempt, body, record->solution);
  else
    {
      attempt->status = CLAIR_ROW_FAILED;
      if (error_text != NULL)
        attempt->error = g_steal_pointer (&error_text);
      else if (body != NULL && json_object_has_member (body, "error"))
        attempt->error = describe_error_node (json_object_get_member (body, "error"), 0);
      else if (body != NULL && clair_json_member_string (body, "message") != NULL)
        attempt->error = g_strdup (clair_json_member_string (body, "message"));
      if (attempt->error == NULL)
        attempt->error = g_strdup_printf ("the batch job answered HTTP %u for this row",
                                          attempt->http_status);
      /* A server's words: anything shaped like a credential goes before they are stored. */
      {
        char *redacted = clair_secret_redact (attempt->error, NULL);

        g_free (attempt->error);
        attempt->error = redacted;
      }
      if (attempt->http_status != 0)
        add_problem (state, where, _("row %u failed (HTTP %u): %s"), index, attempt->http_status,
                     attempt->error);
      else
        add_problem (state, where, _("row %u failed: %s"), index, attempt->error);
    }

  state->report->n_kept += clair_record_is_decided (record);
  return g_steal_pointer (&attempt);
}

static gboolean
store_attempts (ImportState  *state,
                GError      **error)
{
  gboolean ok;

  if (state->attempts->len == 0)
    return TRUE;
  ok = clair_project_add_batch_results (state->project, (ClairAttempt **) state->attempts->pdata,
                                        state->attempts->len, error);
  if (ok)
    for (guint i = 0; i < state->attempts->len; i++)
      {
        ClairAttempt *attempt = g_ptr_array_index (state->attempts, i);

        state->report->n_imported++;
        state->report->n_revised += attempt->status == CLAIR_ROW_REVISED;
      }
  g_ptr_array_set_size (state->attempts, 0);
  return ok;
}

static gboolean
import_file (ImportState  *state,
             const char   *path,
             GError      **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  const char *p;
  const char *end;
  guint line_no = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, g_file_test (path, G_FILE_TEST_EXISTS) ? G_IO_ERROR_NOT_REGULAR_FILE
                                                                             : G_IO_ERROR_NOT_FOUND,
                   g_file_test (path, G_FILE_TEST_EXISTS) ? _("“%s” is not a regular file")
                                                          : _("“%s” does not exist"), path);
      return FALSE;
    }
  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return FALSE;
  /* An empty file maps to NULL: nothing to read. */
  if (g_mapped_file_get_length (mapped) == 0)
    return TRUE;
  p = g_mapped_file_get_contents (mapped);
  end = p + g_mapped_file_get_length (mapped);

  while (p != NULL && p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize len = (eol ? eol : end) - p;
      ClairAttempt *attempt;

      line_no++;
      if (len > 0 && p[len - 1] == '\r')
        len--;
      if (clair_jscan_skip_ws (p, p + len) < p + len)
        {
          g_autofree char *where = g_strdup_printf ("%s:%u", path, line_no);

          attempt = read_line (state, where, p, len);
          if (attempt != NULL)
            g_ptr_array_add (state->attempts, attempt);
          if (state->attempts->len >= STORE_GROUP && !store_attempts (state, error))
            return FALSE;
        }
      if (eol == NULL)
        break;
      p = eol + 1;
    }
  return store_attempts (state, error);
}

gboolean
clair_import_results_files (ClairProject              *project,
                            const char * const        *paths,
                            ClairImportResultsReport  *report,
                            GError                   **error)
{
  g_autoptr(ClairPrompt) prompt = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autoptr(GPtrArray) attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_attempt_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  ImportState state = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (paths != NULL, FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  memset (report, 0, sizeof *report);
  report->problems = g_ptr_array_new_with_free_func (g_free);

  clair_gen_params_init (&state.params);
  if (!clair_project_load_params (project, &state.params, error))
    return FALSE;
  prompt = clair_project_load_prompt (project);

  state.project = project;
  state.prompt = prompt;
  state.report = report;
  state.seen = seen;
  state.attempts = attempts;
  state.parser = parser;

  for (guint i = 0; ok && paths[i] != NULL; i++)
    ok = import_file (&state, paths[i], error);

  report->n_missing = clair_project_count_batch_missing (project);
  clair_gen_params_clear (&state.params);
  return ok;
}
