/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* API keys, one per endpoint base URL, kept in the user's keyring through the Secret Service
 * (libsecret), under a schema named after the application id with the attribute "base-url".
 *
 * When no Secret Service can be reached (no session bus, no keyring daemon, a locked keyring that
 * cannot prompt), a stored key is kept in memory for this session only and
 * clair_secrets_is_available() turns FALSE, with clair_secrets_get_unavailable_message() saying
 * why in a sentence for the user. Keys are never written to disk in plain text. */

#define CLAIR_TYPE_SECRETS (clair_secrets_get_type ())
G_DECLARE_FINAL_TYPE (ClairSecrets, clair_secrets, CLAIR, SECRETS, GObject)

/* The libsecret schema: name BASE_APP_ID (shared by the stable and the .Devel profile), one string
 * attribute "base-url". */
const SecretSchema *clair_secrets_get_schema               (void) G_GNUC_CONST;

/* The base URL as the keyring keys it: surrounding blanks and trailing slashes removed, so
 * "https://api.openai.com/v1/" and "https://api.openai.com/v1" share one key. */
char               *clair_secrets_normalize_base_url       (const char          *base_url);

ClairSecrets       *clair_secrets_new                      (void);
/* The application's instance, so the preferences window and the run share keys kept for the
 * session. Owned by the library; never NULL. */
ClairSecrets       *clair_secrets_get_default              (void);

/* FALSE once the Secret Service turned out unreachable (by a store, lookup or clear, or by
 * clair_secrets_probe_async()); TRUE before anything was tried. Notifies "available". */
gboolean            clair_secrets_is_available             (ClairSecrets        *self);
/* A sentence for the user when keys cannot be remembered, or NULL while they can. */
const char         *clair_secrets_get_unavailable_message  (ClairSecrets        *self);

/* Connects to the Secret Service to learn whether keys can be remembered, before the user types
 * one. The result is clair_secrets_is_available(). */
void                clair_secrets_probe_async              (ClairSecrets        *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            clair_secrets_probe_finish             (ClairSecrets        *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* Stores @api_key for @base_url. The key is usable for the rest of the session in every case;
 * finish sets @remembered to TRUE when it went into the keyring, FALSE when it is kept in memory
 * only (see clair_secrets_get_unavailable_message()). Fails only when cancelled. */
void                clair_secrets_store_async              (ClairSecrets        *self,
                                                            const char          *base_url,
                                                            const char          *api_key,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            clair_secrets_store_finish             (ClairSecrets        *self,
                                                            GAsyncResult        *result,
                                                            gboolean            *remembered,
                                                            GError             **error);

/* Looks up the key of @base_url: the one given this session if any, else the keyring's. Finish
 * returns NULL without an error when there is none; free the key with clair_secrets_free_key(). */
void                clair_secrets_lookup_async             (ClairSecrets        *self,
                                                            const char          *base_url,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
char               *clair_secrets_lookup_finish            (ClairSecrets        *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* Forgets the key of @base_url, in memory and in the keyring. */
void                clair_secrets_clear_async              (ClairSecrets        *self,
                                                            const char          *base_url,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            clair_secrets_clear_finish             (ClairSecrets        *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* A key as returned by clair_secrets_lookup_finish(): g_autoptr(ClairSecretKey) wipes it. */
typedef char ClairSecretKey;

/* Overwrites the key's bytes, then frees it. */
void                clair_secrets_free_key                 (char                *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairSecretKey, clair_secrets_free_key)

G_END_DECLS
