/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-parquet"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-json.h"
#include "clair-parquet.h"
#include "clair-parquet-private.h"
#include "clair-utf8.h"
#include "clair-thrift.h"

/* The file: "PAR1", column chunks of row groups, the footer (Thrift compact FileMetaData), its
 * length (4 bytes, little-endian), "PAR1". The schema is a tree flattened depth first; its leaves
 * are the columns that hold data, each with a chunk in every row group, and each chunk is a run of
 * pages: maybe a dictionary page, then data pages. A value's place in nested lists and structs is
 * given by its repetition level (which list it starts a new element of) and definition level (how
 * many optional or repeated ancestors are present), the scheme of Google's Dremel paper. */

/* Bounds that no real file comes near and that keep hostile ones cheap. */
#define MAX_SCHEMA_DEPTH 48
#define MAX_SCHEMA_NODES (1u << 17)   /* a dataset has at most 65,536 columns */
#define MAX_PAGE_ENTRIES (4u * 1024u * 1024u)

enum { REQUIRED = 0, OPTIONAL = 1, REPEATED = 2 };
enum { PAGE_DATA = 0, PAGE_INDEX = 1, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3 };
/* ConvertedType values used here. */
enum { CT_UTF8 = 0, CT_MAP = 1, CT_MAP_KEY_VALUE = 2, CT_LIST = 3, CT_ENUM = 4, CT_DECIMAL = 5,
       CT_DATE = 6, CT_TIME_MILLIS = 7, CT_TIME_MICROS = 8, CT_TIMESTAMP_MILLIS = 9,
       CT_TIMESTAMP_MICROS = 10, CT_UINT_32 = 13, CT_UINT_64 = 14, CT_JSON = 19 };
/* Members of the LogicalType union used here. */
enum { LT_STRING = 1, LT_MAP = 2, LT_LIST = 3, LT_ENUM = 4, LT_DECIMAL = 5, LT_DATE = 6, LT_TIME = 7,
       LT_TIMESTAMP = 8, LT_JSON = 12, LT_UUID = 14 };

typedef struct
{
  char    *name;
  int      type;          /* physical type, -1 for a group */
  int      type_length;
  int      repetition;
  int      n_children;
  int      converted;     /* -1 when none */
  int      logical;       /* 0 when none */
  int      scale;         /* of a decimal */
  PqTimeUnit time_unit;   /* of a time or timestamp */
  gboolean utc;           /* a timestamp adjusted to UTC */
  guint    def_level;     /* the definition level at which this node is present */
  guint    rep_level;     /* the repetition level of this node's nearest repeated ancestor-or-self */
  guint    first_leaf;
  guint    n_leaves;
  guint    size;          /* nodes in this subtree, itself included */
} Node;

typedef struct
{
  int      codec;
  guint64  start;
  guint64  end;
} Chunk;

typedef struct
{
  guint64  first_row;
  guint64  n_rows;
  Chunk   *chunks;        /* one per leaf */
} RowGroup;

typedef struct
{
  int      type;
  gint64   uncompressed;
  gint64   compressed;
  gint64   n_values;
  gint64   n_rows;        /* v2 */
  int      encoding;
  int      def_encoding;
  int      rep_encoding;
  gint64   def_len;       /* v2 */
  gint64   rep_len;       /* v2 */
  gboolean is_compressed; /* v2 */
} PageHeader;

/* One leaf column's position: the chunk of a row group and one decoded page of it. */
typedef struct
{
  guint     group;        /* G_MAXUINT: none */
  guint64   next_page;

  gboolean  has_dict;
  guint8   *dict_buf;
  guint8   *dict_arena;
  PqValue  *dict;
  guint     n_dict;

  gboolean  loaded;
  guint64   page_first_row;
  guint64   page_rows;
  guint64   page_start;
  guint64   page_end;
  guint8   *page_buf;
  gsize     page_buf_len;
  gsize     page_released;  /* bytes at the start of page_buf given back to the kernel */
  guint64   released_rows;  /* rows of the page whose values were in those bytes */
  gsize     pending_offset; /* where the next release will end, a step behind the reader */
  guint64   pending_row;
  guint8   *page_arena;
  guint8   *defs;         /* NULL when the leaf's maximum definition level is 0 */
  guint8   *reps;         /* NULL when the leaf's maximum repetition level is 0 */
  PqValue  *values;       /* one per entry; nulls hold nothing */
  guint32  *indices;      /* instead of @values in dictionary-encoded pages: into @dict */
  guint     n_entries;
  guint    *row_starts;   /* repeated leaves: the entry where each row starts, and n_entries */
} Cursor;

typedef struct
{
  guint pos;
  guint end;
} Slice;

struct _ClairParquet
{
  char         *name;
  const guint8 *data;
  gsize         size;
  gboolean      release;
  gsize         os_page;

  Node         *nodes;
  guint         n_nodes;
  guint        *leaves;     /* node index of each leaf, in column chunk order */
  guint         n_leaves;
  guint        *columns;    /* node index of each top-level column */
  guint         n_columns;
  RowGroup     *groups;
  guint         n_groups;
  guint64       n_rows;

  Cursor       *cursors;    /* one per leaf */
  Slice        *slices;     /* one per leaf: scratch for assembling a cell */
};

gboolean
clair_parquet_has_magic (const guint8 *data,
                         gsize         size)
{
  return size >= 4 && memcmp (data, "PAR1", 4) == 0;
}

/* Errors */

static gboolean set_error (ClairParquet  *self,
                           GError       **error,
                           int            code,
                           guint          group,
                           guint          leaf,
                           const char    *format,
                           ...) G_GNUC_PRINTF (6, 7);

/* @group and @leaf are G_MAXUINT when the problem is not in one. */
static gboolean
set_error (ClairParquet  *self,
           GError       **error,
           int            code,
           guint          group,
           guint          leaf,
           const char    *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (group != G_MAXUINT && leaf != G_MAXUINT)
    g_set_error (error, CLAIR_ERROR, code, _("“%s”, row group %u, column “%s”: %s"), self->name,
                 group + 1, self->nodes[self->leaves[leaf]].name, what);
  else if (group != G_MAXUINT)
    g_set_error (error, CLAIR_ERROR, code, _("“%s”, row group %u: %s"), self->name, group + 1, what);
  else
    g_set_error (error, CLAIR_ERROR, code, _("“%s”: %s"), self->name, what);
  return FALSE;
}

/* Metadata */

static char *
thrift_string (ClairThrift *t,
               guint8       type)
{
  gsize len;
  const guint8 *p = clair_thrift_binary (t, type, &len);

  if (p == NULL)
    return g_strdup ("");
  if (!g_utf8_validate_len ((const char *) p, len, NULL) || memchr (p, '\0', len) != NULL)
    return g_strdup ("(a name that is not text)");
  return g_strndup ((const char *) p, len);
}

/* The unit of a TimeType or TimestampType: a union of empty structs. */
static PqTimeUnit
read_time_unit (ClairThrift *t)
{
  gint16 id;
  guint8 type;
  PqTimeUnit unit = PQ_UNIT_NONE;

  if (!clair_thrift_struct_begin (t))
    return PQ_UNIT_NONE;
  while (clair_thrift_field (t, &id, &type))
    {
      if (unit == PQ_UNIT_NONE && type == CLAIR_THRIFT_STRUCT && id >= 1 && id <= 3)
        unit = (PqTimeUnit) id;
      clair_thrift_skip (t, type);
    }
  return unit;
}

