/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-test-server"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "clair-json.h"

/* A chat-completions server for tests, benchmarks and trying the app without a model server.
 *
 * It listens on 127.0.0.1 (port 0 unless --port) and prints its base URL ("http://127.0.0.1:N/v1")
 * as the first line on stdout. It answers POST /v1/chat/completions (plain or streamed, as the
 * request asks), GET /v1/models, GET /stats (counters as JSON) and POST /reset.
 *
 * What it does is set by directives "key=value" separated by ';' or ',', taken from (in rising
 * priority) the command line (--set "latency=250;fail=0.1"), the model name after its first ';'
 * ("mock;status=429;retry-after=1") and the X-Clair-Test request header:
 *
 *   latency=MS        wait before answering
 *   chunk-delay=MS    wait between streamed chunks
 *   status=CODE       answer with this HTTP status (an error in the shape below)
 *   shape=NAME        openai (default), vllm (integer code), vllm-flat, tgi, llamacpp, html, text
 *   message=TEXT      the error message
 *   code=TEXT         the error code (openai shape), e.g. insufficient_quota
 *   retry-after=S     send Retry-After: S;  retry-after-ms=MS  send retry-after-ms;
 *   retry-after-date=S  send Retry-After as an HTTP date S seconds ahead
 *   fail-first=N      answer the first N requests of each row with `status` (default 500)
 *   fail-burst=N      answer the first N chat requests the server gets (since start or POST
 *                     /reset) with `status`: a burst of rate limits, then none
 *   fail=P            answer a random fraction P of requests with `status` (default 500)
 *   drop=1            drop the connection in the middle of the body
 *   hang=1            never answer
 *   html=1            answer 200 with an HTML page (a captive portal)
 *   stream-error=1    in a stream, send an error event half-way
 *   no-done=1         end a stream without [DONE]
 *   finish=REASON     finish_reason (default "stop")
 *   null-content=1    "content": null
 *   refusal=TEXT      "content": null and an OpenAI "refusal" of TEXT
 *   served=NAME       the model name reported (default: the requested name + "-served")
 *   size=BYTES        pad the generated revision to about this size
 *   chunk-size=N      stream the content N characters an event (default 24)
 *   content-json=J    the (non-streamed) content as this JSON text, verbatim ("\"a\\u0000b\"")
 *   usage-json=J      the usage object as this JSON text, verbatim
 *   echo-auth=1       the error message (with status=) repeats the request's Authorization header,
 *                     as careless servers and proxies' error pages do
 *   redirect=CODE     answer CODE (301, 302, 303, 307, 308) with Location: /elsewhere, a path that
 *                     answers any method with a well-formed CLAIR reply nobody asked for
 *   replay=1          answer with the fixture's recorded reply for the row's task (--fixtures)
 *   endless=1         answer 200 with a body that never ends (streamed: content deltas; else one
 *                     JSON string that keeps growing), 4 KiB every 20 ms until the client goes
 *   chaos=P           (fault matrix) give a random fraction P of requests one fault picked at
 *                     random from chaos-kinds=KIND+KIND… (429, 500, 503, drop, html, hang, and
 *                     the hostile ones: echo = a 400 whose message repeats the Authorization
 *                     header, redirect = a 302 to /elsewhere, endless = endless=1; all by
 *                     default); /stats counts them under "chaos"
 *   hold-until=N      park requests (before their latency starts) until N are in flight at once,
 *                     then answer them all; after that nothing more is parked (until
 *                     POST /reset). Makes a concurrency peak exact however slow the client is
 *                     (sanitizers, valgrind). /stats says "hold_reached" and how many were parked.
 *   hold-timeout=MS   give up waiting for hold-until after MS (default 60000): the parked requests
 *                     are answered, the peak stays below N and the test sees it
 *
 * Otherwise it answers in the CLAIR format with a minimal edit of the student_solution found in
 * the user message. Rows are told apart by their task (the text after "{task}: "). */

typedef struct
{
  int         latency;
  int         chunk_delay;
  guint       status;
  char       *shape;
  char       *message;
  char       *code;
  double      retry_after;
  double      retry_after_ms;
  double      retry_after_date;
  int         fail_first;
  int         fail_burst;
  double      fail;
  gboolean    drop;
  gboolean    hang;
  gboolean    html;
  gboolean    endless;
  gboolean    stream_error;
  gboolean    no_done;
  char       *finish;
  gboolean    null_content;
  char       *refusal;
  char       *served;
  int         size;
  int         chunk_size;
  guint       redirect;
  gboolean    echo_auth;
  char       *content_json;
  char       *usage_json;
  gboolean    replay;
  double      chaos;         /* fault matrix: see chaos_pick() */
  guint       chaos_kinds;   /* bits of chaos_names[]; 0 = all */
  int         hold_until;    /* see hold_park() */
  int         hold_timeout;
} Directives;

typedef struct
{
  char *task;
  char *response;   /* the chat.completion body, as JSON */
  char *content;
  char *model;
  gint64 prompt_tokens;
  gint64 completion_tokens;
} Fixture;

static struct
{
  SoupServer *server;
  Directives  defaults;
  GPtrArray  *fixtures;
  GHashTable *per_row;      /* task → count */
  GRand      *rand;
  guint64     n_requests;
  guint64     n_chat;
  int         in_flight;
  int         max_in_flight;
  char       *last_body;
  char       *last_authorization;
  char       *last_accept;
  char       *last_content_type;
  guint64     serial;
  guint64     chaos_counts[9];
  GPtrArray  *held;          /* Pending, parked by hold-until=N */
  gboolean    hold_reached;  /* N were in flight at once */
  gboolean    hold_over;     /* reached or timed out: park no more */
  guint       hold_timer;
  guint64     n_held;        /* how many were parked since start or /reset */
} server;

