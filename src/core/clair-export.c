/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "clair-enum-nick.h"
#include "clair-error.h"
#include "clair-export.h"
#include "clair-i18n.h"
#include "clair-team.h"
#include "clair-json.h"
#include "clair-jscan.h"
#include "clair-parse.h"

/* Export writers. Each preset writes one JSON object per line (KTO two), streamed from the project
 * with constant memory, into a temporary file beside the destination that is renamed into place
 * only when everything was written and synced. */

/* ------------------------------------------------------------------------------------------ */
/* Where the lines go                                                                          */

/* OpenAI's Batch API takes at most 50,000 requests and 200 MB per file; stay a little under. */
#define BATCH_MAX_REQUESTS 50000
#define BATCH_MAX_BYTES    (190 * 1000 * 1000)

typedef struct
{
  char     *target;      /* the file meant: a symbolic link resolved, or "-" */
  char     *tmp_path;    /* the temporary file being written; NULL when streaming */
  GPtrArray *parts;      /* finished temporary files (batch requests split into several) */
  FILE     *file;
  gboolean  stream;      /* a FIFO, a device or standard output, written directly */
  mode_t    mode;        /* the replaced file's permissions */
  guint64   part_bytes;
  guint64   part_lines;
} Output;

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
  return FALSE;
}

