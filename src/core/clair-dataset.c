/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-dataset"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "clair-dataset.h"
#include "clair-dataset-private.h"
#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-jscan.h"
#include "clair-json.h"
#include "clair-parquet.h"

/* A dataset is a memory-mapped file plus an index of where each row starts (byte offset and line)
 * in chunked arrays. Indexing finds row boundaries only; rows are parsed when read, with the
 * allocation-free scanner in clair-jscan.c. The indexer publishes rows one by one through an
 * atomic counter, so other threads may read the first rows while it runs.
 *
 * Pages of the mapping count towards the resident set, so the indexer and a sequential reader
 * release the pages they have passed (MADV_DONTNEED): a 1 GB file then costs tens of MB. */

#define CHUNK_BITS 16
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define N_CHUNKS   (1u << (32 - CHUNK_BITS))

/* How far behind the indexer or reader pages are released, and in what steps. */
#define RELEASE_STEP  (32u * 1024u * 1024u)
#define RELEASE_SLACK (4u * 1024u * 1024u)

/* How many lines the indexer scans between cancellation checks and progress reports. */
#define CHECK_EVERY 1024

/* How far back an error message looks for the start of a line to count its column. */
#define LOCATE_MAX_BACK (1024u * 1024u)

/* How many leading JSONL lines open() tries before giving up on learning the columns. */
#define MAX_HEADER_TRIES 100

typedef struct
{
  guint64 offsets[CHUNK_SIZE];
  guint   lines[CHUNK_SIZE];
} RowChunk;

struct _ClairDataset
{
  GObject      parent_instance;

  char        *path;
  char        *display_name;
  GMappedFile *mapped;
  const char  *data;
  gsize        size;
  gsize        body;         /* offset after a UTF-8 BOM */
  ClairFormat  format;
  char         delimiter;    /* CSV and TSV */
  char       **columns;
  guint        n_columns;

  /* The row index. Only the indexer writes, under index_lock; n_rows is published atomically. */
  GMutex       index_lock;
  RowChunk   **chunks;
  guint        n_rows;
  int          indexed;
  gsize        scan_pos;     /* where an interrupted index resumes */
  guint        scan_line;
  gsize        index_released;
  GError      *index_error;  /* structural damage found: indexing again would find it again */

  GMutex       release_lock;
  gsize        read_released;
  gsize        page_size;

  /* Parquet: the files (shards) in order, their readers serialised by parquet_lock. */
  GPtrArray   *shards;
  GMutex       parquet_lock;
};

typedef struct
{
  char         *path;
  GMappedFile  *mapped;
  ClairParquet *reader;
  guint64       first_row;
  guint64       n_rows;
} ParquetShard;

G_DEFINE_FINAL_TYPE (ClairDataset, clair_dataset, G_TYPE_OBJECT)

typedef struct
{
  const char *start;
  gsize       len;
  guint       line;
  gboolean    quoted;
} CsvField;

/* Formats and mapping */

void
clair_mapping_clear (ClairMapping *mapping)
{
  g_return_if_fail (mapping != NULL);

  g_clear_pointer (&mapping->task_column, g_free);
  g_clear_pointer (&mapping->solution_column, g_free);
}

/* The column named @name, exactly or else ignoring case. */
static const char *
find_column (const char * const *columns,
             const char         *name)
{
  for (guint i = 0; columns[i] != NULL; i++)
    if (strcmp (columns[i], name) == 0)
      return columns[i];
  for (guint i = 0; columns[i] != NULL; i++)
    if (g_ascii_strcasecmp (columns[i], name) == 0)
      return columns[i];
  return NULL;
}

gboolean
clair_mapping_guess (const char * const *columns,
                     ClairMapping       *mapping)
{
  static const char * const pairs[][2] = {
    { "task", "student_solution" },
    { "prompt", "rejected" },
    { "instruction", "response" },
    { "question", "answer" },
  };

  g_return_val_if_fail (mapping != NULL, FALSE);

  mapping->task_column = NULL;
  mapping->solution_column = NULL;
  if (columns == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      const char *task = find_column (columns, pairs[i][0]);
      const char *solution = find_column (columns, pairs[i][1]);

      if (task != NULL && solution != NULL)
        {
          mapping->task_column = g_strdup (task);
          mapping->solution_column = g_strdup (solution);
          return TRUE;
        }
    }
  return FALSE;
}

void
clair_row_free (ClairRow *row)
{
  if (row == NULL)
    return;
  g_free (row->task);
  g_free (row->solution);
  g_free (row->extra_json);
  g_free (row);
}

/* Object */

static void
clair_dataset_finalize (GObject *object)
{
  ClairDataset *self = CLAIR_DATASET (object);

  if (self->chunks != NULL)
    {
      for (guint i = 0; i < N_CHUNKS && self->chunks[i] != NULL; i++)
        g_free (self->chunks[i]);
      g_free (self->chunks);
    }
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  g_clear_error (&self->index_error);
  g_strfreev (self->columns);
  g_free (self->path);
  g_free (self->display_name);
  g_clear_pointer (&self->shards, g_ptr_array_unref);
  g_mutex_clear (&self->index_lock);
  g_mutex_clear (&self->release_lock);
  g_mutex_clear (&self->parquet_lock);

  G_OBJECT_CLASS (clair_dataset_parent_class)->finalize (object);
}

static void
clair_dataset_class_init (ClairDatasetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clair_dataset_finalize;
}

static void
clair_dataset_init (ClairDataset *self)
{
  long page_size = sysconf (_SC_PAGESIZE);

  g_mutex_init (&self->index_lock);
  g_mutex_init (&self->release_lock);
  g_mutex_init (&self->parquet_lock);
  self->page_size = page_size > 0 ? (gsize) page_size : 4096;
  /* N_CHUNKS pointers: 512 KB of address space, untouched (hence not resident) until used. */
  self->chunks = g_new0 (RowChunk *, N_CHUNKS);
}

/* Errors: every message names the file and the line, and says what is wrong. */

static void set_error_at (ClairDataset  *self,
                          GError       **error,
                          int            code,
                          guint          line,
                          guint          column,
                          const char    *format,
                          ...) G_GNUC_PRINTF (6, 7);

static void
set_error_at (ClairDataset  *self,
              GError       **error,
              int            code,
              guint          line,
              guint          column,
              const char    *format,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (column > 0)
    g_set_error (error, CLAIR_ERROR, code, _("“%s”, line %u, column %u: %s"),
                 self->display_name, line, column, what);
  else
    g_set_error (error, CLAIR_ERROR, code, _("“%s”, line %u: %s"), self->display_name, line, what);
}

static void set_csv_error (ClairDataset  *self,
                           GError       **error,
                           int            code,
                           guint          line,
                           guint          field,
                           const char    *format,
                           ...) G_GNUC_PRINTF (6, 7);

/* CSV errors name the column by number and, when the header has it, by name. */
static void
set_csv_error (ClairDataset  *self,
               GError       **error,
               int            code,
               guint          line,
               guint          field,
               const char    *format,
               ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->columns != NULL && field < self->n_columns)
    g_set_error (error, CLAIR_ERROR, code, _("“%s”, line %u, column %u (“%s”): %s"),
                 self->display_name, line, field + 1, self->columns[field], what);
  else
    g_set_error (error, CLAIR_ERROR, code, _("“%s”, line %u, column %u: %s"),
                 self->display_name, line, field + 1, what);
}

static guint
count_newlines (const char *p,
                const char *end)
{
  guint n = 0;

  while (p < end && (p = memchr (p, '\n', end - p)) != NULL)
    {
      n++;
      p++;
    }
  return n;
}

/* Line and (1-based, in characters) column of @where, knowing that @from starts line @from_line. */
static void
locate (ClairDataset *self,
        gsize         from,
        guint         from_line,
        const char   *where,
        guint        *line,
        guint        *column)
{
  const char *start = self->data + from;
  const char *line_start = start;
  const char *p = start;
  const char *newline;
  guint n = 0;

  if (where > self->data + self->size)
    where = self->data + self->size;

  while (p < where && (newline = memchr (p, '\n', where - p)) != NULL)
    {
      n++;
      p = newline + 1;
      line_start = p;
    }
  if (n == 0)
    {
      /* The row starts mid-line (a JSON list on one line): look back for the line start, but
       * not across megabytes for every bad row of a minified file; then leave the column out. */
      const char *limit = self->data + self->body;

      if ((gsize) (line_start - limit) > LOCATE_MAX_BACK)
        limit = line_start - LOCATE_MAX_BACK;
      while (line_start > limit && line_start[-1] != '\n')
        line_start--;
      if (line_start == limit && limit > self->data + self->body)
        {
          *line = from_line;
          *column = 0;
          return;
        }
    }

  *line = from_line + n;
  *column = 1;
  for (p = line_start; p < where; p++)
    if (((guchar) *p & 0xc0) != 0x80)
      (*column)++;
}

static void
set_json_error (ClairDataset          *self,
                GError               **error,
                gsize                  row_offset,
                guint                  row_line,
                const ClairJscanError *jerr)
{
  const char *end = self->data + self->size;
  guint line;
  guint column;
  char found[64];

  locate (self, row_offset, row_line, jerr->where, &line, &column);
  if (jerr->bad_utf8)
    {
      set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, column, "%s", jerr->message);
      return;
    }
  if (!jerr->show_found)
    {
      set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, column, _("invalid JSON: %s"),
                    jerr->message);
      return;
    }

  if (jerr->where >= end)
    g_strlcpy (found, _("the end of the file"), sizeof found);
  else
    clair_jscan_describe (jerr->where, end, found, sizeof found);
  set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, column, _("invalid JSON: %s, found %s"),
                jerr->message, found);
}

