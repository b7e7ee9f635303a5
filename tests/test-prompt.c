/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-prompt"

#include "config.h"

#include <string.h>

#include "clair-prompt.h"

/* Copied from distilabel's CLAIR task, not from clair-prompt.c: the two must stay identical. */
static const char expected_system[] =
  "You are a teacher and your task is to minimally improve a student's answer. I will give you a "
  "{task} and a {student_solution}. Your job is to revise the {student_solution} such that it is "
  "clearer, more correct, and more engaging. Copy all non-corrected parts of the student's answer. "
  "Do not allude to the {corrected_student_solution} being a revision or a correction in your "
  "final solution.";

static char *
expected_user (const char *task,
               const char *solution)
{
  return g_strconcat ("{task}: ", task, "\n\n{student_solution}: ", solution,
                      "\n\n-----------------\n\nLet's first think step by step with a "
                      "{teacher_reasoning} to decide how to improve the {student_solution}, then "
                      "give the {corrected_student_solution}. Mention the {teacher_reasoning} and "
                      "{corrected_student_solution} identifiers to structure your answer.",
                      NULL);
}

static void
test_default_byte_identity (void)
{
  const char *task = "Spell 'necessary'.";
  const char *solution = "It is spelled \"neccessary\".\nI think.";
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
  g_autofree char *system = clair_prompt_render_system (prompt, task, solution);
  g_autofree char *user = clair_prompt_render_user (prompt, task, solution);
  g_autofree char *expected = expected_user (task, solution);

  g_assert_cmpstr (clair_prompt_default_system, ==, expected_system);
  g_assert_cmpstr (system, ==, expected_system);
  g_assert_cmpstr (user, ==, expected);
  g_assert_false (g_str_has_suffix (user, "\n"));
  g_assert_true (clair_prompt_is_default (prompt));
  g_assert_cmpstr (clair_prompt_get_system (prompt), ==, clair_prompt_default_system);
  g_assert_cmpstr (clair_prompt_get_user (prompt), ==, clair_prompt_default_user);
  /* The default user template is distilabel's Jinja text. */
  g_assert_nonnull (strstr (clair_prompt_default_user, "{task}: {{ task }}\n\n"));
  g_assert_nonnull (strstr (clair_prompt_default_user,
                            "{student_solution}: {{ student_solution }}\n\n"));
}

static void
test_defaults_by_value (void)
{
  g_autoptr(ClairPrompt) same = clair_prompt_new (clair_prompt_default_system,
                                                  clair_prompt_default_user);
  g_autoptr(ClairPrompt) custom_user = clair_prompt_new (NULL, "{{ task }}");
  g_autoptr(ClairPrompt) custom_system = clair_prompt_new ("Be brief.", NULL);

  g_assert_true (clair_prompt_is_default (same));
  g_assert_false (clair_prompt_is_default (custom_user));
  g_assert_false (clair_prompt_is_default (custom_system));
  g_assert_cmpstr (clair_prompt_get_system (custom_user), ==, clair_prompt_default_system);
  g_assert_cmpstr (clair_prompt_get_user (custom_system), ==, clair_prompt_default_user);
}

static void
test_distilabel_style_template (void)
{
  /* A template as it would be pasted from a distilabel task, with a system prompt that uses a
   * placeholder too. */
  const char *user_template =
    "Question:\n{{task}}\n\nAnswer to improve:\n{{   student_solution\t}}\n\n"
    "Reply with {teacher_reasoning} then {corrected_student_solution}.";
  g_autoptr(ClairPrompt) prompt = clair_prompt_new ("You revise answers about {{ task }}.",
                                                    user_template);
  g_autofree char *system = clair_prompt_render_system (prompt, "cats", "meow");
  g_autofree char *user = clair_prompt_render_user (prompt, "What is 2+2?", "5");

  g_assert_cmpstr (system, ==, "You revise answers about cats.");
  g_assert_cmpstr (user, ==,
                   "Question:\nWhat is 2+2?\n\nAnswer to improve:\n5\n\n"
                   "Reply with {teacher_reasoning} then {corrected_student_solution}.");
}

static void
test_literal_braces (void)
{
  struct { const char *template_text; const char *expected; } cases[] = {
    { "{task}", "{task}" },
    { "{ task }", "{ task }" },
    { "{{task}}", "T" },
    { "{{\n task \n}}", "T" },
    { "{{ tasks }}", "{{ tasks }}" },
    { "{{ task }", "{{ task }" },
    { "{{ task } }", "{{ task } }" },
    { "{{ other }} {{ task }}", "{{ other }} T" },
    { "{{{ task }}}", "{T}" },
    { "{{", "{{" },
    { "{", "{" },
    { "", "" },
    { "a{{ student_solution }}b{{ task }}c", "aSbTc" },
    { "{% if x %}{{ task }}{% endif %}", "{% if x %}T{% endif %}" },
    { "{{ task|upper }}", "{{ task|upper }}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = clair_prompt_render_template (cases[i].template_text, "T", "S");

      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_values_verbatim (void)
{
  const char *task = "Say \"{{ student_solution }}\" and {task}\n\twith {{ task }} inside";
  const char *solution = "{{ task }}}}{{ {\\\"\n\r\n}";
  g_autofree char *out = clair_prompt_render_template ("<{{ task }}|{{ student_solution }}>",
                                                       task, solution);
  g_autofree char *expected = g_strconcat ("<", task, "|", solution, ">", NULL);
  g_autofree char *empty = clair_prompt_render_template ("[{{ task }}][{{ student_solution }}]",
                                                         NULL, "");

  /* One pass: placeholders inside the values are not expanded again. */
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (empty, ==, "[][]");
}

static void
test_utf8_values (void)
{
  g_autofree char *out = clair_prompt_render_template ("« {{ task }} » → {{ student_solution }}",
                                                       "naïve café", "日本語");

  g_assert_cmpstr (out, ==, "« naïve café » → 日本語");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/prompt/default-byte-identity", test_default_byte_identity);
  g_test_add_func ("/prompt/defaults-by-value", test_defaults_by_value);
  g_test_add_func ("/prompt/distilabel-style-template", test_distilabel_style_template);
  g_test_add_func ("/prompt/literal-braces", test_literal_braces);
  g_test_add_func ("/prompt/values-verbatim", test_values_verbatim);
  g_test_add_func ("/prompt/utf8-values", test_utf8_values);

  return g_test_run ();
}
