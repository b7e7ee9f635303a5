/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-enums"

#include "config.h"

#include "clair-client.h"
#include "clair-dataset.h"
#include "clair-diff.h"
#include "clair-enum-nick.h"
#include "clair-export.h"
#include "clair-parse.h"
#include "clair-project.h"
#include "clair-runner.h"
#include "clair-team.h"

/* The enum types whose nicks are read or written somewhere: every value round-trips. */
static GType (* const named_types[]) (void) = {
  clair_reply_action_get_type,
  clair_format_get_type,
  clair_diff_granularity_get_type,
  clair_export_format_get_type,
  clair_export_selection_get_type,
  clair_parse_status_get_type,
  clair_row_status_get_type,
  clair_decision_get_type,
  clair_team_state_get_type,
  clair_runner_state_get_type,
  clair_run_selection_get_type,
};

static void
test_round_trip (void)
{
  for (guint t = 0; t < G_N_ELEMENTS (named_types); t++)
    {
      GType type = named_types[t] ();
      g_autoptr(GEnumClass) klass = g_type_class_ref (type);

      g_assert_true (G_TYPE_IS_ENUM (type));
      g_assert_cmpuint (klass->n_values, >, 1);
      for (guint i = 0; i < klass->n_values; i++)
        {
          int value = klass->values[i].value;
          const char *nick = clair_enum_to_nick (type, value);
          g_autofree char *upper = g_ascii_strup (nick, -1);
          int back = -1;

          g_assert_cmpstr (nick, ==, klass->values[i].value_nick);
          g_assert_true (clair_enum_from_nick (type, nick, &back));
          g_assert_cmpint (back, ==, value);
          back = -1;
          g_assert_true (clair_enum_from_nick (type, upper, &back));
          g_assert_cmpint (back, ==, value);
        }
    }
}

/* The strings of the compatibility contract, byte for byte: stored in project files (decisions
 * shown by `clair show`, attempts.parse_status, source.format), written into exports ("decision"
 * of distilabel rows), typed on the command line (--format, --select, decide) and printed by the
 * CLI (show, info, diff --json). Changing one breaks older projects or users' scripts. */
static const struct
{
  GType     (*get_type) (void);
  int         value;
  const char *nick;
} contract[] = {
  { clair_decision_get_type, CLAIR_DECISION_NONE, "none" },
  { clair_decision_get_type, CLAIR_DECISION_ACCEPTED, "accepted" },
  { clair_decision_get_type, CLAIR_DECISION_REJECTED, "rejected" },
  { clair_decision_get_type, CLAIR_DECISION_SKIPPED, "skipped" },
  { clair_row_status_get_type, CLAIR_ROW_PENDING, "pending" },
  { clair_row_status_get_type, CLAIR_ROW_REVISED, "revised" },
  { clair_row_status_get_type, CLAIR_ROW_PARSE_FAILED, "parse-failed" },
  { clair_row_status_get_type, CLAIR_ROW_FAILED, "failed" },
  { clair_parse_status_get_type, CLAIR_PARSE_OK, "ok" },
  { clair_parse_status_get_type, CLAIR_PARSE_TRUNCATED, "truncated" },
  { clair_parse_status_get_type, CLAIR_PARSE_NO_MARKER, "no-marker" },
  { clair_format_get_type, CLAIR_FORMAT_UNKNOWN, "unknown" },
  { clair_format_get_type, CLAIR_FORMAT_JSONL, "jsonl" },
  { clair_format_get_type, CLAIR_FORMAT_JSON, "json" },
  { clair_format_get_type, CLAIR_FORMAT_CSV, "csv" },
  { clair_format_get_type, CLAIR_FORMAT_TSV, "tsv" },
  { clair_format_get_type, CLAIR_FORMAT_PARQUET, "parquet" },
  { clair_export_format_get_type, CLAIR_EXPORT_TRL, "trl" },
  { clair_export_format_get_type, CLAIR_EXPORT_TRL_CHAT, "trl-chat" },
  { clair_export_format_get_type, CLAIR_EXPORT_KTO, "kto" },
  { clair_export_format_get_type, CLAIR_EXPORT_CONTEXTUAL, "contextual" },
  { clair_export_format_get_type, CLAIR_EXPORT_DISTILABEL, "distilabel" },
  { clair_export_format_get_type, CLAIR_EXPORT_BATCH_REQUESTS, "batch-requests" },
  { clair_export_selection_get_type, CLAIR_EXPORT_SELECT_ACCEPTED, "accepted" },
  { clair_export_selection_get_type, CLAIR_EXPORT_SELECT_REVISED, "revised" },
  { clair_export_selection_get_type, CLAIR_EXPORT_SELECT_ALL, "all" },
  { clair_team_state_get_type, CLAIR_TEAM_SINGLE, "single" },
  { clair_team_state_get_type, CLAIR_TEAM_AGREED, "agreed" },
  { clair_team_state_get_type, CLAIR_TEAM_DISAGREED, "disagreed" },
  { clair_team_state_get_type, CLAIR_TEAM_RESOLVED, "resolved" },
  { clair_diff_granularity_get_type, CLAIR_DIFF_GRANULARITY_WORD, "word" },
  { clair_diff_granularity_get_type, CLAIR_DIFF_GRANULARITY_LINE, "line" },
  { clair_runner_state_get_type, CLAIR_RUNNER_IDLE, "idle" },
  { clair_runner_state_get_type, CLAIR_RUNNER_RUNNING, "running" },
  { clair_runner_state_get_type, CLAIR_RUNNER_PAUSED, "paused" },
  { clair_runner_state_get_type, CLAIR_RUNNER_STOPPING, "stopping" },
  { clair_runner_state_get_type, CLAIR_RUNNER_FINISHED, "finished" },
  { clair_runner_state_get_type, CLAIR_RUNNER_STOPPED, "stopped" },
  { clair_runner_state_get_type, CLAIR_RUNNER_FAILED, "failed" },
  { clair_reply_action_get_type, CLAIR_REPLY_OK, "ok" },
  { clair_reply_action_get_type, CLAIR_REPLY_FAIL_ROW, "fail-row" },
  { clair_reply_action_get_type, CLAIR_REPLY_RETRY, "retry" },
  { clair_reply_action_get_type, CLAIR_REPLY_FATAL, "fatal" },
  { clair_reply_action_get_type, CLAIR_REPLY_CANCELLED, "cancelled" },
};