typedef struct
{
  SoupServerMessage *msg;
  Directives         dir;
  char              *model;
  char              *task;
  char              *solution;
  gboolean           stream;
  gboolean           include_usage;
  gint64             prompt_tokens;
  gint64             completion_tokens;   /* -1: from the content's length */
  GPtrArray         *chunks;      /* streamed pieces still to send */
  guint              next_chunk;
  char              *content;     /* the reply text */
  char              *whole;       /* a fixture reply to send as is */
  gboolean           counted;
  gboolean           finished;
  guint              timer;
  guint64            chat_number;  /* 1 for the first chat request since start or reset */
  int                chaos;        /* the fault chaos= gave this request, -1: none */
} Pending;

static void
directives_copy (const Directives *src,
                 Directives       *dest)
{
  *dest = *src;
  dest->shape = g_strdup (src->shape);
  dest->message = g_strdup (src->message);
  dest->code = g_strdup (src->code);
  dest->finish = g_strdup (src->finish);
  dest->refusal = g_strdup (src->refusal);
  dest->content_json = g_strdup (src->content_json);
  dest->usage_json = g_strdup (src->usage_json);
  dest->served = g_strdup (src->served);
}

static void
directives_clear (Directives *dir)
{
  g_free (dir->shape);
  g_free (dir->message);
  g_free (dir->code);
  g_free (dir->finish);
  g_free (dir->served);
  g_free (dir->refusal);
  g_free (dir->content_json);
  g_free (dir->usage_json);
}

/* ---- Fault matrix (added for tests/test-faults.c) ------------------------------------------ */

static const char *const chaos_names[] = { "429", "500", "503", "drop", "html", "hang",
                                           "echo", "redirect", "endless" };

static guint
chaos_parse_kinds (const char *value)
{
  g_auto(GStrv) kinds = g_strsplit (value, "+", -1);
  guint mask = 0;

  for (guint i = 0; kinds[i] != NULL; i++)
    for (guint k = 0; k < G_N_ELEMENTS (chaos_names); k++)
      if (g_str_equal (g_strstrip (kinds[i]), chaos_names[k]))
        mask |= 1u << k;
  return mask;
}

#define CHAOS_HANG     5
#define CHAOS_REDIRECT 7
#define CHAOS_ENDLESS  8

/* With probability dir.chaos, turns this request into one fault chosen at random; returns the
 * index of the fault in chaos_names[], or -1. */
static int
chaos_pick (Directives *dir)
{
  guint kinds[G_N_ELEMENTS (chaos_names)];
  guint n = 0, pick;

  if (dir->chaos <= 0 || g_rand_double (server.rand) >= dir->chaos)
    return -1;
  for (guint k = 0; k < G_N_ELEMENTS (chaos_names); k++)
    if (dir->chaos_kinds == 0 || (dir->chaos_kinds & (1u << k)))
      kinds[n++] = k;
  if (n == 0)
    return -1;
  pick = kinds[g_rand_int_range (server.rand, 0, n)];
  server.chaos_counts[pick]++;
  if (pick <= 2)
    {
      dir->status = atoi (chaos_names[pick]);
      dir->fail = 1.0;
    }
  else if (pick == 3)
    dir->drop = TRUE;
  else if (pick == 4)
    dir->html = TRUE;
  else if (pick == CHAOS_HANG)
    dir->hang = TRUE;
  else if (pick == 6)
    {
      dir->status = 400;
      dir->fail = 1.0;
      dir->echo_auth = TRUE;
    }
  else if (pick == CHAOS_REDIRECT)
    dir->redirect = 302;
  else
    dir->endless = TRUE;
  return (int) pick;
}

/* ------------------------------------------------------------------------------------------ */

