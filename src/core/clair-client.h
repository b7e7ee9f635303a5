/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An OpenAI-compatible chat client on libsoup: POST {base_url}/chat/completions, plain or streamed
 * (SSE), and GET {base_url}/models. */

/* What the caller should do with a reply, by its HTTP status or error. */
typedef enum
{
  CLAIR_REPLY_OK,          /* an answer (its content may still fail to parse) */
  CLAIR_REPLY_FAIL_ROW,    /* 400, 413, 422 and other 4xx: record the failure, no retry */
  CLAIR_REPLY_RETRY,       /* 408, 409, 424, 429, 5xx, 529, resets, timeouts, broken streams */
  CLAIR_REPLY_FATAL,       /* 401, 402, 403, 404, insufficient_quota, TLS: stop the whole run */
  CLAIR_REPLY_CANCELLED,   /* the caller cancelled */
} ClairReplyAction;

/* Every error shape servers send (OpenAI, vLLM with an integer code, vLLM flat, TGI/Ollama
 * string errors, llama.cpp, HTML or text from proxies) normalised. */
typedef struct
{
  guint  status;     /* HTTP status, 0 when there was no HTTP answer */
  char  *message;    /* never NULL after clair_api_error_parse() */
  char  *type;       /* NULL when the server gave none */
  char  *code;       /* as text ("insufficient_quota", "400"), NULL when none */
} ClairApiError;

void        clair_api_error_clear (ClairApiError *error);
/* Normalises an error body. @content_type may be NULL. Returns FALSE when @body held no error
 * object (the message then summarises the body). */
gboolean    clair_api_error_parse (ClairApiError *error,
                                   guint          status,
                                   const char    *content_type,
                                   const char    *body,
                                   gsize          len);

/* Parses a Retry-After value (seconds or an HTTP date) or retry-after-ms; -1 when absent or
 * malformed. @now_us is the wall-clock time (unix µs) an HTTP date is measured from. */
gint64      clair_retry_after_ms  (const char    *retry_after,
                                   const char    *retry_after_ms,
                                   gint64         now_us);

/* The action for an HTTP status and normalised error (the table, plus insufficient_quota). */
ClairReplyAction clair_reply_action_for_status (guint                status,
                                                const ClairApiError *api_error);

typedef struct
{
  ClairReplyAction  action;
  GError           *error;              /* NULL when action is OK */
  guint             http_status;        /* 0 when no HTTP answer */
  ClairApiError     api_error;          /* filled for error answers and mid-stream errors */
  gint64            retry_after_ms;     /* -1 when the server gave no hint */
  char             *content;            /* choices[0].message.content (or the streamed text) */
  char             *reasoning;          /* "reasoning" / "reasoning_content" when present */
  char             *refusal;            /* an OpenAI "refusal" (why there is no content), or NULL */
  char             *finish_reason;
  char             *model;              /* the model that answered */
  gint64            prompt_tokens;      /* -1 when unknown */
  gint64            completion_tokens;  /* -1 when unknown */
  double            latency_ms;         /* from sending to the last byte */
  gboolean          streamed;           /* the answer came as an event stream */
  guint             n_reconnects;       /* idle-socket errors retried inside the client */
} ClairReply;

void        clair_reply_free      (ClairReply    *reply);
/* Reads a (non-streamed) chat completion body answered with @reply->http_status into @reply, as
 * the client does: see clair-client.c. @base_url names the server in messages. */
ClairReplyAction clair_reply_read_body (ClairReply  *reply,
                                        const char  *base_url,
                                        const char  *content_type,
                                        const char  *data,
                                        gsize        len,
                                        GError     **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairReply, clair_reply_free)

/* Called on the caller's main context for each piece of streamed text. */
typedef void (*ClairDeltaFunc) (const char *text,
                                gsize       len,
                                gpointer    user_data);

#define CLAIR_TYPE_CLIENT (clair_client_get_type ())
G_DECLARE_FINAL_TYPE (ClairClient, clair_client, CLAIR, CLIENT, GObject)

/* @max_connections bounds the connections to the server (libsoup's construct-only max-conns and
 * max-conns-per-host; its defaults of 10 and 2 would silently cap concurrency at 2). @base_url is
 * the part before "/chat/completions", e.g. "http://localhost:8000/v1". Fails with
 * CLAIR_ERROR_FAILED when the URL is not an absolute http(s) URL. */
ClairClient *clair_client_new           (const char           *base_url,
                                         guint                 max_connections,
                                         GError              **error);
const char  *clair_client_get_base_url  (ClairClient          *self);
/* Sent as "Authorization: Bearer KEY"; NULL sends no Authorization header. */
void         clair_client_set_api_key   (ClairClient          *self,
                                         const char           *api_key);
/* An extra header on every request (replaces one of the same name); NULL @value removes it. */
void         clair_client_set_header    (ClairClient          *self,
                                         const char           *name,
                                         const char           *value);
/* The per-request deadline in seconds (default 600): the request is cancelled when it passes,
 * however much the server is still sending. <= 0 means no deadline. */
void         clair_client_set_timeout   (ClairClient          *self,
                                         double                seconds);
double       clair_client_get_timeout   (ClairClient          *self);

/* Sends @body (from clair_request_build_body(); with @stream it must ask for streaming) to
 * {base_url}/chat/completions. @delta, when not NULL, receives streamed text as it arrives.
 * The reply always arrives, also for failures: see clair_client_chat_finish(). */
void         clair_client_chat_async    (ClairClient          *self,
                                         GBytes               *body,
                                         gboolean              stream,
                                         GCancellable         *cancellable,
                                         ClairDeltaFunc        delta,
                                         gpointer              delta_data,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* Never NULL: reply->action says what happened and reply->error why, when it is not OK. */
ClairReply  *clair_client_chat_finish   (ClairClient          *self,
                                         GAsyncResult         *result);

/* GET {base_url}/models: the served model ids, sorted. */
void         clair_client_list_models_async  (ClairClient         *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GStrv        clair_client_list_models_finish (ClairClient         *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* A sentence for a FATAL reply that says what to fix (key, credits, model name or URL). */
char        *clair_client_describe_fatal    (ClairClient          *self,
                                             const ClairReply     *reply,
                                             const char           *model);

G_END_DECLS
