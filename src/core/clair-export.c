/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "clair-error.h"
#include "clair-export.h"
#include "clair-json.h"
#include "clair-parse.h"

/* Export writers. Each preset writes one JSON object per line (KTO two), streamed from the project
 * with constant memory, into a temporary file beside the destination that is renamed into place
 * only when everything was written and synced. */

static const char * const format_names[] = {
  [CLAIR_EXPORT_TRL] = "trl",
  [CLAIR_EXPORT_TRL_CHAT] = "trl-chat",
  [CLAIR_EXPORT_KTO] = "kto",
  [CLAIR_EXPORT_CONTEXTUAL] = "contextual",
  [CLAIR_EXPORT_DISTILABEL] = "distilabel",
  [CLAIR_EXPORT_BATCH_REQUESTS] = "batch-requests",
};

static const char * const selection_names[] = {
  [CLAIR_EXPORT_SELECT_ACCEPTED] = "accepted",
  [CLAIR_EXPORT_SELECT_REVISED] = "revised",
  [CLAIR_EXPORT_SELECT_ALL] = "all",
};

const char *
clair_export_format_to_string (ClairExportFormat format)
{
  g_return_val_if_fail (format < G_N_ELEMENTS (format_names), NULL);
  return format_names[format];
}

gboolean
clair_export_format_from_string (const char        *name,
                                 ClairExportFormat *format)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (format_names); i++)
    {
      if (g_strcmp0 (name, format_names[i]) == 0)
        {
          *format = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
clair_export_selection_to_string (ClairExportSelection selection)
{
  g_return_val_if_fail (selection < G_N_ELEMENTS (selection_names), NULL);
  return selection_names[selection];
}

gboolean
clair_export_selection_from_string (const char           *name,
                                    ClairExportSelection *selection)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (selection_names); i++)
    {
      if (g_strcmp0 (name, selection_names[i]) == 0)
        {
          *selection = i;
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct
{
  const ClairExportOptions *options;
  ClairPrompt              *prompt;
  ClairGenParams           *params;
  FILE                     *file;
  GString                  *line;
  GCancellable             *cancellable;
  ClairProgressFunc         progress;
  gpointer                  progress_data;
  guint64                   n_rows;
  guint64                   n_seen;
  guint64                   n_written;
  GError                   *error;
} ExportState;

/* Skips one JSON value starting at @p; the input is the dataset layer's own output and therefore
 * valid JSON, so this only tracks strings and nesting. */
static const char *
skip_value (const char *p)
{
  int depth = 0;

  do
    {
      switch (*p)
        {
        case '"':
          for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1])
              p++;
          break;
        case '{':
        case '[':
          depth++;
          break;
        case '}':
        case ']':
          depth--;
          break;
        case '\0':
          return p;
        default:
          /* A number or literal at the top: it ends before the next delimiter. */
          if (depth == 0)
            {
              while (p[1] != '\0' && p[1] != ',' && p[1] != '}' && p[1] != ']' &&
                     !g_ascii_isspace (p[1]))
                p++;
              return p + 1;
            }
          break;
        }
      p++;
    }
  while (depth > 0);

  return p;
}

/* Appends the members of @extra_json (a JSON object) to @out, each preceded by a comma, leaving
 * out members named in @reserved so a dataset column can never shadow a field of the preset. */
static void
append_extra_members (GString           *out,
                      const char        *extra_json,
                      const char * const *reserved)
{
  const char *p = extra_json;

  if (p == NULL)
    return;
  while (*p && *p != '{')
    p++;
  if (*p != '{')
    return;
  p++;

  for (;;)
    {
      const char *key_start;
      const char *key_end;
      const char *value_start;
      const char *value_end;
      gboolean skip = FALSE;

      while (*p && (g_ascii_isspace (*p) || *p == ','))
        p++;
      if (*p != '"')
        return;

      key_start = p;
      for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
          p++;
      if (*p != '"')
        return;
      key_end = ++p;

      while (*p && (g_ascii_isspace (*p) || *p == ':'))
        p++;
      value_start = p;
      value_end = skip_value (p);
      p = value_end;

      for (guint i = 0; reserved[i] != NULL; i++)
        {
          gsize len = strlen (reserved[i]);

          if ((gsize) (key_end - key_start) == len + 2 &&
              memcmp (key_start + 1, reserved[i], len) == 0)
            skip = TRUE;
        }
      if (!skip)
        {
          g_string_append_c (out, ',');
          g_string_append_len (out, key_start, key_end - key_start);
          g_string_append_c (out, ':');
          g_string_append_len (out, value_start, value_end - value_start);
        }
    }
}

static void
append_message (GString    *out,
                const char *role,
                const char *content)
{
  g_string_append (out, "{\"role\":");
  clair_json_append_string (out, role, -1);
  g_string_append (out, ",\"content\":");
  clair_json_append_string (out, content, -1);
  g_string_append_c (out, '}');
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static const char *
record_rationale (ClairRecord *record)
{
  if (record->attempt != NULL && record->attempt->rationale != NULL)
    return record->attempt->rationale;
  return "";
}

static gboolean
record_is_selected (ClairRecord          *record,
                    ClairExportSelection  selection,
                    ClairExportFormat     format)
{
  gboolean revised = record->attempt != NULL && record->attempt->status == CLAIR_ROW_REVISED;
  gboolean has_chosen = clair_record_get_chosen (record) != NULL;

  if (format == CLAIR_EXPORT_BATCH_REQUESTS)
    {
      /* Batch files are for rows that still need a revision; "all" writes every row. */
      if (selection == CLAIR_EXPORT_SELECT_ALL)
        return TRUE;
      return !revised && record->edited_revision == NULL;
    }

  if (!has_chosen)
    return FALSE;

  switch (selection)
    {
    case CLAIR_EXPORT_SELECT_ACCEPTED:
      return record->decision == CLAIR_DECISION_ACCEPTED ||
             (record->edited_revision != NULL && record->decision != CLAIR_DECISION_REJECTED);
    case CLAIR_EXPORT_SELECT_REVISED:
      return record->decision != CLAIR_DECISION_REJECTED;
    case CLAIR_EXPORT_SELECT_ALL:
    default:
      return TRUE;
    }
}

static const char * const trl_reserved[] = { "prompt", "chosen", "rejected", "rational", NULL };
static const char * const kto_reserved[] = { "prompt", "completion", "label", "rational", NULL };
static const char * const contextual_reserved[] = {
  "prompt", "chosen", "rejected", "rational", "prompt_id", NULL
};
static const char * const distilabel_reserved[] = {
  "task", "student_solution", "revision", "rational", "model_name", "distilabel_metadata", NULL
};

static void
write_rationale_if_asked (ExportState *state,
                          ClairRecord *record)
{
  if (state->options->include_rationale)
    {
      g_string_append (state->line, ",\"rational\":");
      clair_json_append_string (state->line, record_rationale (record), -1);
    }
}

static void
format_trl (ExportState *state,
            ClairRecord *record,
            gboolean     chat)
{
  GString *out = state->line;

  if (chat)
    {
      g_string_append (out, "{\"prompt\":[");
      append_message (out, "user", record->task);
      g_string_append (out, "],\"chosen\":[");
      append_message (out, "assistant", clair_record_get_chosen (record));
      g_string_append (out, "],\"rejected\":[");
      append_message (out, "assistant", record->solution);
      g_string_append_c (out, ']');
    }
  else
    {
      g_string_append (out, "{\"prompt\":");
      clair_json_append_string (out, record->task, -1);
      g_string_append (out, ",\"chosen\":");
      clair_json_append_string (out, clair_record_get_chosen (record), -1);
      g_string_append (out, ",\"rejected\":");
      clair_json_append_string (out, record->solution, -1);
    }
  write_rationale_if_asked (state, record);
  append_extra_members (out, record->extra_json, trl_reserved);
  g_string_append (out, "}\n");
}

static void
format_kto (ExportState *state,
            ClairRecord *record)
{
  GString *out = state->line;

  for (int label = 1; label >= 0; label--)
    {
      g_string_append (out, "{\"prompt\":");
      clair_json_append_string (out, record->task, -1);
      g_string_append (out, ",\"completion\":");
      clair_json_append_string (out, label ? clair_record_get_chosen (record) : record->solution, -1);
      g_string_append (out, label ? ",\"label\":true" : ",\"label\":false");
      write_rationale_if_asked (state, record);
      append_extra_members (out, record->extra_json, kto_reserved);
      g_string_append (out, "}\n");
    }
}

static void
format_contextual (ExportState *state,
                   ClairRecord *record)
{
  GString *out = state->line;
  g_autofree char *prompt_id = sha256_hex (record->task);

  g_string_append (out, "{\"prompt\":");
  clair_json_append_string (out, record->task, -1);
  g_string_append (out, ",\"chosen\":[");
  append_message (out, "user", record->task);
  g_string_append_c (out, ',');
  append_message (out, "assistant", clair_record_get_chosen (record));
  g_string_append (out, "],\"rejected\":[");
  append_message (out, "user", record->task);
  g_string_append_c (out, ',');
  append_message (out, "assistant", record->solution);
  g_string_append (out, "],\"rational\":");
  clair_json_append_string (out, record_rationale (record), -1);
  g_string_append (out, ",\"prompt_id\":");
  clair_json_append_string (out, prompt_id, -1);
  append_extra_members (out, record->extra_json, contextual_reserved);
  g_string_append (out, "}\n");
}

static void
format_distilabel (ExportState *state,
                   ClairRecord *record)
{
  GString *out = state->line;
  ClairAttempt *attempt = record->attempt;
  g_autofree char *system = clair_prompt_render_system (state->prompt, record->task, record->solution);
  g_autofree char *user = clair_prompt_render_user (state->prompt, record->task, record->solution);
  const char *model = NULL;

  if (attempt != NULL)
    model = attempt->model_reported != NULL ? attempt->model_reported : attempt->model_requested;

  /* distilabel keeps the input columns first, then adds the step's outputs. */
  g_string_append (out, "{\"task\":");
  clair_json_append_string (out, record->task, -1);
  g_string_append (out, ",\"student_solution\":");
  clair_json_append_string (out, record->solution, -1);
  append_extra_members (out, record->extra_json, distilabel_reserved);
  g_string_append (out, ",\"revision\":");
  clair_json_append_string (out, clair_record_get_chosen (record), -1);
  g_string_append (out, ",\"rational\":");
  clair_json_append_string (out, attempt != NULL ? attempt->rationale : NULL, -1);
  g_string_append (out, ",\"model_name\":");
  clair_json_append_string (out, model, -1);
  g_string_append (out, ",\"distilabel_metadata\":{\"raw_input_c_l_a_i_r_0\":[");
  append_message (out, "system", system);
  g_string_append_c (out, ',');
  append_message (out, "user", user);
  g_string_append (out, "],\"raw_output_c_l_a_i_r_0\":");
  clair_json_append_string (out, attempt != NULL ? attempt->raw_output : NULL, -1);
  g_string_append (out, ",\"statistics_c_l_a_i_r_0\":{\"input_tokens\":");
  if (attempt != NULL && attempt->prompt_tokens >= 0)
    clair_json_append_int (out, attempt->prompt_tokens);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"output_tokens\":");
  if (attempt != NULL && attempt->completion_tokens >= 0)
    clair_json_append_int (out, attempt->completion_tokens);
  else
    g_string_append (out, "null");
  g_string_append (out, "}}}\n");
}

static void
format_batch_request (ExportState *state,
                      ClairRecord *record)
{
  GString *out = state->line;
  g_autofree char *system = clair_prompt_render_system (state->prompt, record->task, record->solution);
  g_autofree char *user = clair_prompt_render_user (state->prompt, record->task, record->solution);
  g_autofree char *body = clair_request_build_body (state->params, system, user, FALSE);

  g_string_append_printf (out, "{\"custom_id\":\"row-%u\",\"method\":\"POST\","
                          "\"url\":\"/v1/chat/completions\",\"body\":", record->index);
  g_string_append (out, body);
  g_string_append (out, "}\n");
}

static gboolean
export_record_cb (ClairRecord *record,
                  gpointer     user_data)
{
  ExportState *state = user_data;

  state->n_seen++;
  if ((state->n_seen & 1023) == 0)
    {
      if (g_cancellable_set_error_if_cancelled (state->cancellable, &state->error))
        return FALSE;
      if (state->progress != NULL)
        state->progress (state->n_seen, state->n_rows, state->progress_data);
    }

  if (!record_is_selected (record, state->options->selection, state->options->format))
    return TRUE;

  g_string_truncate (state->line, 0);
  switch (state->options->format)
    {
    case CLAIR_EXPORT_TRL:
      format_trl (state, record, FALSE);
      break;
    case CLAIR_EXPORT_TRL_CHAT:
      format_trl (state, record, TRUE);
      break;
    case CLAIR_EXPORT_KTO:
      format_kto (state, record);
      break;
    case CLAIR_EXPORT_CONTEXTUAL:
      format_contextual (state, record);
      break;
    case CLAIR_EXPORT_DISTILABEL:
      format_distilabel (state, record);
      break;
    case CLAIR_EXPORT_BATCH_REQUESTS:
      format_batch_request (state, record);
      break;
    default:
      g_assert_not_reached ();
    }

  if (fwrite (state->line->str, 1, state->line->len, state->file) != state->line->len)
    {
      int saved_errno = errno;
      g_set_error (&state->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not write the export: %s", g_strerror (saved_errno));
      return FALSE;
    }
  state->n_written += state->options->format == CLAIR_EXPORT_KTO ? 2 : 1;
  return TRUE;
}

gboolean
clair_export_to_file (ClairProject              *project,
                      const ClairExportOptions  *options,
                      const char                *path,
                      GCancellable              *cancellable,
                      ClairProgressFunc          progress,
                      gpointer                   user_data,
                      guint64                   *n_written,
                      GError                   **error)
{
  g_autoptr(ClairPrompt) own_prompt = NULL;
  g_autoptr(GString) line = NULL;
  g_autofree char *tmp_path = NULL;
  ClairGenParams own_params;
  ExportState state = { 0 };
  gboolean ok = FALSE;
  int fd;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  clair_gen_params_init (&own_params);

  state.options = options;
  state.prompt = options->prompt;
  state.params = options->params;
  state.cancellable = cancellable;
  state.progress = progress;
  state.progress_data = user_data;
  state.n_rows = clair_project_get_n_rows (project);

  if (state.prompt == NULL)
    state.prompt = own_prompt = clair_project_load_prompt (project);
  if (options->format == CLAIR_EXPORT_BATCH_REQUESTS && state.params == NULL)
    {
      if (!clair_project_load_params (project, &own_params, error))
        goto out;
      state.params = &own_params;
    }
  if (options->format == CLAIR_EXPORT_BATCH_REQUESTS &&
      (state.params->model == NULL || *state.params->model == '\0'))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   "Batch requests need a model name; set one in the run settings "
                   "(or pass --model to clair export)");
      goto out;
    }

  tmp_path = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create a file next to “%s”: %s", path, g_strerror (saved_errno));
      g_clear_pointer (&tmp_path, g_free);
      goto out;
    }
  state.file = fdopen (fd, "w");
  setvbuf (state.file, NULL, _IOFBF, 1 << 20);
  line = g_string_sized_new (16384);
  state.line = line;

  if (!clair_project_foreach_record (project, cancellable, export_record_cb, &state, error))
    goto out;
  if (state.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&state.error));
      goto out;
    }

  if (fflush (state.file) != 0 || fsync (fileno (state.file)) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not write “%s”: %s", path, g_strerror (saved_errno));
      goto out;
    }
  if (fclose (g_steal_pointer (&state.file)) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not write “%s”: %s", path, g_strerror (saved_errno));
      goto out;
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not move the export into place at “%s”: %s", path, g_strerror (saved_errno));
      goto out;
    }
  g_clear_pointer (&tmp_path, g_free);

  if (progress != NULL)
    progress (state.n_rows, state.n_rows, user_data);
  if (n_written != NULL)
    *n_written = state.n_written;
  ok = TRUE;

