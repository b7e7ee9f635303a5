/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-client"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "clair-client.h"
#include "clair-error.h"
#include "clair-endpoint.h"
#include "clair-i18n.h"
#include "clair-json.h"
#include "clair-secret.h"
#include "clair-sse.h"

/* Bodies larger than this are refused: no chat completion is that big. */
#define MAX_BODY_SIZE     (64 * 1024 * 1024)
#define READ_CHUNK        16384
/* Idle-socket errors (a keep-alive connection the server had closed) retried inside the client. */
#define MAX_RECONNECTS    3
/* Below the usual server keep-alive of 5 s, so we close idle sockets before the server does. */
#define IDLE_TIMEOUT_S    4
/* How long after cancelling a request (its deadline passed, or the caller cancelled) it completes
 * even if libsoup never calls back: a run must not wait forever for one lost callback. */
#define BACKSTOP_MS       5000

struct _ClairClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  GUri        *chat_uri;
  GUri        *models_uri;
  char        *authorization;
  GHashTable  *headers;         /* name → value */
  double       timeout;
};

G_DEFINE_FINAL_TYPE (ClairClient, clair_client, G_TYPE_OBJECT)

typedef struct
{
  ClairClient    *self;
  GBytes         *body;
  gboolean        stream;
  GCancellable   *cancellable;    /* ours: the deadline and the caller's cancellable trigger it */
  GCancellable   *outer;
  gulong          outer_handler;
  GSource        *deadline;
  gboolean        timed_out;
  GTask          *task;           /* not a reference: the task owns this */
  GSource        *backstop;       /* completes the task if libsoup does not, after a cancel */
  gboolean        completed;
  SoupMessage    *msg;
  GInputStream   *in;
  guint8         *buf;
  GByteArray     *whole;
  ClairSseParser *sse;
  JsonParser     *parser;
  GString        *text;
  GString        *reasoning;
  ClairDeltaFunc  delta;
  gpointer        delta_data;
  ClairReply     *reply;
  gint64          start_us;
  gboolean        done_seen;
  gboolean        stream_failed;
  gboolean        stream_too_large;   /* the streamed text passed MAX_BODY_SIZE */
  GError         *stream_parse_error;
} Request;

static void send_message (GTask *task);

void
clair_api_error_clear (ClairApiError *error)
{
  if (error == NULL)
    return;
  g_clear_pointer (&error->message, g_free);
  g_clear_pointer (&error->type, g_free);
  g_clear_pointer (&error->code, g_free);
  error->status = 0;
}

void
clair_reply_free (ClairReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_error (&reply->error);
  clair_api_error_clear (&reply->api_error);
  g_free (reply->content);
  g_free (reply->reasoning);
  g_free (reply->refusal);
  g_free (reply->finish_reason);
  g_free (reply->model);
  g_free (reply);
}

/* An error message is stored with every failed row and shown in dialogs: a server that sends
 * a megabyte of message (or a <title> that never ends) is cut to this many bytes. */
#define MESSAGE_MAX 1000

/* Cuts @text to at most @max bytes on a character boundary, with an ellipsis. */
static char *
cut_text (char  *text,
          gsize  max)
{
  const char *end;
  char *cut;

  if (text == NULL || strlen (text) <= max)
    return text;
  /* text[max] exists: step back to the first byte of the character it is in. */
  end = text + max;
  while (end > text && ((guchar) *end & 0xC0) == 0x80)
    end--;
  cut = g_strdup_printf ("%.*s…", (int) (end - text), text);
  g_free (text);
  return cut;
}

/* Text for a message from a body that is not JSON: the <title> of an HTML page, else the text
 * with tags dropped and whitespace collapsed, cut to a readable length. */
