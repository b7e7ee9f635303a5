/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The distilabel CLAIR system message, byte for byte. */
extern const char clair_prompt_default_system[];
/* The distilabel CLAIR user template (Jinja placeholders {{ task }} and {{ student_solution }}). */
extern const char clair_prompt_default_user[];

typedef struct _ClairPrompt ClairPrompt;

/* NULL for either template means the distilabel default. */
ClairPrompt *clair_prompt_new             (const char   *system_template,
                                           const char   *user_template);
void         clair_prompt_free            (ClairPrompt  *self);
const char  *clair_prompt_get_system      (ClairPrompt  *self);
const char  *clair_prompt_get_user        (ClairPrompt  *self);
gboolean     clair_prompt_is_default      (ClairPrompt  *self);

/* Renders a template: {{ task }} and {{ student_solution }} (any spacing inside the braces) are
 * replaced by the values verbatim; everything else, including single braces, is copied. */
char        *clair_prompt_render_template (const char   *template_text,
                                           const char   *task,
                                           const char   *solution);
char        *clair_prompt_render_system   (ClairPrompt  *self,
                                           const char   *task,
                                           const char   *solution);
char        *clair_prompt_render_user     (ClairPrompt  *self,
                                           const char   *task,
                                           const char   *solution);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairPrompt, clair_prompt_free)

G_END_DECLS