static void
directives_apply (Directives *dir,
                  const char *text)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return;
  parts = g_strsplit_set (text, ";,", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      const char *key = g_strstrip (parts[i]);
      const char *value = "1";

      if (eq != NULL)
        {
          *eq = '\0';
          key = g_strstrip (parts[i]);
          value = g_strstrip (eq + 1);
        }
      if (g_str_equal (key, "latency"))
        dir->latency = atoi (value);
      else if (g_str_equal (key, "chunk-delay"))
        dir->chunk_delay = atoi (value);
      else if (g_str_equal (key, "status"))
        dir->status = atoi (value);
      else if (g_str_equal (key, "shape"))
        (g_free (dir->shape), dir->shape = g_strdup (value));
      else if (g_str_equal (key, "message"))
        (g_free (dir->message), dir->message = g_strdup (value));
      else if (g_str_equal (key, "code"))
        (g_free (dir->code), dir->code = g_strdup (value));
      else if (g_str_equal (key, "retry-after"))
        dir->retry_after = g_ascii_strtod (value, NULL);
      else if (g_str_equal (key, "retry-after-ms"))
        dir->retry_after_ms = g_ascii_strtod (value, NULL);
      else if (g_str_equal (key, "retry-after-date"))
        dir->retry_after_date = g_ascii_strtod (value, NULL);
      else if (g_str_equal (key, "fail-first"))
        dir->fail_first = atoi (value);
      else if (g_str_equal (key, "fail-burst"))
        dir->fail_burst = atoi (value);
      else if (g_str_equal (key, "fail"))
        dir->fail = g_ascii_strtod (value, NULL);
      else if (g_str_equal (key, "drop"))
        dir->drop = atoi (value) != 0;
      else if (g_str_equal (key, "hang"))
        dir->hang = atoi (value) != 0;
      else if (g_str_equal (key, "html"))
        dir->html = atoi (value) != 0;
      else if (g_str_equal (key, "endless"))
        dir->endless = atoi (value) != 0;
      else if (g_str_equal (key, "stream-error"))
        dir->stream_error = atoi (value) != 0;
      else if (g_str_equal (key, "no-done"))
        dir->no_done = atoi (value) != 0;
      else if (g_str_equal (key, "finish"))
        (g_free (dir->finish), dir->finish = g_strdup (value));
      else if (g_str_equal (key, "null-content"))
        dir->null_content = atoi (value) != 0;
      else if (g_str_equal (key, "refusal"))
        (g_free (dir->refusal), dir->refusal = g_strdup (value));
      else if (g_str_equal (key, "served"))
        (g_free (dir->served), dir->served = g_strdup (value));
      else if (g_str_equal (key, "size"))
        dir->size = atoi (value);
      else if (g_str_equal (key, "chunk-size"))
        dir->chunk_size = atoi (value);
      else if (g_str_equal (key, "content-json"))
        (g_free (dir->content_json), dir->content_json = g_strdup (value));
      else if (g_str_equal (key, "usage-json"))
        (g_free (dir->usage_json), dir->usage_json = g_strdup (value));
      else if (g_str_equal (key, "echo-auth"))
        dir->echo_auth = atoi (value) != 0;
      else if (g_str_equal (key, "redirect"))
        dir->redirect = atoi (value);
      else if (g_str_equal (key, "replay"))
        dir->replay = atoi (value) != 0;
      else if (g_str_equal (key, "chaos"))
        dir->chaos = g_ascii_strtod (value, NULL);
      else if (g_str_equal (key, "chaos-kinds"))
        dir->chaos_kinds = chaos_parse_kinds (value);
      else if (g_str_equal (key, "hold-until"))
        dir->hold_until = atoi (value);
      else if (g_str_equal (key, "hold-timeout"))
        dir->hold_timeout = atoi (value);
      else if (key[0] != '\0')
        g_printerr ("clair-test-server: unknown directive “%s”\n", key);
    }
}

static void
pending_free (Pending *p)
{
  g_ptr_array_remove (server.held, p);
  if (p->timer != 0)
    g_source_remove (p->timer);
  directives_clear (&p->dir);
  g_free (p->model);
  g_free (p->task);
  g_free (p->solution);
  g_clear_pointer (&p->chunks, g_ptr_array_unref);
  g_free (p->content);
  g_free (p->whole);
  g_free (p);
}

static void
message_done_cb (SoupServerMessage *msg,
                 gpointer           user_data)
{
  Pending *p = user_data;

  if (p->finished)
    return;
  p->finished = TRUE;
  g_ptr_array_remove (server.held, p);
  if (p->counted)
    server.in_flight--;
  if (p->timer != 0)
    {
      g_source_remove (p->timer);
      p->timer = 0;
    }
}

/* Text between @start and @stop in @text, or NULL. */
static char *
between (const char *text,
         const char *start,
         const char *stop)
{
  const char *a = strstr (text, start);
  const char *b;

  if (a == NULL)
    return NULL;
  a += strlen (start);
  b = stop ? strstr (a, stop) : NULL;
  return b ? g_strndup (a, b - a) : g_strdup (a);
}

/* A small, visible improvement: a capital first letter, single spaces, a final full stop. */
static char *
minimal_edit (const char *solution,
              int         size)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean changed = FALSE;

  for (const char *p = solution; *p != '\0'; p++)
    {
      if (*p == ' ' && p[1] == ' ')
        {
          changed = TRUE;
          continue;
        }
      g_string_append_c (out, *p);
    }
  if (out->len > 0 && g_ascii_islower (out->str[0]))
    {
      out->str[0] = g_ascii_toupper (out->str[0]);
      changed = TRUE;
    }
  while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0 || strchr (".!?", out->str[out->len - 1]) == NULL)
    {
      g_string_append_c (out, '.');
      changed = TRUE;
    }
  if (!changed)
    g_string_append (out, " That is the whole answer.");
  while ((int) out->len < size)
    g_string_append (out, " It is also worth checking each step once more.");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const Fixture *
find_fixture (const char *task)
{
  if (server.fixtures == NULL || task == NULL)
    return NULL;
  for (guint i = 0; i < server.fixtures->len; i++)
    {
      const Fixture *f = g_ptr_array_index (server.fixtures, i);

      if (g_str_equal (f->task, task))
        return f;
    }
  /* Rows that are not from the fixture still get a real reply, chosen by the task's hash. */
  return g_ptr_array_index (server.fixtures, g_str_hash (task) % server.fixtures->len);
}

static void
append_usage (GString *out,
              gint64   prompt_tokens,
              gint64   completion_tokens)
{
  g_string_append_printf (out, "\"usage\":{\"prompt_tokens\":%" G_GINT64_FORMAT
                          ",\"completion_tokens\":%" G_GINT64_FORMAT
                          ",\"total_tokens\":%" G_GINT64_FORMAT "}",
                          prompt_tokens, completion_tokens, prompt_tokens + completion_tokens);
}

static const char *
served_model (Pending *p)
{
  static char buf[512];

  if (p->dir.served != NULL)
    return p->dir.served;
  g_snprintf (buf, sizeof buf, "%s-served", p->model ? p->model : "mock");
  return buf;
}

