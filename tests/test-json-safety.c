/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json-safety"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clair-enum-nick.h"
#include "clair-escape.h"
#include "clair-export.h"
#include "clair-jscan.h"
#include "clair-json.h"
#include "clair-project.h"
#include "clair-parse.h"
#include "clair-prompt.h"
#include "clair-request.h"

/* Property tests: nothing a dataset, a template, a model or an annotator can put in a string breaks
 * the JSON we send or write. Random strings built from quotes, backslashes, control characters,
 * invalid UTF-8, line and paragraph separators, emoji and template-looking text go through prompt
 * rendering, request body building, the stored parameters and every export preset. Every output
 * must be strict JSON (checked by two parsers, and by Python's json module when it is installed)
 * that gives back exactly the text that went in — with invalid UTF-8 replaced by U+FFFD, byte for
 * byte as g_utf8_make_valid() does. Run with --seed to replay a failure. */

#define N_STRINGS 400

static const char *const pieces[] = {
  "\"", "\\", "\\\"", "\"\\", "\n", "\r\n", "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "/", "</script>",
  "{{ task }}", "{{task}}", "{{ student_solution }}", "{{ student_solution", "}}", "{{", "{task}",
  "{student_solution}", "{corrected_student_solution}:", "%s", "%n", "\\u0000", "\\ud800",
  "\xc3\xa9", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xf0\x9f\x98\x80", "\xef\xbb\xbf", "\xef\xbf\xbd",
  "\xe6\x97\xa5\xe6\x9c\xac", " ", "  ", "word", "Hello, world.", "null", "true", "[", "]", "{", "}",
  ",", ":", "'", "`", "\\n",
};

/* Bytes that are never valid UTF-8 on their own or in this order. */
static const char *const bad_pieces[] = {
  "\xff", "\xfe", "\xc3", "\x80", "\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80",
  "\xf0\x9f\x98",
};