/* The member of the LogicalType union, with the parameters of decimals, times and timestamps. */
static void
read_logical_type (ClairThrift *t,
                   Node        *node)
{
  gint16 id, param;
  guint8 type, param_type;

  if (!clair_thrift_struct_begin (t))
    return;
  while (clair_thrift_field (t, &id, &type))
    {
      if (node->logical != 0 || type != CLAIR_THRIFT_STRUCT)
        {
          clair_thrift_skip (t, type);
          continue;
        }
      node->logical = id;
      if (id != LT_DECIMAL && id != LT_TIME && id != LT_TIMESTAMP)
        {
          clair_thrift_skip (t, type);
          continue;
        }
      if (!clair_thrift_struct_begin (t))
        return;
      while (clair_thrift_field (t, &param, &param_type))
        {
          if (id == LT_DECIMAL && param == 1)
            node->scale = clair_thrift_i32 (t, param_type);
          else if (id != LT_DECIMAL && param == 1)
            node->utc = clair_thrift_bool (t, param_type);
          else if (id != LT_DECIMAL && param == 2 && param_type == CLAIR_THRIFT_STRUCT)
            node->time_unit = read_time_unit (t);
          else
            clair_thrift_skip (t, param_type);
        }
    }
}

static void
read_schema_element (ClairThrift *t,
                     Node        *node)
{
  gint16 id;
  guint8 type;
  int scale = 0;

  node->type = -1;
  node->converted = -1;
  node->repetition = REQUIRED;
  if (!clair_thrift_struct_begin (t))
    return;
  while (clair_thrift_field (t, &id, &type))
    {
      switch (id)
        {
        case 1: node->type = clair_thrift_i32 (t, type); break;
        case 2: node->type_length = clair_thrift_i32 (t, type); break;
        case 3: node->repetition = clair_thrift_i32 (t, type); break;
        case 4: g_free (node->name); node->name = thrift_string (t, type); break;
        case 5: node->n_children = clair_thrift_i32 (t, type); break;
        case 6: node->converted = clair_thrift_i32 (t, type); break;
        case 7: scale = clair_thrift_i32 (t, type); break;
        case 10:
          if (type == CLAIR_THRIFT_STRUCT)
            read_logical_type (t, node);
          else
            clair_thrift_skip (t, type);
          break;
        default: clair_thrift_skip (t, type); break;
        }
    }
  if (node->name == NULL)
    node->name = g_strdup ("");
  /* Files from before LogicalType say it with the ConvertedType alone; their timestamps are
   * instants (adjusted to UTC). */
  if (node->logical == 0 && node->converted == CT_DECIMAL)
    node->scale = scale;
  if (node->logical == 0 && node->converted >= CT_TIME_MILLIS && node->converted <= CT_TIMESTAMP_MICROS)
    {
      node->time_unit = (node->converted == CT_TIME_MILLIS || node->converted == CT_TIMESTAMP_MILLIS)
                        ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
      node->utc = node->converted >= CT_TIMESTAMP_MILLIS;
    }
}

static void
read_column_meta (ClairThrift *t,
                  Chunk       *chunk,
                  int         *type_out)
{
  gint16 id;
  guint8 type;
  gint64 data_offset = -1;
  gint64 dict_offset = -1;
  gint64 compressed = -1;

  if (!clair_thrift_struct_begin (t))
    return;
  while (clair_thrift_field (t, &id, &type))
    {
      switch (id)
        {
        case 1: *type_out = clair_thrift_i32 (t, type); break;
        case 4: chunk->codec = clair_thrift_i32 (t, type); break;
        case 7: compressed = clair_thrift_i64 (t, type); break;
        case 9: data_offset = clair_thrift_i64 (t, type); break;
        case 11: dict_offset = clair_thrift_i64 (t, type); break;
        default: clair_thrift_skip (t, type); break;
        }
    }
  if (data_offset < 0 || compressed < 0)
    {
      clair_thrift_fail (t, "a column chunk without its data offset or size");
      return;
    }
  chunk->start = dict_offset > 0 && dict_offset < data_offset ? dict_offset : data_offset;
  chunk->end = (guint64) compressed > G_MAXUINT64 - chunk->start ? G_MAXUINT64
                                                                  : chunk->start + compressed;
}

static void
read_column_chunk (ClairThrift *t,
                   Chunk       *chunk,
                   int         *type_out)
{
  gint16 id;
  guint8 type;
  gboolean has_meta = FALSE;

  if (!clair_thrift_struct_begin (t))
    return;
  while (clair_thrift_field (t, &id, &type))
    {
      if (id == 1)
        {
          clair_thrift_skip (t, type);
          clair_thrift_fail (t, "a column chunk is kept in another file, which is not supported");
        }
      else if (id == 3 && type == CLAIR_THRIFT_STRUCT)
        {
          read_column_meta (t, chunk, type_out);
          has_meta = TRUE;
        }
      else
        clair_thrift_skip (t, type);
    }
  if (!has_meta)
    clair_thrift_fail (t, "a column chunk without metadata (an encrypted file?)");
}

static void
node_clear (gpointer data)
{
  Node *node = data;

  g_clear_pointer (&node->name, g_free);
}

typedef struct
{
  gint64  n_rows;
  GArray *chunks;   /* Chunk */
  GArray *types;    /* int */
} RawGroup;

static void
raw_group_clear (gpointer data)
{
  RawGroup *group = data;

  g_clear_pointer (&group->chunks, g_array_unref);
  g_clear_pointer (&group->types, g_array_unref);
}

static void
read_row_group (ClairThrift *t,
                RawGroup    *group)
{
  gint16 id;
  guint8 type;

  group->n_rows = -1;
  group->chunks = g_array_new (FALSE, TRUE, sizeof (Chunk));
  group->types = g_array_new (FALSE, TRUE, sizeof (int));
  if (!clair_thrift_struct_begin (t))
    return;
  while (clair_thrift_field (t, &id, &type))
    {
      if (id == 1)
        {
          guint8 elem_type;
          guint32 n;

          if (!clair_thrift_list (t, type, &elem_type, &n) || elem_type != CLAIR_THRIFT_STRUCT)
            {
              clair_thrift_fail (t, "a row group's columns are not a list of structures");
              break;
            }
          for (guint32 i = 0; i < n && !t->failed; i++)
            {
              Chunk chunk = { 0, 0, 0 };
              int chunk_type = -1;

              read_column_chunk (t, &chunk, &chunk_type);
              g_array_append_val (group->chunks, chunk);
              g_array_append_val (group->types, chunk_type);
            }
        }
      else if (id == 3)
        group->n_rows = clair_thrift_i64 (t, type);
      else
        clair_thrift_skip (t, type);
    }
  if (group->n_rows < 0)
    clair_thrift_fail (t, "a row group without its number of rows");
}

/* Reads FileMetaData: the schema nodes and the raw row groups. */
static gboolean
read_file_metadata (ClairParquet  *self,
                    const guint8  *footer,
                    gsize          len,
                    GArray        *nodes,
                    GArray        *groups,
                    GError       **error)
{
  ClairThrift t;
  gint16 id;
  guint8 type;

  clair_thrift_init (&t, footer, len);
  if (clair_thrift_struct_begin (&t))
    while (clair_thrift_field (&t, &id, &type))
      {
        guint8 elem_type;
        guint32 n;

        if (id == 2 || id == 4)
          {
            if (!clair_thrift_list (&t, type, &elem_type, &n) || elem_type != CLAIR_THRIFT_STRUCT)
              {
                clair_thrift_fail (&t, "the schema or the row groups are not a list of structures");
                break;
              }
            if (id == 2 && (nodes->len > 0 || n > MAX_SCHEMA_NODES))
              {
                clair_thrift_fail (&t, "the schema is given twice or has too many columns");
                break;
              }
            for (guint32 i = 0; i < n && !t.failed; i++)
              {
                if (id == 2)
                  {
                    Node node;

                    memset (&node, 0, sizeof node);
                    read_schema_element (&t, &node);
                    g_array_append_val (nodes, node);
                  }
                else
                  {
                    RawGroup group = { 0, NULL, NULL };

                    read_row_group (&t, &group);
                    g_array_append_val (groups, group);
                  }
              }
          }
        else
          clair_thrift_skip (&t, type);
      }
  if (t.failed)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, G_MAXUINT, G_MAXUINT,
                      _("the Parquet footer is corrupt: %s"), t.problem);
  return TRUE;
}