static gint64
completion_tokens (Pending *p)
{
  if (p->completion_tokens >= 0)
    return p->completion_tokens;
  return strlen (p->content) / 4 + 1;
}

static char *
completion_body (Pending *p)
{
  GString *out = g_string_sized_new (strlen (p->content ? p->content : "") + 512);

  g_string_append_printf (out, "{\"id\":\"chatcmpl-test-%" G_GUINT64_FORMAT "\","
                          "\"object\":\"chat.completion\",\"created\":%" G_GINT64_FORMAT ",\"model\":",
                          ++server.serial, g_get_real_time () / G_USEC_PER_SEC);
  clair_json_append_string (out, served_model (p), -1);
  g_string_append (out, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
  if (p->dir.null_content || p->dir.refusal != NULL)
    g_string_append (out, "null");
  else if (p->dir.content_json != NULL)
    g_string_append (out, p->dir.content_json);
  else
    clair_json_append_string (out, p->content, -1);
  if (p->dir.refusal != NULL)
    {
      g_string_append (out, ",\"refusal\":");
      clair_json_append_string (out, p->dir.refusal, -1);
    }
  g_string_append (out, "},\"finish_reason\":");
  clair_json_append_string (out, p->dir.finish ? p->dir.finish : "stop", -1);
  g_string_append (out, "}],");
  if (p->dir.usage_json != NULL)
    g_string_append_printf (out, "\"usage\":%s", p->dir.usage_json);
  else
    append_usage (out, p->prompt_tokens, completion_tokens (p));
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static void
set_error_response (Pending *p,
                    guint    status)
{
  SoupServerMessage *msg = p->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *shape = p->dir.shape ? p->dir.shape : "openai";
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                           "Authorization");
  g_autofree char *echoed = g_strdup_printf ("invalid request header Authorization: %s",
                                             authorization ? authorization : "(none)");
  const char *message = p->dir.echo_auth ? echoed
                      : p->dir.message ? p->dir.message : "the test server was told to fail";
  g_autoptr(GString) body = g_string_new (NULL);
  const char *content_type = "application/json";

  if (g_str_equal (shape, "openai"))
    {
      g_string_append (body, "{\"error\":{\"message\":");
      clair_json_append_string (body, message, -1);
      g_string_append (body, ",\"type\":");
      clair_json_append_string (body, p->dir.code && g_str_equal (p->dir.code, "insufficient_quota")
                                      ? "insufficient_quota" : "invalid_request_error", -1);
      g_string_append (body, ",\"param\":null,\"code\":");
      if (p->dir.code != NULL)
        clair_json_append_string (body, p->dir.code, -1);
      else
        g_string_append (body, "null");
      g_string_append (body, "}}");
    }
  else if (g_str_equal (shape, "vllm"))
    {
      g_string_append (body, "{\"error\":{\"message\":");
      clair_json_append_string (body, message, -1);
      g_string_append_printf (body, ",\"type\":\"BadRequestError\",\"param\":null,\"code\":%u}}", status);
    }
  else if (g_str_equal (shape, "vllm-flat"))
    {
      g_string_append (body, "{\"object\":\"error\",\"message\":");
      clair_json_append_string (body, message, -1);
      g_string_append_printf (body, ",\"type\":\"BadRequestError\",\"param\":null,\"code\":%u}", status);
    }
  else if (g_str_equal (shape, "tgi"))
    {
      g_string_append (body, "{\"error\":");
      clair_json_append_string (body, message, -1);
      g_string_append (body, ",\"error_type\":\"validation\"}");
    }
  else if (g_str_equal (shape, "llamacpp"))
    {
      g_string_append_printf (body, "{\"error\":{\"code\":%u,\"message\":", status);
      clair_json_append_string (body, message, -1);
      g_string_append (body, ",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":9000,"
                             "\"n_ctx\":4096}}");
    }
  else if (g_str_equal (shape, "html"))
    {
      content_type = "text/html";
      g_string_append_printf (body, "<html>\r\n<head><title>%u %s</title></head>\r\n<body>\r\n"
                              "<center><h1>%u %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                              "</body>\r\n</html>\r\n", status, soup_status_get_phrase (status),
                              status, soup_status_get_phrase (status));
    }
  else
    {
      content_type = "text/plain";
      g_string_append (body, message);
    }

  if (p->dir.retry_after > 0)
    {
      g_autofree char *value = g_strdup_printf ("%g", p->dir.retry_after);
      soup_message_headers_replace (headers, "Retry-After", value);
    }
  if (p->dir.retry_after_ms > 0)
    {
      g_autofree char *value = g_strdup_printf ("%g", p->dir.retry_after_ms);
      soup_message_headers_replace (headers, "retry-after-ms", value);
    }
  if (p->dir.retry_after_date > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) at = g_date_time_add_seconds (now, p->dir.retry_after_date);
      g_autofree char *value = soup_date_time_to_string (at, SOUP_DATE_HTTP);
      soup_message_headers_replace (headers, "Retry-After", value);
    }

  soup_server_message_set_status (msg, status,
                                  status == 429 ? "Too Many Requests" :
                                  status == 529 ? "Site is overloaded" : NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body->str, body->len);
}

static gboolean
drop_cb (gpointer user_data)
{
  Pending *p = user_data;
  GSocket *socket;

  p->timer = 0;
  socket = soup_server_message_get_socket (p->msg);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  /* Let libsoup notice the dead socket, so the message finishes and stops counting. */
  soup_message_body_complete (soup_server_message_get_response_body (p->msg));
  soup_server_message_unpause (p->msg);
  return G_SOURCE_REMOVE;
}