static char *
summarise_text (const char *body,
                gsize       len)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *valid = g_utf8_make_valid (body, len);
  const char *title = strstr (valid, "<title>");
  const char *p = valid;
  gboolean in_tag = FALSE;
  gboolean space = FALSE;

  if (title == NULL)
    title = strstr (valid, "<TITLE>");
  if (title != NULL)
    {
      const char *end = strstr (title, "</");

      if (end != NULL && end > title + 7)
        {
          g_autofree char *t = g_strndup (title + 7, end - title - 7);
          return g_strdup (g_strstrip (t));
        }
    }

  for (; *p != '\0' && out->len < 200; p++)
    {
      if (*p == '<')
        in_tag = TRUE;
      else if (*p == '>' && in_tag)
        in_tag = FALSE;
      else if (!in_tag)
        {
          if (g_ascii_isspace (*p))
            space = out->len > 0;
          else
            {
              if (space)
                g_string_append_c (out, ' ');
              space = FALSE;
              g_string_append_c (out, *p);
            }
        }
    }
  if (*p != '\0')
    {
      /* Do not cut a character in half. */
      while (out->len > 0 && (out->str[out->len - 1] & 0xC0) == 0x80)
        g_string_truncate (out, out->len - 1);
      if (out->len > 0 && (guchar) out->str[out->len - 1] >= 0xC0)
        g_string_truncate (out, out->len - 1);
      g_string_append (out, "…");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
clair_api_error_parse (ClairApiError *error,
                       guint          status,
                       const char    *content_type,
                       const char    *body,
                       gsize          len)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root = NULL;
  JsonNode *node;
  gboolean found = FALSE;

  g_return_val_if_fail (error != NULL, FALSE);

  clair_api_error_clear (error);
  error->status = status;

  if (body != NULL && len > 0)
    {
      parser = json_parser_new_immutable ();
      if (clair_json_load_object (parser, body, len, NULL) != NULL)
        root = json_node_get_object (json_parser_get_root (parser));
    }

  if (root != NULL)
    {
      node = json_object_get_member (root, "error");
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          /* OpenAI, vLLM (integer code), llama.cpp. */
          JsonObject *inner = json_node_get_object (node);

          error->message = g_strdup (clair_json_member_string (inner, "message"));
          error->type = clair_json_member_as_text (inner, "type");
          error->code = clair_json_member_as_text (inner, "code");
          found = TRUE;
        }
      else if (node != NULL && JSON_NODE_TYPE (node) == JSON_NODE_VALUE &&
               json_node_get_value_type (node) == G_TYPE_STRING)
        {
          /* TGI and Ollama's native API: the error is a string. */
          error->message = g_strdup (json_node_get_string (node));
          error->type = clair_json_member_as_text (root, "error_type");
          if (error->type == NULL)
            error->type = clair_json_member_as_text (root, "type");
          error->code = clair_json_member_as_text (root, "code");
          found = TRUE;
        }
      else if (clair_json_member_string (root, "message") != NULL)
        {
          /* vLLM's older flat shape ({"object":"error","message",…}) and similar. */
          error->message = g_strdup (clair_json_member_string (root, "message"));
          error->type = clair_json_member_as_text (root, "type");
          error->code = clair_json_member_as_text (root, "code");
          found = TRUE;
        }
      else if ((node = json_object_get_member (root, "detail")) != NULL)
        {
          /* FastAPI validation errors. */
          if (JSON_NODE_TYPE (node) == JSON_NODE_VALUE &&
              json_node_get_value_type (node) == G_TYPE_STRING)
            error->message = g_strdup (json_node_get_string (node));
          else
            error->message = json_to_string (node, FALSE);
          found = TRUE;
        }
    }

  if (error->message == NULL || error->message[0] == '\0')
    {
      const char *phrase = soup_status_get_phrase (status);
      g_autofree char *summary = body && len > 0 && root == NULL ? summarise_text (body, len) : NULL;

      g_free (error->message);
      if (summary != NULL && summary[0] != '\0')
        error->message = g_strdup (summary);
      else if (phrase != NULL && status != 0)
        error->message = g_strdup (phrase);
      else
        error->message = g_strdup ("no details given");
    }

  error->message = cut_text (error->message, MESSAGE_MAX);
  (void) content_type;
  return found;
}

/* A server's wait hint is capped at a day: "Retry-After: 1e21" must neither overflow a gint64
 * (undefined behaviour, found by fuzz-error-body) nor stall a run for years. */
#define RETRY_AFTER_MAX_MS (24.0 * 3600.0 * 1000.0)

gint64
clair_retry_after_ms (const char *retry_after,
                      const char *retry_after_ms,
                      gint64      now_us)
{
  if (retry_after_ms != NULL)
    {
      char *end = NULL;
      double ms = g_ascii_strtod (retry_after_ms, &end);

      if (end != retry_after_ms && isfinite (ms) && ms >= 0)
        return (gint64) ceil (MIN (ms, RETRY_AFTER_MAX_MS));
    }

  if (retry_after != NULL)
    {
      const char *p = retry_after;
      char *end = NULL;
      g_autoptr(GDateTime) date = NULL;

      while (g_ascii_isspace (*p))
        p++;
      if (g_ascii_isdigit (*p))
        {
          double seconds = g_ascii_strtod (p, &end);

          if (end != p && isfinite (seconds) && seconds >= 0)
            return (gint64) ceil (MIN (seconds * 1000.0, RETRY_AFTER_MAX_MS));
          return -1;
        }
      date = soup_date_time_new_from_http_string (p);
      if (date != NULL)
        {
          gint64 at_us = g_date_time_to_unix (date) * G_USEC_PER_SEC;

          return CLAMP ((at_us - now_us) / 1000, 0, (gint64) RETRY_AFTER_MAX_MS);
        }
    }

  return -1;
}

ClairReplyAction
clair_reply_action_for_status (guint                status,
                               const ClairApiError *api_error)
{
  if (status >= 200 && status < 300)
    return CLAIR_REPLY_OK;

  switch (status)
    {
    case 401:
    case 402:
    case 403:
    case 404:
      return CLAIR_REPLY_FATAL;
    case 429:
      if (api_error != NULL &&
          (g_strcmp0 (api_error->code, "insufficient_quota") == 0 ||
           g_strcmp0 (api_error->type, "insufficient_quota") == 0))
        return CLAIR_REPLY_FATAL;
      return CLAIR_REPLY_RETRY;
    case 408:
    case 409:
    case 424:
    case 529:
      return CLAIR_REPLY_RETRY;
    case 400:
    case 413:
    case 422:
      return CLAIR_REPLY_FAIL_ROW;
    default:
      if (status >= 500)
        return CLAIR_REPLY_RETRY;
      return CLAIR_REPLY_FAIL_ROW;
    }
}

/* ------------------------------------------------------------------------------------------ */

