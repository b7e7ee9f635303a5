/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "clair-project.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_GUIDELINES_PANE (clair_guidelines_pane_get_type ())
G_DECLARE_FINAL_TYPE (ClairGuidelinesPane, clair_guidelines_pane, CLAIR, GUIDELINES_PANE, GtkWidget)

/* A project's annotation guidelines (Markdown) beside the record: shown read-only, edited after
 * the edit button, saved half a second after the last keystroke and when editing ends. */
GtkWidget  *clair_guidelines_pane_new          (void);
/* The project whose guidelines are shown and saved (NULL: none). */
void        clair_guidelines_pane_set_project  (ClairGuidelinesPane *self,
                                                ClairProject        *project);
/* Saves an edit under way now (before the project closes). */
void        clair_guidelines_pane_flush        (ClairGuidelinesPane *self);
/* The text shown (for tests); free with g_free(). */
char       *clair_guidelines_pane_get_text     (ClairGuidelinesPane *self);
/* Types @markdown as the whole text, as editing would (for tests). */
void        clair_guidelines_pane_set_text     (ClairGuidelinesPane *self,
                                                const char          *markdown);

G_END_DECLS