/* Builds the tree of node @i at @depth: levels, leaves, sizes. Returns the node after its
 * subtree, or G_MAXUINT when the schema does not hold together. */
static guint
build_schema (ClairParquet *self,
              GArray       *leaves,
              guint         i,
              guint         depth,
              guint         def_level,
              guint         rep_level)
{
  Node *node = &self->nodes[i];
  guint next = i + 1;

  if (depth > MAX_SCHEMA_DEPTH || node->n_children < 0 || node->repetition < REQUIRED ||
      node->repetition > REPEATED)
    return G_MAXUINT;
  if (depth > 0)
    {
      def_level += node->repetition != REQUIRED;
      rep_level += node->repetition == REPEATED;
    }
  node->def_level = def_level;
  node->rep_level = rep_level;
  node->first_leaf = leaves->len;
  if (node->n_children == 0)
    {
      if (depth == 0 || node->type < PQ_BOOLEAN || node->type > PQ_FIXED_LEN_BYTE_ARRAY ||
          (node->type == PQ_FIXED_LEN_BYTE_ARRAY && (node->type_length <= 0 ||
                                                     node->type_length > 1 << 20)))
        return G_MAXUINT;
      g_array_append_val (leaves, i);
    }
  for (int c = 0; c < node->n_children; c++)
    {
      if (next >= self->n_nodes)
        return G_MAXUINT;
      next = build_schema (self, leaves, next, depth + 1, def_level, rep_level);
      if (next == G_MAXUINT)
        return G_MAXUINT;
    }
  node = &self->nodes[i];
  node->n_leaves = leaves->len - node->first_leaf;
  node->size = next - i;
  return next;
}

static gboolean
setup_schema (ClairParquet  *self,
              GArray        *nodes,
              GError       **error)
{
  g_autoptr(GArray) leaves = g_array_new (FALSE, FALSE, sizeof (guint));
  guint child;

  self->n_nodes = nodes->len;
  self->nodes = (Node *) (gpointer) g_array_free (nodes, FALSE);
  if (self->n_nodes < 2 || self->nodes[0].n_children <= 0 ||
      build_schema (self, leaves, 0, 0, 0, 0) != self->n_nodes)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, G_MAXUINT, G_MAXUINT,
                      _("the Parquet schema is corrupt (its columns do not add up) or nests "
                      "deeper than %u levels"), MAX_SCHEMA_DEPTH);

  self->n_leaves = leaves->len;
  self->leaves = (guint *) (gpointer) g_array_free (g_steal_pointer (&leaves), FALSE);
  self->n_columns = self->nodes[0].n_children;
  self->columns = g_new (guint, self->n_columns);
  child = 1;
  for (guint c = 0; c < self->n_columns; c++)
    {
      self->columns[c] = child;
      child += self->nodes[child].size;
    }
  return TRUE;
}

static gboolean
setup_row_groups (ClairParquet  *self,
                  GArray        *raw_groups,
                  gsize          data_end,
                  GError       **error)
{
  self->n_groups = raw_groups->len;
  self->groups = g_new0 (RowGroup, MAX (self->n_groups, 1));
  for (guint g = 0; g < self->n_groups; g++)
    {
      RawGroup *raw = &g_array_index (raw_groups, RawGroup, g);
      RowGroup *group = &self->groups[g];

      group->first_row = self->n_rows;
      group->n_rows = raw->n_rows;
      if ((guint64) raw->n_rows > G_MAXUINT32 || self->n_rows + raw->n_rows > G_MAXUINT32)
        return set_error (self, error, CLAIR_ERROR_TOO_LARGE, g, G_MAXUINT,
                          _("more than %u rows"), G_MAXUINT32);
      self->n_rows += raw->n_rows;
      /* Checked before allocating: a footer of many groups and many columns must hold a chunk
       * for each, so what is allocated stays in proportion to the footer. */
      if (raw->chunks->len != self->n_leaves)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, g, G_MAXUINT,
                          _("the row group has %u column chunks where the schema has %u columns"),
                          raw->chunks->len, self->n_leaves);
      group->chunks = g_new0 (Chunk, MAX (self->n_leaves, 1));
      for (guint l = 0; l < self->n_leaves; l++)
        {
          Chunk *chunk = &g_array_index (raw->chunks, Chunk, l);
          int type = g_array_index (raw->types, int, l);

          if (chunk->start < 4 || chunk->end > data_end || chunk->start > chunk->end)
            return set_error (self, error, CLAIR_ERROR_INVALID_DATA, g, l,
                              _("the column chunk lies outside the file (bytes %" PRIu64
                              " to %" PRIu64 " of %zu)"),
                              chunk->start, chunk->end, self->size);
          if (type != self->nodes[self->leaves[l]].type)
            return set_error (self, error, CLAIR_ERROR_INVALID_DATA, g, l,
                              _("the column chunk's type (%d) is not the schema's (%d)"), type,
                              self->nodes[self->leaves[l]].type);
          group->chunks[l] = *chunk;
        }
    }
  return TRUE;
}

ClairParquet *
clair_parquet_open (const char    *display_name,
                    const guint8  *data,
                    gsize          size,
                    gboolean       release_pages,
                    GError       **error)
{
  g_autoptr(ClairParquet) self = g_new0 (ClairParquet, 1);
  g_autoptr(GArray) nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  g_autoptr(GArray) groups = g_array_new (FALSE, TRUE, sizeof (RawGroup));
  guint32 footer_len;
  long os_page = sysconf (_SC_PAGESIZE);

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (data != NULL || size == 0, NULL);

  g_array_set_clear_func (groups, raw_group_clear);
  g_array_set_clear_func (nodes, node_clear);
  self->name = g_strdup (display_name);
  self->data = data;
  self->size = size;
  self->release = release_pages;
  self->os_page = os_page > 0 ? (gsize) os_page : 4096;

  if (size < 12 || !clair_parquet_has_magic (data, size))
    {
      set_error (self, error, CLAIR_ERROR_INVALID_DATA, G_MAXUINT, G_MAXUINT,
                 size < 12 ? _("too short for a Parquet file (%zu bytes): it was cut short, or is "
                               "not Parquet")
                           : _("not a Parquet file (%zu bytes, no “PAR1” at the start)"), size);
      return NULL;
    }
  if (memcmp (data + size - 4, "PARE", 4) == 0)
    {
      set_error (self, error, CLAIR_ERROR_UNSUPPORTED, G_MAXUINT, G_MAXUINT,
                 _("the Parquet file is encrypted, which is not supported"));
      return NULL;
    }
  if (memcmp (data + size - 4, "PAR1", 4) != 0)
    {
      set_error (self, error, CLAIR_ERROR_INVALID_DATA, G_MAXUINT, G_MAXUINT,
                 _("the Parquet file has no “PAR1” at its end: it was cut short (an unfinished "
                 "download or copy?)"));
      return NULL;
    }
  footer_len = (guint32) data[size - 8] | (guint32) data[size - 7] << 8 |
               (guint32) data[size - 6] << 16 | (guint32) data[size - 5] << 24;
  if (footer_len > size - 12)
    {
      set_error (self, error, CLAIR_ERROR_INVALID_DATA, G_MAXUINT, G_MAXUINT,
                 _("the Parquet footer claims %u bytes, more than the file holds"), footer_len);
      return NULL;
    }
  if (!read_file_metadata (self, data + size - 8 - footer_len, footer_len, nodes, groups, error) ||
      !setup_schema (self, g_steal_pointer (&nodes), error) ||
      !setup_row_groups (self, groups, size - 8 - footer_len, error))
    return NULL;

  self->cursors = g_new0 (Cursor, MAX (self->n_leaves, 1));
  self->slices = g_new0 (Slice, MAX (self->n_leaves, 1));
  for (guint l = 0; l < self->n_leaves; l++)
    self->cursors[l].group = G_MAXUINT;
  return g_steal_pointer (&self);
}