/* Follows symbolic links (also dangling ones: the export creates their target). */
static char *
resolve_target (const char  *path,
                GError     **error)
{
  g_autofree char *current = g_strdup (path);

  for (guint depth = 0; depth < 40; depth++)
    {
      GStatBuf st;
      g_autofree char *link = NULL;

      if (g_lstat (current, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&current);
      link = g_file_read_link (current, error);
      if (link == NULL)
        return NULL;
      if (g_path_is_absolute (link))
        {
          g_free (current);
          current = g_steal_pointer (&link);
        }
      else
        {
          g_autofree char *dir = g_path_get_dirname (current);
          char *joined = g_build_filename (dir, link, NULL);

          g_free (current);
          current = joined;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
               _("Too many symbolic links in “%s”"), path);
  return NULL;
}

static gboolean
start_part (Output  *out,
            GError **error)
{
  int fd;

  g_assert (out->file == NULL);
  out->tmp_path = g_strdup_printf ("%s.XXXXXX", out->target);
  fd = g_mkstemp_full (out->tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_clear_pointer (&out->tmp_path, g_free);
      return set_errno_error (error, saved_errno, _("Could not create a file next to “%s”"), out->target);
    }
  if (out->mode != 0)
    fchmod (fd, out->mode);
  out->file = fdopen (fd, "w");
  setvbuf (out->file, NULL, _IOFBF, 1 << 20);
  out->part_bytes = 0;
  out->part_lines = 0;
  return TRUE;
}

static gboolean
output_open (Output      *out,
             const char  *path,
             GError     **error)
{
  GStatBuf st;
  int fd;

  out->parts = g_ptr_array_new_with_free_func (g_free);
  if (g_str_equal (path, "-"))
    {
      out->target = g_strdup ("-");
      out->stream = TRUE;
      fd = dup (STDOUT_FILENO);
      if (fd < 0)
        return set_errno_error (error, errno, _("Could not write to %s"), "standard output");
      out->file = fdopen (fd, "w");
      return TRUE;
    }

  out->target = resolve_target (path, error);
  if (out->target == NULL)
    return FALSE;
  if (g_stat (out->target, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                       _("“%s” is a folder; give a file name to export to"), out->target);
          return FALSE;
        }
      if (!S_ISREG (st.st_mode))
        {
          /* A FIFO or a device cannot be replaced: its reader is waiting on it. */
          out->stream = TRUE;
          fd = g_open (out->target, O_WRONLY | O_CLOEXEC | O_NOCTTY, 0);
          if (fd < 0)
            return set_errno_error (error, errno, _("Could not open “%s”"), out->target);
          out->file = fdopen (fd, "w");
          return TRUE;
        }
      out->mode = st.st_mode & 0777;
    }
  return start_part (out, error);
}

static gboolean
finish_part (Output  *out,
             GError **error)
{
  FILE *file = g_steal_pointer (&out->file);

  if (fflush (file) != 0 || (!out->stream && fsync (fileno (file)) != 0))
    {
      int saved_errno = errno;

      fclose (file);
      return set_errno_error (error, saved_errno, _("Could not write “%s”"), out->target);
    }
  if (fclose (file) != 0)
    return set_errno_error (error, errno, _("Could not write “%s”"), out->target);
  if (out->tmp_path != NULL)
    g_ptr_array_add (out->parts, g_steal_pointer (&out->tmp_path));
  return TRUE;
}

/* batch.jsonl → batch-00002-of-00003.jsonl */
static char *
part_name (const char *target,
           guint       k,
           guint       n)
{
  const char *base = strrchr (target, '/');
  const char *ext;

  base = base != NULL ? base + 1 : target;
  if (g_str_has_suffix (base, ".jsonl"))
    ext = target + strlen (target) - strlen (".jsonl");
  else if ((ext = strrchr (base, '.')) == NULL || ext == base)
    ext = target + strlen (target);
  return g_strdup_printf ("%.*s-%05u-of-%05u%s", (int) (ext - target), target, k, n, ext);
}

/* Moves the finished files into place; @files receives their names. */
static gboolean
output_commit (Output     *out,
               GPtrArray  *files,
               GError    **error)
{
  if (!finish_part (out, error))
    return FALSE;
  if (out->stream)
    {
      g_ptr_array_add (files, g_strdup (out->target));
      return TRUE;
    }
  for (guint i = 0; i < out->parts->len; i++)
    {
      g_autofree char *name = out->parts->len == 1 ? g_strdup (out->target)
                                                    : part_name (out->target, i + 1, out->parts->len);

      if (g_rename (g_ptr_array_index (out->parts, i), name) != 0)
        return set_errno_error (error, errno, _("Could not move the export into place at “%s”"), name);
      /* Renamed: nothing left to remove. */
      g_free (out->parts->pdata[i]);
      out->parts->pdata[i] = NULL;
      g_ptr_array_add (files, g_steal_pointer (&name));
    }
  return TRUE;
}

static void
output_clear (Output *out)
{
  if (out->file != NULL)
    fclose (out->file);
  if (out->tmp_path != NULL)
    g_unlink (out->tmp_path);
  for (guint i = 0; out->parts != NULL && i < out->parts->len; i++)
    if (g_ptr_array_index (out->parts, i) != NULL)
      g_unlink (g_ptr_array_index (out->parts, i));
  g_clear_pointer (&out->parts, g_ptr_array_unref);
  g_clear_pointer (&out->tmp_path, g_free);
  g_clear_pointer (&out->target, g_free);
}

/* ------------------------------------------------------------------------------------------ */
/* Which source columns pass through                                                           */

/* Every column a TRL trainer or its data utilities read (trl/data_utils.py, the DPO, KTO, reward,
 * SFT, CPO, ORPO and BCO trainers): a source column of that name would change what it learns. */
static const char * const trainer_keys[] = {
  "prompt", "chosen", "rejected", "completion", "label", "messages", "text", "conversations",
  "tools", "chat_template_kwargs", "image", "images", "margin", "input_ids", "labels",
  "prompt_ids", "chosen_ids", "rejected_ids", "completion_ids", "chosen_input_ids",
  "rejected_input_ids", "prompt_input_ids", "completion_input_ids", "completion_mask",
  "assistant_masks", "seq_lengths", "ref_chosen_logps", "ref_rejected_logps", "ref_logps",
  "ref_KL_logps", "KL_completion_ids", NULL
};
/* Keys the presets write themselves. */
static const char * const pair_own_keys[] = { "rational", "prompt_id", NULL };
static const char * const distilabel_keys[] = {
  "task", "student_solution", "revision", "rational", "model_name", "distilabel_metadata",
  "decision", NULL
};

typedef enum
{
  COLUMN_PASS = 1,
  COLUMN_RENAME,      /* written as "source_NAME" */
  COLUMN_LEAVE_OUT,
} ColumnAction;

static gboolean
in_list (const char * const *list,
         const char         *name)
{
  return list != NULL && g_strv_contains (list, name);
}

static gboolean
is_pair_format (ClairExportFormat format)
{
  return format == CLAIR_EXPORT_TRL || format == CLAIR_EXPORT_TRL_CHAT ||
         format == CLAIR_EXPORT_KTO || format == CLAIR_EXPORT_CONTEXTUAL;
}

/* ------------------------------------------------------------------------------------------ */
/* The export                                                                                  */

typedef struct
{
  guint64  key;
  char    *line;
  gsize    len;
} PendingLine;

typedef struct
{
  const ClairExportOptions *options;
  ClairPrompt              *prompt;
  ClairGenParams           *params;
  Output                   *out;           /* NULL: count only */
  GString                  *line;
  GString                  *chosen;        /* the chosen text as it goes out */
  GString                  *key;
  GHashTable               *columns;       /* source column name → ColumnAction */
  GPtrArray                *renamed;
  GPtrArray                *left_out;
  GArray                   *batch;         /* of ClairBatchEntry */
  GQueue                    pending;       /* KTO lines held back from a line of the same prompt */
  guint64                   last_key;
  gboolean                  has_last;
  guint                     pass;          /* KTO: 0 the desirable lines, 1 the undesirable ones */
  guint                     n_passes;
  GCancellable             *cancellable;
  ClairProgressFunc         progress;
  gpointer                  progress_data;
  guint64                   n_rows_total;
  guint64                   n_seen;
  ClairExportSummary       *summary;
  GError                   *error;
  ClairProject             *project;
  char                    **annotators;    /* with options->annotator_columns */
} ExportState;

static ColumnAction
column_action (ExportState *state,
               const char  *name)
{
  const ClairExportOptions *options = state->options;
  gpointer cached = g_hash_table_lookup (state->columns, name);
  ColumnAction action = COLUMN_PASS;
  const char *base = name;

  if (cached != NULL)
    return GPOINTER_TO_INT (cached);

  /* "source_prompt" is renamed too, so it never meets a renamed "prompt". */
  while (g_str_has_prefix (base, "source_"))
    base += strlen ("source_");

  if (in_list (options->drop_columns, name) ||
      (options->keep_columns != NULL && !in_list (options->keep_columns, name)))
    action = COLUMN_LEAVE_OUT;
  else if (options->format == CLAIR_EXPORT_KTO &&
           (g_str_equal (name, "chosen") || g_str_equal (name, "rejected")))
    action = COLUMN_LEAVE_OUT;   /* the source's own pair has no place among unpaired lines */
  else if (options->format == CLAIR_EXPORT_DISTILABEL ? in_list (distilabel_keys, base)
                                                      : in_list (trainer_keys, base) ||
                                                        in_list (pair_own_keys, base))
    action = COLUMN_RENAME;

  g_hash_table_insert (state->columns, g_strdup (name), GINT_TO_POINTER (action));
  if (action == COLUMN_RENAME)
    g_ptr_array_add (state->renamed, g_strdup (name));
  else if (action == COLUMN_LEAVE_OUT)
    g_ptr_array_add (state->left_out, g_strdup (name));
  return action;
}

/* Appends the source columns of @extra_json (a JSON object) that pass through, each preceded by
 * a comma. */
static void
append_extra_members (ExportState *state,
                      const char  *extra_json)
{
  GString *out = state->line;
  ClairJscanIter iter;
  ClairJscanSpan key;
  ClairJscanSpan value;
  ClairJscanError jerr;
  const char *end;

  if (extra_json == NULL)
    return;
  end = extra_json + strlen (extra_json);
  if (!clair_jscan_object_begin (&iter, clair_jscan_skip_ws (extra_json, end), end, &jerr))
    return;
  while (clair_jscan_object_next (&iter, &key, &value, &jerr) > 0)
    {
      ColumnAction action;

      g_string_truncate (state->key, 0);
      if (memchr (key.start, '\\', key.len) != NULL)
        clair_jscan_unescape_append (state->key, key.start, key.len);
      else
        g_string_append_len (state->key, key.start + 1, key.len - 2);

      action = column_action (state, state->key->str);
      if (action == COLUMN_LEAVE_OUT)
        continue;
      g_string_append_c (out, ',');
      if (action == COLUMN_RENAME)
        {
          g_string_append (out, "\"source_");
          clair_json_append_raw (out, key.start + 1, key.len - 1);
        }
      else
        clair_json_append_raw (out, key.start, key.len);
      g_string_append_c (out, ':');
      clair_json_append_raw (out, value.start, value.len);
    }
}

static const char *
record_rationale (ClairRecord *record)
{
  if (record->attempt != NULL && record->attempt->rationale != NULL)
    return record->attempt->rationale;
  return "";
}

static gsize
trimmed_length (const char *text,
                gsize       len)
{
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  return len;
}

/* The chosen text as it goes out: its trailing whitespace replaced by the original's, so an
 * editor's final newline (or a parser's strip) never becomes the difference a pair teaches. */
static void
normalise_chosen (GString    *out,
                  const char *chosen,
                  const char *original)
{
  gsize original_len = strlen (original);
  gsize original_end = trimmed_length (original, original_len);

  g_string_truncate (out, 0);
  g_string_append_len (out, chosen, trimmed_length (chosen, strlen (chosen)));
  g_string_append_len (out, original + original_end, original_len - original_end);
}

static gboolean
is_accepted (ClairRecord *record)
{
  return record->decision == CLAIR_DECISION_ACCEPTED ||
         (record->edited_revision != NULL && record->decision != CLAIR_DECISION_REJECTED);
}

static double
chosen_jaccard (ClairRecord *record,
                const char  *chosen)
{
  ClairMetrics metrics;

  if (record->edited_revision == NULL && record->attempt != NULL && record->attempt->has_metrics)
    return record->attempt->metrics.jaccard;
  clair_metrics_compute (record->solution, chosen, &metrics);
  return metrics.jaccard;
}

/* Decides whether @record goes out, and counts it (once, in the first pass). Pair formats leave
 * out rejected rows and pairs whose two sides are the same, in every selection. */
static gboolean
select_record (ExportState *state,
               ClairRecord *record)
{
  const ClairExportOptions *options = state->options;
  ClairExportSummary *summary = state->summary;
  gboolean count = state->pass == 0;
  const char *chosen = clair_record_get_chosen (record);

  if (options->format == CLAIR_EXPORT_BATCH_REQUESTS)
    {
      ClairAttempt *latest = clair_record_get_latest (record);

      /* Batch files are for rows that still need a revision; "all" writes every row. */
      if (options->selection != CLAIR_EXPORT_SELECT_ALL &&
          ((latest != NULL && latest->status == CLAIR_ROW_REVISED) || record->edited_revision != NULL))
        return FALSE;
      summary->n_rows += count;
      return TRUE;
    }

  /* Annotators who disagree leave the row without a decision to export, in every selection. */
  if (record->team_state == CLAIR_TEAM_DISAGREED)
    {
      summary->n_disagreement += count;
      return FALSE;
    }

  if (options->format == CLAIR_EXPORT_DISTILABEL)
    {
      /* A row format: every row for "all", the decision in a column. */
      if ((options->selection == CLAIR_EXPORT_SELECT_ACCEPTED && !is_accepted (record)) ||
          (options->selection == CLAIR_EXPORT_SELECT_REVISED &&
           (chosen == NULL || record->decision == CLAIR_DECISION_REJECTED)))
        return FALSE;
    }
  else
    {
      if (chosen == NULL)
        return FALSE;
      if (options->selection == CLAIR_EXPORT_SELECT_ACCEPTED && !is_accepted (record))
        return FALSE;
      if (record->decision == CLAIR_DECISION_REJECTED)
        {
          summary->n_rejected += count;
          return FALSE;
        }
      normalise_chosen (state->chosen, chosen, record->solution);
      if (g_str_equal (state->chosen->str, record->solution))
        {
          summary->n_identical += count;
          return FALSE;
        }
    }

  if (count)
    {
      summary->n_rows++;
      summary->n_edited += record->edited_revision != NULL;
      summary->n_newer += clair_record_has_newer_revision (record);
      if (chosen != NULL && options->not_minimal_below > 0 && is_pair_format (options->format) &&
          chosen_jaccard (record, chosen) < options->not_minimal_below)
        summary->n_not_minimal++;
    }
  return TRUE;
}

/* "annotators": each annotator's decision on the row (null when they have none), and
 * "resolved_by". */
static void
append_annotator_columns (ExportState *state,
                          ClairRecord *record)
{
  g_autoptr(GPtrArray) annotations = NULL;
  const char *resolved_by = NULL;
  GString *out = state->line;

  if (!state->options->annotator_columns || state->annotators == NULL)
    return;
  annotations = clair_project_get_annotations (state->project, record->index, NULL);
  g_string_append (out, ",\"annotators\":{");
  for (guint i = 0; state->annotators[i] != NULL; i++)
    {
      const char *decision = NULL;

      for (guint j = 0; annotations != NULL && j < annotations->len; j++)
        {
          ClairAnnotation *annotation = annotations->pdata[j];

          if (!annotation->resolution && g_str_equal (annotation->annotator, state->annotators[i]))
            decision = annotation->decision != CLAIR_DECISION_NONE
                       ? clair_enum_to_nick (CLAIR_TYPE_DECISION, annotation->decision)
                       : annotation->edited_revision != NULL
                       ? clair_enum_to_nick (CLAIR_TYPE_DECISION, CLAIR_DECISION_ACCEPTED)
                       : NULL;
        }
      if (i > 0)
        g_string_append_c (out, ',');
      clair_json_append_string (out, state->annotators[i], -1);
      g_string_append_c (out, ':');
      clair_json_append_string (out, decision, -1);
    }
  for (guint j = 0; annotations != NULL && j < annotations->len && resolved_by == NULL; j++)
    {
      ClairAnnotation *annotation = annotations->pdata[j];

      if (annotation->resolution)
        resolved_by = annotation->annotator;
    }
  g_string_append (out, "},\"resolved_by\":");
  clair_json_append_string (out, resolved_by, -1);
}

static void
write_rationale_if_asked (ExportState *state,
                          ClairRecord *record)
{
  append_annotator_columns (state, record);
  if (state->options->include_rationale)
    {
      g_string_append (state->line, ",\"rational\":");
      clair_json_append_string (state->line, record_rationale (record), -1);
    }
}

static void
format_trl (ExportState *state,
            ClairRecord *record,
            gboolean     chat)
{
  GString *out = state->line;

  if (chat)
    {
      g_string_append (out, "{\"prompt\":[");
      clair_json_append_message (out, "user", record->task);
      g_string_append (out, "],\"chosen\":[");
      clair_json_append_message (out, "assistant", state->chosen->str);
      g_string_append (out, "],\"rejected\":[");
      clair_json_append_message (out, "assistant", record->solution);
      g_string_append_c (out, ']');
    }
  else
    {
      g_string_append (out, "{\"prompt\":");
      clair_json_append_string (out, record->task, -1);
      g_string_append (out, ",\"chosen\":");
      clair_json_append_string (out, state->chosen->str, state->chosen->len);
      g_string_append (out, ",\"rejected\":");
      clair_json_append_string (out, record->solution, -1);
    }
  write_rationale_if_asked (state, record);
  append_extra_members (state, record->extra_json);
  g_string_append (out, "}\n");
}

static void
format_kto (ExportState *state,
            ClairRecord *record)
{
  GString *out = state->line;
  gboolean desirable = state->pass == 0;

  g_string_append (out, "{\"prompt\":");
  clair_json_append_string (out, record->task, -1);
  g_string_append (out, ",\"completion\":");
  if (desirable)
    clair_json_append_string (out, state->chosen->str, state->chosen->len);
  else
    clair_json_append_string (out, record->solution, -1);
  g_string_append (out, desirable ? ",\"label\":true" : ",\"label\":false");
  write_rationale_if_asked (state, record);
  append_extra_members (state, record->extra_json);
  g_string_append (out, "}\n");
}

static void
format_contextual (ExportState *state,
                   ClairRecord *record)
{
  GString *out = state->line;
  g_autofree char *prompt_id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, record->task, -1);

  g_string_append (out, "{\"prompt\":");
  clair_json_append_string (out, record->task, -1);
  g_string_append (out, ",\"chosen\":[");
  clair_json_append_message (out, "user", record->task);
  g_string_append_c (out, ',');
  clair_json_append_message (out, "assistant", state->chosen->str);
  g_string_append (out, "],\"rejected\":[");
  clair_json_append_message (out, "user", record->task);
  g_string_append_c (out, ',');
  clair_json_append_message (out, "assistant", record->solution);
  g_string_append (out, "],\"rational\":");
  clair_json_append_string (out, record_rationale (record), -1);
  g_string_append (out, ",\"prompt_id\":");
  clair_json_append_string (out, prompt_id, -1);
  append_annotator_columns (state, record);
  append_extra_members (state, record->extra_json);
  g_string_append (out, "}\n");
}

