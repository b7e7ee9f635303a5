/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-parse"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "clair-enum-nick.h"
#include "clair-parse.h"

/* distilabel's parser on the 20 real GPT-4 replies, and ours, against what distilabel extracted. */
static void
test_fixture (void)
{
  const char *shared = g_getenv ("CLAIR_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_rows = 0;

  if (shared == NULL)
    {
      g_test_skip ("CLAIR_SHARED_DIR is not set");
      return;
    }
  path = g_build_filename (shared, "fixtures", "ultrafeedback-gpt4-clair-20.jsonl", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the shared fixtures are absent");
      return;
    }
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(ClairParseResult) ours = NULL;
      g_autoptr(ClairParseResult) theirs = NULL;
      JsonObject *row;
      JsonObject *expected;
      JsonObject *choice;
      const char *content;
      const char *finish_reason;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      row = json_node_get_object (json_parser_get_root (parser));
      expected = json_object_get_object_member (row, "expected");
      choice = json_array_get_object_element (
        json_object_get_array_member (json_object_get_object_member (row, "response"), "choices"),
        0);
      content = json_object_get_string_member (json_object_get_object_member (choice, "message"),
                                               "content");
      finish_reason = json_object_get_string_member (choice, "finish_reason");

      theirs = clair_parse_reply_distilabel (content);
      g_assert_cmpint (theirs->status, ==, CLAIR_PARSE_OK);
      g_assert_cmpstr (theirs->revision, ==,
                       json_object_get_string_member (expected, "revision"));
      g_assert_cmpstr (theirs->rationale, ==,
                       json_object_get_string_member (expected, "rational"));

      ours = clair_parse_reply (content, finish_reason);
      g_assert_cmpint (ours->status, ==, CLAIR_PARSE_OK);
      g_assert_null (ours->reason);
      g_assert_cmpstr (ours->revision, ==, json_object_get_string_member (expected, "revision"));
      g_assert_cmpstr (ours->rationale, ==, json_object_get_string_member (expected, "rational"));
      g_assert_cmpstr (ours->raw, ==, content);
      g_assert_true (g_str_has_prefix (ours->marker, "{corrected_student_solution}"));
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, 20);
}

static void
assert_parse (const char       *content,
              const char       *finish_reason,
              ClairParseStatus  status,
              const char       *revision,
              const char       *rationale,
              const char       *marker)
{
  g_autoptr(ClairParseResult) result = clair_parse_reply (content, finish_reason);

  g_test_message ("reply: %s", content);
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, result->status), ==,
                   clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, status));
  g_assert_cmpstr (result->revision, ==, revision);
  g_assert_cmpstr (result->rationale, ==, rationale);
  g_assert_cmpstr (result->marker, ==, marker);
  g_assert_cmpstr (result->raw, ==, content != NULL ? content : "");
  if (status == CLAIR_PARSE_OK)
    g_assert_null (result->reason);
  else
    g_assert_nonnull (result->reason);
  if (result->revision != NULL)
    g_assert_null (strstr (result->revision, "**"));
  if (result->rationale != NULL)
    g_assert_null (strstr (result->rationale, "**"));
}

static void
assert_distilabel (const char *content,
                   const char *revision,
                   const char *rationale,
                   const char *marker)
{
  g_autoptr(ClairParseResult) result = clair_parse_reply_distilabel (content);

  g_assert_cmpint (result->status, ==, marker != NULL ? CLAIR_PARSE_OK : CLAIR_PARSE_NO_MARKER);
  g_assert_cmpstr (result->revision, ==, revision);
  g_assert_cmpstr (result->rationale, ==, rationale);
  g_assert_cmpstr (result->marker, ==, marker);
}