static gboolean send_next_chunk_cb (gpointer user_data);

static void
append_chunk (Pending    *p,
              const char *data)
{
  SoupMessageBody *body = soup_server_message_get_response_body (p->msg);
  g_autofree char *line = g_strconcat ("data: ", data, "\n\n", NULL);

  soup_message_body_append (body, SOUP_MEMORY_COPY, line, strlen (line));
}

static gboolean
send_next_chunk_cb (gpointer user_data)
{
  Pending *p = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (p->msg);
  guint n = p->chunks->len;

  p->timer = 0;
  if (p->finished)
    return G_SOURCE_REMOVE;

  if (p->next_chunk < n)
    {
      const char *piece = g_ptr_array_index (p->chunks, p->next_chunk);
      g_autoptr(GString) out = g_string_new ("{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\",\"model\":");

      if (p->dir.stream_error && p->next_chunk == n / 2)
        {
          append_chunk (p, "{\"error\":{\"message\":\"the model crashed half-way\",\"type\":\"server_error\",\"code\":null}}");
          soup_message_body_complete (body);
          soup_server_message_unpause (p->msg);
          return G_SOURCE_REMOVE;
        }
      if (p->dir.drop && p->next_chunk == n / 2)
        {
          soup_server_message_unpause (p->msg);
          p->timer = g_timeout_add (20, drop_cb, p);
          return G_SOURCE_REMOVE;
        }

      clair_json_append_string (out, served_model (p), -1);
      g_string_append (out, ",\"choices\":[{\"index\":0,\"delta\":{");
      if (p->next_chunk == 0)
        g_string_append (out, "\"role\":\"assistant\",");
      g_string_append (out, "\"content\":");
      clair_json_append_string (out, piece, -1);
      g_string_append (out, "},\"finish_reason\":");
      if (p->next_chunk + 1 == n)
        clair_json_append_string (out, p->dir.finish ? p->dir.finish : "stop", -1);
      else
        g_string_append (out, "null");
      g_string_append (out, "}]}");
      append_chunk (p, out->str);
      if (p->next_chunk == 1)
        soup_message_body_append (body, SOUP_MEMORY_STATIC, ": keep-alive\n\n", 14);
      p->next_chunk++;
    }
  else
    {
      if (p->include_usage)
        {
          g_autoptr(GString) out = g_string_new ("{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\",\"model\":");

          clair_json_append_string (out, served_model (p), -1);
          g_string_append (out, ",\"choices\":[],");
          append_usage (out, p->prompt_tokens, completion_tokens (p));
          g_string_append_c (out, '}');
          append_chunk (p, out->str);
        }
      if (!p->dir.no_done)
        append_chunk (p, "[DONE]");
      soup_message_body_complete (body);
      soup_server_message_unpause (p->msg);
      return G_SOURCE_REMOVE;
    }

  soup_server_message_unpause (p->msg);
  if (p->dir.chunk_delay > 0)
    p->timer = g_timeout_add (p->dir.chunk_delay, send_next_chunk_cb, p);
  else
    p->timer = g_idle_add (send_next_chunk_cb, p);
  return G_SOURCE_REMOVE;
}

/* endless=1: 1 KiB more every 50 ms, never the end, until the client gives up (the message
 * finishes when it disconnects). Slow enough that the fault matrix's sixteen connections at once
 * do not make the client's parsing of what streams in the test of a sanitized build's speed: the
 * point is the deadline, which cuts any rate. */
static gboolean
send_endless_cb (gpointer user_data)
{
  Pending *p = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (p->msg);
  char piece[1024];

  p->timer = 0;
  if (p->finished)
    return G_SOURCE_REMOVE;
  memset (piece, 'x', sizeof piece - 1);
  piece[sizeof piece - 1] = '\0';
  if (p->stream)
    {
      g_autoptr(GString) out = g_string_new ("{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\","
                                             "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");

      g_string_append (out, piece);
      g_string_append (out, "\"},\"finish_reason\":null}]}");
      append_chunk (p, out->str);
    }
  else
    soup_message_body_append (body, SOUP_MEMORY_COPY, piece, sizeof piece - 1);
  soup_server_message_unpause (p->msg);
  p->timer = g_timeout_add (50, send_endless_cb, p);
  return G_SOURCE_REMOVE;
}

static void
split_chunks (Pending *p)
{
  const char *s = p->content;
  const char *end = s + strlen (s);
  int chunk = p->dir.chunk_size > 0 ? p->dir.chunk_size : 24;

  p->chunks = g_ptr_array_new_with_free_func (g_free);
  while (s < end)
    {
      const char *stop = s;

      /* About 24 characters a chunk (or chunk-size), never inside a character. */
      for (int i = 0; i < chunk && stop < end; i++)
        stop = g_utf8_next_char (stop);
      g_ptr_array_add (p->chunks, g_strndup (s, stop - s));
      s = stop;
    }
  if (p->chunks->len == 0)
    g_ptr_array_add (p->chunks, g_strdup (""));
}

