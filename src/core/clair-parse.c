/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-parse"

#include "config.h"

#include <string.h>

#include "clair-parse.h"

/* Two parsers of a CLAIR reply. clair_parse_reply_distilabel() is distilabel's
 * CLAIR.format_output transcribed, for comparison. clair_parse_reply() gives the same result on
 * well-formed replies and fixes distilabel's known weaknesses: it looks for markers that start a line
 * (the prompt asks the model to *mention* the markers, so mentions inside the reasoning must not
 * cut the revision), takes the last one, understands markdown around markers, and reports
 * truncated or unparseable replies instead of accepting them silently. */

void
clair_parse_result_free (ClairParseResult *result)
{
  if (result == NULL)
    return;
  g_free (result->revision);
  g_free (result->rationale);
  g_free (result->marker);
  g_free (result->reason);
  g_free (result->raw);
  g_free (result);
}

/* Python's str.isspace(): the characters str.strip() removes when called without arguments. */
static gboolean
is_py_space (gunichar c)
{
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
         c == 0x202f || c == 0x205f || c == 0x3000;
}

/* str.strip() on the bytes [*start, *end), which need not be valid UTF-8. */
static void
py_strip (const char **start,
          const char **end)
{
  const char *s = *start;
  const char *e = *end;

  while (s < e)
    {
      gunichar c = g_utf8_get_char_validated (s, e - s);

      if (c == (gunichar) -1 || c == (gunichar) -2 || !is_py_space (c))
        break;
      s = g_utf8_next_char (s);
    }
  while (e > s)
    {
      const char *p = e - 1;
      gunichar c;

      while (p > s && ((guchar) *p & 0xc0) == 0x80 && e - p < 4)
        p--;
      c = g_utf8_get_char_validated (p, e - p);
      if (c == (gunichar) -1 || c == (gunichar) -2 || g_utf8_next_char (p) != e ||
          !is_py_space (c))
        break;
      e = p;
    }
  *start = s;
  *end = e;
}

/* str.strip(":") */
static void
strip_colons (const char **start,
              const char **end)
{
  while (*start < *end && **start == ':')
    (*start)++;
  while (*end > *start && (*end)[-1] == ':')
    (*end)--;
}

static char *
strip_dup (const char *start,
           const char *end)
{
  py_strip (&start, &end);
  return g_strndup (start, end - start);
}

/* Python's text.split(sep)[index] without the list: the piece between occurrence @index - 1 and
 * occurrence @index of @sep, as [*piece_start, *piece_end). */
static void
split_piece (const char  *start,
             const char  *end,
             const char  *sep,
             guint        index,
             const char **piece_start,
             const char **piece_end)
{
  gsize sep_len = strlen (sep);
  const char *p = start;

  for (guint i = 0; i < index; i++)
    {
      const char *hit = g_strstr_len (p, end - p, sep);

      g_assert (hit != NULL);
      p = hit + sep_len;
    }
  *piece_start = p;
  *piece_end = g_strstr_len (p, end - p, sep);
  if (*piece_end == NULL)
    *piece_end = end;
}

static const char * const distilabel_markers[] = {
  "**Corrected Student Solution:**",
  "{corrected_student_solution}:",
  "{corrected_student_solution}",
  "**Worsened Student Solution:**",
  "{worsened_student_solution}:",
  "{worsened_student_solution}",
};

#define TEACHER_REASONING "{teacher_reasoning}"

static const char *
find_distilabel_marker (const char *content)
{
  for (guint i = 0; i < G_N_ELEMENTS (distilabel_markers); i++)
    if (strstr (content, distilabel_markers[i]) != NULL)
      return distilabel_markers[i];
  return NULL;
}

ClairParseResult *
clair_parse_reply_distilabel (const char *content)
{
  ClairParseResult *result = g_new0 (ClairParseResult, 1);
  const char *marker;
  const char *end;
  const char *start;
  const char *stop;
  const char *rational_end;

  result->raw = g_strdup (content != NULL ? content : "");
  result->status = CLAIR_PARSE_NO_MARKER;
  if (content == NULL || (marker = find_distilabel_marker (content)) == NULL)
    return result;

  end = content + strlen (content);
  result->status = CLAIR_PARSE_OK;
  result->marker = g_strdup (marker);

  /* revision = output.split(marker)[1].strip("\n\n").strip() */
  split_piece (content, end, marker, 1, &start, &stop);
  result->revision = strip_dup (start, stop);

  /* rational = splits[0]; if "{teacher_reasoning}" in rational:
   *   rational = rational.split("{teacher_reasoning}")[1].strip(":").strip()
   * rational = rational.strip("\n\n").strip() */
  rational_end = strstr (content, marker);
  if (g_strstr_len (content, rational_end - content, TEACHER_REASONING) != NULL)
    {
      split_piece (content, rational_end, TEACHER_REASONING, 1, &start, &stop);
      strip_colons (&start, &stop);
      result->rationale = strip_dup (start, stop);
    }
  else
    result->rationale = strip_dup (content, rational_end);

  return result;
}