static void
cursor_drop_page (Cursor *cursor)
{
  g_clear_pointer (&cursor->page_buf, g_free);
  g_clear_pointer (&cursor->page_arena, g_free);
  g_clear_pointer (&cursor->defs, g_free);
  g_clear_pointer (&cursor->reps, g_free);
  g_clear_pointer (&cursor->values, g_free);
  g_clear_pointer (&cursor->indices, g_free);
  g_clear_pointer (&cursor->row_starts, g_free);
  cursor->n_entries = 0;
  cursor->page_buf_len = 0;
  cursor->page_released = 0;
  cursor->released_rows = 0;
  cursor->pending_offset = 0;
  cursor->pending_row = 0;
  cursor->loaded = FALSE;
}

static void
cursor_clear (Cursor *cursor)
{
  cursor_drop_page (cursor);
  g_clear_pointer (&cursor->dict_buf, g_free);
  g_clear_pointer (&cursor->dict_arena, g_free);
  g_clear_pointer (&cursor->dict, g_free);
  cursor->n_dict = 0;
  cursor->has_dict = FALSE;
  cursor->group = G_MAXUINT;
}

void
clair_parquet_free (ClairParquet *self)
{
  if (self == NULL)
    return;
  for (guint l = 0; self->cursors != NULL && l < self->n_leaves; l++)
    cursor_clear (&self->cursors[l]);
  for (guint g = 0; self->groups != NULL && g < self->n_groups; g++)
    g_free (self->groups[g].chunks);
  for (guint n = 0; self->nodes != NULL && n < self->n_nodes; n++)
    g_free (self->nodes[n].name);
  g_free (self->groups);
  g_free (self->nodes);
  g_free (self->leaves);
  g_free (self->columns);
  g_free (self->cursors);
  g_free (self->slices);
  g_free (self->name);
  g_free (self);
}

guint64
clair_parquet_get_n_rows (ClairParquet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_rows;
}

guint
clair_parquet_get_n_row_groups (ClairParquet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_groups;
}

void
clair_parquet_get_row_group (ClairParquet *self,
                             guint         group,
                             guint64      *first_row,
                             guint64      *n_rows,
                             guint64      *n_bytes)
{
  const RowGroup *g;
  guint64 bytes = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (group < self->n_groups);

  g = &self->groups[group];
  for (guint l = 0; l < self->n_leaves; l++)
    bytes += g->chunks[l].end - g->chunks[l].start;
  if (first_row != NULL)
    *first_row = g->first_row;
  if (n_rows != NULL)
    *n_rows = g->n_rows;
  if (n_bytes != NULL)
    *n_bytes = bytes;
}

guint
clair_parquet_get_n_columns (ClairParquet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_columns;
}

const char *
clair_parquet_get_column_name (ClairParquet *self,
                               guint         column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);
  return self->nodes[self->columns[column]].name;
}

/* Pages */

static void
release_range (ClairParquet *self,
               guint64       from,
               guint64       to)
{
  gsize mask = self->os_page - 1;
  guintptr start = ((guintptr) (self->data + from) + mask) & ~(guintptr) mask;
  guintptr end = (guintptr) (self->data + to) & ~(guintptr) mask;

  if (self->release && end > start)
    madvise ((void *) start, end - start, MADV_DONTNEED);
}

static gboolean
read_page_header (ClairParquet  *self,
                  guint          group,
                  guint          leaf,
                  guint64        pos,
                  guint64        end,
                  PageHeader    *h,
                  guint64       *payload,
                  GError       **error)
{
  ClairThrift t;
  gint16 id;
  guint8 type;

  memset (h, 0, sizeof *h);
  h->type = -1;
  h->n_values = -1;
  h->n_rows = -1;
  h->uncompressed = -1;
  h->compressed = -1;
  h->is_compressed = TRUE;
  clair_thrift_init (&t, self->data + pos, end - pos);
  if (clair_thrift_struct_begin (&t))
    while (clair_thrift_field (&t, &id, &type))
      {
        if (id == 1)
          h->type = clair_thrift_i32 (&t, type);
        else if (id == 2)
          h->uncompressed = clair_thrift_i32 (&t, type);
        else if (id == 3)
          h->compressed = clair_thrift_i32 (&t, type);
        else if ((id == 5 || id == 7 || id == 8) && type == CLAIR_THRIFT_STRUCT)
          {
            gint16 sub;
            guint8 sub_type;

            if (!clair_thrift_struct_begin (&t))
              break;
            while (clair_thrift_field (&t, &sub, &sub_type))
              {
                if (sub == 1)
                  h->n_values = clair_thrift_i32 (&t, sub_type);
                else if (id == 8 && sub == 3)
                  h->n_rows = clair_thrift_i32 (&t, sub_type);
                else if (id == 8 && sub == 4)
                  h->encoding = clair_thrift_i32 (&t, sub_type);
                else if (id == 8 && sub == 5)
                  h->def_len = clair_thrift_i32 (&t, sub_type);
                else if (id == 8 && sub == 6)
                  h->rep_len = clair_thrift_i32 (&t, sub_type);
                else if (id == 8 && sub == 7)
                  h->is_compressed = clair_thrift_bool (&t, sub_type);
                else if (id != 8 && sub == 2)
                  h->encoding = clair_thrift_i32 (&t, sub_type);
                else if (id == 5 && sub == 3)
                  h->def_encoding = clair_thrift_i32 (&t, sub_type);
                else if (id == 5 && sub == 4)
                  h->rep_encoding = clair_thrift_i32 (&t, sub_type);
                else
                  clair_thrift_skip (&t, sub_type);
              }
          }
        else
          clair_thrift_skip (&t, type);
      }
  if (t.failed)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                      _("a page header at byte %" PRIu64 " is corrupt: %s"), pos, t.problem);
  *payload = pos + (t.p - (self->data + pos));
  if (h->compressed < 0 || h->uncompressed < 0 || (guint64) h->compressed > end - *payload)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                      _("a page at byte %" PRIu64 " declares %" PRId64
                      " bytes where its column chunk has %" PRIu64 " left"), pos,
                      h->compressed, end - *payload);
  if ((guint64) h->uncompressed > PQ_MAX_PAGE || (guint64) h->compressed > PQ_MAX_PAGE)
    return set_error (self, error, CLAIR_ERROR_TOO_LARGE, group, leaf,
                      _("a page at byte %" PRIu64 " declares %" PRId64 " bytes, "
                      "over the %u MB a page may hold"), pos, MAX (h->uncompressed, h->compressed),
                      PQ_MAX_PAGE >> 20);
  return TRUE;
}