/* Releasing pages behind a sequential scan */

static void
release_pages (ClairDataset *self,
               gsize         from,
               gsize         to)
{
  gsize mask = self->page_size - 1;

  from = (from + mask) & ~mask;
  to &= ~mask;
  if (to > from && self->size > 0)
    madvise ((void *) (self->data + from), to - from, MADV_DONTNEED);
}

/* Called from read_row: when rows are read in order (an import), drop what lies well behind. A
 * row read out of order simply faults its pages back in from the page cache. */
static void
release_behind_reader (ClairDataset *self,
                       gsize         offset)
{
  gsize released = __atomic_load_n (&self->read_released, __ATOMIC_RELAXED);

  if (offset < released + RELEASE_STEP + RELEASE_SLACK)
    return;
  if (!g_mutex_trylock (&self->release_lock))
    return;
  released = self->read_released;
  if (offset >= released + RELEASE_STEP + RELEASE_SLACK)
    {
      release_pages (self, released, offset - RELEASE_SLACK);
      __atomic_store_n (&self->read_released, offset - RELEASE_SLACK, __ATOMIC_RELAXED);
    }
  g_mutex_unlock (&self->release_lock);
}

/* CSV records */

/* Parses the record at @p into @fields. Strict mode fails on text after a closing quote; lenient
 * mode (indexing) only cares where the record ends. The header passes CLAIR_DATASET_MAX_COLUMNS
 * as @max_fields and stops there, so that one huge line of commas cannot fill memory with fields;
 * rows pass G_MAXUINT. Returns the start of the next record, or NULL when a quoted field never
 * closes or the header is too wide. */
static const char *
csv_parse_record (ClairDataset *self,
                  const char   *p,
                  guint         line,
                  gboolean      strict,
                  guint         max_fields,
                  GArray       *fields,
                  guint        *next_line,
                  GError      **error)
{
  const char *end = self->data + self->size;
  char delimiter = self->delimiter;

  for (guint n_fields = 0; ; n_fields++)
    {
      CsvField field = { p, 0, line, FALSE };

      if (G_UNLIKELY (n_fields == max_fields))
        {
          set_error_at (self, error, CLAIR_ERROR_TOO_LARGE, line, 0,
                        _("the header has more than %u columns, the most a dataset may have; keep "
                        "the columns you need and save the file again"), max_fields);
          return NULL;
        }

      if (p < end && *p == '"')
        {
          const char *q = p + 1;

          field.quoted = TRUE;
          field.start = q;
          for (;;)
            {
              const char *quote = memchr (q, '"', end - q);

              if (quote == NULL)
                {
                  set_csv_error (self, error, CLAIR_ERROR_INVALID_DATA, field.line, n_fields,
                                 _("a quoted field starts here and never ends (a missing closing quote?)"));
                  return NULL;
                }
              line += count_newlines (q, quote);
              if (quote + 1 < end && quote[1] == '"')
                {
                  q = quote + 2;
                  continue;
                }
              field.len = quote - field.start;
              p = quote + 1;
              break;
            }

          if (p < end && *p != delimiter && *p != '\n' && !(*p == '\r' && (p + 1 == end || p[1] == '\n')))
            {
              if (strict)
                {
                  char found[64];

                  clair_jscan_describe (p, end, found, sizeof found);
                  set_csv_error (self, error, CLAIR_ERROR_INVALID_DATA, line, n_fields,
                                 _("%s after the closing quote of a field; a quote inside a quoted "
                                 "field must be doubled (\"\")"), found);
                  return NULL;
                }
              while (p < end && *p != delimiter && *p != '\n')
                p++;
            }
        }
      else
        {
          while (p < end && *p != delimiter && *p != '\n')
            p++;
          field.len = p - field.start;
          if (field.len > 0 && field.start[field.len - 1] == '\r')
            field.len--;
        }

      if (fields != NULL)
        g_array_append_val (fields, field);

      if (p >= end)
        {
          *next_line = line;
          return end;
        }
      if (*p == delimiter)
        {
          p++;
          continue;
        }
      if (*p == '\r')
        p++;
      /* *p is '\n' */
      *next_line = line + 1;
      return p + 1;
    }
}

/* The text of a CSV field: unquoted, doubled quotes undone, checked for UTF-8 and size. */
static char *
csv_field_text (ClairDataset   *self,
                const CsvField *field,
                guint           column,
                GError        **error)
{
  const char *bad = NULL;
  char *text;
  char *out;

  if (field->len > CLAIR_DATASET_MAX_FIELD)
    {
      g_autofree char *size = g_format_size_full (field->len, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (CLAIR_DATASET_MAX_FIELD, G_FORMAT_SIZE_IEC_UNITS);

      set_csv_error (self, error, CLAIR_ERROR_TOO_LARGE, field->line, column,
                     _("the field holds %s, over the %s limit for one field"), size, limit);
      return NULL;
    }
  if (!g_utf8_validate_len (field->start, field->len, &bad))
    {
      set_csv_error (self, error, CLAIR_ERROR_INVALID_DATA,
                     field->line + count_newlines (field->start, bad), column,
                     _("invalid UTF-8 (byte 0x%02X); save the file as UTF-8"), (guchar) *bad);
      return NULL;
    }

  if (!field->quoted || memchr (field->start, '"', field->len) == NULL)
    return g_strndup (field->start, field->len);

  text = g_malloc (field->len + 1);
  out = text;
  for (gsize i = 0; i < field->len; i++)
    {
      *out++ = field->start[i];
      if (field->start[i] == '"' && i + 1 < field->len && field->start[i + 1] == '"')
        i++;
    }
  *out = '\0';
  return text;
}

/* Opening */

static gboolean
is_blank (const char *p,
          const char *end)
{
  for (; p < end; p++)
    if (*p != ' ' && *p != '\t' && *p != '\r')
      return FALSE;
  return TRUE;
}

static const char *
skip_ws_lines (const char *p,
               const char *end,
               guint      *line)
{
  for (; p < end; p++)
    {
      if (*p == '\n')
        (*line)++;
      else if (*p != ' ' && *p != '\t' && *p != '\r')
        break;
    }
  return p;
}

static ClairFormat
format_from_extension (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".ndjson") ||
      g_str_has_suffix (lower, ".jsonlines"))
    return CLAIR_FORMAT_JSONL;
  if (g_str_has_suffix (lower, ".json"))
    return CLAIR_FORMAT_JSON;
  if (g_str_has_suffix (lower, ".csv"))
    return CLAIR_FORMAT_CSV;
  if (g_str_has_suffix (lower, ".tsv") || g_str_has_suffix (lower, ".tab"))
    return CLAIR_FORMAT_TSV;
  if (g_str_has_suffix (lower, ".parquet"))
    return CLAIR_FORMAT_PARQUET;
  return CLAIR_FORMAT_UNKNOWN;
}

/* The format from the extension, then the content: JSON arrays start with '[', JSON lines with
 * '{' (many ".json" files on the Hub are JSON lines), and delimited text is CSV unless its first
 * line has more tabs than commas. */
static ClairFormat
sniff_format (ClairDataset *self)
{
  ClairFormat format = format_from_extension (self->path);
  const char *end = self->data + self->size;
  guint line = 1;
  const char *p = skip_ws_lines (self->data + self->body, end, &line);
  const char *newline;
  guint commas = 0;
  guint tabs = 0;

  /* Parquet by its magic bytes, whatever the name says: a ".json" that is Parquet is Parquet. */
  if (clair_parquet_has_magic ((const guint8 *) self->data, self->size))
    return CLAIR_FORMAT_PARQUET;
  if (format == CLAIR_FORMAT_CSV || format == CLAIR_FORMAT_TSV || format == CLAIR_FORMAT_PARQUET)
    return format;
  if (p < end && *p == '[')
    return CLAIR_FORMAT_JSON;
  if (p < end && *p == '{')
    return CLAIR_FORMAT_JSONL;
  if (format != CLAIR_FORMAT_UNKNOWN)
    return format;

  newline = memchr (p, '\n', end - p);
  for (const char *q = p; q < (newline ? newline : end); q++)
    {
      commas += *q == ',';
      tabs += *q == '\t';
    }
  return tabs > commas ? CLAIR_FORMAT_TSV : CLAIR_FORMAT_CSV;
}

/* The column names of a header, in order, with a hash set of them: a linear search for every new
 * name made a header of 100,000 columns take seconds to open. */
typedef struct
{
  GPtrArray  *names;
  GHashTable *taken;         /* the strings of @names, not owned */
  GHashTable *next_suffix;   /* a duplicated name → the next “.n” to try */
} ColumnNames;