/* distilabel's own rationale of the reply (its format_output), so "rational" is the text a
 * distilabel pipeline would have stored; ours where its rule finds none. */
static char *
distilabel_rationale (ClairAttempt *attempt)
{
  g_autoptr(ClairParseResult) parsed = NULL;

  if (attempt == NULL || attempt->status != CLAIR_ROW_REVISED)
    return NULL;
  if (attempt->raw_output != NULL)
    parsed = clair_parse_reply_distilabel (attempt->raw_output);
  if (parsed != NULL && parsed->rationale != NULL)
    return g_steal_pointer (&parsed->rationale);
  return g_strdup (attempt->rationale);
}

static void
append_token_count (GString *out,
                    gint64   value)
{
  if (value >= 0)
    clair_json_append_int (out, value);
  else
    g_string_append (out, "null");
}

static void
format_distilabel (ExportState *state,
                   ClairRecord *record)
{
  GString *out = state->line;
  ClairAttempt *attempt = record->attempt;
  g_autofree char *system = clair_prompt_render_system (state->prompt, record->task, record->solution);
  g_autofree char *user = clair_prompt_render_user (state->prompt, record->task, record->solution);
  g_autofree char *rationale = distilabel_rationale (attempt);
  /* distilabel names the model it was asked for (its LLM's model_name), on every answer. */
  gboolean answered = attempt != NULL && attempt->status != CLAIR_ROW_FAILED;

  /* distilabel keeps the input columns first, then adds the step's outputs. */
  g_string_append (out, "{\"task\":");
  clair_json_append_string (out, record->task, -1);
  g_string_append (out, ",\"student_solution\":");
  clair_json_append_string (out, record->solution, -1);
  append_extra_members (state, record->extra_json);
  g_string_append (out, ",\"revision\":");
  clair_json_append_string (out, clair_record_get_chosen (record), -1);
  g_string_append (out, ",\"rational\":");
  clair_json_append_string (out, rationale, -1);
  g_string_append (out, ",\"model_name\":");
  clair_json_append_string (out, answered ? attempt->model_requested : NULL, -1);
  g_string_append (out, ",\"decision\":");
  /* An edit without a decision counts as accepted (see clair_record_get_chosen()). */
  if (record->decision != CLAIR_DECISION_NONE)
    clair_json_append_string (out, clair_enum_to_nick (CLAIR_TYPE_DECISION, record->decision), -1);
  else if (record->edited_revision != NULL)
    clair_json_append_string (out, clair_enum_to_nick (CLAIR_TYPE_DECISION,
                                                       CLAIR_DECISION_ACCEPTED), -1);
  else
    g_string_append (out, "null");
  append_annotator_columns (state, record);
  g_string_append (out, ",\"distilabel_metadata\":{\"raw_input_c_l_a_i_r_0\":[");
  clair_json_append_message (out, "system", system);
  g_string_append_c (out, ',');
  clair_json_append_message (out, "user", user);
  g_string_append (out, "],\"raw_output_c_l_a_i_r_0\":");
  clair_json_append_string (out, answered ? attempt->raw_output : NULL, -1);
  g_string_append (out, ",\"statistics_c_l_a_i_r_0\":{\"input_tokens\":");
  append_token_count (out, answered ? attempt->prompt_tokens : -1);
  g_string_append (out, ",\"output_tokens\":");
  append_token_count (out, answered ? attempt->completion_tokens : -1);
  g_string_append (out, "}}}\n");
}