static char *
random_string (gboolean allow_invalid)
{
  GString *out = g_string_new (NULL);
  guint n = g_test_rand_int_range (0, 24);

  for (guint i = 0; i < n; i++)
    {
      guint kind = g_test_rand_int_range (0, 20);

      if (allow_invalid && kind == 0)
        g_string_append (out, bad_pieces[g_test_rand_int_range (0, G_N_ELEMENTS (bad_pieces))]);
      else if (kind == 1)
        g_string_append_c (out, (char) g_test_rand_int_range (1, 32));
      else if (kind == 2)
        g_string_append_unichar (out, g_test_rand_int_range (0x80, 0xd800));
      else
        g_string_append (out, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
    }
  return g_string_free (out, FALSE);
}

/* What a reader must get back for @text. */
static char *
expected_text (const char *text)
{
  return g_utf8_make_valid (text, -1);
}

/* Every JSON document the test produced, one per line, for the Python check at the end. */
static GString *all_documents;

static JsonNode *
parse_strict (const char *json,
              gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  ClairJscanError jerror;

  if (len < 0)
    len = strlen (json);
  g_assert_true (g_utf8_validate (json, len, NULL));
  g_assert_null (memchr (json, '\n', len));
  if (!clair_jscan_validate (json, len, &jerror))
    g_error ("invalid JSON (%s) in: %.*s", jerror.message, (int) MIN (len, 400), json);
  json_parser_load_from_data (parser, json, len, &error);
  g_assert_no_error (error);

  g_string_append_len (all_documents, json, len);
  g_string_append_c (all_documents, '\n');
  return json_node_copy (json_parser_get_root (parser));
}

/* Whether one of the KTO @lines has this prompt, completion and label (texts as expected_text()
 * gives them). */
static gboolean
kto_has_line (char       **lines,
              guint        n_lines,
              const char  *prompt,
              const char  *completion,
              gboolean     label)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* Every line was already checked by parse_strict(); this only looks for a match. */
  for (guint i = 0; i < n_lines && lines[i] != NULL; i++)
    {
      JsonObject *object;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      object = json_node_get_object (json_parser_get_root (parser));

      if (json_object_get_boolean_member (object, "label") == label &&
          g_strcmp0 (json_object_get_string_member (object, "prompt"), prompt) == 0 &&
          g_strcmp0 (json_object_get_string_member (object, "completion"), completion) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
with_trailing_space_of (const char *text,
                        const char *original)
{
  gsize len = strlen (text);
  gsize original_len = strlen (original);
  gsize original_end = original_len;

  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  while (original_end > 0 && g_ascii_isspace (original[original_end - 1]))
    original_end--;
  return g_strdup_printf ("%.*s%s", (int) len, text, original + original_end);
}

static void
assert_member_text (JsonObject *object,
                    const char *member,
                    const char *text)
{
  g_autofree char *expected = expected_text (text);
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

static void
test_string_writer (void)
{
  for (guint i = 0; i < N_STRINGS * 4; i++)
    {
      g_autofree char *text = random_string (TRUE);
      g_autoptr(GString) json = g_string_new ("{\"v\":");
      g_autoptr(JsonNode) root = NULL;

      clair_json_append_string (json, text, -1);
      g_string_append_c (json, '}');
      root = parse_strict (json->str, json->len);
      assert_member_text (json_node_get_object (root), "v", text);

      /* The scanner decodes it back to the same text too. */
      {
        g_autofree char *expected = expected_text (text);
        const char *start = json->str + 5;
        gsize len = json->len - 6;
        gsize out_len;
        g_autofree char *decoded = clair_jscan_unescape (start, len, &out_len);

        g_assert_cmpstr (decoded, ==, expected);
      }
    }
}

static void
test_doubles (void)
{
  static const double fixed[] = {
    0.0, -0.0, 0.7, 1e-08, 1e-300, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1.0 / 3.0, -2.5,
    1e21, 123456789012345678.0, INFINITY, -INFINITY, NAN,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixed) + 2000; i++)
    {
      double value;
      g_autoptr(GString) json = g_string_new ("[");
      g_autoptr(JsonNode) root = NULL;
      JsonNode *element;

      if (i < G_N_ELEMENTS (fixed))
        value = fixed[i];
      else
        {
          guint64 bits = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
          memcpy (&value, &bits, sizeof value);
        }

      clair_json_append_double (json, value);
      g_string_append_c (json, ']');
      root = parse_strict (json->str, json->len);
      element = json_array_get_element (json_node_get_array (root), 0);
      if (!isfinite (value))
        {
          g_assert_true (JSON_NODE_HOLDS_NULL (element));
          continue;
        }
      /* json-glib reads "1" as an integer. */
      if (json_node_get_value_type (element) == G_TYPE_INT64)
        g_assert_cmpfloat (value, ==, (double) json_node_get_int (element));
      else
        g_assert_cmpfloat (value, ==, json_node_get_double (element));
    }
}

static void
test_prompt_rendering (void)
{
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);

  for (guint i = 0; i < N_STRINGS; i++)
    {
      g_autofree char *task = random_string (FALSE);
      g_autofree char *solution = random_string (FALSE);
      g_autofree char *user = clair_prompt_render_user (prompt, task, solution);
      g_autofree char *marked = clair_prompt_render_user (prompt, "\x02T\x02", "\x02S\x02");
      g_auto(GStrv) parts = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *system = clair_prompt_render_system (prompt, task, solution);

      /* Values are inserted verbatim, exactly once, and never re-scanned for placeholders. */
      parts = g_strsplit (marked, "\x02T\x02", 2);
      g_assert_cmpuint (g_strv_length (parts), ==, 2);
      {
        g_auto(GStrv) tail = g_strsplit (parts[1], "\x02S\x02", 2);

        g_assert_cmpuint (g_strv_length (tail), ==, 2);
        expected = g_strconcat (parts[0], task, tail[0], solution, tail[1], NULL);
      }
      g_assert_cmpstr (user, ==, expected);
      g_assert_cmpstr (system, ==, clair_prompt_default_system);

      /* A user template made of hostile text renders to valid UTF-8 that holds the values. */
      {
        g_autofree char *noise = random_string (FALSE);
        g_autofree char *template_text = g_strconcat (noise, "{{task}}|", "{{ student_solution }}",
                                                      NULL);
        g_autofree char *rendered = clair_prompt_render_template (template_text, task, solution);

        g_assert_true (g_utf8_validate (rendered, -1, NULL));
        g_assert_nonnull (strstr (rendered, solution));
      }
    }
}

static void
random_params (ClairGenParams *params)
{
  static const double values[] = { NAN, 0.0, 0.7, 1e-08, 1.0, 2.0, 0.95, 1e-300 };

  clair_gen_params_init (params);
  params->model = random_string (FALSE);
  params->temperature = values[g_test_rand_int_range (0, G_N_ELEMENTS (values))];
  params->top_p = values[g_test_rand_int_range (0, G_N_ELEMENTS (values))];
  params->presence_penalty = values[g_test_rand_int_range (0, G_N_ELEMENTS (values))];
  params->frequency_penalty = values[g_test_rand_int_range (0, G_N_ELEMENTS (values))];
  params->max_tokens = g_test_rand_int_range (-1, 3) * 2048;
  params->has_seed = g_test_rand_bit ();
  params->seed = (gint64) g_test_rand_int () - G_MAXINT32;
  if (g_test_rand_bit ())
    {
      guint n = g_test_rand_int_range (1, 5);

      params->stop = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        params->stop[i] = random_string (FALSE);
    }
}

static void
assert_number_member (JsonObject *object,
                      const char *member,
                      double      value)
{
  if (isnan (value))
    {
      g_assert_false (json_object_has_member (object, member));
      return;
    }
  g_assert_true (json_object_has_member (object, member));
  g_assert_cmpfloat (json_object_get_double_member (object, member), ==, value);
}

static void
assert_no_null (JsonNode *node)
{
  g_assert_false (JSON_NODE_HOLDS_NULL (node));
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_values (json_node_get_object (node));

      for (GList *l = members; l != NULL; l = l->next)
        assert_no_null (l->data);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        assert_no_null (json_array_get_element (array, i));
    }
}

static void
test_request_body (void)
{
  for (guint i = 0; i < N_STRINGS; i++)
    {
      ClairGenParams params, again;
      g_autofree char *system = random_string (TRUE);
      g_autofree char *user = random_string (TRUE);
      gboolean stream = g_test_rand_bit ();
      g_autofree char *body = NULL;
      g_autofree char *stored = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonNode) stored_root = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *object;
      JsonArray *messages;

      random_params (&params);
      body = clair_request_build_body (&params, system, user, stream);
      root = parse_strict (body, -1);
      object = json_node_get_object (root);

      assert_member_text (object, "model", params.model);
      messages = json_object_get_array_member (object, "messages");
      g_assert_cmpuint (json_array_get_length (messages), ==, 2);
      assert_member_text (json_array_get_object_element (messages, 0), "role", "system");
      assert_member_text (json_array_get_object_element (messages, 0), "content", system);
      assert_member_text (json_array_get_object_element (messages, 1), "role", "user");
      assert_member_text (json_array_get_object_element (messages, 1), "content", user);
      assert_number_member (object, "temperature", params.temperature);
      assert_number_member (object, "top_p", params.top_p);
      assert_number_member (object, "presence_penalty", params.presence_penalty);
      assert_number_member (object, "frequency_penalty", params.frequency_penalty);
      g_assert_cmpint (json_object_get_boolean_member_with_default (object, "stream", FALSE), ==,
                       stream);
      /* Never a null anywhere: TGI rejects them. */
      assert_no_null (root);
      if (params.stop != NULL)
        {
          JsonArray *stop = json_object_get_array_member (object, "stop");

          g_assert_cmpuint (json_array_get_length (stop), ==, g_strv_length (params.stop));
          for (guint j = 0; params.stop[j] != NULL; j++)
            {
              g_autofree char *expected = expected_text (params.stop[j]);
              g_assert_cmpstr (json_array_get_string_element (stop, j), ==, expected);
            }
        }

      /* The stored parameters round-trip exactly. */
      stored = clair_gen_params_to_json (&params);
      stored_root = parse_strict (stored, -1);
      clair_gen_params_init (&again);
      g_assert_true (clair_gen_params_from_json (&again, stored, &error));
      g_assert_no_error (error);
      /* An empty model name reads back as unset; both send "model":"". */
      g_assert_cmpstr (again.model != NULL ? again.model : "", ==, params.model);
      g_assert_cmpint (again.has_seed, ==, params.has_seed);
      if (params.stop != NULL)
        g_assert_true (g_strv_equal ((const char * const *) again.stop,
                                     (const char * const *) params.stop));
      else
        g_assert_true (again.stop == NULL || again.stop[0] == NULL);
      {
        g_autofree char *body_again = clair_request_build_body (&again, system, user, stream);
        g_assert_cmpstr (body_again, ==, body);
      }

      clair_gen_params_clear (&again);
      clair_gen_params_clear (&params);
    }
}

