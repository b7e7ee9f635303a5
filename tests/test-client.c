/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-client"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "clair-client.h"
#include "clair-endpoint.h"
#include "clair-project.h"
#include "clair-error.h"
#include "clair-request.h"
#include "clair-sse.h"
#include "clair-test-http.h"

/* The client against the real test server (tests/clair-test-server.c) over loopback. */

static void
got_reply_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ClairReply **reply = user_data;

  *reply = clair_client_chat_finish (CLAIR_CLIENT (source), result);
  g_assert_nonnull (*reply);
  g_main_context_wakeup (NULL);
}

static void
collect_delta_cb (const char *text,
                  gsize       len,
                  gpointer    user_data)
{
  g_string_append_len (user_data, text, len);
}

static char *
make_body (const char *model,
           const char *task,
           const char *solution,
           gboolean    stream)
{
  ClairGenParams params;
  g_autofree char *user = g_strdup_printf ("{task}: %s\n\n{student_solution}: %s\n\n"
                                           "-----------------\n\nLet's first think.", task, solution);
  char *body;

  clair_gen_params_init (&params);
  params.model = g_strdup (model);
  params.temperature = 0.7;
  params.max_tokens = 256;
  body = clair_request_build_body (&params, "You are a teacher.", user, stream);
  clair_gen_params_clear (&params);
  return body;
}

static ClairReply *
chat_full (ClairClient  *client,
           const char   *model,
           gboolean      stream,
           GCancellable *cancellable,
           GString      *deltas)
{
  g_autofree char *text = make_body (model, "add one and one", "it is  two", stream);
  g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
  ClairReply *reply = NULL;

  clair_client_chat_async (client, body, stream, cancellable, deltas ? collect_delta_cb : NULL,
                           deltas, got_reply_cb, &reply);
  while (reply == NULL)
    g_main_context_iteration (NULL, TRUE);
  return reply;
}

static ClairReply *
chat (ClairClient *client,
      const char  *model,
      gboolean     stream)
{
  return chat_full (client, model, stream, NULL, NULL);
}

static ClairClient *
client_for (ClairTestServer *server,
            guint            connections)
{
  g_autoptr(GError) error = NULL;
  ClairClient *client = clair_client_new (server->url, connections, &error);

  g_assert_no_error (error);
  return client;
}

/* ---------------------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *events;
  guint      stop_after;
} SseLog;

static gboolean
sse_cb (const char *event,
        const char *data,
        gsize       len,
        gpointer    user_data)
{
  SseLog *log = user_data;

  g_assert_cmpuint (strlen (data), ==, len);
  g_ptr_array_add (log->events, g_strdup_printf ("%s|%s", event ? event : "", data));
  return log->stop_after == 0 || log->events->len < log->stop_after;
}

static void
test_sse_split_anywhere (void)
{
  static const char stream[] = ": keep-alive\r\n\r\ndata: {\"a\":1}\r\n\r\ndata:two\ndata: lines\n\n"
                               "event: error\ndata: x\r\rdata: [DONE]\n\n";

  /* Feeding the stream in pieces of every size gives the same events. */
  for (gsize step = 1; step <= sizeof stream; step++)
    {
      SseLog log = { g_ptr_array_new_with_free_func (g_free), 0 };
      g_autoptr(ClairSseParser) parser = clair_sse_parser_new (0, sse_cb, &log);
      g_autoptr(GError) error = NULL;

      for (gsize i = 0; i < sizeof stream - 1; i += step)
        g_assert_true (clair_sse_parser_feed (parser, stream + i, MIN (step, sizeof stream - 1 - i),
                                              &error));
      g_assert_no_error (error);
      g_assert_true (clair_sse_parser_finish (parser));
      g_assert_cmpuint (log.events->len, ==, 4);
      g_assert_cmpstr (g_ptr_array_index (log.events, 0), ==, "|{\"a\":1}");
      g_assert_cmpstr (g_ptr_array_index (log.events, 1), ==, "|two\nlines");
      g_assert_cmpstr (g_ptr_array_index (log.events, 2), ==, "error|x");
      g_assert_cmpstr (g_ptr_array_index (log.events, 3), ==, "|[DONE]");
      g_ptr_array_unref (log.events);
    }
}

