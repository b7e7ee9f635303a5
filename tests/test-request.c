/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-request"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "clair-error.h"
#include "clair-request.h"

#define MESSAGES "\"messages\":[{\"role\":\"system\",\"content\":\"S\"}," \
                 "{\"role\":\"user\",\"content\":\"U\"}]"

static JsonNode *
parse_or_fail (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_minimal_body (void)
{
  ClairGenParams params;
  g_autofree char *body = NULL;
  g_autofree char *streamed = NULL;

  clair_gen_params_init (&params);
  params.model = g_strdup ("gpt-4o");
  body = clair_request_build_body (&params, "S", "U", FALSE);
  streamed = clair_request_build_body (&params, "S", "U", TRUE);
  clair_gen_params_clear (&params);

  g_assert_cmpstr (body, ==, "{\"model\":\"gpt-4o\"," MESSAGES "}");
  g_assert_cmpstr (streamed, ==, "{\"model\":\"gpt-4o\"," MESSAGES
                   ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
}

static void
test_full_body (void)
{
  ClairGenParams params;
  g_autofree char *body = NULL;
  g_autofree char *streamed = NULL;

  clair_gen_params_init (&params);
  params.model = g_strdup ("o3-mini");
  params.temperature = 0.7;
  params.top_p = 0.95;
  params.max_tokens = 4096;
  params.max_tokens_field = g_strdup ("max_completion_tokens");
  params.has_seed = TRUE;
  params.seed = 0;
  clair_gen_params_add_stop (&params, "</s>");
  clair_gen_params_add_stop (&params, "\n\n\"end\"");
  params.presence_penalty = -0.5;
  params.frequency_penalty = 1e-08;
  body = clair_request_build_body (&params, "S", "U", FALSE);
  streamed = clair_request_build_body (&params, "S", "U", TRUE);
  clair_gen_params_clear (&params);

  g_assert_cmpstr (body, ==,
                   "{\"model\":\"o3-mini\"," MESSAGES ",\"temperature\":0.7,\"top_p\":0.95,"
                   "\"max_completion_tokens\":4096,\"seed\":0,"
                   "\"stop\":[\"</s>\",\"\\n\\n\\\"end\\\"\"],"
                   "\"presence_penalty\":-0.5,\"frequency_penalty\":1e-08}");
  g_assert_true (g_str_has_suffix (streamed, ",\"frequency_penalty\":1e-08,\"stream\":true,"
                                   "\"stream_options\":{\"include_usage\":true}}"));
}

static void
test_partial_bodies (void)
{
  ClairGenParams params;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  clair_gen_params_init (&params);
  params.model = g_strdup ("llama3");
  params.temperature = 0;
  params.max_tokens = 1;
  a = clair_request_build_body (&params, "S", "U", FALSE);
  g_assert_cmpstr (a, ==, "{\"model\":\"llama3\"," MESSAGES ",\"temperature\":0,\"max_tokens\":1}");

  /* One stop sequence is still an array (TGI rejects a string); zero or negative max_tokens,
   * NAN sampling values and no seed are left out. */
  params.temperature = NAN;
  params.max_tokens = 0;
  params.top_p = 1.0;
  clair_gen_params_add_stop (&params, "STOP");
  b = clair_request_build_body (&params, "S", "U", FALSE);
  g_assert_cmpstr (b, ==, "{\"model\":\"llama3\"," MESSAGES ",\"top_p\":1,\"stop\":[\"STOP\"]}");

  /* More than four stop sequences: only four are sent, and validation says so. */
  clair_gen_params_add_stop (&params, "2");
  clair_gen_params_add_stop (&params, "3");
  clair_gen_params_add_stop (&params, "4");
  clair_gen_params_add_stop (&params, "5");
  params.has_seed = TRUE;
  params.seed = G_MAXINT64;
  params.max_tokens = -3;
  c = clair_request_build_body (&params, NULL, "U", FALSE);
  g_assert_cmpstr (c, ==, "{\"model\":\"llama3\","
                   "\"messages\":[{\"role\":\"user\",\"content\":\"U\"}],"
                   "\"top_p\":1,\"seed\":9223372036854775807,"
                   "\"stop\":[\"STOP\",\"2\",\"3\",\"4\"]}");
  clair_gen_params_clear (&params);
  g_assert_null (params.stop);
  g_assert_true (isnan (params.temperature));
}

static void
test_body_parses (void)
{
  ClairGenParams params;
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *messages;
  JsonObject *options;
  const char *system = "Sys \"quoted\" {task}\n\ttab \x01 ctl";
  const char *user = "Ünïcödé {{ task }} \\ backslash \xff invalid";

  clair_gen_params_init (&params);
  params.model = g_strdup ("m\"odel");
  params.temperature = 0.3;
  params.max_tokens = 100;
  clair_gen_params_add_stop (&params, "x");
  body = clair_request_build_body (&params, system, user, TRUE);
  clair_gen_params_clear (&params);

  g_assert_null (strstr (body, "null"));
  root = parse_or_fail (body);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "model"), ==, "m\"odel");
  messages = json_object_get_array_member (object, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                  "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                  "content"), ==, system);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1),
                                                  "content"), ==,
                   "Ünïcödé {{ task }} \\ backslash \xef\xbf\xbd invalid");
  g_assert_cmpfloat (json_object_get_double_member (object, "temperature"), ==, 0.3);
  g_assert_cmpint (json_object_get_int_member (object, "max_tokens"), ==, 100);
  g_assert_true (json_object_get_boolean_member (object, "stream"));
  options = json_object_get_object_member (object, "stream_options");
  g_assert_true (json_object_get_boolean_member (options, "include_usage"));
  g_assert_false (json_object_has_member (object, "seed"));
  g_assert_false (json_object_has_member (object, "top_p"));
}

