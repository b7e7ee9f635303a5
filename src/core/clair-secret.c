/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-secret"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "clair-secret.h"

#define REDACTED "[redacted]"

/* Characters a token is made of (base64url, hex, dots of a JWT). */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
         c == '/' || c == '=';
}

static gsize
token_length (const char *p)
{
  gsize n = 0;

  while (is_token_char (p[n]))
    n++;
  return n;
}

char *
clair_secret_redact_key (char       *text,
                     const char *secret)
{
  gsize secret_len;
  GString *out;
  const char *p;
  const char *hit;

  if (text == NULL || secret == NULL || (secret_len = strlen (secret)) < 4 ||
      strstr (text, secret) == NULL)
    return text;

  out = g_string_sized_new (strlen (text));
  for (p = text; (hit = strstr (p, secret)) != NULL; p = hit + secret_len)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, REDACTED);
    }
  g_string_append (out, p);
  g_free (text);
  return g_string_free (out, FALSE);
}

/* A prefix that starts a credential when followed by enough token characters. */
static gsize
credential_at (const char *p,
               gsize      *prefix_len)
{
  static const struct { const char *prefix; gsize min; gboolean fold; } shapes[] = {
    { "bearer ", 8, TRUE },
    { "sk-", 16, FALSE },
    { "hf_", 16, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      gsize len = strlen (shapes[i].prefix);
      gsize n;

      if ((shapes[i].fold ? g_ascii_strncasecmp (p, shapes[i].prefix, len)
                          : strncmp (p, shapes[i].prefix, len)) != 0)
        continue;
      while (shapes[i].fold && p[len] == ' ')
        len++;
      n = token_length (p + len);
      if (n >= shapes[i].min)
        {
          *prefix_len = len;
          return len + n;
        }
    }
  return 0;
}

char *
clair_secret_redact (const char *text,
              const char *secret)
{
  GString *out;
  const char *p;

  if (text == NULL)
    return NULL;

  out = g_string_sized_new (strlen (text));
  for (p = text; *p != '\0'; )
    {
      gsize prefix_len = 0;
      /* Only at the start of a word: "task-" must not look like "sk-". */
      gsize n = (p == text || !is_token_char (p[-1])) ? credential_at (p, &prefix_len) : 0;

      if (n > 0)
        {
          g_string_append_len (out, p, prefix_len);
          g_string_append (out, REDACTED);
          p += n;
        }
      else
        g_string_append_c (out, *p++);
    }
  return clair_secret_redact_key (g_string_free (out, FALSE), secret);
}

void
clair_secret_wipe (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
}

void
clair_secret_protect_process (void)
{
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_warning ("Could not mark the process non-dumpable: %s", g_strerror (errno));
}