static void
test_sse_unfinished_and_limits (void)
{
  SseLog log = { g_ptr_array_new_with_free_func (g_free), 0 };
  g_autoptr(ClairSseParser) parser = clair_sse_parser_new (16, sse_cb, &log);
  g_autoptr(ClairSseParser) stopper = NULL;
  g_autoptr(GError) error = NULL;

  /* An event without its blank line is not dispatched, and finish says so. */
  g_assert_true (clair_sse_parser_feed (parser, "data: a\n", 8, &error));
  g_assert_false (clair_sse_parser_finish (parser));
  g_assert_cmpuint (log.events->len, ==, 0);

  /* A line over the bound is a protocol error. */
  g_assert_false (clair_sse_parser_feed (parser, "data: 0123456789abcdefghij", 26, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL);

  /* The callback can stop the parser. */
  log.stop_after = 1;
  stopper = clair_sse_parser_new (0, sse_cb, &log);
  g_assert_false (clair_sse_parser_feed (stopper, "data: 1\n\ndata: 2\n\n", 18, NULL));
  g_assert_cmpuint (log.events->len, ==, 1);
  g_assert_cmpuint (clair_sse_parser_get_n_events (stopper), ==, 1);
  g_ptr_array_unref (log.events);
}

static void
test_error_shapes (void)
{
  static const struct {
    guint status;
    const char *body;
    gboolean found;
    const char *message;
    const char *type;
    const char *code;
  } cases[] = {
    { 429, "{\"error\":{\"message\":\"You exceeded your quota\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}",
      TRUE, "You exceeded your quota", "insufficient_quota", "insufficient_quota" },
    { 400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}",
      TRUE, "bad", "invalid_request_error", NULL },
    { 400, "{\"error\":{\"message\":\"too long\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}",
      TRUE, "too long", "BadRequestError", "400" },
    { 400, "{\"object\":\"error\",\"message\":\"flat\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
      TRUE, "flat", "BadRequestError", "400" },
    { 422, "{\"error\":\"Input validation error: inputs too long\",\"error_type\":\"validation\"}",
      TRUE, "Input validation error: inputs too long", "validation", NULL },
    { 400, "{\"error\":{\"code\":400,\"message\":\"context\",\"type\":\"exceed_context_size_error\",\"n_ctx\":4096}}",
      TRUE, "context", "exceed_context_size_error", "400" },
    { 502, "<html>\r\n<head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
      FALSE, "502 Bad Gateway", NULL, NULL },
    { 504, "upstream request timeout", FALSE, "upstream request timeout", NULL, NULL },
    { 503, "", FALSE, "Service Unavailable", NULL, NULL },
    { 422, "{\"detail\":\"Field required\"}", TRUE, "Field required", NULL, NULL },
    /* Two values: not JSON (json-glib 1.6 would take the first and leak the second). */
    { 400, "{\"error\":{\"message\":\"first\"}}[1]", FALSE, "{\"error\":{\"message\":\"first\"}}[1]", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ClairApiError error = { 0 };
      gboolean found;

      found = clair_api_error_parse (&error, cases[i].status, NULL, cases[i].body, strlen (cases[i].body));
      g_assert_cmpint (found, ==, cases[i].found);
      g_assert_cmpuint (error.status, ==, cases[i].status);
      g_assert_cmpstr (error.message, ==, cases[i].message);
      g_assert_cmpstr (error.type, ==, cases[i].type);
      g_assert_cmpstr (error.code, ==, cases[i].code);
      clair_api_error_clear (&error);
    }

  /* A title or a message that goes on and on is cut, on a character boundary. */
  {
    g_autoptr(GString) page = g_string_new ("<html><head><title>");
    g_autoptr(GString) json = g_string_new ("{\"error\":{\"message\":\"");
    ClairApiError error = { 0 };

    for (guint i = 0; i < 20000; i++)
      {
        g_string_append (page, "é");
        g_string_append (json, "ü");
      }
    g_string_append (page, "</title></head></html>");
    g_string_append (json, "\"}}");
    clair_api_error_parse (&error, 502, NULL, page->str, page->len);
    g_assert_cmpuint (strlen (error.message), <=, 1000 + strlen ("…"));
    g_assert_true (g_utf8_validate (error.message, -1, NULL));
    g_assert_true (g_str_has_suffix (error.message, "é…"));
    clair_api_error_clear (&error);
    clair_api_error_parse (&error, 400, NULL, json->str, json->len);
    g_assert_cmpuint (strlen (error.message), <=, 1000 + strlen ("…"));
    g_assert_true (g_str_has_prefix (error.message, "üüü"));
    g_assert_true (g_utf8_validate (error.message, -1, NULL));
    clair_api_error_clear (&error);
  }
}

static void
test_retry_after (void)
{
  gint64 now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;

  g_assert_cmpint (clair_retry_after_ms (NULL, NULL, now), ==, -1);
  g_assert_cmpint (clair_retry_after_ms ("2", NULL, now), ==, 2000);
  g_assert_cmpint (clair_retry_after_ms ("0.5", NULL, now), ==, 500);
  g_assert_cmpint (clair_retry_after_ms ("2", "150", now), ==, 150);
  g_assert_cmpint (clair_retry_after_ms ("soon", NULL, now), ==, -1);
  /* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT. */
  g_assert_cmpint (clair_retry_after_ms ("Tue, 14 Nov 2023 22:13:30 GMT", NULL, now), ==, 10000);
  g_assert_cmpint (clair_retry_after_ms ("Tue, 14 Nov 2023 22:13:00 GMT", NULL, now), ==, 0);
}

static void
test_status_table (void)
{
  static const struct {
    guint status;
    ClairReplyAction action;
  } table[] = {
    { 200, CLAIR_REPLY_OK },
    { 400, CLAIR_REPLY_FAIL_ROW }, { 413, CLAIR_REPLY_FAIL_ROW }, { 422, CLAIR_REPLY_FAIL_ROW },
    { 401, CLAIR_REPLY_FATAL }, { 402, CLAIR_REPLY_FATAL }, { 403, CLAIR_REPLY_FATAL },
    { 404, CLAIR_REPLY_FATAL },
    { 408, CLAIR_REPLY_RETRY }, { 409, CLAIR_REPLY_RETRY }, { 424, CLAIR_REPLY_RETRY },
    { 429, CLAIR_REPLY_RETRY }, { 500, CLAIR_REPLY_RETRY }, { 502, CLAIR_REPLY_RETRY },
    { 503, CLAIR_REPLY_RETRY }, { 504, CLAIR_REPLY_RETRY }, { 529, CLAIR_REPLY_RETRY },
  };
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 4);

  /* Every row of the table, through real HTTP answers in every error shape. */
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      static const char * const shapes[] = { "openai", "vllm", "vllm-flat", "tgi", "llamacpp", "html", "text" };
      const char *shape = shapes[i % G_N_ELEMENTS (shapes)];
      g_autofree char *model = g_strdup_printf ("mock;status=%u;shape=%s;message=reason %u",
                                                table[i].status, shape, table[i].status);
      g_autoptr(ClairReply) reply = chat (client, model, FALSE);

      g_test_message ("status %u, shape %s: %s", table[i].status, shape,
                      reply->error ? reply->error->message : "ok");
      g_assert_cmpuint (reply->http_status, ==, table[i].status);
      g_assert_cmpint (reply->action, ==, table[i].action);
      if (table[i].action == CLAIR_REPLY_OK)
        {
          g_assert_no_error (reply->error);
          continue;
        }
      g_assert_nonnull (reply->error);
      g_assert_true (reply->error->domain == CLAIR_ERROR);
      g_assert_cmpint (reply->error->code, ==,
                       table[i].action == CLAIR_REPLY_FATAL ? CLAIR_ERROR_FATAL_HTTP : CLAIR_ERROR_HTTP);
      if (g_str_equal (shape, "html"))
        g_assert_nonnull (strstr (reply->api_error.message, soup_status_get_phrase (table[i].status)));
      else
        {
          g_autofree char *expected = g_strdup_printf ("reason %u", table[i].status);
          g_assert_cmpstr (reply->api_error.message, ==, expected);
        }
    }

  /* insufficient_quota is a 429 that no retry fixes. */
  {
    g_autoptr(ClairReply) reply = chat (client, "mock;status=429;code=insufficient_quota", FALSE);
    g_autofree char *why = clair_client_describe_fatal (client, reply, "mock");

    g_assert_cmpint (reply->action, ==, CLAIR_REPLY_FATAL);
    g_assert_nonnull (strstr (why, "quota"));
  }
  {
    g_autoptr(ClairReply) reply = chat (client, "gpt-5;status=404", FALSE);
    g_autofree char *why = clair_client_describe_fatal (client, reply, "gpt-5");

    g_assert_nonnull (strstr (why, "“gpt-5”"));
    g_assert_nonnull (strstr (why, "/v1"));
  }
  {
    g_autoptr(ClairReply) reply = chat (client, "mock;status=401", FALSE);
    g_autofree char *why = clair_client_describe_fatal (client, reply, "mock");

    g_assert_nonnull (strstr (why, "API key"));
  }
}