static gboolean
answer_cb (gpointer user_data)
{
  Pending *p = user_data;
  SoupServerMessage *msg = p->msg;
  guint status = p->dir.status;
  int *count = NULL;

  p->timer = 0;
  if (p->finished)
    return G_SOURCE_REMOVE;

  if (p->task != NULL)
    count = g_hash_table_lookup (server.per_row, p->task);

  if (p->dir.hang)
    return G_SOURCE_REMOVE;   /* stays paused until the client gives up */

  if ((p->dir.fail_first > 0 || p->dir.fail > 0 || p->dir.fail_burst > 0) && p->chaos < 0)
    {
      /* Only the selected requests fail, with status= (500 by default). */
      gboolean fail = FALSE;

      if (p->dir.fail_first > 0 && count != NULL && *count <= p->dir.fail_first)
        fail = TRUE;
      else if (p->dir.fail_burst > 0 && p->chat_number <= (guint64) p->dir.fail_burst)
        fail = TRUE;
      else if (p->dir.fail > 0 && g_rand_double (server.rand) < p->dir.fail)
        fail = TRUE;
      status = fail ? (p->dir.status != 0 ? p->dir.status : 500) : 0;
    }

  if (status != 0 && status != 200)
    {
      set_error_response (p, status);
      soup_server_message_unpause (msg);
      return G_SOURCE_REMOVE;
    }

  if (p->dir.html)
    {
      static const char page[] = "<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title>"
                                 "</head><body><form>Accept the terms</form></body></html>";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, page, strlen (page));
      soup_server_message_unpause (msg);
      return G_SOURCE_REMOVE;
    }

  if (p->whole == NULL && p->content == NULL)
    {
      g_autofree char *revision = minimal_edit (p->solution ? p->solution : "", p->dir.size);

      p->content = g_strdup_printf ("{teacher_reasoning}: The answer is mostly right; it needs a "
                                    "capital letter, single spacing and a full stop.\n\n"
                                    "{corrected_student_solution}: %s", revision);
    }

  soup_server_message_set_status (msg, 200, NULL);
  if (p->dir.endless)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, p->stream ? "text/event-stream" : "application/json",
                                             NULL);
      if (!p->stream)
        {
          static const char head[] = "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion\","
                                     "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                                     "\"content\":\"";

          soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                                    head, strlen (head));
        }
      return send_endless_cb (p);
    }
  if (p->stream)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
      split_chunks (p);
      return send_next_chunk_cb (p);
    }

  if (p->dir.drop)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      g_autofree char *whole = p->whole ? g_strdup (p->whole) : completion_body (p);

      /* Promise the whole length, send half, then cut the connection. */
      soup_message_headers_set_content_length (headers, strlen (whole));
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      soup_message_body_append (body, SOUP_MEMORY_COPY, whole, strlen (whole) / 2);
      soup_server_message_unpause (msg);
      p->timer = g_timeout_add (20, drop_cb, p);
      return G_SOURCE_REMOVE;
    }

  if (p->whole != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, p->whole,
                                      strlen (p->whole));
  else
    {
      char *body = completion_body (p);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body,
                                        strlen (body));
    }
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

/* The request is paused: answer it after its latency. */
static void
answer_later (Pending *p)
{
  if (p->dir.latency > 0)
    p->timer = g_timeout_add (p->dir.latency, answer_cb, p);
  else
    answer_cb (p);
}

/* ---- hold-until=N: a barrier that makes a concurrency peak exact ---------------------------- */

static void
hold_release (void)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&server.held);

  server.hold_over = TRUE;
  server.held = g_ptr_array_new ();
  g_clear_handle_id (&server.hold_timer, g_source_remove);
  for (guint i = 0; i < held->len; i++)
    answer_later (g_ptr_array_index (held, i));
}

static gboolean
hold_timeout_cb (gpointer user_data)
{
  Pending *first = server.held->len > 0 ? g_ptr_array_index (server.held, 0) : NULL;

  server.hold_timer = 0;
  if (first == NULL)
    {
      /* Every parked request went away: start over with the next one. */
      return G_SOURCE_REMOVE;
    }
  g_printerr ("clair-test-server: hold-until=%d: only %d requests in flight after %d ms; "
              "answering the %u parked ones\n", first->dir.hold_until, server.in_flight,
              first->dir.hold_timeout, server.held->len);
  hold_release ();
  return G_SOURCE_REMOVE;
}

/* Parks @p until hold_until requests are in flight at once (then answers them all and parks no
 * more), or until hold_timeout ms passed since the first one was parked. */
static void
hold_park (Pending *p)
{
  if (p->dir.hold_timeout <= 0)
    p->dir.hold_timeout = 60000;
  g_ptr_array_add (server.held, p);
  server.n_held++;
  if (server.in_flight >= p->dir.hold_until)
    {
      server.hold_reached = TRUE;
      hold_release ();
    }
  else if (server.hold_timer == 0)
    server.hold_timer = g_timeout_add (p->dir.hold_timeout, hold_timeout_cb, NULL);
}