static void
column_names_init (ColumnNames *names)
{
  names->names = g_ptr_array_new_with_free_func (g_free);
  names->taken = g_hash_table_new (g_str_hash, g_str_equal);
  names->next_suffix = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
column_names_clear (ColumnNames *names)
{
  /* @taken points into @names: it goes first. */
  g_clear_pointer (&names->taken, g_hash_table_unref);
  g_clear_pointer (&names->next_suffix, g_hash_table_unref);
  g_clear_pointer (&names->names, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ColumnNames, column_names_clear)

static gboolean
column_names_contain (const ColumnNames *names,
                      const char        *name)
{
  return g_hash_table_contains (names->taken, name);
}

/* Adds @name, which must not be there yet, taking ownership. */
static void
column_names_take (ColumnNames *names,
                   char        *name)
{
  g_hash_table_add (names->taken, name);
  g_ptr_array_add (names->names, name);
}

/* Adds @name, renaming a duplicate "name.1", "name.2"… as pandas does. Names are only ever added,
 * so every suffix below the one a name got last time is still taken: starting from there keeps a
 * header of thousands of copies of one name linear too. */
static void
column_names_add_unique (ColumnNames *names,
                         char        *name)
{
  char *unique = NULL;
  guint n;

  if (!column_names_contain (names, name))
    {
      column_names_take (names, name);
      return;
    }

  n = MAX (GPOINTER_TO_UINT (g_hash_table_lookup (names->next_suffix, name)), 1);
  do
    {
      g_free (unique);
      unique = g_strdup_printf ("%s.%u", name, n++);
    }
  while (column_names_contain (names, unique));
  g_hash_table_insert (names->next_suffix, name, GUINT_TO_POINTER (n));
  column_names_take (names, unique);
}

static void
set_columns (ClairDataset *self,
             ColumnNames  *names)
{
  GPtrArray *array = g_steal_pointer (&names->names);

  self->n_columns = array->len;
  g_ptr_array_add (array, NULL);
  self->columns = (char **) g_ptr_array_free (array, FALSE);
}

static gboolean
json_columns_from_object (ClairDataset *self,
                          gsize         offset,
                          guint         line,
                          const char   *end,
                          GError      **error)
{
  g_auto(ColumnNames) names = { NULL, NULL, NULL };
  ClairJscanIter iter;
  ClairJscanSpan key;
  ClairJscanSpan value;
  ClairJscanError jerr;
  int ret;

  column_names_init (&names);
  if (!clair_jscan_object_begin (&iter, clair_jscan_skip_ws (self->data + offset, end), end, &jerr))
    {
      set_json_error (self, error, offset, line, &jerr);
      return FALSE;
    }
  while ((ret = clair_jscan_object_next (&iter, &key, &value, &jerr)) > 0)
    {
      char *name = clair_jscan_unescape (key.start, key.len, NULL);

      /* A key given twice is one column: JSON keeps the last value. */
      if (column_names_contain (&names, name))
        {
          g_free (name);
          continue;
        }
      if (names.names->len == CLAIR_DATASET_MAX_COLUMNS)
        {
          guint key_line;
          guint key_column;

          g_free (name);
          locate (self, offset, line, key.start, &key_line, &key_column);
          set_error_at (self, error, CLAIR_ERROR_TOO_LARGE, key_line, key_column,
                        _("the row has more than %u columns, the most a dataset may have; keep the "
                        "columns you need and save the file again"), CLAIR_DATASET_MAX_COLUMNS);
          return FALSE;
        }
      column_names_take (&names, name);
    }
  if (ret < 0)
    {
      set_json_error (self, error, offset, line, &jerr);
      return FALSE;
    }
  set_columns (self, &names);
  return TRUE;
}

static gboolean
open_jsonl (ClairDataset *self,
            GError      **error)
{
  const char *end = self->data + self->size;
  const char *p = self->data + self->body;
  guint line = 1;
  g_autoptr(GError) first_error = NULL;

  for (guint tries = 0; p < end && tries < MAX_HEADER_TRIES; )
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline ? newline : end;
      g_autoptr(GError) local_error = NULL;

      if (!is_blank (p, line_end))
        {
          tries++;
          if (json_columns_from_object (self, p - self->data, line, line_end, &local_error))
            return TRUE;
          if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
        }
      line++;
      p = newline ? newline + 1 : end;
    }

  if (first_error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&first_error),
                                  _("Could not learn the columns of a JSON lines file (one object "
                                  "per line): "));
      return FALSE;
    }
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY, _("“%s” is empty: it holds no rows"),
               self->display_name);
  return FALSE;
}

static gboolean
open_json (ClairDataset *self,
           GError      **error)
{
  const char *end = self->data + self->size;
  guint line = 1;
  const char *p = skip_ws_lines (self->data + self->body, end, &line);

  if (p >= end || *p != '[')
    {
      char found[64];

      clair_jscan_describe (p, end, found, sizeof found);
      set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, 0,
                    _("expected “[” to start a JSON list of objects, found %s"), found);
      return FALSE;
    }
  p = skip_ws_lines (p + 1, end, &line);
  if (p < end && *p == ']')
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY, _("“%s” is empty: its JSON list holds no rows"),
                   self->display_name);
      return FALSE;
    }
  self->scan_pos = p - self->data;
  self->scan_line = line;
  return json_columns_from_object (self, p - self->data, line, end, error);
}

static gboolean
open_csv (ClairDataset *self,
          GError      **error)
{
  const char *end = self->data + self->size;
  guint line = 1;
  const char *p = self->data + self->body;
  const char *next;
  guint next_line;
  g_autoptr(GArray) fields = g_array_new (FALSE, FALSE, sizeof (CsvField));
  g_auto(ColumnNames) names = { NULL, NULL, NULL };

  /* Blank lines before the header are not the header. */
  while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
    {
      p += *p == '\r' ? 2 : 1;
      line++;
    }
  if (p >= end)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY, _("“%s” is empty: it holds no header and no rows"),
                   self->display_name);
      return FALSE;
    }

  next = csv_parse_record (self, p, line, TRUE, CLAIR_DATASET_MAX_COLUMNS, fields, &next_line,
                           error);
  if (next == NULL)
    return FALSE;

  column_names_init (&names);
  for (guint i = 0; i < fields->len; i++)
    {
      char *name = csv_field_text (self, &g_array_index (fields, CsvField, i), i, error);

      if (name == NULL)
        return FALSE;
      if (*name == '\0')
        {
          g_free (name);
          name = g_strdup_printf ("column_%u", i + 1);
        }
      column_names_add_unique (&names, name);
    }
  set_columns (self, &names);
  self->scan_pos = next - self->data;
  self->scan_line = next_line;
  return TRUE;
}

/* What a file that is not a regular file is, for messages. */
static const char *
describe_file_type (mode_t mode)
{
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  return "an unusual kind of file";
}

static gboolean
check_file_type (const char  *display_name,
                 mode_t       mode,
                 GError     **error)
{
  if (S_ISREG (mode))
    return TRUE;
  if (S_ISDIR (mode))
    g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                 _("“%s” is a folder without .parquet files; choose a JSONL, JSON, CSV, TSV or "
                 "Parquet file, or a folder of Parquet files"), display_name);
  else
    g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                 _("“%s” is not a regular file (%s); save the dataset to a file and open that"),
                 display_name, describe_file_type (mode));
  return FALSE;
}

static void
set_errno_error (const char  *display_name,
                 GError     **error,
                 int          saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not open “%s”: %s"), display_name, g_strerror (saved_errno));
}

/* Maps @path when it is a regular file or a symbolic link to one. Opening a FIFO for reading
 * blocks until something writes to it, maybe forever, and opening a device may act on it, so the
 * type is checked before opening. It is checked again on what was opened, in case the file was
 * replaced in between; O_NONBLOCK keeps that open from blocking on a FIFO. */
static GMappedFile *
map_regular_file (const char  *path,
                  const char  *display_name,
                  GError     **error)
{
  GMappedFile *mapped = NULL;
  GStatBuf st;
  int fd;
  gboolean ok;

  if (g_stat (path, &st) != 0)
    {
      set_errno_error (display_name, error, errno);
      return NULL;
    }
  if (!check_file_type (display_name, st.st_mode, error))
    return NULL;

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (display_name, error, errno);
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (display_name, error, errno);
      ok = FALSE;
    }
  else
    ok = check_file_type (display_name, st.st_mode, error);
  if (ok)
    {
      mapped = g_mapped_file_new_from_fd (fd, FALSE, error);
      if (mapped == NULL)
        g_prefix_error (error, _("“%s”: "), display_name);
    }
  close (fd);
  return mapped;
}

/* Parquet */

static void
parquet_shard_free (gpointer data)
{
  ParquetShard *shard = data;

  g_clear_pointer (&shard->reader, clair_parquet_free);
  g_clear_pointer (&shard->mapped, g_mapped_file_unref);
  g_free (shard->path);
  g_free (shard);
}

/* A reader of @shard over its mapping. */
static ClairParquet *
open_shard_reader (ParquetShard  *shard,
                   GError       **error)
{
  g_autofree char *display = g_filename_display_name (shard->path);
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (shard->mapped);

  return clair_parquet_open (display, data != NULL ? data : (const guint8 *) "",
                             g_mapped_file_get_length (shard->mapped), TRUE, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The .parquet files of a folder, by name (shards are numbered with leading zeros), or NULL. */
static GPtrArray *
parquet_folder_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);

      if (name[0] != '.' && g_str_has_suffix (lower, ".parquet"))
        g_ptr_array_add (names, g_strdup (name));
    }
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      char *full = g_build_filename (path, names->pdata[i], NULL);

      g_free (names->pdata[i]);
      names->pdata[i] = full;
    }
  return g_steal_pointer (&names);
}

/* The files of the dataset at @self->path: a folder's .parquet files, every shard of a set when
 * given the first ("train-00000-of-00004.parquet"), else the file itself. */