static void
test_retry_after_headers (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) seconds = chat (client, "mock;status=429;retry-after=3", FALSE);
  g_autoptr(ClairReply) ms = chat (client, "mock;status=503;retry-after=3;retry-after-ms=250", FALSE);
  g_autoptr(ClairReply) date = chat (client, "mock;status=503;retry-after-date=30", FALSE);
  g_autoptr(ClairReply) none = chat (client, "mock;status=503", FALSE);

  g_assert_cmpint (seconds->retry_after_ms, ==, 3000);
  g_assert_cmpint (ms->retry_after_ms, ==, 250);
  g_assert_cmpint (date->retry_after_ms, >, 27000);
  g_assert_cmpint (date->retry_after_ms, <=, 30000);
  g_assert_cmpint (none->retry_after_ms, ==, -1);
}

static void
test_plain_reply (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) reply = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autofree char *expected_body = make_body ("mock", "add one and one", "it is  two", FALSE);

  clair_client_set_api_key (client, "sk-test-123");
  clair_client_set_header (client, "X-Clair-Test", "served=mock-2024;finish=length");
  reply = chat (client, "mock", FALSE);

  g_assert_no_error (reply->error);
  g_assert_cmpint (reply->action, ==, CLAIR_REPLY_OK);
  g_assert_cmpuint (reply->http_status, ==, 200);
  g_assert_cmpstr (reply->model, ==, "mock-2024");
  g_assert_cmpstr (reply->finish_reason, ==, "length");
  g_assert_nonnull (strstr (reply->content, "{corrected_student_solution}: It is two."));
  g_assert_cmpint (reply->prompt_tokens, >, 0);
  g_assert_cmpint (reply->completion_tokens, >, 0);
  g_assert_cmpfloat (reply->latency_ms, >, 0);
  g_assert_false (reply->streamed);

  /* The server received exactly the body we built, with the key as a Bearer token. */
  stats = clair_test_server_stats (server->url);
  g_assert_cmpstr (json_object_get_string_member (stats, "last_body"), ==, expected_body);
  g_assert_cmpstr (json_object_get_string_member (stats, "last_authorization"), ==, "Bearer sk-test-123");
  g_assert_cmpstr (json_object_get_string_member (stats, "last_content_type"), ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (stats, "last_accept"), ==, "application/json");
}

