/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "clair-project.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_PREFERENCES_WINDOW (clair_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ClairPreferencesWindow, clair_preferences_window, CLAIR, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* Endpoint, generation, run and prompt settings. Values go to GSettings and, with a project
 * open, to the project as well (they travel with it); the key goes to the key store.
 * @task and @solution, when given, feed the prompt preview. */
GtkWidget *clair_preferences_window_new       (GtkWindow              *parent,
                                               GSettings              *settings,
                                               ClairProject           *project,
                                               const char             *task,
                                               const char             *solution);
/* Saves what the window shows (also done when it closes). */
gboolean   clair_preferences_window_save      (ClairPreferencesWindow *self,
                                               GError                **error);
/* Selects a preset by its GSettings nick ("openai", "vllm", ...). */
void       clair_preferences_window_set_preset (ClairPreferencesWindow *self,
                                                const char             *nick);
/* The API key entry (an AdwPasswordEntryRow): what is typed there is stored for the base URL. */
GtkWidget  *clair_preferences_window_get_key_row   (ClairPreferencesWindow *self);
/* The row saying that keys cannot be remembered (no Secret Service); hidden while they can. */
GtkWidget  *clair_preferences_window_get_key_note_row (ClairPreferencesWindow *self);
const char *clair_preferences_window_get_base_url (ClairPreferencesWindow *self);
/* The rendered messages in the prompt preview. */
char      *clair_preferences_window_get_preview (ClairPreferencesWindow *self);
/* Starts "Test connection"; "models-listed" is emitted with the number of models or -1. */
void       clair_preferences_window_test_connection (ClairPreferencesWindow *self);
guint      clair_preferences_window_get_n_models (ClairPreferencesWindow *self);
/* What the connection test said ("Not tested" until one ran for the base URL shown). */
const char *clair_preferences_window_get_test_result (ClairPreferencesWindow *self);
void       clair_preferences_window_set_base_url (ClairPreferencesWindow *self,
                                                  const char             *url);
const char *clair_preferences_window_get_model   (ClairPreferencesWindow *self);
void       clair_preferences_window_set_model    (ClairPreferencesWindow *self,
                                                  const char             *model);
/* The annotator entry (a GtkEntry; empty: the default name, its placeholder). Saving refuses a
 * name clair_annotator_name_is_valid() refuses, and sets the project's annotator. */
GtkWidget  *clair_preferences_window_get_annotator_entry (ClairPreferencesWindow *self);
/* The annotator set in Preferences (the "annotator" key), or NULL for the default: what the
 * window passes to clair_project_set_annotator() when it opens a project. */
char       *clair_preferences_dup_annotator     (GSettings              *settings);

G_END_DECLS
