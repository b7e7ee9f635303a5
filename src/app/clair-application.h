/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CLAIR_TYPE_APPLICATION (clair_application_get_type ())
G_DECLARE_FINAL_TYPE (ClairApplication, clair_application, CLAIR, APPLICATION, AdwApplication)

ClairApplication *clair_application_new          (void);
/* The application's settings (io.github.clairstudio.ClairStudio). */
GSettings        *clair_application_get_settings (ClairApplication *self);
/* Records @path at the top of the recent projects and as the one to reopen on start. */
void              clair_application_add_recent   (ClairApplication *self,
                                                  const char       *path);

G_END_DECLS