static void
format_batch_request (ExportState *state,
                      ClairRecord *record)
{
  GString *out = state->line;
  g_autofree char *system = clair_prompt_render_system (state->prompt, record->task, record->solution);
  g_autofree char *user = clair_prompt_render_user (state->prompt, record->task, record->solution);
  g_autofree char *body = clair_request_build_body (state->params, system, user, FALSE);
  /* The hash of exactly this body: what a run with the same settings computes for the row. */
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
  ClairBatchEntry entry = { record->index, { 0 } };

  g_strlcpy (entry.request_hash, hash, sizeof entry.request_hash);
  g_array_append_val (state->batch, entry);

  g_string_append_printf (out, "{\"custom_id\":\"row-%u\",\"method\":\"POST\","
                          "\"url\":\"/v1/chat/completions\",\"body\":", record->index);
  g_string_append (out, body);
  g_string_append (out, "}\n");
}

static gboolean
write_out (ExportState *state,
           const char  *line,
           gsize        len)
{
  Output *out = state->out;

  state->summary->n_lines++;
  if (out == NULL)
    return TRUE;
  if (fwrite (line, 1, len, out->file) != len)
    {
      set_errno_error (&state->error, errno, _("Could not write “%s”"), out->target);
      return FALSE;
    }
  out->part_bytes += len;
  out->part_lines++;
  return TRUE;
}