static void
clair_client_finalize (GObject *object)
{
  ClairClient *self = CLAIR_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->chat_uri, g_uri_unref);
  g_clear_pointer (&self->models_uri, g_uri_unref);
  clair_secret_wipe (self->authorization);
  g_clear_pointer (&self->authorization, g_free);
  g_clear_pointer (&self->headers, g_hash_table_unref);

  G_OBJECT_CLASS (clair_client_parent_class)->finalize (object);
}

static void
clair_client_class_init (ClairClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clair_client_finalize;
}

static void
clair_client_init (ClairClient *self)
{
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->timeout = 600;
}

static guint
session_timeout_for (double deadline)
{
  /* libsoup's own timeout (an I/O inactivity limit, 60 s unless set) must never fire before our
   * deadline; with no deadline it is switched off. */
  if (deadline <= 0)
    return 0;
  return (guint) MIN (ceil (deadline) + 5, (double) G_MAXUINT / 2);
}

ClairClient *
clair_client_new (const char  *base_url,
                  guint        max_connections,
                  GError     **error)
{
  g_autoptr(ClairClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *models = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);

  if (!clair_endpoint_check_url (base_url, error))
    return NULL;
  trimmed = g_strstrip (g_strdup (base_url));
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED, &local_error);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("“%s” is not a server address: give an http:// or https:// URL such as "
                   "http://localhost:8000/v1"), base_url);
      return NULL;
    }

  chat = g_strconcat (trimmed, "/chat/completions", NULL);
  models = g_strconcat (trimmed, "/models", NULL);

  max_connections = CLAMP (max_connections, 1, 4096);
  self = g_object_new (CLAIR_TYPE_CLIENT, NULL);
  self->base_url = g_steal_pointer (&trimmed);
  self->chat_uri = g_uri_parse (chat, G_URI_FLAGS_ENCODED, NULL);
  self->models_uri = g_uri_parse (models, G_URI_FLAGS_ENCODED, NULL);
  /* max-conns and max-conns-per-host are construct-only, and default to 10 and 2. */
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "max-conns", max_connections + 8,
                                "max-conns-per-host", max_connections,
                                "idle-timeout", IDLE_TIMEOUT_S,
                                "timeout", session_timeout_for (self->timeout),
                                "user-agent", "clair-studio/" PACKAGE_VERSION " ",
                                NULL);

  if (self->chat_uri == NULL || self->models_uri == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("“%s” is not a server address: give an http:// or https:// URL such as "
                   "http://localhost:8000/v1"), base_url);
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
clair_client_get_base_url (ClairClient *self)
{
  g_return_val_if_fail (CLAIR_IS_CLIENT (self), NULL);
  return self->base_url;
}

void
clair_client_set_api_key (ClairClient *self,
                          const char  *api_key)
{
  g_return_if_fail (CLAIR_IS_CLIENT (self));

  clair_secret_wipe (self->authorization);
  g_clear_pointer (&self->authorization, g_free);
  if (api_key != NULL && api_key[0] != '\0')
    {
      /* From now on a crash must not write the key into a core file. */
      clair_secret_protect_process ();
      self->authorization = g_strconcat ("Bearer ", api_key, NULL);
    }
}

void
clair_client_set_header (ClairClient *self,
                         const char  *name,
                         const char  *value)
{
  g_return_if_fail (CLAIR_IS_CLIENT (self));
  g_return_if_fail (name != NULL);

  if (value == NULL)
    g_hash_table_remove (self->headers, name);
  else
    g_hash_table_replace (self->headers, g_strdup (name), g_strdup (value));
}

void
clair_client_set_timeout (ClairClient *self,
                          double       seconds)
{
  g_return_if_fail (CLAIR_IS_CLIENT (self));

  self->timeout = seconds > 0 ? seconds : 0;
  g_object_set (self->session, "timeout", session_timeout_for (self->timeout), NULL);
}

double
clair_client_get_timeout (ClairClient *self)
{
  g_return_val_if_fail (CLAIR_IS_CLIENT (self), 0);
  return self->timeout;
}

/* ------------------------------------------------------------------------------------------ */

static void
request_free (Request *req)
{
  if (req->outer != NULL && req->outer_handler != 0)
    g_cancellable_disconnect (req->outer, req->outer_handler);
  g_clear_object (&req->outer);
  if (req->deadline != NULL)
    {
      g_source_destroy (req->deadline);
      g_source_unref (req->deadline);
    }
  if (req->backstop != NULL)
    {
      g_source_destroy (req->backstop);
      g_source_unref (req->backstop);
    }
  g_clear_object (&req->cancellable);
  g_clear_object (&req->msg);
  g_clear_object (&req->in);
  g_clear_pointer (&req->buf, g_free);
  g_clear_pointer (&req->whole, g_byte_array_unref);
  g_clear_pointer (&req->sse, clair_sse_parser_free);
  g_clear_object (&req->parser);
  if (req->text != NULL)
    g_string_free (req->text, TRUE);
  if (req->reasoning != NULL)
    g_string_free (req->reasoning, TRUE);
  g_clear_pointer (&req->reply, clair_reply_free);
  g_clear_error (&req->stream_parse_error);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_object (&req->self);
  g_free (req);
}

/* The key as sent, for redaction (NULL without one). */
static const char *
api_key_of (ClairClient *self)
{
  return self->authorization != NULL ? self->authorization + strlen ("Bearer ") : NULL;
}

/* A server's words (an error page may repeat the Authorization header) are redacted before
 * anyone stores or shows them. */