/* The uncompressed bytes of a page (or of its part after the v2 levels): in the file when not
 * compressed, else in a new buffer stored in @owned. */
static gboolean
page_bytes (ClairParquet  *self,
            guint          group,
            guint          leaf,
            int            codec,
            const guint8  *src,
            gsize          src_len,
            gsize          size,
            guint8       **owned,
            const guint8 **out,
            GError       **error)
{
  char *problem = NULL;

  if (codec == PQ_UNCOMPRESSED)
    {
      if (src_len != size)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                          _("an uncompressed page of %zu bytes declares %zu"), src_len, size);
      *out = src;
      return TRUE;
    }
  if (!_pq_decompress (codec, src, src_len, size, owned, &problem))
    {
      set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf, "%s", problem);
      g_free (problem);
      return FALSE;
    }
  *out = *owned;
  return TRUE;
}

static gboolean
decode_problem (ClairParquet  *self,
                guint          group,
                guint          leaf,
                char          *problem,
                GError       **error)
{
  set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf, "%s",
             problem != NULL ? problem : "corrupt data");
  g_free (problem);
  return FALSE;
}

static gboolean
load_dictionary (ClairParquet     *self,
                 Cursor           *cursor,
                 guint             leaf,
                 const PageHeader *h,
                 guint64           payload,
                 GError          **error)
{
  const Node *node = &self->nodes[self->leaves[leaf]];
  const Chunk *chunk = &self->groups[cursor->group].chunks[leaf];
  const guint8 *bytes = NULL;
  char *problem = NULL;

  if (cursor->has_dict)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                      _("the column chunk has a second dictionary page"));
  if (h->encoding != PQ_PLAIN && h->encoding != PQ_PLAIN_DICTIONARY)
    return set_error (self, error, CLAIR_ERROR_UNSUPPORTED, cursor->group, leaf,
                      _("a dictionary page in the %s encoding (%d), which is not supported"),
                      _pq_encoding_name (h->encoding), h->encoding);
  if (!page_bytes (self, cursor->group, leaf, chunk->codec, self->data + payload, h->compressed,
                   h->uncompressed, &cursor->dict_buf, &bytes, error))
    return FALSE;
  /* Every value takes at least a bit, so the count cannot exceed the bits there are. */
  if (h->n_values < 0 || (guint64) h->n_values > (guint64) h->uncompressed * 8)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                      _("a dictionary page declares %" PRId64 " values in %" PRId64
                      " bytes"), h->n_values, h->uncompressed);
  cursor->n_dict = (guint) h->n_values;
  cursor->dict = g_new0 (PqValue, MAX (cursor->n_dict, 1));
  if (!_pq_decode_values (node->type, node->type_length, PQ_PLAIN, bytes, h->uncompressed,
                          cursor->dict, cursor->n_dict, &cursor->dict_arena, &problem))
    return decode_problem (self, cursor->group, leaf, problem, error);
  if (cursor->dict_buf != NULL)
    release_range (self, payload, payload + h->compressed);
  cursor->has_dict = TRUE;
  return TRUE;
}

/* Decodes levels: v1 pages prefix them with their length, v2 headers give it. */
static gboolean
decode_levels (ClairParquet   *self,
               Cursor         *cursor,
               guint           leaf,
               guint           max_level,
               gboolean        prefixed,
               const guint8  **p,
               const guint8   *end,
               gsize           v2_len,
               guint8        **out,
               GError        **error)
{
  guint bit_width = g_bit_storage (max_level);
  gsize len = v2_len;
  char *problem = NULL;

  if (prefixed)
    {
      if (end - *p < 4)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                          _("a data page ends before its levels"));
      len = (gsize) (*p)[0] | (gsize) (*p)[1] << 8 | (gsize) (*p)[2] << 16 | (gsize) (*p)[3] << 24;
      *p += 4;
    }
  if (len > (gsize) (end - *p))
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                      _("the levels of a data page go past its end"));
  /* Levels are at most the schema's depth (MAX_SCHEMA_DEPTH): a byte each. */
  *out = g_new (guint8, MAX (cursor->n_entries, 1));
  if (!_pq_decode_hybrid (*p, len, bit_width, NULL, *out, cursor->n_entries, &problem))
    return decode_problem (self, cursor->group, leaf, problem, error);
  for (guint i = 0; i < cursor->n_entries; i++)
    if ((*out)[i] > max_level)
      return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                        _("a level of %u where the schema allows %u"), (*out)[i], max_level);
  *p += len;
  return TRUE;
}

/* The values of a page: dictionary indices or directly encoded, spread out to one per entry. */
static gboolean
decode_page_values (ClairParquet  *self,
                    Cursor        *cursor,
                    guint          leaf,
                    int            encoding,
                    const guint8  *p,
                    const guint8  *end,
                    GError       **error)
{
  const Node *node = &self->nodes[self->leaves[leaf]];
  guint n_present = 0;
  char *problem = NULL;

  for (guint i = 0; i < cursor->n_entries; i++)
    n_present += cursor->defs == NULL || cursor->defs[i] == node->def_level;

  if (encoding == PQ_PLAIN_DICTIONARY || encoding == PQ_RLE_DICTIONARY)
    {
      guint32 *indices;

      /* Indices are kept rather than copies of the dictionary's values: a quarter the size. */
      indices = cursor->indices = g_new (guint32, MAX (cursor->n_entries, 1));
      if (!cursor->has_dict)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                          _("a dictionary-encoded page without a dictionary page before it"));
      if (n_present > 0 && end - p < 1)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                          _("a dictionary-encoded page ends before its indices"));
      if (n_present > 0 && !_pq_decode_hybrid (p + 1, end - p - 1, p[0], indices, NULL, n_present,
                                               &problem))
        return decode_problem (self, cursor->group, leaf, problem, error);
      for (guint i = 0; i < n_present; i++)
        if (indices[i] >= cursor->n_dict)
          return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                            _("a dictionary index of %u in a dictionary of %u values"), indices[i],
                            cursor->n_dict);
      /* Spread from the back: entry i gets index k when it is the k-th present one; nulls 0. */
      if (cursor->defs != NULL)
        {
          guint k = n_present;

          for (guint i = cursor->n_entries; i-- > 0; )
            indices[i] = cursor->defs[i] == node->def_level ? indices[--k] : 0;
        }
      return TRUE;
    }

  cursor->values = g_new (PqValue, MAX (cursor->n_entries, 1));
  if (!_pq_decode_values (node->type, node->type_length, encoding, p, end - p, cursor->values,
                               n_present, &cursor->page_arena, &problem))
    {
      if (problem != NULL && g_str_has_prefix (problem, "the encoding"))
        {
          set_error (self, error, CLAIR_ERROR_UNSUPPORTED, cursor->group, leaf, "%s", problem);
          g_free (problem);
          return FALSE;
        }
      return decode_problem (self, cursor->group, leaf, problem, error);
    }

  /* Spread from the back: entry i gets value k when it is the k-th present one. */
  if (cursor->defs != NULL)
    {
      guint k = n_present;

      for (guint i = cursor->n_entries; i-- > 0; )
        if (cursor->defs[i] == node->def_level)
          cursor->values[i] = cursor->values[--k];
    }
  return TRUE;
}

