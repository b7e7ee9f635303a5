/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-application"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "clair-application.h"
#include "clair-preferences-window.h"
#include "clair-window-private.h"

struct _ClairApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (ClairApplication, clair_application, ADW_TYPE_APPLICATION)

static ClairWindow *
get_window (ClairApplication *self,
            gboolean          create)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (CLAIR_IS_WINDOW (window))
    return CLAIR_WINDOW (window);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (CLAIR_IS_WINDOW (l->data))
      return l->data;
  return create ? clair_window_new (self) : NULL;
}

/* CLAIR_PROFILE_FIRST_FRAME=1 prints when the first frame has been drawn (for tests/bench);
 * =exit also quits then. */
static void
after_paint_cb (GdkFrameClock *clock,
                GtkWindow     *window)
{
  const char *mode = g_getenv ("CLAIR_PROFILE_FIRST_FRAME");

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, window);
  g_print ("first-frame\n");
  if (g_strcmp0 (mode, "exit") == 0)
    g_application_quit (G_APPLICATION (gtk_window_get_application (window)));
}

static void
window_map_cb (GtkWindow *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), window);
}

static void
profile_window (ClairWindow *window)
{
  if (g_getenv ("CLAIR_PROFILE_FIRST_FRAME") != NULL &&
      g_object_get_data (G_OBJECT (window), "clair-profiled") == NULL)
    {
      g_object_set_data (G_OBJECT (window), "clair-profiled", GINT_TO_POINTER (1));
      g_signal_connect_after (window, "map", G_CALLBACK (window_map_cb), NULL);
    }
}

static void
clair_application_activate (GApplication *application)
{
  ClairApplication *self = CLAIR_APPLICATION (application);
  ClairWindow *window = get_window (self, FALSE);

  if (window == NULL)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-project");

      window = get_window (self, TRUE);
      profile_window (window);
      if (g_settings_get_boolean (self->settings, "reopen-last") && *last &&
          g_file_test (last, G_FILE_TEST_IS_REGULAR))
        clair_window_open_project (window, last);
    }
  gtk_window_present (GTK_WINDOW (window));
}

static void
clair_application_open (GApplication  *application,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  ClairApplication *self = CLAIR_APPLICATION (application);
  ClairWindow *window = get_window (self, TRUE);

  profile_window (window);
  gtk_window_present (GTK_WINDOW (window));
  if (n_files > 0)
    clair_window_open_file (window, files[0]);
}

static int
clair_application_handle_local_options (GApplication *application,
                                        GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      printf ("clair-studio %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ClairApplication *self = user_data;
  ClairWindow *window = get_window (self, FALSE);
  ClairProject *project = window ? clair_window_get_project (window) : NULL;
  g_autoptr(ClairRecord) record = NULL;
  GtkWidget *prefs;

  if (project != NULL && clair_window_get_current_row (window) >= 0)
    record = clair_project_get_record (project, clair_window_get_current_row (window), NULL);
  prefs = clair_preferences_window_new (GTK_WINDOW (window), self->settings, project,
                                        record ? record->task : NULL, record ? record->solution : NULL);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  ClairApplication *self = user_data;
  const char *developers[] = { _("The CLAIR Studio contributors"), NULL };

  adw_show_about_window (GTK_WINDOW (get_window (self, FALSE)),
                         "application-name", _("CLAIR Studio"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Make minimal-revision preference data: run CLAIR revisions against any "
                                       "OpenAI-compatible endpoint, review them as diffs, and export training pairs."),
                         "website", "https://github.com/clairstudio/clair-studio",
                         "issue-url", "https://github.com/clairstudio/clair-studio/issues",
                         "developers", developers,
                         "copyright", "© 2024 The CLAIR Studio contributors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ClairApplication *self = user_data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action_cb },
  { "about", about_action_cb },
  { "quit", quit_action_cb },
};

/* The style chosen in the menu: the system's, or always light or dark. */
static void
color_scheme_changed_cb (GSettings  *settings,
                         const char *key,
                         gpointer    user_data)
{
  g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    value = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), value);
}

static void
clair_application_startup (GApplication *application)
{
  ClairApplication *self = CLAIR_APPLICATION (application);

  G_APPLICATION_CLASS (clair_application_parent_class)->startup (application);

  self->settings = g_settings_new (BASE_APP_ID);
  gtk_window_set_default_icon_name (APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  {
    g_autoptr(GAction) scheme = g_settings_create_action (self->settings, "color-scheme");

    g_action_map_add_action (G_ACTION_MAP (self), scheme);
  }
  g_signal_connect (self->settings, "changed::color-scheme", G_CALLBACK (color_scheme_changed_cb), NULL);
  color_scheme_changed_cb (self->settings, "color-scheme", NULL);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", (const char *[]) { "<Control>comma", NULL });
}

static void
clair_application_finalize (GObject *object)
{
  ClairApplication *self = CLAIR_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (clair_application_parent_class)->finalize (object);
}

static void
clair_application_class_init (ClairApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = clair_application_finalize;
  app_class->activate = clair_application_activate;
  app_class->open = clair_application_open;
  app_class->startup = clair_application_startup;
  app_class->handle_local_options = clair_application_handle_local_options;
}

static void
clair_application_init (ClairApplication *self)
{
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[DATASET or PROJECT]"));
}

ClairApplication *
clair_application_new (void)
{
  return g_object_new (CLAIR_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}

GSettings *
clair_application_get_settings (ClairApplication *self)
{
  g_return_val_if_fail (CLAIR_IS_APPLICATION (self), NULL);
  return self->settings;
}

void
clair_application_add_recent (ClairApplication *self,
                              const char       *path)
{
  ClairWindow *window;

  g_return_if_fail (CLAIR_IS_APPLICATION (self));
  window = get_window (self, FALSE);
  if (window != NULL)
    _clair_window_add_recent (window, path);
}