static GPtrArray *
parquet_files (ClairDataset  *self,
               GError       **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;

  if (g_file_test (self->path, G_FILE_TEST_IS_DIR))
    return parquet_folder_files (self->path);

  files = g_ptr_array_new_with_free_func (g_free);
  base = g_path_get_basename (self->path);
  dir = g_path_get_dirname (self->path);
  regex = g_regex_new ("^(.*)-(0+)-of-([0-9]{1,6})(\\.parquet)$", G_REGEX_CASELESS, 0, NULL);
  if (g_regex_match (regex, base, 0, &match))
    {
      g_autofree char *prefix = g_match_info_fetch (match, 1);
      g_autofree char *zeros = g_match_info_fetch (match, 2);
      g_autofree char *total = g_match_info_fetch (match, 3);
      g_autofree char *suffix = g_match_info_fetch (match, 4);
      guint n = (guint) g_ascii_strtoull (total, NULL, 10);

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%0*u-of-%s%s", prefix, (int) strlen (zeros),
                                                   i, total, suffix);
          char *path = g_build_filename (dir, name, NULL);

          if (i > 0 && !g_file_test (path, G_FILE_TEST_EXISTS))
            {
              g_autofree char *display = g_filename_display_name (path);

              g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                           _("“%s” is shard 1 of %u, but shard %u (“%s”) is missing; download every "
                           "shard into the same folder"), self->display_name, n, i + 1, display);
              g_free (path);
              return NULL;
            }
          g_ptr_array_add (files, i == 0 ? g_strdup (self->path) : path);
          if (i == 0)
            g_free (path);
        }
      if (files->len > 0)
        return g_steal_pointer (&files);
    }
  g_ptr_array_add (files, g_strdup (self->path));
  return g_steal_pointer (&files);
}

static gboolean
open_parquet (ClairDataset  *self,
              GError       **error)
{
  g_autoptr(GPtrArray) files = parquet_files (self, error);
  g_auto(ColumnNames) names = { NULL, NULL, NULL };
  guint64 n_rows = 0;

  if (files == NULL)
    {
      if (error != NULL && *error == NULL)
        check_file_type (self->display_name, S_IFDIR, error);
      return FALSE;
    }

  self->shards = g_ptr_array_new_with_free_func (parquet_shard_free);
  self->size = 0;
  column_names_init (&names);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *display = g_filename_display_name (path);
      ParquetShard *shard = g_new0 (ParquetShard, 1);
      ClairParquet *reader;

      g_ptr_array_add (self->shards, shard);
      shard->path = g_strdup (path);
      if (i == 0 && self->mapped != NULL)
        shard->mapped = g_mapped_file_ref (self->mapped);
      else if ((shard->mapped = map_regular_file (path, display, error)) == NULL)
        return FALSE;
      if ((reader = shard->reader = open_shard_reader (shard, error)) == NULL)
        return FALSE;
      shard->first_row = n_rows;
      shard->n_rows = clair_parquet_get_n_rows (reader);
      n_rows += shard->n_rows;
      self->size += g_mapped_file_get_length (shard->mapped);

      if (i == 0)
        {
          if (clair_parquet_get_n_columns (reader) > CLAIR_DATASET_MAX_COLUMNS)
            {
              g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE,
                           _("“%s” has more than %u columns, the most a dataset may have"),
                           display, CLAIR_DATASET_MAX_COLUMNS);
              return FALSE;
            }
          for (guint c = 0; c < clair_parquet_get_n_columns (reader); c++)
            column_names_add_unique (&names, g_strdup (clair_parquet_get_column_name (reader, c)));
          continue;
        }
      if (clair_parquet_get_n_columns (reader) != names.names->len ||
          !g_str_equal (clair_parquet_get_column_name (reader, 0), names.names->pdata[0]))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       _("“%s” does not have the columns of the first file of the dataset; its "
                       "files must share one schema"), display);
          return FALSE;
        }
    }
  if (n_rows >= G_MAXUINT)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE, _("“%s”: more than %u rows"),
                   self->display_name, G_MAXUINT - 1);
      return FALSE;
    }
  if (n_rows == 0)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY, _("“%s” is empty: it holds no rows"),
                   self->display_name);
      return FALSE;
    }
  set_columns (self, &names);
  return TRUE;
}

/* Finds the shard holding dataset row @index (its number in @shard_index) and the row within it. */
static ParquetShard *
parquet_shard_for_row (ClairDataset *self,
                       guint         index,
                       guint        *shard_index,
                       guint64      *row)
{
  guint lo = 0;
  guint hi = self->shards->len;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      ParquetShard *shard = self->shards->pdata[mid];

      if (shard->first_row <= index)
        lo = mid;
      else
        hi = mid;
    }
  while (lo + 1 < self->shards->len &&
         index >= ((ParquetShard *) self->shards->pdata[lo])->first_row +
                  ((ParquetShard *) self->shards->pdata[lo])->n_rows)
    lo++;
  *row = index - ((ParquetShard *) self->shards->pdata[lo])->first_row;
  if (shard_index != NULL)
    *shard_index = lo;
  return self->shards->pdata[lo];
}

ClairDataset *
clair_dataset_open (const char  *path,
                    ClairFormat  format,
                    GError     **error)
{
  g_autoptr(ClairDataset) self = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CLAIR_TYPE_DATASET, NULL);
  self->path = g_strdup (path);
  self->display_name = g_filename_display_name (path);

  if ((format == CLAIR_FORMAT_UNKNOWN || format == CLAIR_FORMAT_PARQUET) &&
      g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      /* A folder is a Parquet dataset of its .parquet files. */
      self->format = CLAIR_FORMAT_PARQUET;
      self->data = "";
      return open_parquet (self, error) ? g_steal_pointer (&self) : NULL;
    }
  if ((self->mapped = map_regular_file (path, self->display_name, error)) == NULL)
    return NULL;
  self->data = g_mapped_file_get_contents (self->mapped);
  self->size = g_mapped_file_get_length (self->mapped);
  if (self->data == NULL)
    self->data = "";
  if (self->size >= 3 && memcmp (self->data, "\xef\xbb\xbf", 3) == 0)
    self->body = 3;

  if (format == CLAIR_FORMAT_PARQUET ||
      (format == CLAIR_FORMAT_UNKNOWN && sniff_format (self) == CLAIR_FORMAT_PARQUET))
    {
      self->format = CLAIR_FORMAT_PARQUET;
      return open_parquet (self, error) ? g_steal_pointer (&self) : NULL;
    }

  if (clair_jscan_skip_ws (self->data + self->body, self->data + self->size) ==
      self->data + self->size)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY, _("“%s” is empty: it holds no rows"),
                   self->display_name);
      return NULL;
    }

  self->format = format != CLAIR_FORMAT_UNKNOWN ? format : sniff_format (self);
  self->delimiter = self->format == CLAIR_FORMAT_TSV ? '\t' : ',';
  self->scan_line = 1;
  self->scan_pos = self->body;

  switch (self->format)
    {
    case CLAIR_FORMAT_JSONL:
      ok = open_jsonl (self, error);
      break;
    case CLAIR_FORMAT_JSON:
      ok = open_json (self, error);
      break;
    case CLAIR_FORMAT_CSV:
    case CLAIR_FORMAT_TSV:
      ok = open_csv (self, error);
      break;
    case CLAIR_FORMAT_UNKNOWN:
    default:
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED, _("“%s”: unknown dataset format"),
                   self->display_name);
      break;
    }

  return ok ? g_steal_pointer (&self) : NULL;
}

const char *
clair_dataset_get_path (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);
  return self->path;
}

ClairFormat
clair_dataset_get_format (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), CLAIR_FORMAT_UNKNOWN);
  return self->format;
}

guint64
clair_dataset_get_size (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), 0);
  return self->size;
}

const char * const *
clair_dataset_get_columns (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);
  return (const char * const *) self->columns;
}

/* Indexing */

static gboolean
add_row (ClairDataset *self,
         gsize         offset,
         guint         line,
         GError      **error)
{
  guint n = (guint) g_atomic_int_get (&self->n_rows);
  RowChunk *chunk;

  if (G_UNLIKELY (n == G_MAXUINT))
    {
      set_error_at (self, error, CLAIR_ERROR_TOO_LARGE, line, 0, _("more than %u rows"), G_MAXUINT - 1);
      return FALSE;
    }
  chunk = self->chunks[n >> CHUNK_BITS];
  if (chunk == NULL)
    chunk = self->chunks[n >> CHUNK_BITS] = g_new (RowChunk, 1);
  chunk->offsets[n & (CHUNK_SIZE - 1)] = offset;
  chunk->lines[n & (CHUNK_SIZE - 1)] = line;
  /* A full barrier: whoever sees the new count sees the entry (and its chunk) too. */
  g_atomic_int_set (&self->n_rows, n + 1);
  return TRUE;
}

static gboolean
get_row (ClairDataset *self,
         guint         index,
         gsize        *offset,
         guint        *line,
         GError      **error)
{
  guint n_rows = (guint) g_atomic_int_get (&self->n_rows);
  const RowChunk *chunk;

  if (index >= n_rows)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   g_atomic_int_get (&self->indexed) ? _("“%s” has no row %u (it has %u rows)")
                                                     : _("“%s” has no row %u (%u rows indexed so far)"),
                   self->display_name, index, n_rows);
      return FALSE;
    }
  if (self->format == CLAIR_FORMAT_PARQUET)
    {
      *offset = index;
      *line = index + 1;
      return TRUE;
    }
  chunk = self->chunks[index >> CHUNK_BITS];
  *offset = chunk->offsets[index & (CHUNK_SIZE - 1)];
  *line = chunk->lines[index & (CHUNK_SIZE - 1)];
  return TRUE;
}

typedef struct
{
  ClairDataset         *self;
  ClairDatasetProgress  progress;
  gpointer              user_data;
  GCancellable         *cancellable;
} IndexRun;

/* Every CHECK_EVERY lines: remember where to resume, report, release passed pages, and stop when
 * cancelled. */