static void
test_contract (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (contract); i++)
    {
      GType type = contract[i].get_type ();
      int value = -1;

      g_assert_cmpstr (clair_enum_to_nick (type, contract[i].value), ==, contract[i].nick);
      g_assert_true (clair_enum_from_nick (type, contract[i].nick, &value));
      g_assert_cmpint (value, ==, contract[i].value);
    }

  /* Every value of these types is in the table above: a new value needs its string pinned. */
  for (guint t = 0; t < G_N_ELEMENTS (named_types); t++)
    {
      GType type = named_types[t] ();
      g_autoptr(GEnumClass) klass = NULL;
      guint listed = 0;

      if (type == CLAIR_TYPE_RUN_SELECTION)
        continue;  /* only in memory */
      klass = g_type_class_ref (type);
      for (guint i = 0; i < G_N_ELEMENTS (contract); i++)
        listed += contract[i].get_type () == type;
      g_assert_cmpuint (listed, ==, klass->n_values);
    }
}

/* Input spellings that are not nicks: the verbs of `clair decide` and other tools' format names;
 * names are compared ignoring ASCII case. Output never uses them. */
static void
test_aliases (void)
{
  int value = -1;

  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_DECISION, "accept", &value));
  g_assert_cmpint (value, ==, CLAIR_DECISION_ACCEPTED);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_DECISION, "Reject", &value));
  g_assert_cmpint (value, ==, CLAIR_DECISION_REJECTED);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_DECISION, "SKIP", &value));
  g_assert_cmpint (value, ==, CLAIR_DECISION_SKIPPED);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "ndjson", &value));
  g_assert_cmpint (value, ==, CLAIR_FORMAT_JSONL);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "JSONLines", &value));
  g_assert_cmpint (value, ==, CLAIR_FORMAT_JSONL);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_FORMAT, "tab", &value));
  g_assert_cmpint (value, ==, CLAIR_FORMAT_TSV);
  g_assert_true (clair_enum_from_nick (CLAIR_TYPE_EXPORT_FORMAT, "TRL-Chat", &value));
  g_assert_cmpint (value, ==, CLAIR_EXPORT_TRL_CHAT);

  /* An alias belongs to its type only. */
  value = -1;
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_EXPORT_SELECTION, "accept", &value));
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_EXPORT_FORMAT, "ndjson", &value));
  g_assert_cmpint (value, ==, -1);
}

static void
test_unknown (void)
{
  int value = 7;

  /* A value read from a damaged or newer project file is shown, not trusted. */
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_DECISION, 42), ==, "unknown");
  g_assert_cmpstr (clair_enum_to_nick (CLAIR_TYPE_ROW_STATUS, -1), ==, "unknown");
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_DECISION, "maybe", &value));
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_DECISION, "", &value));
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_DECISION, NULL, &value));
  g_assert_false (clair_enum_from_nick (CLAIR_TYPE_EXPORT_FORMAT, "trl ", &value));
  g_assert_cmpint (value, ==, 7);
}

static void
test_list (void)
{
  g_autofree char *formats = clair_enum_list_nicks (CLAIR_TYPE_EXPORT_FORMAT);
  g_autofree char *selections = clair_enum_list_nicks (CLAIR_TYPE_EXPORT_SELECTION);

  g_assert_cmpstr (formats, ==, "trl, trl-chat, kto, contextual, distilabel, batch-requests");
  g_assert_cmpstr (selections, ==, "accepted, revised, all");
}

/* The other generated types exist and are of the right kind (flags where the values are bits). */
static void
test_generated_types (void)
{
  g_assert_true (G_TYPE_IS_FLAGS (CLAIR_TYPE_DIFF_FLAGS));
  g_assert_true (G_TYPE_IS_FLAGS (CLAIR_TYPE_PROJECT_OPEN_FLAGS));
  g_assert_true (G_TYPE_IS_FLAGS (CLAIR_TYPE_ESCAPE_FLAGS));
  g_assert_true (G_TYPE_IS_ENUM (CLAIR_TYPE_ERROR));
  g_assert_true (G_TYPE_IS_ENUM (CLAIR_TYPE_DIFF_KIND));
  g_assert_cmpstr (g_type_name (CLAIR_TYPE_EXPORT_FORMAT), ==, "ClairExportFormat");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/enums/round-trip", test_round_trip);
  g_test_add_func ("/enums/contract", test_contract);
  g_test_add_func ("/enums/aliases", test_aliases);
  g_test_add_func ("/enums/unknown", test_unknown);
  g_test_add_func ("/enums/list", test_list);
  g_test_add_func ("/enums/generated-types", test_generated_types);

  return g_test_run ();
}