typedef enum
{
  SECTION_NONE,
  SECTION_CORRECTED,
  SECTION_WORSENED,
  SECTION_REASONING,
} SectionKind;

typedef struct
{
  SectionKind  kind;
  const char  *line_start;     /* where the line holding the marker starts */
  const char  *marker_start;   /* the marker with its decoration: "### **Corrected …:**" */
  const char  *marker_end;
  const char  *content_start;  /* the section's text, after the marker */
} Section;

static const char * const corrected_words[] = { "corrected", "student", "solution", NULL };
static const char * const worsened_words[] = { "worsened", "student", "solution", NULL };
static const char * const reasoning_words[] = { "teacher", "reasoning", NULL };

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static inline gboolean
is_emphasis (char c)
{
  return c == '*' || c == '_';
}

/* Matches words separated by one space, underscore or hyphen, ASCII case-insensitively. */
static const char *
match_words (const char         *p,
             const char         *end,
             const char * const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len = strlen (words[i]);

      if (i > 0)
        {
          if (p >= end || (*p != ' ' && *p != '_' && *p != '-'))
            return NULL;
          p++;
        }
      if ((gsize) (end - p) < len || g_ascii_strncasecmp (p, words[i], len) != 0)
        return NULL;
      p += len;
    }
  /* A whole word: "solutions" is not a marker. */
  if (p < end && g_ascii_isalnum (*p))
    return NULL;
  return p;
}

static SectionKind
match_section_name (const char  *p,
                    const char  *end,
                    const char **name_end)
{
  static const struct { const char * const *words; SectionKind kind; } names[] = {
    { corrected_words, SECTION_CORRECTED },
    { worsened_words, SECTION_WORSENED },
    { reasoning_words, SECTION_REASONING },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *after = match_words (p, end, names[i].words);

      if (after != NULL)
        {
          *name_end = after;
          return names[i].kind;
        }
    }
  return SECTION_NONE;
}

/* Recognises a line that starts with a marker, in any of the forms models write:
 *   {corrected_student_solution}: text      **Corrected Student Solution:**
 *   ### Corrected Student Solution          **{corrected_student_solution}:**
 *   **Corrected Student Solution**:         __Teacher Reasoning__
 * A bare name without braces counts only with a colon, a heading, or alone on its line, so that a
 * sentence starting "Corrected student solution is …" is not taken for a marker. */
static gboolean
match_marker_line (const char *line,
                   const char *line_end,
                   Section    *section)
{
  const char *p = line;
  const char *name_end;
  gboolean heading = FALSE;
  gboolean braced = FALSE;
  gboolean colon = FALSE;
  const char *rest;
  SectionKind kind;

  while (p < line_end && is_blank (*p))
    p++;
  section->marker_start = p;
  if (p < line_end && *p == '#')
    {
      while (p < line_end && *p == '#')
        p++;
      while (p < line_end && is_blank (*p))
        p++;
      heading = TRUE;
    }
  while (p < line_end && is_emphasis (*p))
    p++;
  if (p < line_end && *p == '{')
    {
      braced = TRUE;
      p++;
    }

  kind = match_section_name (p, line_end, &name_end);
  if (kind == SECTION_NONE)
    return FALSE;
  p = name_end;
  if (braced)
    {
      if (p >= line_end || *p != '}')
        return FALSE;
      p++;
    }

  /* The decoration after the name: "**:", ":**", ":", "**", in any order. */
  while (p < line_end && (is_blank (*p) || is_emphasis (*p) || *p == ':'))
    {
      if (*p == ':')
        colon = TRUE;
      p++;
    }
  /* Give back the blanks after the decoration: they belong to the text. */
  while (p > name_end && is_blank (p[-1]))
    p--;
  section->marker_end = p;

  rest = p;
  while (rest < line_end && (is_blank (*rest) || *rest == '\r'))
    rest++;
  if (!braced && !colon && !heading && rest < line_end)
    return FALSE;

  section->kind = kind;
  section->line_start = line;
  section->content_start = p;
  return TRUE;
}

/* Finds the line-start markers of @kind in [start, end): the first or the last one. */
static gboolean
find_marker_line (const char  *start,
                  const char  *end,
                  SectionKind  kind,
                  gboolean     last,
                  Section     *found)
{
  const char *line = start;
  gboolean any = FALSE;

  while (line < end)
    {
      const char *line_end = memchr (line, '\n', end - line);
      Section section;

      if (line_end == NULL)
        line_end = end;
      if (match_marker_line (line, line_end, &section) && section.kind == kind)
        {
          *found = section;
          any = TRUE;
          if (!last)
            return TRUE;
        }
      line = line_end + 1;
    }
  return any;
}

