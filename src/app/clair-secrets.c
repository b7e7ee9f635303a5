/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-secrets"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "clair-secrets.h"
#include "clair-secret.h"

/* API keys in the keyring, with a session-only fallback.
 *
 * Every key stored is also held in @session (base URL → key) for the life of the object, so a lookup
 * right after a store needs no round trip and a key stays usable when the keyring refused it. The
 * keyring is tried on every call rather than given up on after one failure: a keyring daemon that
 * starts later (or a collection that gets unlocked) is picked up without a restart. */

struct _ClairSecrets
{
  GObject     parent_instance;

  GHashTable *session;              /* normalized base URL → key (wiped on removal) */
  char       *unavailable_message;  /* NULL while the Secret Service answers */
};

G_DEFINE_FINAL_TYPE (ClairSecrets, clair_secrets, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Everything libsecret may still read while the store is in flight. */
typedef struct
{
  char       *base_url;
  char       *api_key;
  char       *label;
  GHashTable *attributes;
} StoreData;

static void
store_data_free (StoreData *data)
{
  g_free (data->base_url);
  clair_secrets_free_key (data->api_key);
  g_free (data->label);
  g_clear_pointer (&data->attributes, g_hash_table_unref);
  g_free (data);
}

const SecretSchema *
clair_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    BASE_APP_ID, SECRET_SCHEMA_NONE,
    {
      { "base-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

char *
clair_secrets_normalize_base_url (const char *base_url)
{
  char *normalized;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);

  normalized = g_strstrip (g_strdup (base_url));
  len = strlen (normalized);
  while (len > 0 && normalized[len - 1] == '/')
    normalized[--len] = '\0';

  return normalized;
}

void
clair_secrets_free_key (char *key)
{
  if (key == NULL)
    return;

  clair_secret_wipe (key);
  g_free (key);
}

static GHashTable *
attributes_new (const char *base_url)
{
  /* libsecret keeps a reference to the table, not a copy, while the call is in flight. */
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "base-url", g_strdup (base_url));
  return attributes;
}

static void
set_available (ClairSecrets *self,
               const GError *error)
{
  gboolean was_available = self->unavailable_message == NULL;

  g_clear_pointer (&self->unavailable_message, g_free);
  if (error != NULL)
    {
      g_debug ("Secret Service unavailable: %s", error->message);
      /* Translators: %s is the system's reason, such as "The name org.freedesktop.secrets was not
       * provided by any .service files". */
      self->unavailable_message =
        g_strdup_printf (_("API keys cannot be remembered because no keyring is available (%s). "
                           "The key is kept until CLAIR Studio quits; start a keyring service such "
                           "as GNOME Keyring to remember it."),
                         error->message);
    }

  if (was_available != (self->unavailable_message == NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
clair_secrets_finalize (GObject *object)
{
  ClairSecrets *self = (ClairSecrets *)object;

  g_clear_pointer (&self->session, g_hash_table_unref);
  g_clear_pointer (&self->unavailable_message, g_free);

  G_OBJECT_CLASS (clair_secrets_parent_class)->finalize (object);
}

static void
clair_secrets_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ClairSecrets *self = CLAIR_SECRETS (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, clair_secrets_is_available (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_secrets_class_init (ClairSecretsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clair_secrets_finalize;
  object_class->get_property = clair_secrets_get_property;

  /**
   * ClairSecrets:available:
   *
   * Whether API keys can be remembered in the keyring. FALSE after the Secret Service failed to
   * answer; keys are then kept for the session only.
   */
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clair_secrets_init (ClairSecrets *self)
{
  self->session = g_hash_table_new_full (g_str_hash, g_str_equal,
                                         g_free, (GDestroyNotify) clair_secrets_free_key);
}

ClairSecrets *
clair_secrets_new (void)
{
  return g_object_new (CLAIR_TYPE_SECRETS, NULL);
}

ClairSecrets *
clair_secrets_get_default (void)
{
  static ClairSecrets *instance;

  if (g_once_init_enter (&instance))
    g_once_init_leave (&instance, clair_secrets_new ());

  return instance;
}

gboolean
clair_secrets_is_available (ClairSecrets *self)
{
  g_return_val_if_fail (CLAIR_IS_SECRETS (self), FALSE);

  return self->unavailable_message == NULL;
}

const char *
clair_secrets_get_unavailable_message (ClairSecrets *self)
{
  g_return_val_if_fail (CLAIR_IS_SECRETS (self), NULL);

  return self->unavailable_message;
}

/* Probe */

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;
  ClairSecrets *self = g_task_get_source_object (task);

  service = secret_service_get_finish (result, &error);
  if (is_cancelled (error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_available (self, error);
  g_task_return_boolean (task, TRUE);
}

void
clair_secrets_probe_async (ClairSecrets        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CLAIR_IS_SECRETS (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_secrets_probe_async);

  /* Opening a session makes the service answer, which only connecting to the bus does not. */
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable, probe_cb, g_steal_pointer (&task));
}

gboolean
clair_secrets_probe_finish (ClairSecrets  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Store */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ClairSecrets *self = g_task_get_source_object (task);
  StoreData *data = g_task_get_task_data (task);

  if (secret_password_store_finish (result, &error))
    {
      set_available (self, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (is_cancelled (error))
    {
      /* The user took it back: do not use a key they cancelled storing. */
      g_hash_table_remove (self->session, data->base_url);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_available (self, error);
  g_task_return_boolean (task, FALSE);
}

void
clair_secrets_store_async (ClairSecrets        *self,
                           const char          *base_url,
                           const char          *api_key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreData *data;

  g_return_if_fail (CLAIR_IS_SECRETS (self));
  g_return_if_fail (base_url != NULL);
  g_return_if_fail (api_key != NULL && api_key[0] != '\0');

  /* A process holding a key never writes a core file. */
  clair_secret_protect_process ();
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (StoreData, 1);
  data->base_url = clair_secrets_normalize_base_url (base_url);
  data->api_key = g_strdup (api_key);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_secrets_store_async);
  g_task_set_task_data (task, data, (GDestroyNotify) store_data_free);

  /* Cancelled already: libsecret is not even asked. Asked, it would start connecting to the
   * session bus with a cancelled cancellable, and GDBus keeps that "cancelled" as the shared
   * connection's answer for the next callers (the lookups that follow) while it lives. */
  if (g_task_return_error_if_cancelled (task))
    return;

  g_hash_table_replace (self->session, g_strdup (data->base_url), g_strdup (api_key));

  data->attributes = attributes_new (data->base_url);
  /* Translators: the label of the key in the keyring (Passwords and Keys); %s is a URL. */
  data->label = g_strdup_printf (_("CLAIR Studio API key for %s"), data->base_url);
  secret_password_storev (clair_secrets_get_schema (), data->attributes, SECRET_COLLECTION_DEFAULT,
                          data->label, data->api_key, cancellable,
                          store_cb, g_steal_pointer (&task));
}

gboolean
clair_secrets_store_finish (ClairSecrets  *self,
                            GAsyncResult  *result,
                            gboolean      *remembered,
                            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean in_keyring;

  g_return_val_if_fail (CLAIR_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  in_keyring = g_task_propagate_boolean (G_TASK (result), &local_error);
  if (remembered != NULL)
    *remembered = in_keyring;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Lookup */

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ClairSecrets *self = g_task_get_source_object (task);
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (is_cancelled (error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A keyring that cannot be reached holds no key for us: the caller asks the user for one. */
  set_available (self, error);
  if (secret == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) clair_secrets_free_key);
  secret_password_free (secret);
}

void
clair_secrets_lookup_async (ClairSecrets        *self,
                            const char          *base_url,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *normalized = NULL;
  const char *known;

  g_return_if_fail (CLAIR_IS_SECRETS (self));
  g_return_if_fail (base_url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_secrets_lookup_async);

  normalized = clair_secrets_normalize_base_url (base_url);
  known = g_hash_table_lookup (self->session, normalized);
  if (known != NULL)
    {
      g_task_return_pointer (task, g_strdup (known), (GDestroyNotify) clair_secrets_free_key);
      return;
    }

  attributes = attributes_new (normalized);
  secret_password_lookupv (clair_secrets_get_schema (), attributes, cancellable,
                           lookup_cb, g_steal_pointer (&task));
}

char *
clair_secrets_lookup_finish (ClairSecrets  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_SECRETS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  /* The key arrives here: from now on no core file. */
  clair_secret_protect_process ();
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clear */

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ClairSecrets *self = g_task_get_source_object (task);

  /* FALSE without an error means there was nothing to remove, which is what was asked. */
  secret_password_clear_finish (result, &error);
  if (is_cancelled (error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_available (self, error);
  g_task_return_boolean (task, TRUE);
}

void
clair_secrets_clear_async (ClairSecrets        *self,
                           const char          *base_url,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *normalized = NULL;

  g_return_if_fail (CLAIR_IS_SECRETS (self));
  g_return_if_fail (base_url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_secrets_clear_async);

  normalized = clair_secrets_normalize_base_url (base_url);
  g_hash_table_remove (self->session, normalized);

  attributes = attributes_new (normalized);
  secret_password_clearv (clair_secrets_get_schema (), attributes, cancellable,
                          clear_cb, g_steal_pointer (&task));
}

gboolean
clair_secrets_clear_finish (ClairSecrets  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