out:
  g_clear_error (&state.error);
  if (state.file != NULL)
    fclose (state.file);
  if (tmp_path != NULL)
    g_unlink (tmp_path);
  clair_gen_params_clear (&own_params);
  return ok;
}

/* json-glib 1.6 has no _with_default getters for objects and arrays. */
static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      default_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return default_value;
  return json_node_get_int (node);
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

static char *
describe_error_node (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const char *message = member_string (object, "message");
      if (message != NULL)
        return g_strdup (message);
    }
  return json_to_string (node, FALSE);
}

/* Turns one output line into an attempt; returns NULL with @error for a line that is not a batch
 * output record at all. */
static ClairAttempt *
attempt_from_result_line (ClairProject          *project,
                          JsonObject            *line,
                          ClairPrompt           *prompt,
                          const ClairGenParams  *params,
                          GError               **error)
{
  g_autoptr(ClairAttempt) attempt = clair_attempt_new ();
  g_autoptr(ClairRecord) record = NULL;
  g_autofree char *error_text = NULL;
  JsonObject *response;
  JsonObject *body = NULL;
  guint index;

  if (!parse_custom_id (member_string (line, "custom_id"), &index))
    {
      g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                           "no custom_id of the form “row-N”");
      return NULL;
    }
  record = clair_project_get_record (project, index, error);
  if (record == NULL)
    return NULL;

  attempt->row = index;
  attempt->model_requested = g_strdup (params->model);
  if (params->model != NULL)
    {
      g_autofree char *system = clair_prompt_render_system (prompt, record->task, record->solution);
      g_autofree char *user = clair_prompt_render_user (prompt, record->task, record->solution);

      /* The hash of the request this project would send, so a later run does not pay again. */
      attempt->request_hash = clair_request_hash (params, system, user);
    }
  attempt->finished_at = attempt->started_at = g_get_real_time ();
  error_text = describe_error_node (json_object_get_member (line, "error"));

  response = member_object (line, "response");
  if (response != NULL)
    {
      attempt->http_status = member_int (response, "status_code", 0);
      body = member_object (response, "body");
    }

  if (error_text == NULL && body != NULL && attempt->http_status >= 200 && attempt->http_status < 300)
    {
      JsonArray *choices = member_array (body, "choices");
      JsonObject *usage = member_object (body, "usage");
      JsonObject *choice = NULL;
      JsonObject *message = NULL;
      g_autoptr(ClairParseResult) parsed = NULL;

      attempt->model_reported = g_strdup (member_string (body, "model"));
      if (usage != NULL)
        {
          attempt->prompt_tokens = member_int (usage, "prompt_tokens", -1);
          attempt->completion_tokens = member_int (usage, "completion_tokens", -1);
        }
      if (choices != NULL && json_array_get_length (choices) > 0 &&
          JSON_NODE_HOLDS_OBJECT (json_array_get_element (choices, 0)))
        choice = json_array_get_object_element (choices, 0);
      if (choice != NULL)
        {
          attempt->finish_reason = g_strdup (member_string (choice, "finish_reason"));
          message = member_object (choice, "message");
        }
      if (message != NULL)
        attempt->raw_output = g_strdup (member_string (message, "content"));

      if (attempt->raw_output == NULL)
        {
          attempt->status = CLAIR_ROW_PARSE_FAILED;
          attempt->parse_status = g_strdup (clair_parse_status_to_string (CLAIR_PARSE_NO_MARKER));
          attempt->error = g_strdup ("The response holds no message content");
          return g_steal_pointer (&attempt);
        }

      parsed = clair_parse_reply (attempt->raw_output, attempt->finish_reason);
      attempt->status = parsed->status == CLAIR_PARSE_OK ? CLAIR_ROW_REVISED : CLAIR_ROW_PARSE_FAILED;
      attempt->parse_status = g_strdup (clair_parse_status_to_string (parsed->status));
      attempt->revision = g_strdup (parsed->revision);
      attempt->rationale = g_strdup (parsed->rationale);
      attempt->marker = g_strdup (parsed->marker);
      attempt->error = g_strdup (parsed->reason);
      if (parsed->revision != NULL)
        {
          clair_metrics_compute (record->solution, parsed->revision, &attempt->metrics);
          attempt->has_metrics = TRUE;
        }
      return g_steal_pointer (&attempt);
    }

  attempt->status = CLAIR_ROW_FAILED;
  if (error_text != NULL)
    attempt->error = g_steal_pointer (&error_text);
  else if (body != NULL && json_object_has_member (body, "error"))
    attempt->error = describe_error_node (json_object_get_member (body, "error"));
  if (attempt->error == NULL)
    attempt->error = g_strdup_printf ("The batch job answered HTTP %u for this row", attempt->http_status);
  return g_steal_pointer (&attempt);
}