static void
test_hash (void)
{
  ClairGenParams base;
  g_autofree char *h0 = NULL;
  g_autofree char *h0_again = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *body = NULL;
  g_autofree char *body_hash = NULL;

  clair_gen_params_init (&base);
  base.model = g_strdup ("m");
  base.temperature = 0.7;
  base.max_tokens = 512;
  h0 = clair_request_hash (&base, "S", "U");
  h0_again = clair_request_hash (&base, "S", "U");
  g_assert_cmpuint (strlen (h0), ==, 64);
  g_assert_cmpstr (h0, ==, h0_again);

  /* It is the SHA-256 of the non-streaming body. */
  body = clair_request_build_body (&base, "S", "U", FALSE);
  body_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
  g_assert_cmpstr (h0, ==, body_hash);
  g_hash_table_add (seen, g_strdup (h0));

  /* Every parameter, and each message, changes it. */
  for (guint variant = 0; variant < 14; variant++)
    {
      ClairGenParams p;
      const char *system = "S";
      const char *user = "U";
      char *h;

      clair_gen_params_copy (&base, &p);
      switch (variant)
        {
        case 0: g_free (p.model); p.model = g_strdup ("m2"); break;
        case 1: p.temperature = 0.70000001; break;
        case 2: p.temperature = NAN; break;
        case 3: p.top_p = 0.9; break;
        case 4: p.max_tokens = 513; break;
        case 5: p.max_tokens_field = g_strdup ("max_completion_tokens"); break;
        case 6: p.has_seed = TRUE; p.seed = 1; break;
        case 7: p.has_seed = TRUE; p.seed = 2; break;
        case 8: clair_gen_params_add_stop (&p, "x"); break;
        case 9: p.presence_penalty = 0.1; break;
        case 10: p.frequency_penalty = 0.1; break;
        case 11: system = "S "; break;
        case 12: user = "u"; break;
        case 13: system = NULL; break;
        default: g_assert_not_reached ();
        }
      h = clair_request_hash (&p, system, user);
      g_assert_false (g_hash_table_contains (seen, h));
      g_hash_table_add (seen, h);
      clair_gen_params_clear (&p);
    }
  clair_gen_params_clear (&base);
}