/* Batch requests: a new file before a line that would pass the limits. */
static gboolean
split_if_needed (ExportState *state,
                 gsize        len)
{
  const ClairExportOptions *options = state->options;
  Output *out = state->out;
  guint64 max_lines = options->max_requests_per_file ? options->max_requests_per_file : BATCH_MAX_REQUESTS;
  guint64 max_bytes = options->max_bytes_per_file ? options->max_bytes_per_file : BATCH_MAX_BYTES;

  if (out == NULL)
    return TRUE;
  if (len > max_bytes)
    {
      g_set_error (&state->error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("The request of one row is %zu bytes, more than a batch file may "
                   "hold (%" PRIu64 ")"), len, max_bytes);
      return FALSE;
    }
  if (out->part_lines == 0 || (out->part_lines < max_lines && out->part_bytes + len <= max_bytes))
    return TRUE;
  if (out->stream)
    {
      g_set_error (&state->error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("The batch needs several files (at most %" PRIu64 " requests and "
                   "%" PRIu64 " bytes each); export it to a regular file"),
                   max_lines, max_bytes);
      return FALSE;
    }
  return finish_part (out, &state->error) && start_part (out, &state->error);
}

static guint64
prompt_key (const char *task)
{
  guint64 hash = 14695981039346656037ull;

  for (const guchar *p = (const guchar *) task; *p; p++)
    hash = (hash ^ *p) * 1099511628211ull;
  return hash;
}