static void
test_stream_equals_plain (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  const char *models[] = { "mock", "mock;replay=1", "mock;size=5000", "mock;null-content=0;finish=length" };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(GString) deltas = g_string_new (NULL);
      g_autoptr(ClairReply) plain = chat (client, models[i], FALSE);
      g_autoptr(ClairReply) streamed = chat_full (client, models[i], TRUE, NULL, deltas);

      g_assert_no_error (plain->error);
      g_assert_no_error (streamed->error);
      g_assert_false (plain->streamed);
      g_assert_true (streamed->streamed);
      g_assert_cmpstr (plain->content, ==, streamed->content);
      g_assert_cmpstr (deltas->str, ==, streamed->content);
      g_assert_cmpstr (plain->finish_reason, ==, streamed->finish_reason);
      g_assert_cmpstr (plain->model, ==, streamed->model);
      g_assert_cmpint (plain->completion_tokens, ==, streamed->completion_tokens);
      g_assert_cmpint (plain->prompt_tokens, ==, streamed->prompt_tokens);
    }
}

/* An OpenAI refusal comes with no content: it is kept, and a row without a revision says why. */
static void
test_refusal (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) reply = chat (client, "mock;refusal=I can't help with that.", FALSE);
  g_autoptr(ClairAttempt) attempt = clair_attempt_new ();

  g_assert_no_error (reply->error);
  g_assert_null (reply->content);
  g_assert_cmpstr (reply->refusal, ==, "I can't help with that.");

  clair_attempt_take_answer (attempt, g_steal_pointer (&reply->content), reply->refusal);
  g_assert_cmpint (attempt->status, ==, CLAIR_ROW_PARSE_FAILED);
  g_assert_cmpstr (attempt->error, ==, "The model refused: I can't help with that.");
}

