/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-jsonl"

#include "config.h"

#include "clair-json.h"
#include "fuzz-dataset.h"

/* The JSONL and JSON-array readers, then the JSON scanner they sit on: whatever it accepts as a
 * string must unescape to valid UTF-8 and survive a round trip through the JSON writer. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_scanner (const char *text,
               gsize       len)
{
  ClairJscanError error;
  ClairJscanIter iter;
  ClairJscanSpan key, value;
  const char *p;
  const char *end = text + len;
  int r;

  p = clair_jscan_skip_ws (text, end);
  if (p >= end || *p != '{' || !clair_jscan_object_begin (&iter, p, end, &error))
    {
      clair_jscan_validate (text, len, &error);
      return;
    }

  while ((r = clair_jscan_object_next (&iter, &key, &value, &error)) == 1)
    {
      g_autofree char *unescaped = NULL;
      g_autoptr(GString) again = g_string_new (NULL);
      gsize unescaped_len = 0;

      g_assert (key.type == CLAIR_JSCAN_STRING);
      g_assert (key.start >= text && key.start + key.len <= end);
      g_assert (value.start >= text && value.start + value.len <= end);
      unescaped = clair_jscan_unescape (key.start, key.len, &unescaped_len);
      g_assert (g_utf8_validate (unescaped, unescaped_len, NULL));
      g_assert_cmpuint (strlen (unescaped), ==, unescaped_len);
      g_assert (clair_jscan_string_equal (key.start, key.len, unescaped, unescaped_len));

      /* Written back by the JSON writer, the text must scan as the same string. */
      clair_json_append_string (again, unescaped, unescaped_len);
      g_assert (clair_jscan_validate (again->str, again->len, &error));
      g_assert (clair_jscan_string_equal (again->str, again->len, unescaped, unescaped_len));
    }
  if (r == 0)
    g_assert (clair_jscan_iter_end (&iter) <= end);
  else
    g_assert (error.message[0] != '\0');
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size > 256 * 1024)
    return 0;

  /* A first '[' makes it a JSON array file, anything else JSON Lines. */
  if (size > 0 && data[0] == '[')
    fuzz_dataset (data, size, CLAIR_FORMAT_JSON, "data.json");
  else
    fuzz_dataset (data, size, CLAIR_FORMAT_JSONL, "data.jsonl");

  check_scanner ((const char *) data, size);
  return 0;
}