static void
pending_line_free (PendingLine *pending)
{
  g_free (pending->line);
  g_free (pending);
}

/* KTO: TRL pairs each completion with the prompt of the line before it to estimate the KL term,
 * so a line is held back while it would follow a line of the same prompt. */
static gboolean
emit_kto_line (ExportState *state,
               guint64      key)
{
  PendingLine *pending;

  if (state->has_last && key == state->last_key)
    {
      pending = g_new0 (PendingLine, 1);
      pending->key = key;
      pending->len = state->line->len;
      pending->line = g_strndup (state->line->str, state->line->len);
      g_queue_push_tail (&state->pending, pending);
      return TRUE;
    }
  if (!write_out (state, state->line->str, state->line->len))
    return FALSE;
  state->last_key = key;
  state->has_last = TRUE;
  while ((pending = g_queue_peek_head (&state->pending)) != NULL && pending->key != state->last_key)
    {
      g_queue_pop_head (&state->pending);
      state->last_key = pending->key;
      if (!write_out (state, pending->line, pending->len))
        {
          pending_line_free (pending);
          return FALSE;
        }
      pending_line_free (pending);
    }
  return TRUE;
}

/* At the very end, lines that could not be kept apart go out anyway, and are counted. */
static gboolean
flush_kto_lines (ExportState *state)
{
  PendingLine *pending;

  while ((pending = g_queue_pop_head (&state->pending)) != NULL)
    {
      gboolean ok;

      state->summary->n_adjacent += state->has_last && pending->key == state->last_key;
      state->last_key = pending->key;
      state->has_last = TRUE;
      ok = write_out (state, pending->line, pending->len);
      pending_line_free (pending);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
export_record_cb (ClairRecord *record,
                  gpointer     user_data)
{
  ExportState *state = user_data;

  state->n_seen++;
  if ((state->n_seen & 1023) == 0)
    {
      if (g_cancellable_set_error_if_cancelled (state->cancellable, &state->error))
        return FALSE;
      if (state->progress != NULL)
        state->progress (state->n_seen, state->n_rows_total * state->n_passes, state->progress_data);
    }

  if (!select_record (state, record))
    return TRUE;

  g_string_truncate (state->line, 0);
  switch (state->options->format)
    {
    case CLAIR_EXPORT_TRL:
      format_trl (state, record, FALSE);
      break;
    case CLAIR_EXPORT_TRL_CHAT:
      format_trl (state, record, TRUE);
      break;
    case CLAIR_EXPORT_KTO:
      format_kto (state, record);
      return emit_kto_line (state, prompt_key (record->task));
    case CLAIR_EXPORT_CONTEXTUAL:
      format_contextual (state, record);
      break;
    case CLAIR_EXPORT_DISTILABEL:
      format_distilabel (state, record);
      break;
    case CLAIR_EXPORT_BATCH_REQUESTS:
      format_batch_request (state, record);
      if (!split_if_needed (state, state->line->len))
        return FALSE;
      break;
    default:
      g_assert_not_reached ();
    }

  return write_out (state, state->line->str, state->line->len);
}

void
clair_export_summary_clear (ClairExportSummary *summary)
{
  g_clear_pointer (&summary->renamed, g_strfreev);
  g_clear_pointer (&summary->left_out, g_strfreev);
  g_clear_pointer (&summary->files, g_strfreev);
  g_clear_pointer (&summary->warning, g_free);
  memset (summary, 0, sizeof *summary);
}

static char **
steal_strv (GPtrArray *array)
{
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

/* Records the request written for each row, through a connection of its own (the export may read
 * from a read-only one). A failure does not undo the export: it becomes the summary's warning. */
static void
record_batch (ClairProject       *project,
              ExportState        *state,
              ClairExportSummary *summary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairProject) writer = clair_project_open (clair_project_get_path (project),
                                                       CLAIR_PROJECT_OPEN_DEFAULT, &error);

  if (writer == NULL ||
      !clair_project_store_batch (writer, state->params->model, (ClairBatchEntry *) state->batch->data,
                                  state->batch->len, &error))
    summary->warning = g_strdup_printf ("The batch was written, but the project could not record its "
                                        "requests (%s): a later run may ask for these rows again",
                                        error->message);
}

static gboolean
run_export (ClairProject              *project,
            const ClairExportOptions  *options,
            Output                    *out,
            GCancellable              *cancellable,
            ClairProgressFunc          progress,
            gpointer                   user_data,
            ClairExportSummary        *summary,
            GError                   **error)
{
  g_autoptr(ClairPrompt) own_prompt = NULL;
  g_autoptr(GString) line = g_string_sized_new (16384);
  g_autoptr(GString) chosen = g_string_sized_new (4096);
  g_autoptr(GString) key = g_string_sized_new (64);
  g_autoptr(GHashTable) columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  ClairGenParams own_params;
  ExportState state = { 0 };
  gboolean ok = FALSE;

  clair_gen_params_init (&own_params);
  memset (summary, 0, sizeof *summary);

  state.options = options;
  state.prompt = options->prompt;
  state.params = options->params;
  state.out = out;
  state.line = line;
  state.chosen = chosen;
  state.key = key;
  state.columns = columns;
  state.renamed = g_ptr_array_new_with_free_func (g_free);
  state.left_out = g_ptr_array_new_with_free_func (g_free);
  state.batch = g_array_new (FALSE, FALSE, sizeof (ClairBatchEntry));
  g_queue_init (&state.pending);
  state.cancellable = cancellable;
  state.progress = progress;
  state.progress_data = user_data;
  state.summary = summary;
  state.n_rows_total = clair_project_get_n_rows (project);
  state.n_passes = options->format == CLAIR_EXPORT_KTO ? 2 : 1;
  state.project = project;
  if (options->annotator_columns && options->format != CLAIR_EXPORT_BATCH_REQUESTS &&
      (state.annotators = clair_project_list_annotators (project, error)) == NULL)
    goto out;

  if (state.prompt == NULL)
    state.prompt = own_prompt = clair_project_load_prompt (project);
  if (options->format == CLAIR_EXPORT_BATCH_REQUESTS && state.params == NULL)
    {
      if (!clair_project_load_params (project, &own_params, error))
        goto out;
      state.params = &own_params;
    }
  if (options->format == CLAIR_EXPORT_BATCH_REQUESTS &&
      (state.params->model == NULL || *state.params->model == '\0'))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("Batch requests need a model name; set one in the run settings "
                   "(or pass --model to clair export)"));
      goto out;
    }

  /* KTO writes every desirable line, then every undesirable one: a prompt's two lines are as far
   * apart as the file allows. */
  for (state.pass = 0; state.pass < state.n_passes; state.pass++)
    {
      if (!clair_project_foreach_record (project, cancellable, export_record_cb, &state, error))
        goto out;
      if (state.error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&state.error));
          goto out;
        }
    }
  if (!flush_kto_lines (&state))
    {
      g_propagate_error (error, g_steal_pointer (&state.error));
      goto out;
    }
  if (out != NULL && !output_commit (out, files, error))
    goto out;

  if (out != NULL && options->format == CLAIR_EXPORT_BATCH_REQUESTS && state.batch->len > 0)
    record_batch (project, &state, summary);
  if (progress != NULL)
    progress (state.n_rows_total, state.n_rows_total, user_data);
  ok = TRUE;