static void
check_round_trip (const ClairGenParams *params)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = clair_gen_params_to_json (params);
  g_autofree char *again = NULL;
  g_autofree char *body_a = NULL;
  g_autofree char *body_b = NULL;
  g_autoptr(JsonNode) root = parse_or_fail (json);
  ClairGenParams loaded;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  clair_gen_params_init (&loaded);
  g_assert_true (clair_gen_params_from_json (&loaded, json, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (loaded.model, ==, params->model);
  g_assert_cmpstr (loaded.max_tokens_field, ==, params->max_tokens_field);
  g_assert_true (isnan (loaded.temperature) == isnan (params->temperature));
  if (!isnan (params->temperature))
    g_assert_cmpfloat (loaded.temperature, ==, params->temperature);
  if (!isnan (params->top_p))
    g_assert_cmpfloat (loaded.top_p, ==, params->top_p);
  if (!isnan (params->frequency_penalty))
    g_assert_cmpfloat (loaded.frequency_penalty, ==, params->frequency_penalty);
  g_assert_cmpint (loaded.max_tokens, ==, MAX (params->max_tokens, 0));
  g_assert_cmpint (loaded.has_seed, ==, params->has_seed);
  if (params->has_seed)
    g_assert_cmpint (loaded.seed, ==, params->seed);

  again = clair_gen_params_to_json (&loaded);
  g_assert_cmpstr (again, ==, json);
  body_a = clair_request_build_body (params, "S", "U", TRUE);
  body_b = clair_request_build_body (&loaded, "S", "U", TRUE);
  g_assert_cmpstr (body_a, ==, body_b);
  clair_gen_params_clear (&loaded);
}

static void
test_json_round_trip (void)
{
  ClairGenParams params;

  clair_gen_params_init (&params);
  check_round_trip (&params);

  params.model = g_strdup ("gpt-4o");
  params.temperature = 0.7;
  params.max_tokens = 4096;
  check_round_trip (&params);

  params.top_p = 0.1;
  params.presence_penalty = -2;
  params.frequency_penalty = 1e-08;
  params.max_tokens_field = g_strdup ("max_completion_tokens");
  params.has_seed = TRUE;
  params.seed = -42;
  clair_gen_params_add_stop (&params, "\n\n");
  clair_gen_params_add_stop (&params, "ü\"");
  check_round_trip (&params);

  clair_gen_params_clear (&params);
}

static void
test_from_json_errors (void)
{
  const char *bad[] = {
    "",
    "[1]",
    "{\"temperature\":\"hot\"}",
    "{\"max_tokens\":1.5}",
    "{\"seed\":true}",
    "{\"model\":3}",
    "{\"stop\":[1]}",
    "{\"stop\":{}}",
    "{not json",
  };
  ClairGenParams params;

  clair_gen_params_init (&params);
  params.model = g_strdup ("keep");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (clair_gen_params_from_json (&params, bad[i], &error));
      g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
      g_assert_cmpstr (params.model, ==, "keep");
    }

  /* Members that are missing or null are unset; a lone stop string is one stop sequence;
   * an integer temperature is fine. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (clair_gen_params_from_json (&params, "{\"temperature\":1,\"top_p\":null,"
                                               "\"stop\":\"END\",\"unknown\":[]}", &error));
    g_assert_no_error (error);
    g_assert_null (params.model);
    g_assert_cmpfloat (params.temperature, ==, 1.0);
    g_assert_true (isnan (params.top_p));
    g_assert_cmpuint (g_strv_length (params.stop), ==, 1);
    g_assert_cmpstr (params.stop[0], ==, "END");
    g_assert_false (params.has_seed);
  }
  clair_gen_params_clear (&params);
}

static void
test_validate (void)
{
  ClairGenParams params;
  g_autoptr(GError) error = NULL;

  clair_gen_params_init (&params);
  g_assert_false (clair_gen_params_validate (&params, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "model"));
  g_clear_error (&error);

  params.model = g_strdup ("m");
  g_assert_true (clair_gen_params_validate (&params, &error));
  g_assert_no_error (error);

  params.temperature = 2.5;
  g_assert_false (clair_gen_params_validate (&params, &error));
  g_assert_nonnull (strstr (error->message, "temperature"));
  g_clear_error (&error);
  params.temperature = 0.7;

  params.max_tokens_field = g_strdup ("max_new_tokens");
  g_assert_false (clair_gen_params_validate (&params, &error));
  g_assert_nonnull (strstr (error->message, "max_new_tokens"));
  g_clear_error (&error);
  g_clear_pointer (&params.max_tokens_field, g_free);

  for (guint i = 0; i < 4; i++)
    clair_gen_params_add_stop (&params, "s");
  g_assert_true (clair_gen_params_validate (&params, &error));
  clair_gen_params_add_stop (&params, "s");
  g_assert_false (clair_gen_params_validate (&params, &error));
  g_assert_nonnull (strstr (error->message, "at most 4"));
  g_clear_error (&error);
  g_clear_pointer (&params.stop, g_strfreev);

  clair_gen_params_add_stop (&params, "");
  g_assert_false (clair_gen_params_validate (&params, &error));
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  clair_gen_params_clear (&params);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/request/minimal-body", test_minimal_body);
  g_test_add_func ("/request/full-body", test_full_body);
  g_test_add_func ("/request/partial-bodies", test_partial_bodies);
  g_test_add_func ("/request/body-parses", test_body_parses);
  g_test_add_func ("/request/hash", test_hash);
  g_test_add_func ("/request/json-round-trip", test_json_round_trip);
  g_test_add_func ("/request/from-json-errors", test_from_json_errors);
  g_test_add_func ("/request/validate", test_validate);

  return g_test_run ();
}