/* Every export preset over a project whose rows, revisions, rationales, edits and notes are all
 * hostile text. */

typedef struct
{
  char *task;
  char *solution;
  char *revision;
  char *rationale;
  char *edited;
} HostileRow;

static void
hostile_row_clear (HostileRow *row)
{
  g_free (row->task);
  g_free (row->solution);
  g_free (row->revision);
  g_free (row->rationale);
  g_free (row->edited);
}

static char *
export_preset (ClairProject      *project,
               const char        *dir,
               ClairExportFormat  format,
               ClairGenParams    *params)
{
  ClairExportOptions options = { format, CLAIR_EXPORT_SELECT_ALL, TRUE, NULL, params };
  g_autofree char *path = g_build_filename (dir, clair_enum_to_nick (CLAIR_TYPE_EXPORT_FORMAT,
                                                                    format), NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  clair_export_to_file (project, &options, path, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_unlink (path);
  return contents;
}

static const char *
message_content (JsonNode *node,
                 guint     index,
                 const char *role)
{
  JsonArray *array = json_node_get_array (node);
  JsonObject *message = json_array_get_object_element (array, index);

  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, role);
  return json_object_get_string_member (message, "content");
}

static void
test_exports (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clair-json-safety-XXXXXX", &error);
  g_autofree char *dataset_path = g_build_filename (dir, "hostile.jsonl", NULL);
  g_autofree char *project_path = g_build_filename (dir, "hostile.clair", NULL);
  g_autoptr(GString) dataset_text = g_string_new (NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
  ClairMapping mapping = { (char *) "task", (char *) "student_solution" };
  ClairImportReport report = { 0, NULL };
  const guint n_rows = 120;
  ClairGenParams params;
  HostileRow rows[120];
  ClairExportFormat formats[] = {
    CLAIR_EXPORT_TRL, CLAIR_EXPORT_TRL_CHAT, CLAIR_EXPORT_KTO, CLAIR_EXPORT_CONTEXTUAL,
    CLAIR_EXPORT_DISTILABEL, CLAIR_EXPORT_BATCH_REQUESTS,
  };

  g_assert_no_error (error);

  /* The dataset holds only valid UTF-8 (a reader refuses anything else); the JSON writer escapes
   * it, so the file is a faithful carrier of hostile text. */
  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *revision = random_string (TRUE);
      g_autofree char *edited = random_string (FALSE);

      /* A revision is never empty: a parse that yields nothing fails the row. */
      rows[i].task = random_string (FALSE);
      rows[i].solution = random_string (FALSE);
      rows[i].revision = g_strconcat ("R", revision, NULL);
      rows[i].rationale = random_string (TRUE);
      rows[i].edited = g_test_rand_bit () ? g_strconcat ("E", edited, NULL) : NULL;

      g_string_append (dataset_text, "{\"id\":");
      clair_json_append_int (dataset_text, i);
      g_string_append (dataset_text, ",\"task\":");
      clair_json_append_string (dataset_text, rows[i].task, -1);
      g_string_append (dataset_text, ",\"student_solution\":");
      clair_json_append_string (dataset_text, rows[i].solution, -1);
      g_string_append (dataset_text, ",\"meta\":");
      clair_json_append_string (dataset_text, rows[i].rationale, -1);
      /* Numbers and literals of every length, and nesting, must come out as they went in. */
      g_string_append_printf (dataset_text, ",\"n\":%u.25e-3,\"flag\":%s,\"none\":null,"
                              "\"nested\":{\"a\":[true,false,null,-12]}}\n",
                              i * 1001, i % 2 ? "true" : "false");
    }
  g_file_set_contents (dataset_path, dataset_text->str, dataset_text->len, &error);
  g_assert_no_error (error);

  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_JSONL, &error);
  g_assert_no_error (error);
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, &error);
  g_assert_no_error (error);
  clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, n_rows);
  clair_import_report_clear (&report);

  for (guint i = 0; i < n_rows; i++)
    {
      ClairAttempt *attempt = clair_attempt_new ();
      g_autofree char *note = random_string (TRUE);

      attempt->row = i;
      attempt->status = CLAIR_ROW_REVISED;
      attempt->revision = g_strdup (rows[i].revision);
      attempt->rationale = g_strdup (rows[i].rationale);
      attempt->raw_output = g_strconcat (rows[i].rationale, "\n{corrected_student_solution}:\n",
                                         rows[i].revision, NULL);
      attempt->marker = g_strdup ("{corrected_student_solution}:");
      attempt->parse_status = g_strdup ("ok");
      attempt->finish_reason = g_strdup ("stop");
      attempt->model_requested = random_string (TRUE);
      attempt->model_reported = random_string (TRUE);
      attempt->prompt_tokens = 10;
      attempt->completion_tokens = 20;
      clair_project_add_attempts (project, &attempt, 1, &error);
      g_assert_no_error (error);
      clair_attempt_free (attempt);

      clair_project_set_decision (project, i, CLAIR_DECISION_ACCEPTED, rows[i].edited, note, &error);
      g_assert_no_error (error);
    }

  /* A model name is required for batch files; make it hostile too. */
  random_params (&params);
  {
    g_autofree char *model = params.model;
    params.model = g_strconcat ("m", model, NULL);
  }

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *contents = export_preset (project, dir, formats[f], &params);
      g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
      guint per_row = formats[f] == CLAIR_EXPORT_KTO ? 2 : 1;

      g_test_message ("preset %s", clair_enum_to_nick (CLAIR_TYPE_EXPORT_FORMAT, formats[f]));
      g_assert_cmpuint (g_strv_length (lines), ==, n_rows * per_row + 1);
      g_assert_cmpstr (lines[n_rows * per_row], ==, "");

      for (guint i = 0; i < n_rows; i++)
        {
          HostileRow *row = &rows[i];
          const char *chosen_raw = row->edited != NULL ? row->edited : row->revision;
          /* Pair formats give the chosen text the original's trailing whitespace. */
          g_autofree char *chosen = formats[f] == CLAIR_EXPORT_DISTILABEL ? g_strdup (chosen_raw)
                                    : with_trailing_space_of (chosen_raw, row->solution);
          g_autofree char *task = expected_text (row->task);
          g_autofree char *solution = expected_text (row->solution);
          g_autofree char *chosen_text = expected_text (chosen);
          /* KTO writes every desirable line, then every undesirable one. */
          g_autoptr(JsonNode) root = parse_strict (lines[i], -1);
          JsonObject *object = json_node_get_object (root);

          switch (formats[f])
            {
            case CLAIR_EXPORT_TRL:
              assert_member_text (object, "prompt", row->task);
              assert_member_text (object, "chosen", chosen);
              assert_member_text (object, "rejected", row->solution);
              assert_member_text (object, "rational", row->rationale);
              break;
            case CLAIR_EXPORT_TRL_CHAT:
              g_assert_cmpstr (message_content (json_object_get_member (object, "prompt"), 0, "user"),
                               ==, task);
              g_assert_cmpstr (message_content (json_object_get_member (object, "chosen"), 0,
                                                "assistant"), ==, chosen_text);
              g_assert_cmpstr (message_content (json_object_get_member (object, "rejected"), 0,
                                                "assistant"), ==, solution);
              break;
            case CLAIR_EXPORT_KTO:
              /* Rows that share a prompt (random tasks can repeat) are moved apart, so each row's
               * two lines are looked for among all of them; the second half is checked strictly
               * like the first. */
              json_node_unref (parse_strict (lines[n_rows + i], -1));
              g_assert_true (kto_has_line (lines, n_rows * 2, task, chosen_text, TRUE));
              g_assert_true (kto_has_line (lines, n_rows * 2, task, solution, FALSE));
              break;
            case CLAIR_EXPORT_CONTEXTUAL:
              assert_member_text (object, "prompt", row->task);
              assert_member_text (object, "rational", row->rationale);
              g_assert_cmpstr (message_content (json_object_get_member (object, "chosen"), 0, "user"),
                               ==, task);
              g_assert_cmpstr (message_content (json_object_get_member (object, "chosen"), 1,
                                                "assistant"), ==, chosen_text);
              g_assert_cmpstr (message_content (json_object_get_member (object, "rejected"), 1,
                                                "assistant"), ==, solution);
              break;
            case CLAIR_EXPORT_DISTILABEL:
              g_assert_cmpint (json_object_get_int_member (object, "id"), ==, i);
              assert_member_text (object, "task", row->task);
              assert_member_text (object, "student_solution", row->solution);
              assert_member_text (object, "meta", row->rationale);
              g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "n"),
                                              (i * 1001 + 0.25) * 1e-3, 1e-9);
              g_assert_cmpint (json_object_get_boolean_member (object, "flag"), ==, i % 2);
              g_assert_true (json_object_get_null_member (object, "none"));
              g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (
                                 json_object_get_object_member (object, "nested"), "a"), 3), ==, -12);
              assert_member_text (object, "revision", chosen);
              /* distilabel's own reading of the reply, where it finds one. */
              {
                /* The raw output as stored and exported (invalid UTF-8 already replaced). */
                const char *raw = json_object_get_string_member (
                  json_object_get_object_member (object, "distilabel_metadata"), "raw_output_c_l_a_i_r_0");
                g_autoptr(ClairParseResult) parsed = clair_parse_reply_distilabel (raw);

                g_autofree char *stored = expected_text (row->rationale);
                const char *rational = json_object_get_string_member (object, "rational");

                /* distilabel's reading where it finds one, else the stored rationale. */
                g_assert_true (g_strcmp0 (rational, parsed->rationale) == 0 || g_strcmp0 (rational, stored) == 0);
              }
              break;
            case CLAIR_EXPORT_BATCH_REQUESTS:
              {
                g_autofree char *user = clair_prompt_render_user (prompt, row->task, row->solution);
                g_autofree char *custom_id = g_strdup_printf ("row-%u", i);
                JsonObject *body = json_object_get_object_member (object, "body");
                JsonArray *messages = json_object_get_array_member (body, "messages");
                guint n = json_array_get_length (messages);

                assert_member_text (object, "custom_id", custom_id);
                assert_member_text (body, "model", params.model);
                assert_member_text (json_array_get_object_element (messages, n - 1), "content",
                                    user);
              }
              break;
            default:
              g_assert_not_reached ();
            }
        }
    }

  for (guint i = 0; i < n_rows; i++)
    hostile_row_clear (&rows[i]);
  clair_gen_params_clear (&params);
  g_clear_object (&project);
  {
    g_autofree char *wal = g_strconcat (project_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (project_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_unlink (project_path);
  g_unlink (dataset_path);
  g_rmdir (dir);
}

/* An independent strict parser: Python's json module (when Python is there) rejects raw control
 * characters, and encoding its result to UTF-8 rejects lone surrogates. */
static void
test_python_oracle (void)
{
  static const char script[] =
    "import json, sys\n"
    "n = 0\n"
    "for line in open(sys.argv[1], encoding='utf-8', errors='strict'):\n"
    "    json.dumps(json.loads(line), ensure_ascii=False).encode('utf-8')\n"
    "    n += 1\n"
    "print(n)\n";
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int fd, status;

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  g_assert_cmpuint (all_documents->len, >, 0);
  fd = g_file_open_tmp ("clair-json-safety-XXXXXX.jsonl", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, all_documents->str, all_documents->len, &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { python, "-c", script, path, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                  &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("Python rejected a document: %s", err);
  g_test_message ("Python parsed %s documents", g_strstrip (out));
  {
    guint64 n_lines = 0;

    for (const char *p = all_documents->str; (p = strchr (p, '\n')) != NULL; p++)
      n_lines++;
    g_assert_cmpuint (g_ascii_strtoull (out, NULL, 10), ==, n_lines);
  }
  g_unlink (path);
}

static void
collect_text (GMarkupParseContext *context,
              const char          *text,
              gsize                text_len,
              gpointer             user_data,
              GError             **error)
{
  g_string_append_len (user_data, text, text_len);
}

/* Text from outside made visible for a terminal or a label: controls and stray bytes become
 * escapes, newlines stay only in blocks, and for markup the three special characters are escaped
 * too, so that what results parses as Pango markup and reads as the original did. */
static void
test_escape_controls (void)
{
  static const char hostile[] = "a\x1b[2J\x07 <b>&amp;</b>\n\tz \xc2\x9b \x9b é";
  g_autofree char *line = clair_escape_controls (hostile, CLAIR_ESCAPE_LINE);
  g_autofree char *block = clair_escape_controls (hostile, CLAIR_ESCAPE_BLOCK);
  g_autofree char *markup = clair_escape_controls (hostile, CLAIR_ESCAPE_LINE | CLAIR_ESCAPE_MARKUP);
  g_autofree char *parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (line, ==, "a\\e[2J\\x07 <b>&amp;</b>\\x0a\\x09z \\xc2\\x9b \\x9b é");
  g_assert_cmpstr (block, ==, "a\\e[2J\\x07 <b>&amp;</b>\n\tz \\xc2\\x9b \\x9b é");
  g_assert_cmpstr (markup, ==, "a\\e[2J\\x07 &lt;b&gt;&amp;amp;&lt;/b&gt;\\x0a\\x09z \\xc2\\x9b \\x9b é");
  g_assert_true (g_utf8_validate (line, -1, NULL));
  /* Markup that parses back to exactly the line form. */
  {
    g_autofree char *wrapped = g_strconcat ("<m>", markup, "</m>", NULL);
    GMarkupParseContext *context;
    GString *text = g_string_new (NULL);
    GMarkupParser parser = { .text = collect_text };

    context = g_markup_parse_context_new (&parser, 0, text, NULL);
    g_assert_true (g_markup_parse_context_parse (context, wrapped, -1, &error));
    g_assert_no_error (error);
    g_assert_true (g_markup_parse_context_end_parse (context, &error));
    g_markup_parse_context_free (context);
    parsed = g_string_free (text, FALSE);
  }
  g_assert_cmpstr (parsed, ==, line);
  g_assert_null (clair_escape_controls (NULL, CLAIR_ESCAPE_LINE));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  all_documents = g_string_new (NULL);

  g_test_add_func ("/json-safety/string-writer", test_string_writer);
  g_test_add_func ("/json-safety/doubles", test_doubles);
  g_test_add_func ("/json-safety/prompt-rendering", test_prompt_rendering);
  g_test_add_func ("/json-safety/request-body", test_request_body);
  g_test_add_func ("/json-safety/exports", test_exports);
  g_test_add_func ("/json-safety/python-oracle", test_python_oracle);
  g_test_add_func ("/json-safety/escape-controls", test_escape_controls);

  return g_test_run ();
}