out:
  summary->renamed = steal_strv (g_steal_pointer (&state.renamed));
  summary->left_out = steal_strv (g_steal_pointer (&state.left_out));
  summary->files = steal_strv (g_steal_pointer (&files));
  g_array_unref (state.batch);
  g_strfreev (state.annotators);
  g_queue_clear_full (&state.pending, (GDestroyNotify) pending_line_free);
  g_clear_error (&state.error);
  clair_gen_params_clear (&own_params);
  return ok;
}

gboolean
clair_export_to_file (ClairProject              *project,
                      const ClairExportOptions  *options,
                      const char                *path,
                      GCancellable              *cancellable,
                      ClairProgressFunc          progress,
                      gpointer                   user_data,
                      ClairExportSummary        *summary,
                      GError                   **error)
{
  ClairExportSummary own_summary;
  Output out = { 0 };
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (summary == NULL)
    summary = &own_summary;
  memset (summary, 0, sizeof *summary);
  ok = output_open (&out, path, error) &&
       run_export (project, options, &out, cancellable, progress, user_data, summary, error);
  output_clear (&out);
  if (summary == &own_summary)
    clair_export_summary_clear (&own_summary);
  return ok;
}

gboolean
clair_export_preview (ClairProject              *project,
                      const ClairExportOptions  *options,
                      GCancellable              *cancellable,
                      ClairExportSummary        *summary,
                      GError                   **error)
{
  g_return_val_if_fail (CLAIR_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);

  return run_export (project, options, NULL, cancellable, NULL, NULL, summary, error);
}