static void
redact_in_place (char       **text,
                 const char  *secret)
{
  char *redacted;

  if (*text == NULL)
    return;
  redacted = clair_secret_redact (*text, secret);
  g_free (*text);
  *text = redacted;
}

static void
complete (GTask            *task,
          ClairReplyAction  action,
          GError           *error)
{
  Request *req = g_task_get_task_data (task);
  ClairReply *reply;

  /* Completed already by the backstop: a late callback only lets go of its reference. */
  if (req->completed)
    {
      g_clear_error (&error);
      g_object_unref (task);
      return;
    }
  req->completed = TRUE;
  reply = g_steal_pointer (&req->reply);
  reply->action = action;
  g_clear_error (&reply->error);
  reply->error = error;
  reply->latency_ms = (g_get_monotonic_time () - req->start_us) / 1000.0;
  if (req->text != NULL && action == CLAIR_REPLY_OK && reply->content == NULL)
    reply->content = g_strndup (req->text->str, req->text->len);
  if (req->reasoning != NULL && req->reasoning->len > 0 && reply->reasoning == NULL)
    reply->reasoning = g_strndup (req->reasoning->str, req->reasoning->len);

  /* Messages lose anything shaped like a credential; answers (data) only the key itself. */
  if (reply->error != NULL)
    redact_in_place (&reply->error->message, api_key_of (req->self));
  redact_in_place (&reply->api_error.message, api_key_of (req->self));
  reply->content = clair_secret_redact_key (reply->content, api_key_of (req->self));
  reply->reasoning = clair_secret_redact_key (reply->reasoning, api_key_of (req->self));
  reply->refusal = clair_secret_redact_key (reply->refusal, api_key_of (req->self));

  if (req->deadline != NULL)
    {
      g_source_destroy (req->deadline);
      g_clear_pointer (&req->deadline, g_source_unref);
    }
  if (req->backstop != NULL)
    {
      g_source_destroy (req->backstop);
      g_clear_pointer (&req->backstop, g_source_unref);
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) clair_reply_free);
  g_object_unref (task);
}

static const char *
host_of (ClairClient *self)
{
  return g_uri_get_host (self->chat_uri);
}

/* Maps a transport error (no usable HTTP answer) to an action and a message. Takes @error. */
static void
complete_with_transport_error (GTask  *task,
                               GError *error)
{
  Request *req = g_task_get_task_data (task);
  ClairClient *self = req->self;
  g_autoptr(GError) owned = error;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (req->timed_out)
        complete (task, CLAIR_REPLY_RETRY,
                  g_error_new (CLAIR_ERROR, CLAIR_ERROR_TIMEOUT,
                               _("No complete answer from %s within the %g s deadline"),
                               self->base_url, self->timeout));
      else
        complete (task, CLAIR_REPLY_CANCELLED, g_steal_pointer (&owned));
      return;
    }

  if (error->domain == G_TLS_ERROR)
    {
      GTlsCertificateFlags flags = req->msg ? soup_message_get_tls_peer_certificate_errors (req->msg) : 0;
      const char *why = "it could not be verified";

      if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
        why = "it is not signed by a trusted authority";
      else if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
        why = "it was issued for another host name";
      else if (flags & G_TLS_CERTIFICATE_EXPIRED)
        why = "it has expired";
      else if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
        why = "it is not valid yet";
      else if (flags & G_TLS_CERTIFICATE_REVOKED)
        why = "it was revoked";

      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE))
        complete (task, CLAIR_REPLY_FATAL,
                  g_error_new (CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                               _("HTTPS is not available (%s): install glib-networking"),
                               error->message));
      else if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) || flags != 0)
        complete (task, CLAIR_REPLY_FATAL,
                  g_error_new (CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                               _("Refused to talk to %s: its TLS certificate is not trusted (%s). "
                               "Check the URL, or add the server's certificate authority to the "
                               "system's trusted certificates"), host_of (self), why));
      else
        complete (task, CLAIR_REPLY_FATAL,
                  g_error_new (CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                               _("The secure connection to %s failed: %s"), host_of (self),
                               error->message));
      return;
    }

  if (error->domain == G_RESOLVER_ERROR)
    {
      complete (task, CLAIR_REPLY_FATAL,
                g_error_new (CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE,
                             _("Could not find the server “%s” (%s): check the base URL"),
                             host_of (self), error->message));
      return;
    }

  /* Refused or unreachable: maybe the server is still starting, so this is retried; the runner
   * gives up early when nothing has answered yet. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    complete (task, CLAIR_REPLY_RETRY,
              g_error_new (CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE,
                           _("Nothing answered at %s: %s"), self->base_url, error->message));
  else
    complete (task, CLAIR_REPLY_RETRY,
              g_error_new (CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                           _("The connection to %s failed: %s"), self->base_url, error->message));
}

static void
fill_usage (ClairReply *reply,
            JsonObject *root)
{
  JsonObject *usage = clair_json_member_object (root, "usage");

  if (usage == NULL)
    return;
  reply->prompt_tokens = MAX (clair_json_member_int (usage, "prompt_tokens", -1), -1);
  reply->completion_tokens = MAX (clair_json_member_int (usage, "completion_tokens", -1), -1);
}

static void
append_reasoning (Request    *req,
                  JsonObject *message)
{
  const char *reasoning = clair_json_member_string (message, "reasoning_content");

  if (reasoning == NULL)
    reasoning = clair_json_member_string (message, "reasoning");
  if (reasoning == NULL)
    return;
  if (req->reasoning == NULL)
    req->reasoning = g_string_new (NULL);
  /* Thinking is kept for display only: a server that never stops thinking is cut off. */
  if (req->reasoning->len < MAX_BODY_SIZE)
    g_string_append_len (req->reasoning, reasoning, MIN (strlen (reasoning), MAX_BODY_SIZE - req->reasoning->len));
}