static void
handle_chat (SoupServerMessage *msg)
{
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  JsonObject *root;
  JsonNode *messages;
  const char *user = NULL;
  const char *model;
  Pending *p;
  int *count;

  server.n_chat++;
  g_free (server.last_body);
  server.last_body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_free (server.last_authorization);
  server.last_authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (server.last_accept);
  server.last_accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  g_free (server.last_content_type);
  server.last_content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));

  /* A whitespace-only body parses into no root at all. */
  if (!json_parser_load_from_data (parser, server.last_body, -1, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      static const char bad[] = "{\"error\":{\"message\":\"the body is not a JSON object\","
                                "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";

      soup_server_message_set_status (msg, 400, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, bad,
                                        strlen (bad));
      return;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  p = g_new0 (Pending, 1);
  p->msg = msg;
  p->chat_number = server.n_chat;
  p->chaos = -1;
  p->completion_tokens = -1;
  directives_copy (&server.defaults, &p->dir);
  model = json_object_get_string_member_with_default (root, "model", "mock");
  if (strchr (model, ';') != NULL)
    {
      const char *semi = strchr (model, ';');

      p->model = g_strndup (model, semi - model);
      directives_apply (&p->dir, semi + 1);
    }
  else
    p->model = g_strdup (model);
  directives_apply (&p->dir, soup_message_headers_get_one (headers, "X-Clair-Test"));

  if (p->dir.redirect != 0)
    {
      soup_server_message_set_redirect (msg, p->dir.redirect, "/elsewhere");
      directives_clear (&p->dir);
      g_free (p->model);
      g_free (p);
      return;
    }

  p->stream = json_object_get_boolean_member_with_default (root, "stream", FALSE);
  if (json_object_has_member (root, "stream_options") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "stream_options")))
    p->include_usage = json_object_get_boolean_member_with_default (
        json_object_get_object_member (root, "stream_options"), "include_usage", FALSE);

  messages = json_object_get_member (root, "messages");
  if (messages != NULL && JSON_NODE_HOLDS_ARRAY (messages))
    {
      JsonArray *array = json_node_get_array (messages);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *m = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (m) &&
              g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (m), "role", ""),
                         "user") == 0)
            user = json_object_get_string_member_with_default (json_node_get_object (m), "content", NULL);
        }
    }
  if (user != NULL)
    {
      p->task = between (user, "{task}: ", "\n\n{student_solution}: ");
      p->solution = between (user, "{student_solution}: ", "\n\n-----------------");
      if (p->task == NULL)
        p->task = g_strdup (user);
      p->prompt_tokens = strlen (user) / 4 + 50;
    }

  if (p->task != NULL)
    {
      count = g_hash_table_lookup (server.per_row, p->task);
      if (count == NULL)
        {
          count = g_new0 (int, 1);
          g_hash_table_insert (server.per_row, g_strdup (p->task), count);
        }
      (*count)++;
    }

  if (p->dir.replay)
    {
      const Fixture *fixture = find_fixture (p->task);

      if (fixture != NULL)
        {
          p->content = g_strdup (fixture->content);
          g_free (p->dir.served);
          p->dir.served = g_strdup (fixture->model);
          p->prompt_tokens = fixture->prompt_tokens;
          p->completion_tokens = fixture->completion_tokens;
          if (!p->stream)
            p->whole = g_strdup (fixture->response);
        }
    }

  /* A chaos hang is never answered, and while its message is paused the server does not see the
   * client close the connection: it stays out of the in-flight count. */
  p->chaos = chaos_pick (&p->dir);
  if (p->chaos == CHAOS_REDIRECT)
    {
      soup_server_message_set_redirect (msg, p->dir.redirect, "/elsewhere");
      pending_free (p);
      return;
    }
  /* Nor is an endless body: the server learns that its client went only at a later write, after
   * the client may have sent the row's next request. */
  p->counted = p->chaos != CHAOS_HANG && p->chaos != CHAOS_ENDLESS;
  if (p->counted)
    {
      server.in_flight++;
      server.max_in_flight = MAX (server.max_in_flight, server.in_flight);
    }
  g_object_set_data_full (G_OBJECT (msg), "clair-pending", p, (GDestroyNotify) pending_free);
  g_signal_connect (msg, "finished", G_CALLBACK (message_done_cb), p);
  g_signal_connect (msg, "disconnected", G_CALLBACK (message_done_cb), p);

  soup_server_message_pause (msg);
  if (p->dir.hold_until > 0 && p->counted && !server.hold_over)
    hold_park (p);
  else
    answer_later (p);
}

static void
handle_stats (SoupServerMessage *msg)
{
  g_autoptr(GString) out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  gboolean first = TRUE;

  g_string_append_printf (out, "{\"requests\":%" G_GUINT64_FORMAT ",\"chat_requests\":%"
                          G_GUINT64_FORMAT ",\"in_flight\":%d,\"max_in_flight\":%d,"
                          "\"last_body\":", server.n_requests, server.n_chat, server.in_flight,
                          server.max_in_flight);
  clair_json_append_string (out, server.last_body, -1);
  g_string_append (out, ",\"last_authorization\":");
  clair_json_append_string (out, server.last_authorization, -1);
  g_string_append (out, ",\"last_accept\":");
  clair_json_append_string (out, server.last_accept, -1);
  g_string_append (out, ",\"last_content_type\":");
  clair_json_append_string (out, server.last_content_type, -1);
  g_string_append (out, ",\"chaos\":{");
  for (guint k = 0; k < G_N_ELEMENTS (chaos_names); k++)
    g_string_append_printf (out, "%s\"%s\":%" G_GUINT64_FORMAT, k ? "," : "", chaos_names[k],
                            server.chaos_counts[k]);
  g_string_append (out, "}");
  g_string_append_printf (out, ",\"hold_reached\":%s,\"held\":%" G_GUINT64_FORMAT,
                          server.hold_reached ? "true" : "false", server.n_held);
  g_string_append (out, ",\"per_row\":{");
  g_hash_table_iter_init (&iter, server.per_row);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      clair_json_append_key (out, key, first);
      g_string_append_printf (out, "%d", *(int *) value);
      first = FALSE;
    }
  g_string_append (out, "}}");
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, out->str, out->len);
}