gboolean
clair_import_results (ClairProject  *project,
                      const char    *path,
                      guint         *n_imported,
                      guint         *n_failed,
                      GError       **error)
{
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(ClairPrompt) prompt = NULL;
  ClairGenParams params;
  gsize length;
  guint line_no = 0;
  guint failed = 0;
  const char *p;
  const char *end;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;

  if (!clair_project_load_params (project, &params, error))
    return FALSE;

  prompt = clair_project_load_prompt (project);
  attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) clair_attempt_free);
  parser = json_parser_new ();

  /* Parse everything first: a malformed file stores nothing. */
  for (p = contents, end = contents + length; p < end; )
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize len = (eol ? eol : end) - p;
      g_autoptr(GError) local_error = NULL;
      JsonNode *root;
      ClairAttempt *attempt;

      line_no++;
      if (len == 0 || (len == 1 && *p == '\r'))
        {
          p += len + 1;
          continue;
        }

      if (!json_parser_load_from_data (parser, p, len, &local_error) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       "%s: line %u is not a batch output record: %s", path, line_no,
                       local_error ? local_error->message : "expected a JSON object");
          clair_gen_params_clear (&params);
          return FALSE;
        }

      attempt = attempt_from_result_line (project, json_node_get_object (root), prompt, &params,
                                          &local_error);
      if (attempt == NULL)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       "%s: line %u: %s", path, line_no, local_error->message);
          clair_gen_params_clear (&params);
          return FALSE;
        }

      if (attempt->status != CLAIR_ROW_REVISED)
        failed++;
      g_ptr_array_add (attempts, attempt);
      p += len + 1;
    }

  clair_gen_params_clear (&params);

  for (guint i = 0; i < attempts->len; i += 256)
    {
      guint n = MIN (256, attempts->len - i);

      if (!clair_project_add_attempts (project, (ClairAttempt **) attempts->pdata + i, n, error))
        return FALSE;
    }

  if (n_imported != NULL)
    *n_imported = attempts->len;
  if (n_failed != NULL)
    *n_failed = failed;
  return TRUE;
}