/* A stream of deltas that never ends is cut off at the bound of a whole body (64 MiB), and the row
 * fails with the reason instead of growing without limit. */
static void
test_stream_cap (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) reply = chat (client, "mock;size=70000000;chunk-size=65536", TRUE);

  g_assert_cmpint (reply->action, ==, CLAIR_REPLY_FAIL_ROW);
  g_assert_error (reply->error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (reply->error->message, "larger than 64 MiB"));
  g_assert_null (reply->content);

  /* Under the bound, the same stream is fine. */
  {
    g_autoptr(ClairReply) small = chat (client, "mock;size=2000000;chunk-size=65536", TRUE);

    g_assert_no_error (small->error);
    g_assert_cmpuint (strlen (small->content), >, 2000000);
  }
}

/* A redirect is never followed for a chat request: 301/302/303 would turn the POST into a GET and
 * store what another origin answers as a revision. The row fails and says where it was sent. */
static void
test_no_redirect (void)
{
  static const guint codes[] = { 301, 302, 303, 307, 308 };
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autofree char *model = g_strdup_printf ("mock;redirect=%u", codes[i]);
      g_autoptr(ClairReply) reply = chat (client, model, FALSE);

      g_test_message ("%u: %s", codes[i], reply->error ? reply->error->message : reply->content);
      g_assert_cmpint (reply->action, ==, CLAIR_REPLY_FAIL_ROW);
      g_assert_null (reply->content);
      g_assert_nonnull (reply->error);
      g_assert_nonnull (strstr (reply->error->message, "redirects to"));
      g_assert_nonnull (strstr (reply->error->message, "/elsewhere"));
    }
}

/* Reply content is data: \u0000 does not cut it short, a lone surrogate becomes U+FFFD (as on
 * import), and token counts out of range are dropped, not converted with undefined behaviour. */
static void
test_content_kept (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) reply = NULL;
  g_autoptr(ClairReply) huge = NULL;

  reply = chat (client, "mock;content-json=\"before\\u0000after \\ud800 lone \\ud83d\\ude00 pair\"", FALSE);
  g_assert_no_error (reply->error);
  g_assert_cmpstr (reply->content, ==, "before\xef\xbf\xbd" "after \xef\xbf\xbd lone \xf0\x9f\x98\x80 pair");
  g_assert_true (g_utf8_validate (reply->content, -1, NULL));

  huge = chat (client, "mock;usage-json={\"prompt_tokens\":1e999}", FALSE);
  g_assert_no_error (huge->error);
  g_assert_cmpint (huge->prompt_tokens, ==, -1);
  g_clear_pointer (&huge, clair_reply_free);
  huge = chat (client, "mock;usage-json={\"completion_tokens\":-1e999}", FALSE);
  g_assert_no_error (huge->error);
  g_assert_cmpint (huge->completion_tokens, ==, -1);
}