static gboolean
checkpoint (IndexRun   *run,
            const char *p,
            guint       line,
            GError    **error)
{
  ClairDataset *self = run->self;

  self->scan_pos = p - self->data;
  self->scan_line = line;
  if (run->progress != NULL)
    run->progress (self, (guint) g_atomic_int_get (&self->n_rows), self->scan_pos, run->user_data);
  if (self->scan_pos >= self->index_released + RELEASE_STEP + RELEASE_SLACK)
    {
      release_pages (self, self->index_released, self->scan_pos - RELEASE_SLACK);
      self->index_released = self->scan_pos - RELEASE_SLACK;
    }
  return !g_cancellable_set_error_if_cancelled (run->cancellable, error);
}

static gboolean
index_jsonl (IndexRun  *run,
             GError   **error)
{
  ClairDataset *self = run->self;
  const char *end = self->data + self->size;
  const char *p = self->data + self->scan_pos;
  guint line = self->scan_line;
  guint until_check = CHECK_EVERY;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline ? newline : end;

      if ((*p == '{' || !is_blank (p, line_end)) && !add_row (self, p - self->data, line, error))
        return FALSE;
      line++;
      p = newline ? newline + 1 : end;

      if (--until_check == 0)
        {
          until_check = CHECK_EVERY;
          if (!checkpoint (run, p, line, error))
            return FALSE;
        }
    }
  self->scan_pos = self->size;
  self->scan_line = line;
  return TRUE;
}

static gboolean
index_json (IndexRun  *run,
            GError   **error)
{
  ClairDataset *self = run->self;
  const char *end = self->data + self->size;
  const char *p = self->data + self->scan_pos;
  guint line = self->scan_line;
  guint until_check = CHECK_EVERY;
  ClairJscanError jerr;

  if (self->scan_pos == self->size)
    return TRUE;

  for (;;)
    {
      const char *row = p;
      guint row_line = line;

      if (!add_row (self, p - self->data, line, error))
        return FALSE;
      p = clair_jscan_skip_lenient (p, end, &line, &jerr);
      if (p == NULL)
        {
          set_json_error (self, error, row - self->data, row_line, &jerr);
          return FALSE;
        }
      p = skip_ws_lines (p, end, &line);
      if (p < end && *p == ',')
        {
          p = skip_ws_lines (p + 1, end, &line);
          if (--until_check == 0)
            {
              until_check = CHECK_EVERY;
              if (!checkpoint (run, p, line, error))
                return FALSE;
            }
          continue;
        }
      if (p < end && *p == ']')
        {
          p = skip_ws_lines (p + 1, end, &line);
          if (p < end)
            {
              jerr.where = p;
              jerr.show_found = TRUE;
              jerr.bad_utf8 = FALSE;
              g_strlcpy (jerr.message, "expected nothing after the closing “]” of the list",
                         sizeof jerr.message);
              set_json_error (self, error, row - self->data, row_line, &jerr);
              return FALSE;
            }
          break;
        }
      jerr.where = p;
      jerr.show_found = TRUE;
      jerr.bad_utf8 = FALSE;
      g_strlcpy (jerr.message, _("expected “,” or “]” after a row of the list"), sizeof jerr.message);
      set_json_error (self, error, row - self->data, row_line, &jerr);
      return FALSE;
    }

  self->scan_pos = self->size;
  self->scan_line = line;
  return TRUE;
}

static gboolean
index_csv (IndexRun  *run,
           GError   **error)
{
  ClairDataset *self = run->self;
  const char *end = self->data + self->size;
  const char *p = self->data + self->scan_pos;
  guint line = self->scan_line;
  guint until_check = CHECK_EVERY;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline ? newline : end;

      if (p == line_end || (*p == '\r' && p + 1 == line_end))
        {
          /* A blank line is not a row. */
          line++;
          p = newline ? newline + 1 : end;
        }
      else
        {
          if (!add_row (self, p - self->data, line, error))
            return FALSE;
          if (memchr (p, '"', line_end - p) == NULL)
            {
              /* The common case: no quotes, the record is the line. */
              line++;
              p = newline ? newline + 1 : end;
            }
          else if ((p = csv_parse_record (self, p, line, FALSE, G_MAXUINT, NULL, &line,
                                          error)) == NULL)
            return FALSE;
        }

      if (--until_check == 0)
        {
          until_check = CHECK_EVERY;
          if (!checkpoint (run, p, line, error))
            return FALSE;
        }
    }
  self->scan_pos = self->size;
  self->scan_line = line;

  if (g_atomic_int_get (&self->n_rows) == 0)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY, _("“%s” has a header but no rows"),
                   self->display_name);
      return FALSE;
    }
  return TRUE;
}

gboolean
clair_dataset_index_with_progress (ClairDataset          *self,
                                   ClairDatasetProgress   progress,
                                   gpointer               user_data,
                                   GCancellable          *cancellable,
                                   GError               **error)
{
  IndexRun run = { self, progress, user_data, cancellable };
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->index_lock);
  if (g_atomic_int_get (&self->indexed))
    {
      g_mutex_unlock (&self->index_lock);
      return TRUE;
    }
  if (self->index_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->index_error));
      g_mutex_unlock (&self->index_lock);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_mutex_unlock (&self->index_lock);
      return FALSE;
    }

  if (self->format == CLAIR_FORMAT_PARQUET)
    {
      guint n_rows = 0;

      /* Parquet footers count the rows: nothing to scan. */
      for (guint i = 0; i < self->shards->len; i++)
        n_rows += (guint) ((ParquetShard *) self->shards->pdata[i])->n_rows;
      g_atomic_int_set (&self->n_rows, n_rows);
      g_atomic_int_set (&self->indexed, 1);
      if (progress != NULL)
        progress (self, n_rows, self->size, user_data);
      g_mutex_unlock (&self->index_lock);
      return TRUE;
    }

  if (self->size > 0)
    madvise ((void *) self->data, self->size, MADV_SEQUENTIAL);

  switch (self->format)
    {
    case CLAIR_FORMAT_JSONL:
      ok = index_jsonl (&run, &local_error);
      break;
    case CLAIR_FORMAT_JSON:
      ok = index_json (&run, &local_error);
      break;
    case CLAIR_FORMAT_CSV:
    case CLAIR_FORMAT_TSV:
    case CLAIR_FORMAT_UNKNOWN:
    default:
      ok = index_csv (&run, &local_error);
      break;
    }

  if (!ok)
    {
      /* A cancelled index resumes from its last checkpoint; anything else is final, and rows
       * found past the checkpoint must not be found twice. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->index_error = g_error_copy (local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  if (self->size > 0)
    {
      /* Rows are read in any order from here on; nothing stays resident behind the scan. */
      release_pages (self, self->index_released, self->size);
      madvise ((void *) self->data, self->size, MADV_NORMAL);
    }
  if (ok)
    {
      g_atomic_int_set (&self->indexed, 1);
      if (progress != NULL)
        progress (self, (guint) g_atomic_int_get (&self->n_rows), self->size, user_data);
    }
  g_mutex_unlock (&self->index_lock);

  return ok;
}

gboolean
clair_dataset_index (ClairDataset  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return clair_dataset_index_with_progress (self, NULL, NULL, cancellable, error);
}

static void
index_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (clair_dataset_index (CLAIR_DATASET (source_object), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
clair_dataset_index_async (ClairDataset        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CLAIR_IS_DATASET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_dataset_index_async);
  g_task_run_in_thread (task, index_thread);
}

gboolean
clair_dataset_index_finish (ClairDataset  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
clair_dataset_get_n_rows (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), 0);
  return (guint) g_atomic_int_get (&self->n_rows);
}

gboolean
clair_dataset_is_indexed (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), FALSE);
  return g_atomic_int_get (&self->indexed) != 0;
}

/* Reading JSON rows */

/* Finds the last message with @role in a list of {"role", "content"} objects. */
static gboolean
find_last_message (const ClairJscanSpan *list,
                   const char           *role,
                   ClairJscanSpan       *content,
                   gboolean             *is_chat)
{
  ClairJscanIter messages;
  ClairJscanSpan message;
  gboolean found = FALSE;

  *is_chat = TRUE;
  clair_jscan_array_begin (&messages, list->start, list->start + list->len, NULL);
  while (clair_jscan_array_next (&messages, &message, NULL) > 0)
    {
      ClairJscanIter members;
      ClairJscanSpan key;
      ClairJscanSpan value;
      ClairJscanSpan message_content = { NULL, 0, CLAIR_JSCAN_INVALID };
      gboolean matches = FALSE;

      if (message.type != CLAIR_JSCAN_OBJECT)
        {
          *is_chat = FALSE;
          return FALSE;
        }
      clair_jscan_object_begin (&members, message.start, message.start + message.len, NULL);
      while (clair_jscan_object_next (&members, &key, &value, NULL) > 0)
        {
          if (clair_jscan_string_equal (key.start, key.len, "role", 4))
            matches = value.type == CLAIR_JSCAN_STRING &&
                      clair_jscan_string_equal (value.start, value.len, role, strlen (role));
          else if (clair_jscan_string_equal (key.start, key.len, "content", 7))
            message_content = value;
        }
      if (matches && message_content.start != NULL)
        {
          *content = message_content;
          found = TRUE;
        }
    }
  return found;
}

/* The text of a mapped value: a string, or the content of the last assistant (for the task: user)
 * message of a chat message list. */
