/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-parse"

#include "config.h"

#include "clair-enum-nick.h"
#include "clair-parse.h"
#include "fuzz-common.h"

/* The reply parser, both the improved rule and distilabel's. Input: one byte picks the
 * finish_reason, the rest is the reply (made valid UTF-8 without NULs, as a JSON string always
 * decodes). Checks: the raw reply is kept, the status agrees with what is set, distilabel's pieces
 * are substrings of the reply, and parsing is deterministic. */

static const char *finish_reasons[] = { NULL, "stop", "length", "stop_sequence" };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_result (const ClairParseResult *result,
              const char             *content,
              gboolean                strict)
{
  g_assert_nonnull (result);
  g_assert_cmpstr (result->raw, ==, content);
  switch (result->status)
    {
    case CLAIR_PARSE_OK:
      /* distilabel keeps an empty revision after a marker; the improved rule does not. */
      g_assert_nonnull (result->revision);
      g_assert (!strict || result->revision[0] != '\0');
      g_assert_nonnull (result->marker);
      g_assert (!strict || result->reason == NULL);
      break;
    case CLAIR_PARSE_TRUNCATED:
    case CLAIR_PARSE_NO_MARKER:
      g_assert (!strict || result->reason != NULL);
      g_assert (result->reason == NULL || g_utf8_validate (result->reason, -1, NULL));
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert (result->revision == NULL || g_utf8_validate (result->revision, -1, NULL));
  g_assert (result->rationale == NULL || g_utf8_validate (result->rationale, -1, NULL));
  g_assert (result->revision == NULL || strlen (result->revision) <= strlen (content));
  g_assert (result->rationale == NULL || strlen (result->rationale) <= strlen (content));
  g_assert_nonnull (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, result->status));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ClairParseResult) result = NULL;
  g_autoptr(ClairParseResult) again = NULL;
  g_autoptr(ClairParseResult) distilabel = NULL;
  g_autoptr(GString) bytes = NULL;
  g_autofree char *content = NULL;
  const char *finish_reason;

  if (size < 1 || size > 128 * 1024)
    return 0;

  finish_reason = finish_reasons[data[0] % G_N_ELEMENTS (finish_reasons)];
  bytes = g_string_sized_new (size);
  for (size_t i = 1; i < size; i++)
    if (data[i] != 0)
      g_string_append_c (bytes, (char) data[i]);
  content = g_utf8_make_valid (bytes->str, bytes->len);

  result = clair_parse_reply (content, finish_reason);
  check_result (result, content, TRUE);
  if (g_strcmp0 (finish_reason, "length") == 0)
    g_assert (result->status != CLAIR_PARSE_OK);

  again = clair_parse_reply (content, finish_reason);
  g_assert_cmpint (again->status, ==, result->status);
  g_assert_cmpstr (again->revision, ==, result->revision);
  g_assert_cmpstr (again->rationale, ==, result->rationale);

  distilabel = clair_parse_reply_distilabel (content);
  check_result (distilabel, content, FALSE);
  g_assert ((distilabel->revision == NULL) == (distilabel->rationale == NULL));
  if (distilabel->revision != NULL)
    {
      g_assert_nonnull (strstr (content, distilabel->revision));
      g_assert_nonnull (strstr (content, distilabel->rationale));
    }
  return 0;
}