/* A reply that is two JSON values ("{…}{…}": json-glib 1.6 would read the first and drop the
 * rest) is refused. (Stream events go through the same clair_json_load_object().) */
static void
test_two_values_refused (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) reply = NULL;

  /* The usage object is written verbatim, so it can close the reply and open a second one. */
  reply = chat (client, "mock;usage-json={}}{\"x\":1", FALSE);
  g_assert_nonnull (reply->error);
  g_assert_null (reply->content);
}

/* A key the server echoes back (in an error message, an HTML page, or the answer itself) never
 * reaches the reply: nothing the runner stores or the app shows holds it. */
static void
test_key_redacted (void)
{
  static const char key[] = "sk-proj-Zq3xT9vLm2Kp8Rw4Ny6Bc1Ds5Ef7Gh0Jk";
  static const char * const shapes[] = { "openai", "vllm", "tgi", "html", "text" };
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) answer = NULL;
  g_autofree char *model = NULL;

  clair_client_set_api_key (client, key);
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *directives = g_strdup_printf ("mock;status=400;echo-auth=1;shape=%s", shapes[i]);
      g_autoptr(ClairReply) reply = chat (client, directives, FALSE);

      g_test_message ("%s: %s", shapes[i], reply->error->message);
      g_assert_nonnull (reply->error);
      g_assert_null (strstr (reply->error->message, key));
      g_assert_null (strstr (reply->error->message, "Zq3xT9vLm2"));
      g_assert_null (g_strrstr (reply->api_error.message ? reply->api_error.message : "", "Zq3xT9vLm2"));
    }
  {
    g_autoptr(ClairReply) reply = chat (client, "mock;status=400;echo-auth=1", FALSE);

    g_assert_nonnull (strstr (reply->error->message, "Bearer [redacted]"));
  }

  /* An answer that repeats the key keeps everything but the key. */
  model = g_strdup_printf ("mock;content-json=\"my key is %s ok\"", key);
  answer = chat (client, model, FALSE);
  g_assert_no_error (answer->error);
  g_assert_cmpstr (answer->content, ==, "my key is [redacted] ok");
}

/* Credentials in the address are refused, and the refusal does not repeat them. */
static void
test_url_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairClient) client = clair_client_new ("http://alice:s3cretPassw0rd@127.0.0.1:8000/v1", 2, &error);
  g_autofree char *bare = clair_endpoint_strip_credentials ("https://u:p@example.org:8443/v1?x=@");

  g_assert_null (client);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
  g_assert_null (strstr (error->message, "s3cretPassw0rd"));
  g_assert_nonnull (strstr (error->message, "http://127.0.0.1:8000/v1"));
  g_assert_cmpstr (bare, ==, "https://example.org:8443/v1?x=@");
}

static void
test_replay_fixture (void)
{
  g_autoptr(ClairTestServer) server = NULL;
  g_autoptr(ClairClient) client = NULL;
  g_autoptr(ClairReply) reply = NULL;

  const char *shared = g_getenv ("CLAIR_SHARED_DIR");
  g_autofree char *fixture = shared ? g_build_filename (shared, "fixtures",
                                                        "ultrafeedback-gpt4-clair-20.jsonl", NULL) : NULL;

  /* A clone of the public repository has no ../shared beside it. */
  if (fixture == NULL || !g_file_test (fixture, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the shared fixtures (../shared/fixtures) are absent");
      return;
    }
  server = clair_test_server_start (NULL);
  client = client_for (server, 2);
  reply = chat (client, "gpt-4;replay=1", FALSE);
  g_assert_no_error (reply->error);
  /* The recorded, real reply: its own model name and usage. */
  g_assert_cmpstr (reply->model, ==, "gpt-4-0125-preview");
  g_assert_nonnull (strstr (reply->content, "{corrected_student_solution}"));
  g_assert_cmpint (reply->completion_tokens, >, 100);
}

static void
test_broken_answers (void)
{
  static const struct {
    const char *model;
    gboolean stream;
    int code;
  } cases[] = {
    { "mock;drop=1", FALSE, CLAIR_ERROR_INTERRUPTED },
    { "mock;drop=1;size=20000", TRUE, CLAIR_ERROR_INTERRUPTED },
    { "mock;no-done=1", TRUE, CLAIR_ERROR_INTERRUPTED },
    { "mock;stream-error=1", TRUE, CLAIR_ERROR_INTERRUPTED },
    { "mock;html=1", FALSE, CLAIR_ERROR_PROTOCOL },
  };
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 4);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClairReply) reply = chat (client, cases[i].model, cases[i].stream);

      g_test_message ("%s: %s", cases[i].model, reply->error ? reply->error->message : "ok");
      g_assert_cmpint (reply->action, ==, CLAIR_REPLY_RETRY);
      g_assert_error (reply->error, CLAIR_ERROR, cases[i].code);
    }

  /* The client still works after all that. */
  {
    g_autoptr(ClairReply) reply = chat (client, "mock", FALSE);
    g_assert_cmpint (reply->action, ==, CLAIR_REPLY_OK);
  }
}