static char *
text_from_value (ClairDataset         *self,
                 const ClairJscanSpan *value,
                 const char           *column,
                 gboolean              is_task,
                 gsize                 row_offset,
                 guint                 row_line,
                 GError              **error)
{
  ClairJscanSpan content;
  gboolean is_chat;
  guint line;
  guint col;
  const char *role = is_task ? "user" : "assistant";

  if (value->type == CLAIR_JSCAN_STRING)
    return clair_jscan_unescape (value->start, value->len, NULL);

  locate (self, row_offset, row_line, value->start, &line, &col);
  if (value->type != CLAIR_JSCAN_ARRAY)
    {
      set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, col,
                    _("column “%s” holds %s, not text"), column, clair_jscan_type_name (value->type));
      return NULL;
    }
  if (!find_last_message (value, role, &content, &is_chat))
    {
      if (!is_chat)
        set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, col,
                      _("column “%s” holds a list that is neither text nor chat messages "
                      "({\"role\", \"content\"} objects)"), column);
      else
        set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, col,
                      _("column “%s” holds chat messages but no %s message"), column, role);
      return NULL;
    }
  if (content.type != CLAIR_JSCAN_STRING)
    {
      locate (self, row_offset, row_line, content.start, &line, &col);
      set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, col,
                    _("the last %s message in column “%s” has %s as its content, not text"), role,
                    column, clair_jscan_type_name (content.type));
      return NULL;
    }
  return clair_jscan_unescape (content.start, content.len, NULL);
}

static gboolean
check_field_size (ClairDataset         *self,
                  const ClairJscanSpan *key,
                  const ClairJscanSpan *value,
                  gsize                 row_offset,
                  guint                 row_line,
                  GError              **error)
{
  g_autofree char *name = NULL;
  g_autofree char *size = NULL;
  g_autofree char *limit = NULL;
  guint line;
  guint column;

  if (G_LIKELY (value->len <= CLAIR_DATASET_MAX_FIELD))
    return TRUE;

  name = clair_jscan_unescape (key->start, key->len, NULL);
  size = g_format_size_full (value->len, G_FORMAT_SIZE_IEC_UNITS);
  limit = g_format_size_full (CLAIR_DATASET_MAX_FIELD, G_FORMAT_SIZE_IEC_UNITS);
  locate (self, row_offset, row_line, value->start, &line, &column);
  set_error_at (self, error, CLAIR_ERROR_TOO_LARGE, line, column,
                _("column “%s” holds %s, over the %s limit for one field"), name, size, limit);
  return FALSE;
}

/* Where a JSON row may end: the end of its line for JSON lines, the end of the file for a list. */
static const char *
json_row_limit (ClairDataset *self,
                const char   *row)
{
  const char *end = self->data + self->size;

  if (self->format == CLAIR_FORMAT_JSONL)
    {
      const char *newline = memchr (row, '\n', end - row);
      return newline ? newline : end;
    }
  return end;
}

/* After a JSON lines object, only whitespace may follow on its line. */
static gboolean
check_row_end (ClairDataset *self,
               const char   *after,
               const char   *limit,
               gsize         row_offset,
               guint         row_line,
               GError      **error)
{
  const char *p = clair_jscan_skip_ws (after, limit);
  ClairJscanError jerr;

  if (self->format != CLAIR_FORMAT_JSONL || p >= limit)
    return TRUE;

  jerr.where = p;
  jerr.show_found = TRUE;
  jerr.bad_utf8 = FALSE;
  g_strlcpy (jerr.message, "expected the end of the line after the row’s object (one object per line)",
             sizeof jerr.message);
  set_json_error (self, error, row_offset, row_line, &jerr);
  return FALSE;
}

static ClairRow *
read_json_row (ClairDataset       *self,
               guint               index,
               gsize               offset,
               guint               line,
               const ClairMapping *mapping,
               GError            **error)
{
  const char *row = self->data + offset;
  const char *limit = json_row_limit (self, row);
  gsize task_len = strlen (mapping->task_column);
  gsize solution_len = strlen (mapping->solution_column);
  ClairJscanSpan task = { NULL, 0, CLAIR_JSCAN_INVALID };
  ClairJscanSpan solution = { NULL, 0, CLAIR_JSCAN_INVALID };
  ClairJscanIter iter;
  ClairJscanSpan key;
  ClairJscanSpan value;
  ClairJscanError jerr;
  g_autoptr(GString) extra = g_string_sized_new (128);
  g_autoptr(ClairRow) result = NULL;
  int ret;

  g_string_append_c (extra, '{');
  row = clair_jscan_skip_ws (row, limit);
  if (!clair_jscan_object_begin (&iter, row, limit, &jerr))
    {
      set_json_error (self, error, offset, line, &jerr);
      return NULL;
    }
  while ((ret = clair_jscan_object_next (&iter, &key, &value, &jerr)) > 0)
    {
      gboolean is_task = clair_jscan_string_equal (key.start, key.len, mapping->task_column, task_len);
      gboolean is_solution = clair_jscan_string_equal (key.start, key.len, mapping->solution_column,
                                                       solution_len);

      if (!check_field_size (self, &key, &value, offset, line, error))
        return NULL;
      if (is_task)
        task = value;
      if (is_solution)
        solution = value;
      if (!is_task && !is_solution)
        {
          /* Other columns keep their JSON text as in the file. */
          if (extra->len > 1)
            g_string_append_c (extra, ',');
          g_string_append_len (extra, key.start, key.len);
          g_string_append_c (extra, ':');
          g_string_append_len (extra, value.start, value.len);
        }
    }
  if (ret < 0)
    {
      set_json_error (self, error, offset, line, &jerr);
      return NULL;
    }
  if (!check_row_end (self, clair_jscan_iter_end (&iter), limit, offset, line, error))
    return NULL;
  g_string_append_c (extra, '}');

  for (guint pass = 0; pass < 2; pass++)
    {
      const ClairJscanSpan *span = pass == 0 ? &task : &solution;
      const char *column = pass == 0 ? mapping->task_column : mapping->solution_column;

      if (span->start == NULL)
        {
          set_error_at (self, error, CLAIR_ERROR_MISSING_COLUMN, line, 0,
                        _("the row has no column “%s”"), column);
          return NULL;
        }
    }

  result = g_new0 (ClairRow, 1);
  result->index = index;
  result->line = line;
  if ((result->task = text_from_value (self, &task, mapping->task_column, TRUE, offset, line,
                                       error)) == NULL ||
      (result->solution = text_from_value (self, &solution, mapping->solution_column, FALSE, offset,
                                           line, error)) == NULL)
    return NULL;
  result->extra_json = g_string_free (g_steal_pointer (&extra), FALSE);
  return g_steal_pointer (&result);
}

static char *
read_json_row_json (ClairDataset *self,
                    gsize         offset,
                    guint         line,
                    GError      **error)
{
  const char *row = self->data + offset;
  const char *limit = json_row_limit (self, row);
  ClairJscanIter iter;
  ClairJscanSpan key;
  ClairJscanSpan value;
  ClairJscanError jerr;
  int ret;

  row = clair_jscan_skip_ws (row, limit);
  if (!clair_jscan_object_begin (&iter, row, limit, &jerr))
    {
      set_json_error (self, error, offset, line, &jerr);
      return NULL;
    }
  while ((ret = clair_jscan_object_next (&iter, &key, &value, &jerr)) > 0)
    ;
  if (ret < 0)
    {
      set_json_error (self, error, offset, line, &jerr);
      return NULL;
    }
  if (!check_row_end (self, clair_jscan_iter_end (&iter), limit, offset, line, error))
    return NULL;
  return g_strndup (row, clair_jscan_iter_end (&iter) - row);
}

/* Reading CSV rows */

static GArray *
read_csv_fields (ClairDataset *self,
                 gsize         offset,
                 guint         line,
                 GError      **error)
{
  g_autoptr(GArray) fields = g_array_sized_new (FALSE, FALSE, sizeof (CsvField), self->n_columns);
  guint next_line;

  if (csv_parse_record (self, self->data + offset, line, TRUE, G_MAXUINT, fields, &next_line,
                        error) == NULL)
    return NULL;
  if (fields->len != self->n_columns)
    {
      set_error_at (self, error, CLAIR_ERROR_INVALID_DATA, line, 0,
                    _("the row has %u fields where the header has %u (a missing delimiter, or an "
                    "unquoted one inside a field?)"), fields->len, self->n_columns);
      return NULL;
    }
  return g_steal_pointer (&fields);
}

static int
column_index (ClairDataset *self,
              const char   *name)
{
  for (guint i = 0; i < self->n_columns; i++)
    if (strcmp (self->columns[i], name) == 0)
      return (int) i;
  return -1;
}

static ClairRow *
read_csv_row (ClairDataset       *self,
              guint               index,
              gsize               offset,
              guint               line,
              const ClairMapping *mapping,
              GError            **error)
{
  int task_index = column_index (self, mapping->task_column);
  int solution_index = column_index (self, mapping->solution_column);
  g_autoptr(GArray) fields = NULL;
  g_autoptr(GString) extra = NULL;
  g_autoptr(ClairRow) result = NULL;

  for (guint pass = 0; pass < 2; pass++)
    {
      if ((pass == 0 ? task_index : solution_index) < 0)
        {
          g_autofree char *names = g_strjoinv (", ", self->columns);

          set_error_at (self, error, CLAIR_ERROR_MISSING_COLUMN, line, 0,
                        _("there is no column “%s” (the header has: %s)"),
                        pass == 0 ? mapping->task_column : mapping->solution_column, names);
          return NULL;
        }
    }

  if ((fields = read_csv_fields (self, offset, line, error)) == NULL)
    return NULL;

  result = g_new0 (ClairRow, 1);
  result->index = index;
  result->line = line;
  extra = g_string_sized_new (64);
  g_string_append_c (extra, '{');
  for (guint i = 0; i < fields->len; i++)
    {
      g_autofree char *text = csv_field_text (self, &g_array_index (fields, CsvField, i), i, error);

      if (text == NULL)
        return NULL;
      if ((int) i == task_index || (int) i == solution_index)
        {
          if ((int) i == task_index)
            result->task = g_strdup (text);
          if ((int) i == solution_index)
            result->solution = g_strdup (text);
          continue;
        }
      clair_json_append_key (extra, self->columns[i], extra->len == 1);
      clair_json_append_string (extra, text, -1);
    }
  g_string_append_c (extra, '}');
  result->extra_json = g_string_free (g_steal_pointer (&extra), FALSE);
  return g_steal_pointer (&result);
}