/* A streamed refusal comes in pieces; it is a sentence or two, so a server that never stops
 * sending one is cut off. */
static void
append_refusal (ClairReply *reply,
                const char *piece)
{
  char *joined;

  if (piece == NULL || (reply->refusal != NULL && strlen (reply->refusal) > 4096))
    return;
  joined = g_strconcat (reply->refusal ? reply->refusal : "", piece, NULL);
  g_free (reply->refusal);
  reply->refusal = joined;
}

/* An "error" object inside a 200 answer or stream. */
static gboolean
take_embedded_error (Request    *req,
                     JsonObject *root,
                     const char *data,
                     gsize       len)
{
  if (!json_object_has_member (root, "error"))
    return FALSE;
  clair_api_error_parse (&req->reply->api_error, req->reply->http_status, NULL, data, len);
  return TRUE;
}

static gboolean
sse_event_cb (const char *event,
              const char *data,
              gsize       len,
              gpointer    user_data)
{
  Request *req = user_data;
  ClairReply *reply = req->reply;
  JsonObject *root;
  JsonNode *choices;
  const char *model;

  if (len == 6 && memcmp (data, "[DONE]", 6) == 0)
    {
      req->done_seen = TRUE;
      return FALSE;
    }
  if (req->parser == NULL)
    req->parser = json_parser_new_immutable ();
  if (clair_json_load_object (req->parser, data, len, NULL) == NULL)
    {
      g_autofree char *summary = summarise_text (data, MIN (len, 400));

      req->stream_parse_error = g_error_new (CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                                             _("%s streamed an event that is not JSON: %s"),
                                             req->self->base_url, summary);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (req->parser));

  if (take_embedded_error (req, root, data, len) ||
      (event != NULL && g_str_equal (event, "error")))
    {
      req->stream_failed = TRUE;
      return FALSE;
    }

  model = clair_json_member_string (root, "model");
  if (model != NULL && reply->model == NULL)
    reply->model = g_strdup (model);

  choices = json_object_get_member (root, "choices");
  if (choices != NULL && JSON_NODE_HOLDS_ARRAY (choices) &&
      json_array_get_length (json_node_get_array (choices)) > 0)
    {
      JsonNode *first = json_array_get_element (json_node_get_array (choices), 0);

      if (JSON_NODE_HOLDS_OBJECT (first))
        {
          JsonObject *choice = json_node_get_object (first);
          JsonObject *delta = clair_json_member_object (choice, "delta");
          const char *finish = clair_json_member_string (choice, "finish_reason");

          if (delta != NULL)
            {
              const char *content = clair_json_member_string (delta, "content");

              if (content != NULL && content[0] != '\0')
                {
                  gsize n = strlen (content);

                  /* The same bound as a whole body: a stream of deltas that never ends must
                   * not grow one row without limit. */
                  if (req->text->len + n > MAX_BODY_SIZE)
                    {
                      req->stream_too_large = TRUE;
                      return FALSE;
                    }
                  g_string_append_len (req->text, content, n);
                  if (req->delta != NULL)
                    req->delta (content, n, req->delta_data);
                }
              append_reasoning (req, delta);
              append_refusal (reply, clair_json_member_string (delta, "refusal"));
            }
          if (finish != NULL)
            {
              g_free (reply->finish_reason);
              reply->finish_reason = g_strdup (finish);
            }
        }
    }
  fill_usage (reply, root);
  return TRUE;
}

/* A chat completion's body (any HTTP status but a redirect) read into @reply: the error for a
 * status other than 2xx, else the content, refusal, finish reason, model, usage and reasoning.
 * Returns what to do with the row; with anything but CLAIR_REPLY_OK, @error says why. This is
 * the run's result path up to the parse, kept apart so it can be fuzzed without a server. */