static void
test_deadline (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(ClairReply) hung = NULL;
  g_autoptr(ClairReply) slow_stream = NULL;
  g_autoptr(JsonObject) stats = NULL;

  clair_client_set_timeout (client, 0.3);
  g_assert_cmpfloat (clair_client_get_timeout (client), ==, 0.3);
  hung = chat (client, "mock;hang=1", FALSE);
  g_assert_cmpint (hung->action, ==, CLAIR_REPLY_RETRY);
  g_assert_error (hung->error, CLAIR_ERROR, CLAIR_ERROR_TIMEOUT);

  /* A stream that keeps sending is still cut at the deadline. */
  slow_stream = chat (client, "mock;chunk-delay=50;size=3000", TRUE);
  g_assert_error (slow_stream->error, CLAIR_ERROR, CLAIR_ERROR_TIMEOUT);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) already = g_cancellable_new ();
  g_autoptr(ClairReply) reply = NULL;
  g_autoptr(ClairReply) early = NULL;

  g_timeout_add (100, cancel_cb, cancellable);
  reply = chat_full (client, "mock;hang=1", FALSE, cancellable, NULL);
  g_assert_cmpint (reply->action, ==, CLAIR_REPLY_CANCELLED);
  g_assert_error (reply->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_cancellable_cancel (already);
  early = chat_full (client, "mock", FALSE, already, NULL);
  g_assert_cmpint (early->action, ==, CLAIR_REPLY_CANCELLED);
}

static void
test_concurrency (void)
{
  /* The server parks the requests until 24 are in flight at once (or a minute passed), so the
   * peak is exact even when everything runs slowly (sanitizers); the latency after that leaves
   * time for a 25th request to show up if the client let one through. */
  g_autoptr(ClairTestServer) server = clair_test_server_start ("latency=300;hold-until=24");
  g_autoptr(ClairClient) client = client_for (server, 24);
  g_autoptr(JsonObject) stats = NULL;
  g_autofree char *text = make_body ("mock", "t", "s", FALSE);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  ClairReply *replies[48] = { NULL };
  guint done = 0;

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    clair_client_chat_async (client, body, FALSE, NULL, NULL, NULL, got_reply_cb, &replies[i]);
  while (done < G_N_ELEMENTS (replies))
    {
      g_main_context_iteration (NULL, TRUE);
      done = 0;
      for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
        done += replies[i] != NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_assert_cmpint (replies[i]->action, ==, CLAIR_REPLY_OK);
      clair_reply_free (replies[i]);
    }

  /* Exactly the connection limit, not libsoup's default of 2 per host. */
  stats = clair_test_server_stats (server->url);
  g_assert_cmpint (json_object_get_int_member (stats, "max_in_flight"), ==, 24);
  g_assert_true (json_object_get_boolean_member (stats, "hold_reached"));
  g_assert_cmpint (json_object_get_int_member (stats, "chat_requests"), ==, 48);
}