static char *
read_csv_row_json (ClairDataset *self,
                   gsize         offset,
                   guint         line,
                   GError      **error)
{
  g_autoptr(GArray) fields = NULL;
  g_autoptr(GString) json = NULL;

  if ((fields = read_csv_fields (self, offset, line, error)) == NULL)
    return NULL;

  json = g_string_new ("{");
  for (guint i = 0; i < fields->len; i++)
    {
      g_autofree char *text = csv_field_text (self, &g_array_index (fields, CsvField, i), i, error);

      if (text == NULL)
        return NULL;
      clair_json_append_key (json, self->columns[i], i == 0);
      clair_json_append_string (json, text, -1);
    }
  g_string_append_c (json, '}');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* Reading Parquet rows */

static void set_row_error (ClairDataset  *self,
                           GError       **error,
                           int            code,
                           guint          index,
                           const char    *format,
                           ...) G_GNUC_PRINTF (5, 6);

static void
set_row_error (ClairDataset  *self,
               GError       **error,
               int            code,
               guint          index,
               const char    *format,
               ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* Rows are numbered from 0, as everywhere else (Hugging Face numbers them so). */
  g_set_error (error, CLAIR_ERROR, code, _("“%s”, row %u: %s"), self->display_name, index, what);
}

/* The text of a mapped Parquet cell that is not a string, under the rule of text_from_value(): the
 * content of the last assistant (task: user) message of a list of chat messages, which arrives
 * here as the same JSON a JSON lines file holds. */
static char *
parquet_text (ClairDataset      *self,
              guint              index,
              const char        *column,
              gboolean           is_task,
              ClairParquetKind   kind,
              const char        *cell,
              gsize              len,
              GError           **error)
{
  ClairJscanSpan value = { cell, len, CLAIR_JSCAN_NULL };
  ClairJscanSpan content;
  gboolean is_chat;
  const char *role = is_task ? "user" : "assistant";

  g_assert (kind != CLAIR_PARQUET_TEXT);
  if (kind == CLAIR_PARQUET_JSON)
    value.type = clair_jscan_type_of (cell[0]);
  if (value.type == CLAIR_JSCAN_STRING)
    return clair_jscan_unescape (value.start, value.len, NULL);
  if (value.type != CLAIR_JSCAN_ARRAY)
    {
      set_row_error (self, error, CLAIR_ERROR_INVALID_DATA, index, _("column “%s” holds %s, not text"),
                     column, clair_jscan_type_name (value.type));
      return NULL;
    }
  if (!find_last_message (&value, role, &content, &is_chat))
    {
      if (!is_chat)
        set_row_error (self, error, CLAIR_ERROR_INVALID_DATA, index,
                       _("column “%s” holds a list that is neither text nor chat messages "
                       "({\"role\", \"content\"} objects)"), column);
      else
        set_row_error (self, error, CLAIR_ERROR_INVALID_DATA, index,
                       _("column “%s” holds chat messages but no %s message"), column, role);
      return NULL;
    }
  if (content.type != CLAIR_JSCAN_STRING)
    {
      set_row_error (self, error, CLAIR_ERROR_INVALID_DATA, index,
                     _("the last %s message in column “%s” has %s as its content, not text"), role,
                     column, clair_jscan_type_name (content.type));
      return NULL;
    }
  return clair_jscan_unescape (content.start, content.len, NULL);
}

/* Appends column @column's value to a JSON object being built. */
static void
append_parquet_member (ClairDataset     *self,
                       GString          *out,
                       guint             column,
                       ClairParquetKind  kind,
                       GString          *cell)
{
  clair_json_append_key (out, self->columns[column], out->len == 1);
  if (kind == CLAIR_PARQUET_TEXT)
    clair_json_append_string (out, cell->str, cell->len);
  else if (kind == CLAIR_PARQUET_JSON)
    clair_json_append_raw (out, cell->str, cell->len);
  else
    g_string_append (out, "null");
}

static gboolean
check_parquet_field (ClairDataset  *self,
                     guint          index,
                     guint          column,
                     gsize          len,
                     GError       **error)
{
  g_autofree char *size = NULL;
  g_autofree char *limit = NULL;

  if (G_LIKELY (len <= CLAIR_DATASET_MAX_FIELD))
    return TRUE;
  size = g_format_size_full (len, G_FORMAT_SIZE_IEC_UNITS);
  limit = g_format_size_full (CLAIR_DATASET_MAX_FIELD, G_FORMAT_SIZE_IEC_UNITS);
  set_row_error (self, error, CLAIR_ERROR_TOO_LARGE, index,
                 _("column “%s” holds %s, over the %s limit for one field"), self->columns[column],
                 size, limit);
  return FALSE;
}

struct _ClairDatasetCursor
{
  ClairDataset  *dataset;
  ClairParquet **readers;   /* one per shard, opened on first use */
};

/* Ends the text that runs from @start to the end of @text with a NUL. NUL bytes within it are not
 * text: they become U+FFFD, as the JSON reader does with \u0000, built in @scratch. */
static void
end_packed_text (GString *text,
                 gsize    start,
                 GString *scratch)
{
  const char *cell = text->str + start;
  const char *end = text->str + text->len;

  if (G_LIKELY (memchr (cell, '\0', end - cell) == NULL))
    {
      g_string_append_c (text, '\0');
      return;
    }
  g_string_truncate (scratch, 0);
  for (const char *p = cell; p < end; p++)
    {
      if (*p == '\0')
        g_string_append (scratch, "\xef\xbf\xbd");
      else
        g_string_append_c (scratch, *p);
    }
  g_string_truncate (text, start);
  g_string_append_len (text, scratch->str, scratch->len + 1);
}

/* Row @index, read with the readers of @cursor (or with the shards' own readers when NULL, the
 * caller then holding parquet_lock), appended to @text: its task, its solution and its other
 * columns as a JSON object, each followed by a NUL, where @packed says. A mapped string goes
 * from its decoded page straight to the end of @text, neither copied on the way nor allocated on
 * its own: an import moves a gigabyte of them. @cell and @extra are the caller's buffers for the
 * rest. On failure @text is as it was. */
static gboolean
read_parquet_packed (ClairDataset       *self,
                     ClairDatasetCursor *cursor,
                     guint               index,
                     const ClairMapping *mapping,
                     GString            *text,
                     GString            *cell,
                     GString            *extra,
                     ClairPackedRow     *packed,
                     GError            **error)
{
  int task_index = column_index (self, mapping->task_column);
  int solution_index = column_index (self, mapping->solution_column);
  gsize row_start = text->len;
  ParquetShard *shard;
  ClairParquet *reader;
  guint shard_index;
  guint64 row;

  for (guint pass = 0; pass < 2; pass++)
    {
      if ((pass == 0 ? task_index : solution_index) < 0)
        {
          g_autofree char *names = g_strjoinv (", ", self->columns);

          set_row_error (self, error, CLAIR_ERROR_MISSING_COLUMN, index,
                         _("there is no column “%s” (the file has: %s)"),
                         pass == 0 ? mapping->task_column : mapping->solution_column, names);
          return FALSE;
        }
    }

  shard = parquet_shard_for_row (self, index, &shard_index, &row);
  reader = shard->reader;
  if (cursor != NULL)
    {
      /* The footer was read once already: a cursor reads it again, from the same mapping. */
      if (cursor->readers[shard_index] == NULL &&
          (cursor->readers[shard_index] = open_shard_reader (shard, error)) == NULL)
        return FALSE;
      reader = cursor->readers[shard_index];
    }
  g_string_truncate (extra, 0);
  g_string_append_c (extra, '{');
  for (guint c = 0; c < self->n_columns; c++)
    {
      gboolean is_task = (int) c == task_index;
      gboolean is_solution = (int) c == solution_index;
      ClairParquetKind kind;
      gsize start = text->len;
      gsize len;

      if (!is_task && !is_solution)
        {
          if (!clair_parquet_read_cell (reader, row, c, &kind, cell, error) ||
              !check_parquet_field (self, index, c, cell->len, error))
            goto failed;
          append_parquet_member (self, extra, c, kind, cell);
          continue;
        }

      /* The cell goes to the end of @text, where a string stays as its text. */
      if (!clair_parquet_append_cell (reader, row, c, &kind, text, error))
        goto failed;
      len = text->len - start;
      if (!check_parquet_field (self, index, c, len, error))
        goto failed;
      if (kind == CLAIR_PARQUET_TEXT)
        {
          end_packed_text (text, start, cell);
          len = text->len - 1 - start;
          if (is_task)
            packed->task = start, packed->task_len = len;
          if (is_solution && is_task)
            {
              /* One column for both: the text is both. */
              packed->solution = text->len;
              packed->solution_len = len;
              g_string_set_size (text, text->len + len);
              memcpy (text->str + packed->solution, text->str + start, len);
              g_string_append_c (text, '\0');
            }
          else if (is_solution)
            packed->solution = start, packed->solution_len = len;
          continue;
        }

      /* Not a string: a chat list gives the content of its last user (task) or assistant
       * (solution) message. The cell moves out of @text for that. */
      g_string_truncate (cell, 0);
      g_string_append_len (cell, text->str + start, len);
      g_string_truncate (text, start);
      for (guint pass = 0; pass < 2; pass++)
        {
          gboolean as_task = pass == 0;
          g_autofree char *value = NULL;
          gsize at = text->len;

          if (!(as_task ? is_task : is_solution))
            continue;
          value = parquet_text (self, index, self->columns[c], as_task, kind, cell->str, cell->len,
                                error);
          if (value == NULL)
            goto failed;
          g_string_append (text, value);
          if (as_task)
            packed->task = at, packed->task_len = text->len - at;
          else
            packed->solution = at, packed->solution_len = text->len - at;
          g_string_append_c (text, '\0');
        }
    }
  g_string_append_c (extra, '}');
  packed->extra = text->len;
  packed->extra_len = extra->len;
  g_string_append_len (text, extra->str, extra->len + 1);
  return TRUE;

failed:
  g_string_truncate (text, row_start);
  return FALSE;
}

/* The row as a ClairRow of its own, for the readers of one row at a time (the import reads
 * packed rows, clair-read-ahead.c). */
static ClairRow *
read_parquet_row (ClairDataset       *self,
                  guint               index,
                  const ClairMapping *mapping,
                  GError            **error)
{
  g_autoptr(GString) text = g_string_sized_new (4096);
  g_autoptr(GString) cell = g_string_sized_new (256);
  g_autoptr(GString) extra = g_string_sized_new (256);
  ClairPackedRow packed;
  ClairRow *result;
  gboolean ok;

  g_mutex_lock (&self->parquet_lock);
  ok = read_parquet_packed (self, NULL, index, mapping, text, cell, extra, &packed, error);
  g_mutex_unlock (&self->parquet_lock);
  if (!ok)
    return NULL;
  result = g_new0 (ClairRow, 1);
  result->index = index;
  result->line = index + 1;
  result->task = g_strndup (text->str + packed.task, packed.task_len);
  result->solution = g_strndup (text->str + packed.solution, packed.solution_len);
  result->extra_json = g_strndup (text->str + packed.extra, packed.extra_len);
  return result;
}

/* Reading on several threads (clair-dataset-private.h) */

/* A row group whose column chunks take more than this in the file is not read beside another:
 * each cursor keeps a decoded page per column of its group, and memory stays near that of one
 * reader only when groups are small. */
#define MAX_UNIT_GROUP_BYTES (16u * 1024u * 1024u)

GArray *
_clair_dataset_get_read_units (ClairDataset *self,
                               guint         min_rows)
{
  g_autoptr(GArray) starts = NULL;
  guint unit_start = 0;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);

  starts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (starts, unit_start);
  if (self->format != CLAIR_FORMAT_PARQUET || !clair_dataset_is_indexed (self))
    return g_steal_pointer (&starts);
  for (guint i = 0; i < self->shards->len; i++)
    {
      ParquetShard *shard = self->shards->pdata[i];

      for (guint g = 0; g < clair_parquet_get_n_row_groups (shard->reader); g++)
        {
          guint64 first_row, n_rows, n_bytes;
          guint start;

          clair_parquet_get_row_group (shard->reader, g, &first_row, &n_rows, &n_bytes);
          if (n_bytes > MAX_UNIT_GROUP_BYTES)
            {
              g_array_set_size (starts, 1);
              return g_steal_pointer (&starts);
            }
          start = (guint) (shard->first_row + first_row);
          if (n_rows > 0 && start > unit_start && start - unit_start >= min_rows)
            {
              g_array_append_val (starts, start);
              unit_start = start;
            }
        }
    }
  /* A last unit shorter than asked joins the one before it. */
  if (starts->len > 1 && clair_dataset_get_n_rows (self) - unit_start < min_rows)
    g_array_set_size (starts, starts->len - 1);
  return g_steal_pointer (&starts);
}