ClairReplyAction
clair_reply_read_body (ClairReply  *reply,
                       const char  *base_url,
                       const char  *content_type,
                       const char  *data,
                       gsize        len,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root = NULL;
  JsonNode *choices;
  JsonObject *choice;
  JsonObject *message;

  g_return_val_if_fail (reply != NULL, CLAIR_REPLY_FAIL_ROW);
  g_return_val_if_fail (data != NULL || len == 0, CLAIR_REPLY_FAIL_ROW);

  if (reply->http_status < 200 || reply->http_status >= 300)
    {
      ClairReplyAction action;

      clair_api_error_parse (&reply->api_error, reply->http_status, content_type, data, len);
      action = clair_reply_action_for_status (reply->http_status, &reply->api_error);
      g_set_error (error, CLAIR_ERROR,
                   action == CLAIR_REPLY_FATAL ? CLAIR_ERROR_FATAL_HTTP : CLAIR_ERROR_HTTP,
                   _("HTTP %u from %s: %s"), reply->http_status, base_url, reply->api_error.message);
      return action;
    }

  parser = json_parser_new_immutable ();
  if (len > 0 && clair_json_load_object (parser, data, len, NULL) != NULL)
    root = json_node_get_object (json_parser_get_root (parser));
  if (root == NULL)
    {
      g_autofree char *summary = len > 0 ? summarise_text (data, MIN (len, 4096)) : g_strdup ("an empty body");

      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                   _("%s answered HTTP %u with something that is not a chat completion (%s): %s"),
                   base_url, reply->http_status, content_type ? content_type : "no content type", summary);
      return CLAIR_REPLY_RETRY;
    }

  /* An "error" object inside a 200 answer. */
  if (json_object_has_member (root, "error"))
    {
      clair_api_error_parse (&reply->api_error, reply->http_status, NULL, data, len);
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP, _("%s reported an error: %s"), base_url,
                   reply->api_error.message);
      return CLAIR_REPLY_RETRY;
    }

  g_free (reply->model);
  reply->model = g_strdup (clair_json_member_string (root, "model"));
  fill_usage (reply, root);

  choices = json_object_get_member (root, "choices");
  if (choices == NULL || !JSON_NODE_HOLDS_ARRAY (choices) ||
      json_array_get_length (json_node_get_array (choices)) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (choices), 0)))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                   _("%s answered without any choice in the completion"), base_url);
      return CLAIR_REPLY_RETRY;
    }
  choice = json_node_get_object (json_array_get_element (json_node_get_array (choices), 0));
  message = clair_json_member_object (choice, "message");
  g_free (reply->finish_reason);
  reply->finish_reason = g_strdup (clair_json_member_string (choice, "finish_reason"));
  if (message != NULL)
    {
      const char *reasoning = clair_json_member_string (message, "reasoning_content");

      g_free (reply->content);
      reply->content = g_strdup (clair_json_member_string (message, "content"));
      g_free (reply->refusal);
      reply->refusal = g_strdup (clair_json_member_string (message, "refusal"));
      /* Thinking is kept for display only, up to the body cap. */
      if (reasoning == NULL)
        reasoning = clair_json_member_string (message, "reasoning");
      if (reasoning != NULL)
        {
          g_free (reply->reasoning);
          reply->reasoning = g_strndup (reasoning, MAX_BODY_SIZE);
        }
    }
  return CLAIR_REPLY_OK;
}

static void
finish_whole_body (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  ClairReply *reply = req->reply;
  ClairClient *self = req->self;
  const char *data = (const char *) req->whole->data;
  gsize len = req->whole->len;
  const char *content_type;

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (req->msg),
                                                        NULL);
  if (reply->http_status >= 300 && reply->http_status < 400)
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (req->msg),
                                                           "Location");
      g_autofree char *target = location != NULL ? summarise_text (location, strlen (location))
                                                 : g_strdup ("nowhere given");

      complete (task, CLAIR_REPLY_FAIL_ROW,
                g_error_new (CLAIR_ERROR, CLAIR_ERROR_HTTP,
                             _("HTTP %u from %s: the server redirects to %s; chat requests are not "
                             "sent on to another address (set the base URL to the server itself)"),
                             reply->http_status, self->base_url, target));
      return;
    }
  {
    GError *error = NULL;
    ClairReplyAction action = clair_reply_read_body (reply, self->base_url, content_type, data, len, &error);

    complete (task, action, error);
  }
}