static gboolean
decode_data_page (ClairParquet     *self,
                  Cursor           *cursor,
                  guint             leaf,
                  const PageHeader *h,
                  guint64           payload,
                  GError          **error)
{
  const Node *node = &self->nodes[self->leaves[leaf]];
  const Chunk *chunk = &self->groups[cursor->group].chunks[leaf];
  const RowGroup *group = &self->groups[cursor->group];
  const guint8 *src = self->data + payload;
  const guint8 *p;
  const guint8 *end;
  guint64 n_rows;

  if (h->n_values < 0 || (guint64) h->n_values > MAX_PAGE_ENTRIES)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                      _("a data page declares %" PRId64 " values (at most %u are accepted)"),
                      h->n_values, MAX_PAGE_ENTRIES);
  cursor->n_entries = (guint) h->n_values;

  if (h->type == PAGE_DATA)
    {
      if (!page_bytes (self, cursor->group, leaf, chunk->codec, src, h->compressed,
                       h->uncompressed, &cursor->page_buf, &p, error))
        return FALSE;
      end = p + h->uncompressed;
      if ((node->rep_level > 0 && h->rep_encoding != PQ_RLE) ||
          (node->def_level > 0 && h->def_encoding != PQ_RLE))
        return set_error (self, error, CLAIR_ERROR_UNSUPPORTED, cursor->group, leaf,
                          _("levels in the %s encoding, which is not supported"),
                          _pq_encoding_name (node->rep_level > 0 && h->rep_encoding != PQ_RLE
                                             ? h->rep_encoding : h->def_encoding));
      if ((node->rep_level > 0 &&
           !decode_levels (self, cursor, leaf, node->rep_level, TRUE, &p, end, 0, &cursor->reps,
                           error)) ||
          (node->def_level > 0 &&
           !decode_levels (self, cursor, leaf, node->def_level, TRUE, &p, end, 0, &cursor->defs,
                           error)))
        return FALSE;
    }
  else
    {
      /* v2: the levels come first, never compressed; then the values, maybe compressed. */
      gsize levels_len;

      if (h->rep_len < 0 || h->def_len < 0 || h->rep_len + h->def_len > h->compressed ||
          h->rep_len + h->def_len > h->uncompressed)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                          _("a v2 data page's levels are longer than the page"));
      levels_len = h->rep_len + h->def_len;
      p = src;
      end = src + levels_len;
      if ((node->rep_level > 0 &&
           !decode_levels (self, cursor, leaf, node->rep_level, FALSE, &p, end, h->rep_len,
                           &cursor->reps, error)) ||
          (node->def_level > 0 &&
           !decode_levels (self, cursor, leaf, node->def_level, FALSE, &p, end, h->def_len,
                           &cursor->defs, error)))
        return FALSE;
      if (!page_bytes (self, cursor->group, leaf, h->is_compressed ? chunk->codec : PQ_UNCOMPRESSED,
                       src + levels_len, h->compressed - levels_len,
                       h->uncompressed - levels_len, &cursor->page_buf, &p, error))
        return FALSE;
      end = p + (h->uncompressed - levels_len);
    }

  if (!decode_page_values (self, cursor, leaf, h->encoding, p, end, error))
    return FALSE;
  /* A page decompressed into its own buffer needs none of the file's pages any more, and the
   * buffer itself is needed only while values point into it: plain or length-delimited byte
   * arrays. */
  if (cursor->page_buf != NULL)
    {
      release_range (self, cursor->page_start, cursor->page_end);
      if ((node->type != PQ_BYTE_ARRAY && node->type != PQ_FIXED_LEN_BYTE_ARRAY) ||
          (h->encoding != PQ_PLAIN && h->encoding != PQ_DELTA_LENGTH_BYTE_ARRAY))
        g_clear_pointer (&cursor->page_buf, g_free);
      else
        cursor->page_buf_len = end - p;
    }

  /* Rows: every entry for a flat column, those starting a record for a repeated one. */
  if (cursor->reps == NULL)
    n_rows = cursor->n_entries;
  else
    {
      guint n = 0;

      if (cursor->n_entries > 0 && cursor->reps[0] != 0)
        return set_error (self, error, CLAIR_ERROR_UNSUPPORTED, cursor->group, leaf,
                          _("a row continues from one data page to the next, which is not supported"));
      cursor->row_starts = g_new (guint, cursor->n_entries + 1);
      for (guint i = 0; i < cursor->n_entries; i++)
        if (cursor->reps[i] == 0)
          cursor->row_starts[n++] = i;
      cursor->row_starts[n] = cursor->n_entries;
      n_rows = n;
    }
  if (h->type == PAGE_DATA_V2 && h->n_rows >= 0 && (guint64) h->n_rows != n_rows)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                      _("a v2 data page declares %" PRId64 " rows and holds %" PRIu64),
                      h->n_rows, n_rows);
  if (cursor->page_first_row + n_rows > group->n_rows)
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, cursor->group, leaf,
                      _("the column chunk holds more rows than its row group (%" PRIu64 ")"),
                      group->n_rows);
  cursor->page_rows = n_rows;
  cursor->loaded = TRUE;
  return TRUE;
}

/* Moves the cursor of @leaf to @row of row group @group, decoding pages as needed. Reading in order
 * decodes each page once; going back starts again from the chunk's first page. */
static gboolean
cursor_seek (ClairParquet  *self,
             guint          leaf,
             guint          group,
             guint64        row,
             GError       **error)
{
  Cursor *cursor = &self->cursors[leaf];
  const Node *node = &self->nodes[self->leaves[leaf]];
  const Chunk *chunk = &self->groups[group].chunks[leaf];

  if (cursor->group != group || row < cursor->page_first_row ||
      (cursor->loaded && row < cursor->page_first_row + cursor->released_rows))
    {
      if (cursor->loaded)
        release_range (self, cursor->page_start, cursor->page_end);
      cursor_clear (cursor);
      cursor->group = group;
      cursor->next_page = chunk->start;
      cursor->page_first_row = 0;
      cursor->page_rows = 0;
    }

  while (!cursor->loaded || row >= cursor->page_first_row + cursor->page_rows)
    {
      PageHeader h;
      guint64 payload = 0;
      guint64 known_rows = G_MAXUINT64;

      if (cursor->loaded)
        {
          release_range (self, cursor->page_start, cursor->page_end);
          cursor_drop_page (cursor);
        }
      cursor->page_first_row += cursor->page_rows;
      cursor->page_rows = 0;
      if (cursor->next_page >= chunk->end)
        return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                          _("the column chunk ends after %" PRIu64 " rows where its row "
                          "group has %" PRIu64), cursor->page_first_row,
                          self->groups[group].n_rows);
      if (!read_page_header (self, group, leaf, cursor->next_page, chunk->end, &h, &payload, error))
        return FALSE;
      cursor->page_start = cursor->next_page;
      cursor->page_end = payload + h.compressed;
      cursor->next_page = cursor->page_end;

      if (h.type == PAGE_DICTIONARY)
        {
          if (!load_dictionary (self, cursor, leaf, &h, payload, error))
            return FALSE;
          continue;
        }
      if (h.type != PAGE_DATA && h.type != PAGE_DATA_V2)
        continue;

      /* A page whose rows are all before @row is skipped without decompressing it. */
      if (h.type == PAGE_DATA_V2 && h.n_rows >= 0)
        known_rows = h.n_rows;
      else if (node->rep_level == 0 && h.n_values >= 0)
        known_rows = h.n_values;
      if (known_rows != G_MAXUINT64 && row >= cursor->page_first_row + known_rows)
        {
          cursor->page_rows = known_rows;
          if (cursor->page_first_row + known_rows > self->groups[group].n_rows)
            return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                              _("the column chunk holds more rows than its row group"));
          continue;
        }
      if (!decode_data_page (self, cursor, leaf, &h, payload, error))
        {
          cursor_clear (cursor);
          return FALSE;
        }
    }
  return TRUE;
}

