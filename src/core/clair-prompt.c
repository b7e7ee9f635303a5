/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-prompt"

#include "config.h"

#include <string.h>

#include "clair-prompt.h"

/* The texts of distilabel's CLAIR task (distilabel/steps/tasks/clair.py), byte for byte. The braces
 * in them are literal text that the model is asked to repeat as section markers. */
const char clair_prompt_default_system[] =
  "You are a teacher and your task is to minimally improve a student's answer. I will give you a "
  "{task} and a {student_solution}. Your job is to revise the {student_solution} such that it is "
  "clearer, more correct, and more engaging. Copy all non-corrected parts of the student's answer. "
  "Do not allude to the {corrected_student_solution} being a revision or a correction in your "
  "final solution.";

const char clair_prompt_default_user[] =
  "{task}: {{ task }}\n"
  "\n"
  "{student_solution}: {{ student_solution }}\n"
  "\n"
  "-----------------\n"
  "\n"
  "Let's first think step by step with a {teacher_reasoning} to decide how to improve the "
  "{student_solution}, then give the {corrected_student_solution}. Mention the {teacher_reasoning} "
  "and {corrected_student_solution} identifiers to structure your answer.";

struct _ClairPrompt
{
  char *system;
  char *user;
};

ClairPrompt *
clair_prompt_new (const char *system_template,
                  const char *user_template)
{
  ClairPrompt *self = g_new0 (ClairPrompt, 1);

  self->system = g_strdup (system_template != NULL ? system_template : clair_prompt_default_system);
  self->user = g_strdup (user_template != NULL ? user_template : clair_prompt_default_user);
  return self;
}

void
clair_prompt_free (ClairPrompt *self)
{
  if (self == NULL)
    return;
  g_free (self->system);
  g_free (self->user);
  g_free (self);
}

const char *
clair_prompt_get_system (ClairPrompt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->system;
}

const char *
clair_prompt_get_user (ClairPrompt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->user;
}

gboolean
clair_prompt_is_default (ClairPrompt *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return strcmp (self->system, clair_prompt_default_system) == 0 &&
         strcmp (self->user, clair_prompt_default_user) == 0;
}

static inline gboolean
is_jinja_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* If @p starts a placeholder `{{ name }}` with a known name, returns its value and sets @end past
 * the closing braces; otherwise returns NULL. */
static const char *
match_placeholder (const char  *p,
                   const char  *task,
                   const char  *solution,
                   const char **end)
{
  const char *name;
  const char *value;
  gsize name_len;

  g_assert (p[0] == '{' && p[1] == '{');

  p += 2;
  while (is_jinja_space (*p))
    p++;
  name = p;
  while (g_ascii_isalnum (*p) || *p == '_')
    p++;
  name_len = p - name;
  if (name_len == 4 && memcmp (name, "task", 4) == 0)
    value = task;
  else if (name_len == 16 && memcmp (name, "student_solution", 16) == 0)
    value = solution;
  else
    return NULL;
  while (is_jinja_space (*p))
    p++;
  if (p[0] != '}' || p[1] != '}')
    return NULL;

  *end = p + 2;
  return value != NULL ? value : "";
}

char *
clair_prompt_render_template (const char *template_text,
                              const char *task,
                              const char *solution)
{
  GString *out;
  const char *p;
  const char *run;

  g_return_val_if_fail (template_text != NULL, NULL);

  /* One pass over the template only: values are copied, never scanned, so a value that itself
   * contains "{{ task }}" comes out verbatim. */
  out = g_string_sized_new (strlen (template_text) +
                            (task != NULL ? strlen (task) : 0) +
                            (solution != NULL ? strlen (solution) : 0) + 16);
  p = run = template_text;
  while ((p = strchr (p, '{')) != NULL)
    {
      const char *end = NULL;
      const char *value;

      if (p[1] != '{')
        {
          p++;
          continue;
        }
      value = match_placeholder (p, task, solution, &end);
      if (value == NULL)
        {
          p++;
          continue;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, value);
      p = run = end;
    }
  g_string_append (out, run);

  return g_string_free (out, FALSE);
}

char *
clair_prompt_render_system (ClairPrompt *self,
                            const char  *task,
                            const char  *solution)
{
  g_return_val_if_fail (self != NULL, NULL);

  return clair_prompt_render_template (self->system, task, solution);
}

char *
clair_prompt_render_user (ClairPrompt *self,
                          const char  *task,
                          const char  *solution)
{
  g_return_val_if_fail (self != NULL, NULL);

  return clair_prompt_render_template (self->user, task, solution);
}