static void
finish_stream (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  ClairReply *reply = req->reply;
  ClairClient *self = req->self;

  if (req->stream_failed)
    {
      complete (task, CLAIR_REPLY_RETRY,
                g_error_new (CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                             _("%s failed in the middle of the answer: %s"), self->base_url,
                             reply->api_error.message ? reply->api_error.message : "an error event"));
      return;
    }
  if (req->stream_parse_error != NULL)
    {
      complete (task, CLAIR_REPLY_RETRY, g_steal_pointer (&req->stream_parse_error));
      return;
    }
  if (req->stream_too_large)
    {
      /* Asking again would only pay for the same flood: the row fails with the reason. */
      complete (task, CLAIR_REPLY_FAIL_ROW,
                g_error_new (CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                             _("%s streamed an answer larger than %d MiB; the attempt was stopped"),
                             self->base_url, MAX_BODY_SIZE / (1024 * 1024)));
      return;
    }
  if (!req->done_seen)
    {
      complete (task, CLAIR_REPLY_RETRY,
                g_error_new (CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                             _("The answer from %s stopped before its end (no [DONE] after %zu characters)"), self->base_url, req->text->len));
      return;
    }
  complete (task, CLAIR_REPLY_OK, NULL);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (req->completed)
    {
      g_clear_error (&error);
      return;
    }
  if (n < 0)
    {
      if (req->reply->http_status >= 200 && req->reply->http_status < 300 &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          complete (g_steal_pointer (&task), CLAIR_REPLY_RETRY,
                    g_error_new (CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                                 _("The connection to %s dropped in the middle of the answer: %s"),
                                 req->self->base_url, error->message));
          g_error_free (error);
        }
      else
        complete_with_transport_error (g_steal_pointer (&task), error);
      return;
    }

  if (n == 0)
    {
      if (req->sse != NULL)
        {
          clair_sse_parser_finish (req->sse);
          finish_stream (g_steal_pointer (&task));
        }
      else
        finish_whole_body (g_steal_pointer (&task));
      return;
    }

  if (req->sse != NULL)
    {
      if (!clair_sse_parser_feed (req->sse, (const char *) req->buf, n, &error))
        {
          if (error != NULL)
            {
              complete (g_steal_pointer (&task), CLAIR_REPLY_RETRY, error);
              return;
            }
          /* [DONE], an error event or a bad event: nothing after it matters. */
          finish_stream (g_steal_pointer (&task));
          return;
        }
    }
  else
    {
      if (req->whole->len + n > MAX_BODY_SIZE)
        {
          complete (g_steal_pointer (&task), CLAIR_REPLY_RETRY,
                    g_error_new (CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                                 _("%s sent an answer larger than %d MiB"), req->self->base_url,
                                 MAX_BODY_SIZE / (1024 * 1024)));
          return;
        }
      g_byte_array_append (req->whole, req->buf, n);
    }

  g_input_stream_read_async (req->in, req->buf, READ_CHUNK, G_PRIORITY_DEFAULT, req->cancellable,
                             read_cb, g_steal_pointer (&task));
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  ClairReply *reply = req->reply;
  SoupMessageHeaders *headers;
  GError *error = NULL;
  const char *content_type;
  guint status;

  req->in = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (req->completed)
    {
      g_clear_object (&req->in);
      g_clear_error (&error);
      return;
    }
  if (req->in == NULL)
    {
      /* A keep-alive connection the server had already closed fails before any header arrives.
       * The request never reached the server: send it again on a fresh connection. */
      if ((g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)) &&
          reply->n_reconnects < MAX_RECONNECTS && !g_cancellable_is_cancelled (req->cancellable))
        {
          reply->n_reconnects++;
          g_error_free (error);
          send_message (g_steal_pointer (&task));
          return;
        }
      complete_with_transport_error (g_steal_pointer (&task), error);
      return;
    }

  status = soup_message_get_status (req->msg);
  headers = soup_message_get_response_headers (req->msg);
  reply->http_status = status;
  reply->retry_after_ms = clair_retry_after_ms (soup_message_headers_get_one (headers, "retry-after"),
                                                soup_message_headers_get_one (headers, "retry-after-ms"),
                                                g_get_real_time ());
  content_type = soup_message_headers_get_content_type (headers, NULL);

  if (status >= 200 && status < 300 && content_type != NULL &&
      g_ascii_strcasecmp (content_type, "text/event-stream") == 0)
    {
      reply->streamed = TRUE;
      req->text = g_string_sized_new (4096);
      req->sse = clair_sse_parser_new (0, sse_event_cb, req);
    }
  else
    req->whole = g_byte_array_sized_new (8192);

  if (req->buf == NULL)
    req->buf = g_malloc (READ_CHUNK);
  g_input_stream_read_async (req->in, req->buf, READ_CHUNK, G_PRIORITY_DEFAULT, req->cancellable,
                             read_cb, g_steal_pointer (&task));
}

static void
send_message (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  ClairClient *self = req->self;
  SoupMessageHeaders *headers;
  GHashTableIter iter;
  gpointer name, value;

  /* A new SoupMessage per attempt: a sent message cannot be sent again. */
  g_clear_object (&req->msg);
  req->msg = soup_message_new_from_uri (SOUP_METHOD_POST, self->chat_uri);
  /* Without IDEMPOTENT, libsoup never reuses a keep-alive connection for a POST. A redirect is
   * never followed: libsoup would turn the POST into a GET after 301/302/303, and whatever
   * the new origin answers, without ever seeing the prompt, would be stored as a revision. */
  soup_message_add_flags (req->msg, SOUP_MESSAGE_IDEMPOTENT | SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (req->msg, "application/json", req->body);
  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept",
                                req->stream ? "text/event-stream" : "application/json");
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
  g_hash_table_iter_init (&iter, self->headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    soup_message_headers_replace (headers, name, value);

  soup_session_send_async (self->session, req->msg, G_PRIORITY_DEFAULT, req->cancellable,
                           send_cb, task);
}

static gboolean
backstop_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);

  if (!req->completed)
    {
      g_debug ("No callback from libsoup %u ms after cancelling a request to %s: completing it",
               BACKSTOP_MS, req->self->base_url);
      complete_with_transport_error (g_object_ref (task),
                                     g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          "Operation was cancelled"));
    }
  return G_SOURCE_REMOVE;
}

/* Cancels the request, and makes sure it completes soon after even if libsoup does not call
 * back (complete_with_transport_error tells a deadline from the caller's cancel). */
static void
cancel_request (Request *req)
{
  g_cancellable_cancel (req->cancellable);
  if (req->completed || req->backstop != NULL)
    return;
  req->backstop = g_timeout_source_new (BACKSTOP_MS);
  g_source_set_callback (req->backstop, backstop_cb, g_object_ref (req->task), g_object_unref);
  g_source_set_static_name (req->backstop, "[clair] request backstop");
  g_source_attach (req->backstop, g_main_context_get_thread_default ());
}

static gboolean
deadline_cb (gpointer user_data)
{
  Request *req = user_data;

  req->timed_out = TRUE;
  cancel_request (req);
  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  cancel_request (user_data);
}