/* Assembling values */

static inline const PqValue *
cursor_value (const Cursor *cursor,
              guint         i)
{
  return cursor->indices != NULL ? &cursor->dict[cursor->indices[i]] : &cursor->values[i];
}

static gboolean
corrupt_levels (ClairParquet  *self,
                guint          group,
                guint          leaf,
                GError       **error)
{
  return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                    _("the repetition and definition levels of the columns of one value do not agree"));
}

static guint
peek_def (ClairParquet *self,
          guint         leaf)
{
  const Cursor *cursor = &self->cursors[leaf];

  return cursor->defs != NULL ? cursor->defs[self->slices[leaf].pos] : 0;
}

static gboolean
has_more (ClairParquet *self,
          guint         leaf)
{
  return self->slices[leaf].pos < self->slices[leaf].end;
}

/* An absent value (a null, an empty list) has exactly one entry in each of its leaves. */
static gboolean
consume_absent (ClairParquet  *self,
                const Node    *node,
                guint          group,
                GError       **error)
{
  for (guint l = node->first_leaf; l < node->first_leaf + node->n_leaves; l++)
    {
      if (!has_more (self, l))
        return corrupt_levels (self, group, l, error);
      self->slices[l].pos++;
    }
  return TRUE;
}

static gboolean
is_string_node (const Node *node)
{
  return node->type == PQ_BYTE_ARRAY &&
         (node->converted == CT_UTF8 || node->converted == CT_ENUM || node->converted == CT_JSON ||
          node->logical == LT_STRING || node->logical == LT_ENUM || node->logical == LT_JSON ||
          (node->converted < 0 && node->logical == 0));
}

/* Annotated as text: bytes that are not UTF-8 are an error, not binary data. */
static gboolean
is_annotated_string (const Node *node)
{
  return is_string_node (node) && (node->converted >= 0 || node->logical != 0);
}

static void
append_float (GString *out,
              float    value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  /* The shortest text that reads back as the same float, as writers' readers print it. */
  for (int precision = 6; precision <= 9; precision++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, fmt, value);
      if ((float) g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
}

static gboolean
append_leaf_value (ClairParquet  *self,
                   const Node    *node,
                   const PqValue *value,
                   guint          group,
                   guint          leaf,
                   GString       *out,
                   GError       **error)
{
  switch (node->type)
    {
    case PQ_BOOLEAN:
      g_string_append (out, value->i ? "true" : "false");
      return TRUE;
    case PQ_INT32:
      if (node->logical == LT_DATE || node->converted == CT_DATE)
        _pq_append_date (out, value->i);
      else if (node->logical == LT_DECIMAL || node->converted == CT_DECIMAL)
        _pq_append_decimal_int (out, value->i, node->scale);
      else if ((node->logical == LT_TIME || node->converted == CT_TIME_MILLIS) && node->time_unit != PQ_UNIT_NONE)
        _pq_append_time (out, value->i, node->time_unit);
      else if (node->converted == CT_UINT_32)
        g_string_append_printf (out, "%u", (guint32) value->i);
      else
        clair_json_append_int (out, value->i);
      return TRUE;
    case PQ_INT64:
      if (node->logical == LT_DECIMAL || node->converted == CT_DECIMAL)
        _pq_append_decimal_int (out, value->i, node->scale);
      else if ((node->logical == LT_TIMESTAMP || node->converted == CT_TIMESTAMP_MILLIS ||
                node->converted == CT_TIMESTAMP_MICROS) && node->time_unit != PQ_UNIT_NONE)
        _pq_append_timestamp (out, value->i, node->time_unit, node->utc);
      else if ((node->logical == LT_TIME || node->converted == CT_TIME_MICROS) && node->time_unit != PQ_UNIT_NONE)
        _pq_append_time (out, value->i, node->time_unit);
      else if (node->converted == CT_UINT_64)
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, (guint64) value->i);
      else
        clair_json_append_int (out, value->i);
      return TRUE;
    case PQ_FLOAT:
      append_float (out, (float) value->d);
      return TRUE;
    case PQ_DOUBLE:
      clair_json_append_double (out, value->d);
      return TRUE;
    default:
      break;
    }

  if (node->type == PQ_INT96 && value->len == 12)
    {
      _pq_append_int96 (out, (const guint8 *) value->s);
      return TRUE;
    }
  if ((node->logical == LT_DECIMAL || node->converted == CT_DECIMAL) &&
      _pq_append_decimal_bytes (out, (const guint8 *) value->s, value->len, node->scale))
    return TRUE;
  if (node->type == PQ_FIXED_LEN_BYTE_ARRAY && node->logical == LT_UUID && value->len == 16)
    {
      const guint8 *b = (const guint8 *) value->s;

      g_string_append_printf (out, "\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                              "%02x%02x%02x%02x%02x%02x\"", b[0], b[1], b[2], b[3], b[4], b[5],
                              b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
      return TRUE;
    }
  if (clair_utf8_valid (value->s, value->len))
    {
      clair_json_append_string (out, value->s, value->len);
      return TRUE;
    }
  if (is_annotated_string (node))
    return set_error (self, error, CLAIR_ERROR_INVALID_DATA, group, leaf,
                      _("a string that is not valid UTF-8"));
  {
    /* Binary data: base64, as JSON writers of Arrow tables do. */
    g_autofree char *encoded = g_base64_encode ((const guchar *) value->s, value->len);

    clair_json_append_string (out, encoded, -1);
  }
  return TRUE;
}

static gboolean emit_field (ClairParquet *self, guint index, guint group, GString *out,
                            GError **error);
static gboolean emit_content (ClairParquet *self, guint index, guint group, GString *out,
                              GError **error);

/* The elements of the repeated node @rep as a JSON list, each being @element (@rep itself, or its
 * single child in the standard three-level list). */
static gboolean
emit_list (ClairParquet  *self,
           guint          rep,
           guint          element,
           guint          group,
           GString       *out,
           GError       **error)
{
  const Node *node = &self->nodes[rep];
  guint leaf = node->first_leaf;

  if (!has_more (self, leaf))
    return corrupt_levels (self, group, leaf, error);
  if (peek_def (self, leaf) < node->def_level)
    {
      g_string_append (out, "[]");
      return consume_absent (self, node, group, error);
    }
  g_string_append_c (out, '[');
  for (gboolean first = TRUE; ; first = FALSE)
    {
      if (!first)
        g_string_append_c (out, ',');
      if (!(element == rep ? emit_content (self, rep, group, out, error)
                           : emit_field (self, element, group, out, error)))
        return FALSE;
      if (!has_more (self, leaf) || self->cursors[leaf].reps[self->slices[leaf].pos] != node->rep_level)
        break;
    }
  g_string_append_c (out, ']');
  return TRUE;
}

static gboolean
is_list_node (const ClairParquet *self,
              const Node         *node)
{
  return (node->converted == CT_LIST || node->logical == LT_LIST || node->converted == CT_MAP ||
          node->converted == CT_MAP_KEY_VALUE || node->logical == LT_MAP) &&
         node->n_children == 1 && self->nodes[(node - self->nodes) + 1].repetition == REPEATED;
}

static gboolean
emit_content (ClairParquet  *self,
              guint          index,
              guint          group,
              GString       *out,
              GError       **error)
{
  const Node *node = &self->nodes[index];

  if (node->n_children == 0)
    {
      guint leaf = node->first_leaf;
      const Cursor *cursor = &self->cursors[leaf];
      Slice *slice = &self->slices[leaf];

      if (!has_more (self, leaf))
        return corrupt_levels (self, group, leaf, error);
      if (cursor->defs != NULL && cursor->defs[slice->pos] != node->def_level)
        return corrupt_levels (self, group, leaf, error);
      slice->pos++;
      return append_leaf_value (self, node, cursor_value (cursor, slice->pos - 1), group, leaf, out,
                                error);
    }

  if (is_list_node (self, node))
    {
      guint rep = index + 1;
      const Node *rep_node = &self->nodes[rep];
      guint element = rep;
      gboolean is_map = node->converted == CT_MAP || node->converted == CT_MAP_KEY_VALUE ||
                        node->logical == LT_MAP;

      /* The standard list is list → repeated group → element; older writers repeat the element
       * itself, or a group named "array" or "…_tuple" that is the element. Maps stay lists of
       * {"key", "value"} structs. */
      if (!is_map && rep_node->n_children == 1 && strcmp (rep_node->name, "array") != 0 &&
          !g_str_has_suffix (rep_node->name, "_tuple"))
        element = rep + 1;
      return emit_list (self, rep, element, group, out, error);
    }

  g_string_append_c (out, '{');
  for (guint c = 0, child = index + 1; c < (guint) node->n_children; c++)
    {
      clair_json_append_key (out, self->nodes[child].name, c == 0);
      if (!emit_field (self, child, group, out, error))
        return FALSE;
      child += self->nodes[child].size;
    }
  g_string_append_c (out, '}');
  return TRUE;
}

static gboolean
emit_field (ClairParquet  *self,
            guint          index,
            guint          group,
            GString       *out,
            GError       **error)
{
  const Node *node = &self->nodes[index];
  guint leaf = node->first_leaf;

  if (node->repetition == REPEATED)
    return emit_list (self, index, index, group, out, error);
  if (node->repetition == OPTIONAL)
    {
      if (!has_more (self, leaf))
        return corrupt_levels (self, group, leaf, error);
      if (peek_def (self, leaf) < node->def_level)
        {
          g_string_append (out, "null");
          return consume_absent (self, node, group, error);
        }
    }
  return emit_content (self, index, group, out, error);
}

/* Writers may cut pages of 100 MB (DuckDB does for text): while rows are read in order, the part
 * of a large decompressed page more than a step behind the current value goes back to the kernel,
 * so a page costs what is left of it to read. Values sit in the page in row order; the step left
 * resident lets a list scroll back a few hundred rows for free, and reading a row from before it
 * decodes the page again (see cursor_seek()). */
#define RELEASE_MIN_PAGE (8u * 1024u * 1024u)
#define RELEASE_STEP (2u * 1024u * 1024u)

static void
release_behind (ClairParquet  *self,
                Cursor        *cursor,
                guint64        group_row,
                const PqValue *value)
{
  gsize mask = self->os_page - 1;
  gsize offset;
  guintptr start;
  guintptr stop;

  if (!self->release || cursor->page_buf == NULL || cursor->page_buf_len < RELEASE_MIN_PAGE ||
      (const guint8 *) value->s < cursor->page_buf ||
      (const guint8 *) value->s >= cursor->page_buf + cursor->page_buf_len)
    return;
  offset = (const guint8 *) value->s - cursor->page_buf;
  if (offset < cursor->pending_offset + RELEASE_STEP)
    return;

  /* Release up to where the reader was a step ago: every row from that one on stays whole. */
  start = ((guintptr) (cursor->page_buf + cursor->page_released) + mask) & ~(guintptr) mask;
  stop = (guintptr) (cursor->page_buf + cursor->pending_offset) & ~(guintptr) mask;
  if (stop > start)
    {
      madvise ((void *) start, stop - start, MADV_DONTNEED);
      cursor->page_released = (const guint8 *) stop - cursor->page_buf;
      cursor->released_rows = cursor->pending_row;
    }
  cursor->pending_offset = offset;
  cursor->pending_row = group_row - cursor->page_first_row;
}

static guint
find_group (ClairParquet *self,
            guint64       row)
{
  guint lo = 0;
  guint hi = self->n_groups;

  /* The last group whose first row is at or before @row, skipping empty ones. */
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->groups[mid].first_row <= row)
        lo = mid;
      else
        hi = mid;
    }
  while (lo < self->n_groups && row >= self->groups[lo].first_row + self->groups[lo].n_rows)
    lo++;
  return lo;
}