/* A marker that does not start a line, by distilabel's list, taking the last mention of it. */
static gboolean
find_inline_marker (const char *content,
                    const char *end,
                    Section    *found)
{
  const char *marker = find_distilabel_marker (content);
  gsize len;
  const char *hit;
  const char *last = NULL;

  if (marker == NULL)
    return FALSE;
  len = strlen (marker);
  for (hit = strstr (content, marker); hit != NULL; hit = strstr (hit + len, marker))
    last = hit;

  found->kind = strstr (marker, "orrected") != NULL ? SECTION_CORRECTED : SECTION_WORSENED;
  found->line_start = last;
  found->marker_start = last;
  found->marker_end = last + len;
  found->content_start = last + len;
  (void) end;
  return TRUE;
}

/* Drops markdown rules ("---", "***", "___") at the end of a section: separators, not text. */
static void
strip_trailing_rules (const char  *start,
                      const char **end)
{
  for (;;)
    {
      const char *e = *end;
      const char *line;
      const char *p;
      guint n = 0;
      char rule = 0;

      py_strip (&start, &e);
      line = e;
      while (line > start && line[-1] != '\n')
        line--;
      for (p = line; p < e; p++)
        {
          if (is_blank (*p))
            continue;
          if ((*p != '-' && *p != '*' && *p != '_') || (rule != 0 && *p != rule))
            return;
          rule = *p;
          n++;
        }
      if (n < 3)
        return;
      *end = line;
    }
}

static char *
extract_rationale (const char *start,
                   const char *end)
{
  Section reasoning;
  const char *think_end;
  const char *s = start;
  const char *e = end;

  /* A reasoning model's inline thinking is not the rationale. */
  py_strip (&s, &e);
  if (g_str_has_prefix (s, "<think>") &&
      (think_end = g_strstr_len (s, e - s, "</think>")) != NULL)
    start = think_end + strlen ("</think>");

  /* Like distilabel, ':' is stripped from both ends only after a reasoning marker. */
  if (find_marker_line (start, end, SECTION_REASONING, FALSE, &reasoning))
    {
      start = reasoning.content_start;
      strip_colons (&start, &end);
    }
  else if ((s = g_strstr_len (start, end - start, TEACHER_REASONING)) != NULL)
    {
      start = s + strlen (TEACHER_REASONING);
      strip_colons (&start, &end);
    }
  strip_trailing_rules (start, &end);
  return strip_dup (start, end);
}

ClairParseResult *
clair_parse_reply (const char *content,
                   const char *finish_reason)
{
  ClairParseResult *result = g_new0 (ClairParseResult, 1);
  gboolean cut_off = g_strcmp0 (finish_reason, "length") == 0;
  Section revision;
  Section after;
  const char *end;
  const char *revision_end;
  const char *s;
  const char *e;

  result->raw = g_strdup (content != NULL ? content : "");
  result->status = CLAIR_PARSE_NO_MARKER;
  if (content == NULL || content[0] == '\0')
    {
      result->reason = g_strdup (cut_off
        ? "The reply is empty: it was cut off by the token limit (finish_reason “length”) "
          "before any text; raise the maximum number of tokens"
        : "The reply is empty: the model returned no text");
      return result;
    }
  end = content + strlen (content);

  if (!find_marker_line (content, end, SECTION_CORRECTED, TRUE, &revision) &&
      !find_marker_line (content, end, SECTION_WORSENED, TRUE, &revision) &&
      !find_inline_marker (content, end, &revision))
    {
      result->reason = g_strdup (cut_off
        ? "The reply was cut off by the token limit (finish_reason “length”) before the "
          "{corrected_student_solution} marker; raise the maximum number of tokens"
        : "The reply has no {corrected_student_solution} marker, so the revision cannot be told "
          "apart from the reasoning");
      return result;
    }

  s = revision.marker_start;
  e = revision.marker_end;
  py_strip (&s, &e);
  result->marker = g_strndup (s, e - s);

  /* A reasoning section written after the revision ends it. */
  revision_end = end;
  if (find_marker_line (revision.content_start, end, SECTION_REASONING, FALSE, &after))
    revision_end = after.line_start;

  result->rationale = extract_rationale (content, revision.line_start);
  if (result->rationale[0] == '\0' && revision_end != end)
    {
      g_free (result->rationale);
      result->rationale = extract_rationale (revision_end, end);
    }

  s = revision.content_start;
  e = revision_end;
  if (revision_end != end)
    strip_trailing_rules (s, &e);
  result->revision = strip_dup (s, e);

  if (result->revision[0] == '\0')
    {
      g_clear_pointer (&result->revision, g_free);
      result->reason = g_strdup_printf (cut_off
        ? "The reply was cut off by the token limit (finish_reason “length”) right after the "
          "“%s” marker; raise the maximum number of tokens"
        : "The reply has a “%s” marker but no revision after it", result->marker);
      return result;
    }
  if (cut_off)
    {
      result->status = CLAIR_PARSE_TRUNCATED;
      result->reason = g_strdup ("The reply was cut off by the token limit (finish_reason "
                                 "“length”), so the revision is probably incomplete; raise the "
                                 "maximum number of tokens and run the row again");
      return result;
    }

  result->status = CLAIR_PARSE_OK;
  return result;
}
