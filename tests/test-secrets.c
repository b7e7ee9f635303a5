/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secrets"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "clair-secrets.h"
#include "test-util.h"

/* ClairSecrets against a real Secret Service: each scenario runs in a subprocess with its own
 * environment. The keyring scenario starts a private D-Bus and an unlocked gnome-keyring-daemon in
 * a scratch home; the fallback scenarios have no bus at all, or a bus without a Secret Service. */

#define BASE_URL "https://api.example.com/v1"

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Waiter;

static void
waiter_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_loop_quit (waiter->loop);
}

static GAsyncResult *
waiter_run (Waiter *waiter)
{
  g_main_loop_run (waiter->loop);
  g_main_loop_unref (waiter->loop);
  return waiter->result;
}

static Waiter *
waiter_new (void)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->loop = g_main_loop_new (NULL, FALSE);
  return waiter;
}

static gboolean
store_sync (ClairSecrets  *secrets,
            const char    *base_url,
            const char    *key,
            GCancellable  *cancellable,
            gboolean      *remembered,
            GError       **error)
{
  g_autofree Waiter *waiter = waiter_new ();
  g_autoptr(GAsyncResult) result = NULL;

  clair_secrets_store_async (secrets, base_url, key, cancellable, waiter_cb, waiter);
  result = waiter_run (waiter);
  return clair_secrets_store_finish (secrets, result, remembered, error);
}

static char *
lookup_sync (ClairSecrets *secrets,
             const char   *base_url)
{
  g_autofree Waiter *waiter = waiter_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *key;

  clair_secrets_lookup_async (secrets, base_url, NULL, waiter_cb, waiter);
  result = waiter_run (waiter);
  key = clair_secrets_lookup_finish (secrets, result, &error);
  g_assert_no_error (error);
  return key;
}

static void
clear_sync (ClairSecrets *secrets,
            const char   *base_url)
{
  g_autofree Waiter *waiter = waiter_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  clair_secrets_clear_async (secrets, base_url, NULL, waiter_cb, waiter);
  result = waiter_run (waiter);
  g_assert_true (clair_secrets_clear_finish (secrets, result, &error));
  g_assert_no_error (error);
}

static void
probe_sync (ClairSecrets *secrets)
{
  g_autofree Waiter *waiter = waiter_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  clair_secrets_probe_async (secrets, NULL, waiter_cb, waiter);
  result = waiter_run (waiter);
  g_assert_true (clair_secrets_probe_finish (secrets, result, &error));
  g_assert_no_error (error);
}

/* A scratch home: every XDG directory the keyring daemon or libsecret could write to. */
static char *
scratch_home_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *run = NULL;
  char *home;

  home = g_dir_make_tmp ("clair-secrets-XXXXXX", &error);
  g_assert_no_error (error);
  run = g_build_filename (home, "run", NULL);
  g_assert_cmpint (g_mkdir (run, 0700), ==, 0);

  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", run, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  return home;
}

static gboolean
bytes_contain (const char *haystack,
               gsize       len,
               const char *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    {
      if (memcmp (haystack + i, needle, needle_len) == 0)
        return TRUE;
    }
  return FALSE;
}

/* TRUE when some file under @dir holds @needle: keys must never reach the disk in plain text. */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return FALSE;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (path, needle))
            return TRUE;
          continue;
        }
      if (g_file_get_contents (path, &contents, &len, NULL)
          && bytes_contain (contents, len, needle))
        return TRUE;
    }
  return FALSE;
}