ClairDatasetCursor *
_clair_dataset_cursor_new (ClairDataset *self)
{
  ClairDatasetCursor *cursor;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);
  g_return_val_if_fail (self->format == CLAIR_FORMAT_PARQUET, NULL);

  cursor = g_new0 (ClairDatasetCursor, 1);
  cursor->dataset = g_object_ref (self);
  cursor->readers = g_new0 (ClairParquet *, self->shards->len);
  return cursor;
}

gboolean
_clair_dataset_can_pack (ClairDataset *self)
{
  g_return_val_if_fail (CLAIR_IS_DATASET (self), FALSE);

  return self->format == CLAIR_FORMAT_PARQUET;
}

gboolean
_clair_dataset_read_packed (ClairDataset        *self,
                            ClairDatasetCursor  *cursor,
                            guint                index,
                            const ClairMapping  *mapping,
                            GString             *text,
                            GString             *cell,
                            GString             *extra,
                            ClairPackedRow      *packed,
                            GError             **error)
{
  gsize offset;
  guint line;
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), FALSE);
  g_return_val_if_fail (self->format == CLAIR_FORMAT_PARQUET, FALSE);
  g_return_val_if_fail (cursor == NULL || cursor->dataset == self, FALSE);

  if (!get_row (self, index, &offset, &line, error))
    return FALSE;
  if (cursor != NULL)
    return read_parquet_packed (self, cursor, index, mapping, text, cell, extra, packed, error);
  g_mutex_lock (&self->parquet_lock);
  ok = read_parquet_packed (self, NULL, index, mapping, text, cell, extra, packed, error);
  g_mutex_unlock (&self->parquet_lock);
  return ok;
}

void
_clair_dataset_cursor_free (ClairDatasetCursor *cursor)
{
  if (cursor == NULL)
    return;
  for (guint i = 0; i < cursor->dataset->shards->len; i++)
    g_clear_pointer (&cursor->readers[i], clair_parquet_free);
  g_free (cursor->readers);
  g_object_unref (cursor->dataset);
  g_free (cursor);
}

static char *
read_parquet_row_json (ClairDataset  *self,
                       guint          index,
                       GError       **error)
{
  g_autoptr(GString) cell = g_string_sized_new (4096);
  g_autoptr(GString) json = g_string_sized_new (4096);
  ParquetShard *shard;
  guint64 row;
  gboolean ok = TRUE;

  g_mutex_lock (&self->parquet_lock);
  shard = parquet_shard_for_row (self, index, NULL, &row);
  g_string_append_c (json, '{');
  for (guint c = 0; c < self->n_columns && ok; c++)
    {
      ClairParquetKind kind;

      ok = clair_parquet_read_cell (shard->reader, row, c, &kind, cell, error);
      if (ok)
        append_parquet_member (self, json, c, kind, cell);
    }
  g_mutex_unlock (&self->parquet_lock);
  if (!ok)
    return NULL;
  g_string_append_c (json, '}');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

ClairRow *
clair_dataset_read_row (ClairDataset        *self,
                        guint                index,
                        const ClairMapping  *mapping,
                        GError             **error)
{
  gsize offset;
  guint line;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);
  g_return_val_if_fail (mapping != NULL, NULL);
  g_return_val_if_fail (mapping->task_column != NULL && mapping->solution_column != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!get_row (self, index, &offset, &line, error))
    return NULL;
  if (self->format == CLAIR_FORMAT_PARQUET)
    return read_parquet_row (self, index, mapping, error);
  release_behind_reader (self, offset);

  if (self->format == CLAIR_FORMAT_CSV || self->format == CLAIR_FORMAT_TSV)
    return read_csv_row (self, index, offset, line, mapping, error);
  return read_json_row (self, index, offset, line, mapping, error);
}

char *
clair_dataset_read_row_json (ClairDataset  *self,
                             guint          index,
                             GError       **error)
{
  gsize offset;
  guint line;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!get_row (self, index, &offset, &line, error))
    return NULL;
  if (self->format == CLAIR_FORMAT_PARQUET)
    return read_parquet_row_json (self, index, error);
  if (self->format == CLAIR_FORMAT_CSV || self->format == CLAIR_FORMAT_TSV)
    return read_csv_row_json (self, offset, line, error);
  return read_json_row_json (self, offset, line, error);
}

/* Evenly spaced blocks of @data, the first at the start and the last at the very end. */
static void
checksum_sampled (GChecksum  *checksum,
                  const char *data,
                  gsize       size)
{
  const gsize block = 64 * 1024;
  const guint n_blocks = 16;

  if (size <= block * n_blocks)
    {
      g_checksum_update (checksum, (const guchar *) data, size);
      return;
    }
  for (guint i = 0; i < n_blocks; i++)
    {
      gsize offset = (size - block) / (n_blocks - 1) * i;

      if (i == n_blocks - 1)
        offset = size - block;
      g_checksum_update (checksum, (const guchar *) data + offset, block);
    }
}

char *
clair_dataset_compute_checksum (ClairDataset *self)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint64 size_le;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  size_le = GUINT64_TO_LE ((guint64) self->size);
  g_checksum_update (checksum, (const guchar *) &size_le, sizeof size_le);

  if (self->format != CLAIR_FORMAT_PARQUET)
    checksum_sampled (checksum, self->data, self->size);
  else
    for (guint i = 0; i < self->shards->len; i++)
      {
        GMappedFile *mapped = ((ParquetShard *) self->shards->pdata[i])->mapped;
        const char *data = g_mapped_file_get_contents (mapped);

        /* Each shard's blocks: a shard replaced or edited changes the sum. */
        checksum_sampled (checksum, data != NULL ? data : "", g_mapped_file_get_length (mapped));
      }
  return g_strdup (g_checksum_get_string (checksum));
}

guint
clair_dataset_get_row_line (ClairDataset *self,
                            guint         index)
{
  gsize offset;
  guint line;

  g_return_val_if_fail (CLAIR_IS_DATASET (self), 0);

  if (!get_row (self, index, &offset, &line, NULL))
    return 0;
  return line;
}