/* The transcription of distilabel's rule, including its quirks. */
static void
test_distilabel_rule (void)
{
  /* str.split cuts at every occurrence: piece 1 lies between the first two. */
  assert_distilabel ("R\n{corrected_student_solution}: A {corrected_student_solution}: B",
                     "A", "R", "{corrected_student_solution}:");
  /* The rationale stops at a second {teacher_reasoning}, loses ':' at both ends. */
  assert_distilabel ("x {teacher_reasoning}: R1:{teacher_reasoning} R2\n"
                     "{corrected_student_solution}\nS",
                     "S", "R1", "{corrected_student_solution}");
  /* strip(":") runs before strip(): a colon before a space stays. */
  assert_distilabel ("x {teacher_reasoning}: R1: {teacher_reasoning} R2\n"
                     "{corrected_student_solution}\nS",
                     "S", "R1:", "{corrected_student_solution}");
  /* The fixed order wins over position. */
  assert_distilabel ("{corrected_student_solution}: early\n**Corrected Student Solution:** late",
                     "late", "{corrected_student_solution}: early",
                     "**Corrected Student Solution:**");
  /* Markdown around a marker leaves "**" behind. */
  assert_distilabel ("**{teacher_reasoning}:** R\n\n**{corrected_student_solution}:**\nS",
                     "**\nS", "** R\n\n**", "{corrected_student_solution}:");
  assert_distilabel ("R\n{worsened_student_solution}: W", "W", "R", "{worsened_student_solution}:");
  assert_distilabel ("### Corrected Student Solution\nS", NULL, NULL, NULL);
  assert_distilabel (NULL, NULL, NULL, NULL);
  /* Python's strip(): Unicode spaces and \x1c-\x1f go, a zero-width space stays. */
  assert_distilabel ("\xe2\x80\x83R\x1c\n{corrected_student_solution}:\xe2\x80\x83\xc2\xa0X"
                     "\xe2\x80\x8b\x1f\xe2\x80\xa9\xe3\x80\x80\xc2\x85",
                     "X\xe2\x80\x8b", "R", "{corrected_student_solution}:");
  /* Invalid UTF-8 at the edges is not whitespace and does not break stripping. */
  assert_distilabel ("\xff {corrected_student_solution}: \x80X\xc3", "\x80X\xc3", "\xff",
                     "{corrected_student_solution}:");
}

static void
test_mention_in_reasoning (void)
{
  /* The prompt asks to mention the markers; a mention must not cut the revision. */
  const char *reply =
    "{teacher_reasoning}: The {corrected_student_solution}: should keep the formula.\n\n"
    "{corrected_student_solution}: The area is 12 cm².";
  g_autoptr(ClairParseResult) theirs = clair_parse_reply_distilabel (reply);

  g_assert_cmpstr (theirs->revision, ==, "should keep the formula.");
  assert_parse (reply, "stop", CLAIR_PARSE_OK, "The area is 12 cm².",
                "The {corrected_student_solution}: should keep the formula.",
                "{corrected_student_solution}:");

  /* A mention that starts a line too: the last marker line is the revision. */
  assert_parse ("{teacher_reasoning}\nI will use two parts:\n"
                "{corrected_student_solution} will hold the final text.\n\n"
                "{corrected_student_solution}\n\nFinal text.",
                NULL, CLAIR_PARSE_OK, "Final text.",
                "I will use two parts:\n{corrected_student_solution} will hold the final text.",
                "{corrected_student_solution}");

  /* Only inline mentions: the last one is taken. */
  assert_parse ("I give the {corrected_student_solution}: below. Here it is, "
                "{corrected_student_solution}: Done.",
                NULL, CLAIR_PARSE_OK, "Done.",
                "I give the {corrected_student_solution}: below. Here it is,",
                "{corrected_student_solution}:");

  /* A sentence that starts with the bare name is not a marker. */
  assert_parse ("R\n\n{corrected_student_solution}:\nS\nCorrected student solution ends here.",
                NULL, CLAIR_PARSE_OK, "S\nCorrected student solution ends here.", "R",
                "{corrected_student_solution}:");
}