static void
models_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GStrv *models = user_data;
  g_autoptr(GError) error = NULL;

  *models = clair_client_list_models_finish (CLAIR_CLIENT (source), result, &error);
  g_assert_no_error (error);
  g_main_context_wakeup (NULL);
}

static void
test_models (void)
{
  g_autoptr(ClairTestServer) server = clair_test_server_start (NULL);
  g_autoptr(ClairClient) client = client_for (server, 2);
  g_auto(GStrv) models = NULL;

  clair_client_list_models_async (client, NULL, models_cb, &models);
  while (models == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_strv_length (models), ==, 2);
  g_assert_cmpstr (models[0], ==, "gpt-4-0125-preview");
  g_assert_cmpstr (models[1], ==, "mock");
}

static void
test_bad_url (void)
{
  const char *bad[] = { "localhost:8000", "ftp://example.com/v1", "", "http://" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairClient) client = clair_client_new (bad[i], 4, &error);

      g_assert_null (client);
      g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED);
    }
  {
    g_autoptr(ClairClient) client = clair_client_new ("http://localhost:8000/v1/", 4, NULL);
    g_assert_cmpstr (clair_client_get_base_url (client), ==, "http://localhost:8000/v1");
  }
}

static void
tls_server_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static void
test_tls_fails_closed (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupServer) soup_server = NULL;
  g_autoptr(ClairClient) client = NULL;
  g_autoptr(ClairReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* A self-signed certificate, made for this run only. */
  dir = g_dir_make_tmp ("clair-tls-XXXXXX", &error);
  g_assert_no_error (error);
  soup_server = clair_test_tls_server_new (dir, tls_server_cb, NULL, &url);
  if (soup_server == NULL)
    {
      g_rmdir (dir);
      g_test_skip ("openssl or TLS support (glib-networking) is missing");
      return;
    }

  client = clair_client_new (url, 2, &error);
  g_assert_no_error (error);
  reply = chat (client, "mock", FALSE);
  g_test_message ("%s", reply->error ? reply->error->message : "accepted!");
  g_assert_cmpint (reply->action, ==, CLAIR_REPLY_FATAL);
  g_assert_error (reply->error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP);
  g_assert_nonnull (strstr (reply->error->message, "certificate"));
  g_assert_cmpuint (reply->http_status, ==, 0);

  {
    g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
    g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);

    g_unlink (cert_path);
    g_unlink (key_path);
    g_rmdir (dir);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse/split-anywhere", test_sse_split_anywhere);
  g_test_add_func ("/sse/unfinished-and-limits", test_sse_unfinished_and_limits);
  g_test_add_func ("/client/error-shapes", test_error_shapes);
  g_test_add_func ("/client/retry-after", test_retry_after);
  g_test_add_func ("/client/bad-url", test_bad_url);
  g_test_add_func ("/client/status-table", test_status_table);
  g_test_add_func ("/client/retry-after-headers", test_retry_after_headers);
  g_test_add_func ("/client/plain-reply", test_plain_reply);
  g_test_add_func ("/client/stream-equals-plain", test_stream_equals_plain);
  g_test_add_func ("/client/replay-fixture", test_replay_fixture);
  g_test_add_func ("/client/refusal", test_refusal);
  g_test_add_func ("/client/stream-cap", test_stream_cap);
  g_test_add_func ("/client/no-redirect", test_no_redirect);
  g_test_add_func ("/client/content-kept", test_content_kept);
  g_test_add_func ("/client/two-values-refused", test_two_values_refused);
  g_test_add_func ("/client/key-redacted", test_key_redacted);
  g_test_add_func ("/client/url-credentials", test_url_credentials);
  g_test_add_func ("/client/broken-answers", test_broken_answers);
  g_test_add_func ("/client/deadline", test_deadline);
  g_test_add_func ("/client/cancel", test_cancel);
  g_test_add_func ("/client/concurrency", test_concurrency);
  g_test_add_func ("/client/models", test_models);
  g_test_add_func ("/client/tls-fails-closed", test_tls_fails_closed);

  return g_test_run ();
}