void
clair_client_chat_async (ClairClient         *self,
                         GBytes              *body,
                         gboolean             stream,
                         GCancellable        *cancellable,
                         ClairDeltaFunc       delta,
                         gpointer             delta_data,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Request *req;

  g_return_if_fail (CLAIR_IS_CLIENT (self));
  g_return_if_fail (body != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  req = g_new0 (Request, 1);
  req->self = g_object_ref (self);
  req->body = g_bytes_ref (body);
  req->stream = stream;
  req->delta = delta;
  req->delta_data = delta_data;
  req->cancellable = g_cancellable_new ();
  req->reply = g_new0 (ClairReply, 1);
  req->reply->retry_after_ms = -1;
  req->reply->prompt_tokens = -1;
  req->reply->completion_tokens = -1;
  req->start_us = g_get_monotonic_time ();

  /* The task has no cancellable of its own: a cancelled request still returns its reply. */
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, clair_client_chat_async);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);
  req->task = task;

  if (cancellable != NULL)
    {
      /* Disconnected in request_free, so req outlives the handler. */
      req->outer = g_object_ref (cancellable);
      req->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                  req, NULL);
    }

  if (self->timeout > 0)
    {
      req->deadline = g_timeout_source_new ((guint) MIN (self->timeout * 1000.0, (double) G_MAXUINT));
      g_source_set_callback (req->deadline, deadline_cb, req, NULL);
      g_source_set_static_name (req->deadline, "[clair] request deadline");
      g_source_attach (req->deadline, g_main_context_get_thread_default ());
    }

  send_message (task);
}

ClairReply *
clair_client_chat_finish (ClairClient  *self,
                          GAsyncResult *result)
{
  g_return_val_if_fail (CLAIR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}

/* ------------------------------------------------------------------------------------------ */

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
models_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ClairClient *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GError *error = NULL;
  JsonNode *data = NULL;
  const char *body;
  gsize len;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (error->domain == G_TLS_ERROR)
        {
          g_task_return_new_error (task, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                                   _("Refused to talk to %s: its TLS certificate is not trusted or "
                                   "the secure connection failed (%s)"), host_of (self),
                                   error->message);
          g_error_free (error);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, error);
      else
        {
          g_task_return_new_error (task, CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                                   _("Could not reach %s: %s"), self->base_url, error->message);
          g_error_free (error);
        }
      return;
    }

  body = g_bytes_get_data (bytes, &len);
  status = soup_message_get_status (msg);
  if (status < 200 || status >= 300)
    {
      ClairApiError api_error = { 0 };
      ClairReplyAction action;

      clair_api_error_parse (&api_error, status, NULL, body, len);
      redact_in_place (&api_error.message, api_key_of (self));
      action = clair_reply_action_for_status (status, &api_error);
      g_task_return_new_error (task, CLAIR_ERROR,
                               action == CLAIR_REPLY_FATAL ? CLAIR_ERROR_FATAL_HTTP : CLAIR_ERROR_HTTP,
                               _("HTTP %u from %s/models: %s"), status, self->base_url,
                               api_error.message);
      clair_api_error_clear (&api_error);
      return;
    }

  parser = json_parser_new_immutable ();
  if (clair_json_load_object (parser, body, len, NULL) != NULL)
    data = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "data");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      g_task_return_new_error (task, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                               _("%s/models did not answer with a model list: is this an "
                               "OpenAI-compatible server?"), self->base_url);
      return;
    }

  ids = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (data), i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      id = clair_json_member_string (json_node_get_object (element), "id");
      if (id != NULL)
        g_ptr_array_add (ids, g_strdup (id));
    }
  g_ptr_array_sort (ids, compare_ids);
  g_ptr_array_add (ids, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&ids), FALSE),
                         (GDestroyNotify) g_strfreev);
}

void
clair_client_list_models_async (ClairClient         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SoupMessage *msg;

  g_return_if_fail (CLAIR_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_client_list_models_async);
  msg = soup_message_new_from_uri (SOUP_METHOD_GET, self->models_uri);
  if (self->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  self->authorization);
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    models_cb, g_steal_pointer (&task));
}

GStrv
clair_client_list_models_finish (ClairClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
clair_client_describe_fatal (ClairClient      *self,
                             const ClairReply *reply,
                             const char       *model)
{
  const char *detail;

  g_return_val_if_fail (CLAIR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (reply != NULL, NULL);

  detail = reply->api_error.message ? reply->api_error.message : "no details given";
  if (reply->http_status == 0)
    return g_strdup (reply->error ? reply->error->message : "The connection failed");

  switch (reply->http_status)
    {
    case 401:
      return g_strdup_printf ("%s refused the API key (HTTP 401: %s). Check the key: the run "
                              "sends it as a Bearer token", self->base_url, detail);
    case 402:
      return g_strdup_printf ("%s says the account cannot pay for requests (HTTP 402: %s). Add "
                              "credits or use another key", self->base_url, detail);
    case 403:
      return g_strdup_printf ("%s does not allow this key to use model “%s” (HTTP 403: %s). "
                              "Check the key's permissions or pick another model",
                              self->base_url, model ? model : "?", detail);
    case 404:
      return g_strdup_printf ("%s has no model “%s”, or the URL is wrong (HTTP 404: %s). Check "
                              "the model name and that the base URL is the part before "
                              "/chat/completions (it often ends in /v1)",
                              self->base_url, model ? model : "?", detail);
    case 429:
      return g_strdup_printf ("The account's quota at %s is used up (HTTP 429: %s). Add credits "
                              "or raise the limit, then run again", self->base_url, detail);
    default:
      return g_strdup_printf ("HTTP %u from %s: %s", reply->http_status, self->base_url, detail);
    }
}