static void
test_normalize (void)
{
  struct { const char *in, *out; } cases[] = {
    { "https://api.openai.com/v1", "https://api.openai.com/v1" },
    { "https://api.openai.com/v1/", "https://api.openai.com/v1" },
    { "  http://localhost:8000/v1//  ", "http://localhost:8000/v1" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = clair_secrets_normalize_base_url (cases[i].in);
      g_assert_cmpstr (normalized, ==, cases[i].out);
    }

  g_assert_true (CLAIR_IS_SECRETS (clair_secrets_get_default ()));
  g_assert_true (clair_secrets_get_default () == clair_secrets_get_default ());
  g_assert_cmpstr (clair_secrets_get_schema ()->name, ==, BASE_APP_ID);
  g_assert_cmpstr (clair_secrets_get_schema ()->attributes[0].name, ==, "base-url");
  g_assert_null (clair_secrets_get_schema ()->attributes[1].name);
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* What every fallback scenario must show: not remembered, said so, usable for the session only. */
static void
assert_session_only (const char *home)
{
  g_autoptr(ClairSecrets) secrets = clair_secrets_new ();
  g_autoptr(ClairSecrets) probed = clair_secrets_new ();
  g_autoptr(ClairSecrets) later = clair_secrets_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *after_clear = NULL;
  g_autofree char *after_cancel = NULL;
  gboolean remembered = TRUE;
  guint notified = 0;

  probe_sync (probed);
  g_assert_false (clair_secrets_is_available (probed));
  g_assert_nonnull (clair_secrets_get_unavailable_message (probed));
  g_assert_nonnull (strstr (clair_secrets_get_unavailable_message (probed), "cannot be remembered"));

  g_assert_true (clair_secrets_is_available (secrets));
  g_assert_null (clair_secrets_get_unavailable_message (secrets));
  g_signal_connect (secrets, "notify::available", G_CALLBACK (notify_count_cb), &notified);

  g_assert_true (store_sync (secrets, BASE_URL "/", "sk-session-only-4f1c", NULL, &remembered, &error));
  g_assert_no_error (error);
  g_assert_false (remembered);
  g_assert_false (clair_secrets_is_available (secrets));
  g_assert_cmpuint (notified, ==, 1);

  key = lookup_sync (secrets, BASE_URL);
  g_assert_cmpstr (key, ==, "sk-session-only-4f1c");
  missing = lookup_sync (later, BASE_URL);
  g_assert_null (missing);
  g_assert_false (tree_contains (home, "sk-session-only-4f1c"));

  clear_sync (secrets, BASE_URL);
  after_clear = lookup_sync (secrets, BASE_URL);
  g_assert_null (after_clear);

  /* A store the user cancelled leaves no key behind. */
  g_cancellable_cancel (cancelled);
  g_assert_false (store_sync (secrets, BASE_URL, "sk-cancelled", cancelled, &remembered, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  after_cancel = lookup_sync (secrets, BASE_URL);
  g_assert_null (after_cancel);

  g_assert_finalize_object (g_steal_pointer (&secrets));
}

static void
test_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *home = scratch_home_new ();
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-bus", home);

      /* No bus, and no X display that GDBus could autolaunch one from. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      g_unsetenv ("DISPLAY");
      assert_session_only (home);
      remove_tree (home);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_bus_without_service (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *home = scratch_home_new ();
      GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);

      /* A private bus with no service directories: nothing provides org.freedesktop.secrets. */
      g_test_dbus_up (bus);
      assert_session_only (home);
      /* libsecret keeps the bus connection referenced, which g_test_dbus_down() (also run when
       * the GTestDBus is finalized) would wait 30 s for: stop the bus and let the subprocess exit. */
      secret_service_disconnect ();
      g_test_dbus_stop (bus);
      remove_tree (home);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

typedef struct
{
  GMainLoop *loop;
  gboolean   exited;
} Daemon;

static void
name_appeared_cb (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  Daemon *daemon = user_data;

  g_main_loop_quit (daemon->loop);
}

static void
daemon_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Daemon *daemon = user_data;

  daemon->exited = TRUE;
  g_main_loop_quit (daemon->loop);
}

static void
keyring_scenario (const char *home)
{
  g_autoptr(ClairSecrets) secrets = clair_secrets_new ();
  g_autoptr(ClairSecrets) other = clair_secrets_new ();
  g_autoptr(ClairSecrets) fresh = clair_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *slash = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *cleared = NULL;
  gboolean remembered = FALSE;

  probe_sync (secrets);
  g_assert_true (clair_secrets_is_available (secrets));

  g_assert_true (store_sync (secrets, BASE_URL, "sk-keyring-9a7e", NULL, &remembered, &error));
  g_assert_no_error (error);
  g_assert_true (remembered);
  g_assert_true (clair_secrets_is_available (secrets));
  g_assert_null (clair_secrets_get_unavailable_message (secrets));

  /* Another object has nothing in memory: this comes from the keyring. */
  key = lookup_sync (other, BASE_URL);
  g_assert_cmpstr (key, ==, "sk-keyring-9a7e");
  slash = lookup_sync (fresh, BASE_URL "/");
  g_assert_cmpstr (slash, ==, "sk-keyring-9a7e");
  unknown = lookup_sync (other, "https://elsewhere.example.com/v1");
  g_assert_null (unknown);

  /* The keyring daemon wrote its file; the key is not in it, nor anywhere else, in plain text. */
  g_assert_false (tree_contains (home, "sk-keyring-9a7e"));

  g_assert_true (store_sync (secrets, BASE_URL "/", "sk-keyring-second", NULL, &remembered, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (clair_secrets_get_unavailable_message (secrets), ==, NULL);
  g_assert_true (remembered);
  g_clear_object (&fresh);
  fresh = clair_secrets_new ();
  replaced = lookup_sync (fresh, BASE_URL);
  g_assert_cmpstr (replaced, ==, "sk-keyring-second");

  clear_sync (other, BASE_URL);
  g_clear_object (&fresh);
  fresh = clair_secrets_new ();
  cleared = lookup_sync (fresh, BASE_URL);
  g_assert_null (cleared);
}

static void
test_keyring (void)
{
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");

  if (daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon is not installed (package gnome-keyring)");
      return;
    }

  if (g_test_subprocess ())
    {
      g_autofree char *home = scratch_home_new ();
      GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) keyring = NULL;
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr(GError) error = NULL;
      Daemon state = { loop, FALSE };
      GOutputStream *input;
      guint watch;

      g_test_dbus_up (bus);

      /* An unlocked login keyring in the scratch home, as a desktop session has. */
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                            G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      /* The malloc checks are for our code: gnome-keyring-daemon 42 crashes under
       * MALLOC_PERTURB_ when an item is replaced ("asked to register item …, but it's
       * already registered"), which is its bug, not ours. */
      g_subprocess_launcher_unsetenv (launcher, "MALLOC_PERTURB_");
      g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
      g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
      keyring = g_subprocess_launcher_spawn (launcher, &error, daemon, "--foreground", "--unlock",
                                             "--components=secrets", NULL);
      g_assert_no_error (error);
      input = g_subprocess_get_stdin_pipe (keyring);
      g_output_stream_write_all (input, "test-password", strlen ("test-password"), NULL, NULL,
                                 &error);
      g_assert_no_error (error);
      g_output_stream_close (input, NULL, &error);
      g_assert_no_error (error);

      /* Wait until the daemon owns the Secret Service name (or dies trying). */
      g_subprocess_wait_async (keyring, NULL, daemon_exited_cb, &state);
      watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.secrets",
                                G_BUS_NAME_WATCHER_FLAGS_NONE, name_appeared_cb, NULL,
                                &state, NULL);
      g_main_loop_run (loop);
      g_bus_unwatch_name (watch);
      g_assert_false (state.exited);

      keyring_scenario (home);

      g_subprocess_send_signal (keyring, SIGTERM);
      while (!state.exited)
        g_main_context_iteration (NULL, TRUE);
      /* libsecret keeps the bus connection referenced, which g_test_dbus_down() (also run when
       * the GTestDBus is finalized) would wait 30 s for: stop the bus and let the subprocess exit. */
      secret_service_disconnect ();
      g_test_dbus_stop (bus);
      remove_tree (home);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secrets/normalize", test_normalize);
  g_test_add_func ("/secrets/fallback/no-bus", test_no_bus);
  g_test_add_func ("/secrets/fallback/bus-without-service", test_bus_without_service);
  g_test_add_func ("/secrets/keyring", test_keyring);

  return g_test_run ();
}
