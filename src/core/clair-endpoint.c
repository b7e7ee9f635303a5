/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-endpoint"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "clair-endpoint.h"
#include "clair-error.h"
#include "clair-i18n.h"

gboolean
clair_endpoint_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len;

  g_return_val_if_fail (host != NULL, FALSE);

  len = strlen (host);
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_ascii_strdown (host, len);

  /* A trailing dot names the same host ("localhost." is localhost). */
  len = strlen (bare);
  if (len > 0 && bare[len - 1] == '.')
    bare[--len] = '\0';

  if (g_str_equal (bare, "localhost") || g_str_has_suffix (bare, ".localhost"))
    return TRUE;

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
clair_endpoint_is_insecure (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (url != NULL, TRUE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return TRUE;

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return FALSE;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return !clair_endpoint_host_is_loopback (host);
  return TRUE;
}

/* The part of @url after "scheme://" and before the host, when there is one ("user:pw@"). */
static const char *
find_userinfo_end (const char *url)
{
  const char *start = strstr (url, "://");
  const char *end;
  const char *at;

  if (start == NULL)
    return NULL;
  start += 3;
  end = start + strcspn (start, "/?#");
  at = memchr (start, '@', end - start);
  return at;
}

char *
clair_endpoint_strip_credentials (const char *url)
{
  const char *at;
  const char *start;

  g_return_val_if_fail (url != NULL, NULL);

  at = find_userinfo_end (url);
  if (at == NULL)
    return g_strdup (url);
  start = strstr (url, "://") + 3;
  return g_strdup_printf ("%.*s%s", (int) (start - url), url, at + 1);
}

gboolean
clair_endpoint_check_url (const char  *url,
                          GError     **error)
{
  g_autofree char *bare = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  if (find_userinfo_end (url) == NULL)
    return TRUE;
  bare = clair_endpoint_strip_credentials (url);
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
               _("The server address holds a user name or password (before “@”); it is kept in "
               "projects and settings, so it must not: give %s and put the key in CLAIR_API_KEY "
               "or in Preferences (the keyring)"), bare);
  return FALSE;
}
