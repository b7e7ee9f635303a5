/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-error-body"

#include "config.h"

#include "clair-client.h"
#include "clair-enum-nick.h"
#include "fuzz-common.h"

/* The error-body normaliser and the retry hints: whatever a server or proxy sends back (JSON of any
 * shape, HTML, text, binary), the result is a usable message in valid UTF-8 that the UI, the logs
 * and the project can carry, and the action is one of the table's. */

static const char *content_types[] = {
  NULL, "application/json", "text/html; charset=utf-8", "text/plain", "application/problem+json",
  "text/event-stream", "application/octet-stream",
};
static const guint statuses[] = {
  0, 200, 400, 401, 402, 403, 404, 408, 409, 413, 422, 424, 429, 500, 502, 503, 504, 529, 599,
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  ClairApiError api_error = { 0, NULL, NULL, NULL };
  ClairReplyAction action;
  const char *content_type;
  g_autofree char *body = NULL;
  g_autofree char *hint = NULL;
  guint status;
  gint64 ms;

  if (size < 2 || size > 256 * 1024)
    return 0;

  status = statuses[data[0] % G_N_ELEMENTS (statuses)];
  content_type = content_types[data[1] % G_N_ELEMENTS (content_types)];
  /* The body is not NUL-terminated in real life either: copy it without a terminator margin. */
  body = g_memdup2 (data + 2, size - 2);
  /* Bodies with a value after the value used to leak through json-glib 1.6: the client now
   * checks a body is one value before json-glib sees it, so they are fed in too. */

  clair_api_error_parse (&api_error, status, content_type, body, size - 2);
  g_assert (api_error.message != NULL);
  g_assert (g_utf8_validate (api_error.message, -1, NULL));
  g_assert (api_error.type == NULL || g_utf8_validate (api_error.type, -1, NULL));
  g_assert (api_error.code == NULL || g_utf8_validate (api_error.code, -1, NULL));
  /* A summary, not the whole body: a 1 MB HTML page must not end up in every failed row. */
  g_assert_cmpuint (strlen (api_error.message), <=, 4096);

  action = clair_reply_action_for_status (status, &api_error);
  g_assert (action == CLAIR_REPLY_OK || action == CLAIR_REPLY_FAIL_ROW ||
            action == CLAIR_REPLY_RETRY || action == CLAIR_REPLY_FATAL);
  if (status == 401 || status == 403)
    g_assert_cmpint (action, ==, CLAIR_REPLY_FATAL);
  if (status == 500 || status == 502 || status == 503 || status == 504)
    g_assert_cmpint (action, ==, CLAIR_REPLY_RETRY);
  g_assert_nonnull (clair_enum_to_nick (CLAIR_TYPE_REPLY_ACTION, action));
  clair_api_error_clear (&api_error);

  /* The same bytes as Retry-After and retry-after-ms values. */
  hint = g_strndup ((const char *) data + 2, MIN (size - 2, 64));
  ms = clair_retry_after_ms (hint, NULL, 1700000000000000);
  g_assert (ms >= -1);
  ms = clair_retry_after_ms (NULL, hint, 1700000000000000);
  g_assert (ms >= -1);
  return 0;
}