gboolean
clair_parquet_read_cell (ClairParquet      *self,
                         guint64            row,
                         guint              column,
                         ClairParquetKind  *kind,
                         GString           *out,
                         GError           **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  g_string_truncate (out, 0);
  return clair_parquet_append_cell (self, row, column, kind, out, error);
}

gboolean
clair_parquet_append_cell (ClairParquet      *self,
                           guint64            row,
                           guint              column,
                           ClairParquetKind  *kind,
                           GString           *out,
                           GError           **error)
{
  const Node *node;
  guint group;
  guint64 group_row;
  gsize start;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (column < self->n_columns, FALSE);
  g_return_val_if_fail (kind != NULL && out != NULL, FALSE);

  start = out->len;
  *kind = CLAIR_PARQUET_NULL;
  if (row >= self->n_rows)
    return set_error (self, error, CLAIR_ERROR_NOT_FOUND, G_MAXUINT, G_MAXUINT,
                      _("no row %" PRIu64 " (the file has %" PRIu64 ")"), row,
                      self->n_rows);
  node = &self->nodes[self->columns[column]];
  group = find_group (self, row);
  group_row = row - self->groups[group].first_row;

  for (guint l = node->first_leaf; l < node->first_leaf + node->n_leaves; l++)
    {
      Cursor *cursor = &self->cursors[l];
      guint64 i;

      if (!cursor_seek (self, l, group, group_row, error))
        return FALSE;
      i = group_row - cursor->page_first_row;
      if (cursor->row_starts != NULL)
        {
          self->slices[l].pos = cursor->row_starts[i];
          self->slices[l].end = cursor->row_starts[i + 1];
        }
      else
        {
          self->slices[l].pos = (guint) i;
          self->slices[l].end = (guint) i + 1;
        }
    }

  /* The common case: a flat string column, returned as its text. */
  if (node->n_children == 0 && node->repetition != REPEATED)
    {
      guint leaf = node->first_leaf;
      Cursor *cursor = &self->cursors[leaf];
      const PqValue *value;

      if (cursor->defs != NULL && cursor->defs[self->slices[leaf].pos] < node->def_level)
        return TRUE;
      value = cursor_value (cursor, self->slices[leaf].pos);
      release_behind (self, cursor, group_row, value);
      if (is_string_node (node) && clair_utf8_valid (value->s, value->len))
        {
          *kind = CLAIR_PARQUET_TEXT;
          g_string_append_len (out, value->s, value->len);
          return TRUE;
        }
      *kind = CLAIR_PARQUET_JSON;
      if (append_leaf_value (self, node, value, group, leaf, out, error))
        return TRUE;
      goto failed;
    }

  if (node->repetition == OPTIONAL && peek_def (self, node->first_leaf) < node->def_level)
    return TRUE;
  *kind = CLAIR_PARQUET_JSON;
  if (!emit_field (self, self->columns[column], group, out, error))
    goto failed;
  for (guint l = node->first_leaf; l < node->first_leaf + node->n_leaves; l++)
    if (has_more (self, l))
      {
        corrupt_levels (self, group, l, error);
        goto failed;
      }
  return TRUE;

failed:
  g_string_truncate (out, start);
  *kind = CLAIR_PARQUET_NULL;
  return FALSE;
}