static void
test_markdown_markers (void)
{
  assert_parse ("**{teacher_reasoning}:**\nR\n\n**{corrected_student_solution}:**\nS",
                "stop", CLAIR_PARSE_OK, "S", "R", "**{corrected_student_solution}:**");
  assert_parse ("### Teacher Reasoning\n\nR\n\n### Corrected Student Solution\n\nS\n",
                "stop", CLAIR_PARSE_OK, "S", "R", "### Corrected Student Solution");
  assert_parse ("**Teacher Reasoning**: R\n\n**Corrected Student Solution**:\nS",
                "stop", CLAIR_PARSE_OK, "S", "R", "**Corrected Student Solution**:");
  assert_parse ("## **Corrected Student Solution:** S on the same line", NULL, CLAIR_PARSE_OK,
                "S on the same line", "", "## **Corrected Student Solution:**");
  assert_parse ("R\n\n__corrected student solution__\nS", NULL, CLAIR_PARSE_OK, "S", "R",
                "__corrected student solution__");
  /* distilabel's own first marker gives distilabel's result. */
  assert_parse ("R\n\n**Corrected Student Solution:**\nS", "stop", CLAIR_PARSE_OK, "S", "R",
                "**Corrected Student Solution:**");
  /* CRLF line ends and a rule before the revision. */
  assert_parse ("{teacher_reasoning}:\r\nR\r\n\r\n---\r\n**Corrected Student Solution**\r\nS\r\n",
                NULL, CLAIR_PARSE_OK, "S", "R", "**Corrected Student Solution**");
  /* The reasoning written after the revision. */
  assert_parse ("{corrected_student_solution}:\nS\n\n---\n\n{teacher_reasoning}:\nR",
                "stop", CLAIR_PARSE_OK, "S", "R", "{corrected_student_solution}:");
  /* A worsened solution (the APO variant) is a revision too. */
  assert_parse ("{teacher_reasoning}: R\n\n**Worsened Student Solution:**\nW", NULL,
                CLAIR_PARSE_OK, "W", "R", "**Worsened Student Solution:**");
  /* A reasoning model's thinking is not the rationale. */
  assert_parse ("<think>Plan: {teacher_reasoning} first.</think>\nThe student erred.\n\n"
                "{corrected_student_solution}: S",
                "stop", CLAIR_PARSE_OK, "S", "The student erred.",
                "{corrected_student_solution}:");
}

static void
test_truncated (void)
{
  g_autoptr(ClairParseResult) cut = NULL;
  g_autoptr(ClairParseResult) before = NULL;

  assert_parse ("{teacher_reasoning}: R\n\n{corrected_student_solution}: The answer is", "length",
                CLAIR_PARSE_TRUNCATED, "The answer is", "R", "{corrected_student_solution}:");
  cut = clair_parse_reply ("{teacher_reasoning}: R\n\n{corrected_student_solution}: The", "length");
  g_assert_nonnull (strstr (cut->reason, "length"));
  g_assert_nonnull (strstr (cut->reason, "cut off"));

  /* Cut off before the marker, or right after it: nothing to keep. */
  assert_parse ("{teacher_reasoning}: R and then", "length", CLAIR_PARSE_NO_MARKER, NULL, NULL,
                NULL);
  before = clair_parse_reply ("{teacher_reasoning}: R and then", "length");
  g_assert_nonnull (strstr (before->reason, "cut off"));
  assert_parse ("R\n{corrected_student_solution}:", "length", CLAIR_PARSE_NO_MARKER, NULL, "R",
                "{corrected_student_solution}:");
  /* Other finish reasons are complete replies. */
  assert_parse ("R\n{corrected_student_solution}: S", "stop_sequence", CLAIR_PARSE_OK, "S", "R",
                "{corrected_student_solution}:");
}