static void
handler_cb (SoupServer        *soup_server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);

  server.n_requests++;
  if (g_str_equal (path, "/v1/chat/completions") && g_str_equal (method, "POST"))
    handle_chat (msg);
  else if (g_str_equal (path, "/v1/models") && g_str_equal (method, "GET"))
    {
      static const char models[] = "{\"object\":\"list\",\"data\":[{\"id\":\"mock\",\"object\":\"model\","
                                   "\"owned_by\":\"clair-test-server\"},{\"id\":\"gpt-4-0125-preview\","
                                   "\"object\":\"model\",\"owned_by\":\"clair-test-server\"}]}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, models,
                                        strlen (models));
    }
  else if (g_str_equal (path, "/stats"))
    handle_stats (msg);
  else if (g_str_equal (path, "/elsewhere"))
    {
      /* Where redirect= points: an origin that never saw the prompt, answering anyway. */
      static const char reply[] = "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"elsewhere\","
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        "\"{teacher_reasoning}: none\\n{corrected_student_solution}: An answer from elsewhere.\"},"
        "\"finish_reason\":\"stop\"}]}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, reply,
                                        strlen (reply));
    }
  else if (g_str_equal (path, "/reset") && g_str_equal (method, "POST"))
    {
      g_hash_table_remove_all (server.per_row);
      server.n_requests = server.n_chat = 0;
      memset (server.chaos_counts, 0, sizeof server.chaos_counts);
      server.max_in_flight = server.in_flight;
      server.hold_reached = server.hold_over = FALSE;
      server.n_held = 0;
      soup_server_message_set_status (msg, 204, NULL);
    }
  else
    {
      static const char missing[] = "{\"error\":{\"message\":\"no such path\",\"type\":\"not_found\","
                                    "\"param\":null,\"code\":null}}";

      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, missing,
                                        strlen (missing));
    }
}

static gboolean
load_fixtures (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  server.fixtures = g_ptr_array_new ();
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *root;
      JsonObject *response;
      JsonNode *node;
      Fixture *f;

      if (lines[i][0] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, error))
        return FALSE;
      root = json_node_get_object (json_parser_get_root (parser));
      node = json_object_get_member (root, "response");
      response = json_node_get_object (node);
      f = g_new0 (Fixture, 1);
      f->task = g_strdup (json_object_get_string_member (root, "task"));
      f->response = json_to_string (node, FALSE);
      f->content = g_strdup (json_object_get_string_member (
          json_object_get_object_member (
              json_array_get_object_element (json_object_get_array_member (response, "choices"), 0),
              "message"), "content"));
      f->model = g_strdup (json_object_get_string_member (response, "model"));
      f->prompt_tokens = json_object_get_int_member (json_object_get_object_member (response, "usage"),
                                                     "prompt_tokens");
      f->completion_tokens = json_object_get_int_member (json_object_get_object_member (response, "usage"),
                                                         "completion_tokens");
      g_ptr_array_add (server.fixtures, f);
    }
  return server.fixtures->len > 0;
}

static gboolean
stdin_cb (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  char buf[256];

  /* Our parent went away (or closed the pipe): so do we. */
  if ((condition & (G_IO_HUP | G_IO_ERR)) || read (0, buf, sizeof buf) <= 0)
    exit (0);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *set = NULL;
  g_autofree char *fixtures = NULL;
  GSList *uris;
  int port = 0;
  int latency = 0;
  double fail = 0;
  gint64 seed = 1;
  gboolean exit_with_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "exit-with-stdin", 0, 0, G_OPTION_ARG_NONE, &exit_with_stdin, "Exit when stdin closes (for tests)", NULL },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on (default: any free one)", "PORT" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &latency, "Milliseconds before each answer", "MS" },
    { "fail", 0, 0, G_OPTION_ARG_DOUBLE, &fail, "Fraction of requests answered with HTTP 500", "P" },
    { "set", 0, 0, G_OPTION_ARG_STRING, &set, "Default directives, e.g. \"latency=250;shape=tgi\"", "DIRECTIVES" },
    { "fixtures", 0, 0, G_OPTION_ARG_FILENAME, &fixtures, "Replies to replay (the fixture JSONL)", "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed for --fail", "N" },
    { NULL }
  };

  context = g_option_context_new ("- a chat-completions server that misbehaves on request");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("clair-test-server: %s\n", error->message);
      return 2;
    }

  server.defaults.latency = latency;
  server.defaults.fail = fail;
  directives_apply (&server.defaults, set);
  server.per_row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server.held = g_ptr_array_new ();
  server.rand = g_rand_new_with_seed ((guint32) seed);

  if (fixtures == NULL && g_getenv ("CLAIR_SHARED_DIR") != NULL)
    {
      char *guess = g_build_filename (g_getenv ("CLAIR_SHARED_DIR"), "fixtures",
                                      "ultrafeedback-gpt4-clair-20.jsonl", NULL);
      if (g_file_test (guess, G_FILE_TEST_EXISTS))
        fixtures = guess;
      else
        g_free (guess);
    }
  if (fixtures != NULL && !load_fixtures (fixtures, &error))
    {
      g_printerr ("clair-test-server: cannot load %s: %s\n", fixtures,
                  error ? error->message : "no rows");
      return 1;
    }

  server.server = soup_server_new ("server-header", "clair-test-server ", NULL);
  soup_server_add_handler (server.server, NULL, handler_cb, NULL, NULL);
  if (!soup_server_listen_local (server.server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("clair-test-server: cannot listen: %s\n", error->message);
      return 1;
    }

  uris = soup_server_get_uris (server.server);
  if (uris != NULL)
    {
      GUri *uri = uris->data;

      printf ("http://127.0.0.1:%d/v1\n", g_uri_get_port (uri));
      fflush (stdout);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  if (exit_with_stdin)
    {
      GIOChannel *channel = g_io_channel_unix_new (0);

      g_io_add_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, NULL);
      g_io_channel_unref (channel);
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