typedef struct
{
  GPtrArray  *names;
  GHashTable *seen;
  guint       n;
} ColumnScan;

static gboolean
scan_columns_cb (ClairRecord *record,
                 gpointer     user_data)
{
  ColumnScan *scan = user_data;
  const char *end = record->extra_json + strlen (record->extra_json);
  ClairJscanIter iter;
  ClairJscanSpan key;
  ClairJscanSpan value;
  ClairJscanError jerr;

  if (clair_jscan_object_begin (&iter, clair_jscan_skip_ws (record->extra_json, end), end, &jerr))
    while (clair_jscan_object_next (&iter, &key, &value, &jerr) > 0)
      {
        char *name = clair_jscan_unescape (key.start, key.len, NULL);

        if (g_hash_table_add (scan->seen, name))
          g_ptr_array_add (scan->names, g_strdup (name));
      }
  return ++scan->n < 200;
}

char **
clair_export_list_columns (ClairProject  *project,
                           GError       **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ColumnScan scan = { g_ptr_array_new_with_free_func (g_free), seen, 0 };

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), NULL);

  if (!clair_project_foreach_record (project, NULL, scan_columns_cb, &scan, error))
    {
      g_ptr_array_unref (scan.names);
      return NULL;
    }
  return steal_strv (scan.names);
}