static void
test_no_marker (void)
{
  g_autoptr(ClairParseResult) none = clair_parse_reply ("The answer looks fine to me.", "stop");
  g_autoptr(ClairParseResult) empty = NULL;

  assert_parse ("The answer looks fine to me.", "stop", CLAIR_PARSE_NO_MARKER, NULL, NULL, NULL);
  g_assert_nonnull (strstr (none->reason, "{corrected_student_solution}"));
  assert_parse (NULL, NULL, CLAIR_PARSE_NO_MARKER, NULL, NULL, NULL);
  assert_parse ("", "stop", CLAIR_PARSE_NO_MARKER, NULL, NULL, NULL);
  assert_parse ("Corrected student solution is what I will not give.", "stop",
                CLAIR_PARSE_NO_MARKER, NULL, NULL, NULL);

  /* A marker with nothing after it. */
  assert_parse ("{teacher_reasoning}: R\n\n{corrected_student_solution}:\n\n \n", "stop",
                CLAIR_PARSE_NO_MARKER, NULL, "R", "{corrected_student_solution}:");
  empty = clair_parse_reply ("R\n\n### Corrected Student Solution\n", "stop");
  g_assert_cmpint (empty->status, ==, CLAIR_PARSE_NO_MARKER);
  g_assert_nonnull (strstr (empty->reason, "### Corrected Student Solution"));
  g_assert_cmpstr (empty->raw, ==, "R\n\n### Corrected Student Solution\n");
}

/* On replies in the format the prompt asks for, both parsers agree, whatever the spacing. */
static void
test_well_formed_agree (void)
{
  static const char * const reasoning_heads[] = {
    "{teacher_reasoning}:", "{teacher_reasoning}", "{teacher_reasoning}: ", "",
  };
  static const char * const markers[] = {
    "{corrected_student_solution}:", "{corrected_student_solution}",
    "**Corrected Student Solution:**", "{worsened_student_solution}:",
  };
  static const char * const spaces[] = { "", " ", "\n", "\n\n", " \n", "\t\n\n", "\r\n" };
  static const char * const bodies[] = {
    "The student forgot to carry the one.",
    "1. **Clarity**: say what x is.\n2. Fix 2+2=5: it is 4.",
    "Keep {braces} and \"quotes\" and a colon at the end:",
    "Ünïcödé text, 日本語.",
  };
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *reply = NULL;
      g_autoptr(ClairParseResult) ours = NULL;
      g_autoptr(ClairParseResult) theirs = NULL;
#define PICK(array) array[g_rand_int_range (rand, 0, G_N_ELEMENTS (array))]

      reply = g_strconcat (PICK (spaces), PICK (reasoning_heads), PICK (spaces), PICK (bodies),
                           PICK (spaces), "\n", PICK (markers), PICK (spaces), PICK (bodies),
                           PICK (spaces), NULL);
#undef PICK
      ours = clair_parse_reply (reply, "stop");
      theirs = clair_parse_reply_distilabel (reply);
      g_assert_cmpint (ours->status, ==, CLAIR_PARSE_OK);
      g_assert_cmpstr (ours->revision, ==, theirs->revision);
      g_assert_cmpstr (ours->rationale, ==, theirs->rationale);
    }
  g_rand_free (rand);
}

static void
test_status_strings (void)
{
  /* Stored in project files (attempts.parse_status): these must not change. */
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, CLAIR_PARSE_OK), ==, "ok");
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, CLAIR_PARSE_TRUNCATED), ==,
                   "truncated");
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_PARSE_STATUS, CLAIR_PARSE_NO_MARKER), ==,
                   "no-marker");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parse/fixture", test_fixture);
  g_test_add_func ("/parse/distilabel-rule", test_distilabel_rule);
  g_test_add_func ("/parse/mention-in-reasoning", test_mention_in_reasoning);
  g_test_add_func ("/parse/markdown-markers", test_markdown_markers);
  g_test_add_func ("/parse/truncated", test_truncated);
  g_test_add_func ("/parse/no-marker", test_no_marker);
  g_test_add_func ("/parse/well-formed-agree", test_well_formed_agree);
  g_test_add_func ("/parse/status-strings", test_status_strings);

  return g_test_run ();
}
