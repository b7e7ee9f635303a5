/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-thrift"

#include "config.h"

#include <string.h>

#include "clair-i18n.h"
#include "clair-thrift.h"

void
clair_thrift_init (ClairThrift  *t,
                   const guint8 *data,
                   gsize         len)
{
  memset (t, 0, sizeof *t);
  t->p = data;
  t->end = data + len;
}

void
clair_thrift_fail (ClairThrift *t,
                   const char  *problem)
{
  if (!t->failed)
    {
      t->failed = TRUE;
      t->problem = problem;
    }
  t->p = t->end;
}

static guint64
read_varint (ClairThrift *t)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 byte;

      if (t->p >= t->end)
        {
          clair_thrift_fail (t, _("the metadata ends in the middle of a number"));
          return 0;
        }
      byte = *t->p++;
      value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return value;
    }
  clair_thrift_fail (t, _("a number in the metadata is too long"));
  return 0;
}

gint64
clair_thrift_int (ClairThrift *t)
{
  guint64 zigzag = read_varint (t);

  return (gint64) (zigzag >> 1) ^ -(gint64) (zigzag & 1);
}

gboolean
clair_thrift_struct_begin (ClairThrift *t)
{
  if (t->failed)
    return FALSE;
  if (t->depth >= CLAIR_THRIFT_MAX_DEPTH)
    {
      clair_thrift_fail (t, _("the metadata nests too deeply"));
      return FALSE;
    }
  t->depth++;
  t->last_id[t->depth] = 0;
  return TRUE;
}

gboolean
clair_thrift_field (ClairThrift *t,
                    gint16      *id,
                    guint8      *type)
{
  guint8 byte;
  guint delta;

  if (t->failed || t->p >= t->end)
    {
      clair_thrift_fail (t, _("the metadata ends in the middle of a structure"));
      if (t->depth > 0)
        t->depth--;
      return FALSE;
    }
  byte = *t->p++;
  if (byte == CLAIR_THRIFT_STOP)
    {
      if (t->depth > 0)
        t->depth--;
      return FALSE;
    }
  *type = byte & 0x0f;
  delta = byte >> 4;
  if (delta != 0)
    *id = (gint16) (t->last_id[t->depth] + delta);
  else
    {
      gint64 value = clair_thrift_int (t);

      if (value < G_MININT16 || value > G_MAXINT16)
        clair_thrift_fail (t, _("a field number in the metadata is out of range"));
      *id = (gint16) value;
    }
  if (*type > CLAIR_THRIFT_STRUCT || *type == CLAIR_THRIFT_STOP)
    {
      clair_thrift_fail (t, _("a field of unknown type in the metadata"));
      if (t->depth > 0)
        t->depth--;
      return FALSE;
    }
  t->last_id[t->depth] = *id;
  return !t->failed;
}

gint32
clair_thrift_i32 (ClairThrift *t,
                  guint8       type)
{
  gint64 value;

  /* An i64 where an i32 is due is read when its value fits: both are zigzag varints. */
  if (type != CLAIR_THRIFT_I8 && type != CLAIR_THRIFT_I16 && type != CLAIR_THRIFT_I32 &&
      type != CLAIR_THRIFT_I64)
    {
      clair_thrift_fail (t, _("a field of the metadata has the wrong type"));
      return 0;
    }
  if (type == CLAIR_THRIFT_I8)
    {
      if (t->p >= t->end)
        {
          clair_thrift_fail (t, _("the metadata ends in the middle of a number"));
          return 0;
        }
      return (gint8) *t->p++;
    }
  value = clair_thrift_int (t);
  if (value < G_MININT32 || value > G_MAXINT32)
    {
      clair_thrift_fail (t, _("a number in the metadata is out of range"));
      return 0;
    }
  return (gint32) value;
}

gint64
clair_thrift_i64 (ClairThrift *t,
                  guint8       type)
{
  if (type == CLAIR_THRIFT_I64)
    return clair_thrift_int (t);
  return clair_thrift_i32 (t, type);
}

gboolean
clair_thrift_bool (ClairThrift *t,
                   guint8       type)
{
  if (type != CLAIR_THRIFT_TRUE && type != CLAIR_THRIFT_FALSE)
    {
      clair_thrift_fail (t, _("a field of the metadata has the wrong type"));
      return FALSE;
    }
  return type == CLAIR_THRIFT_TRUE;
}

const guint8 *
clair_thrift_binary (ClairThrift *t,
                     guint8       type,
                     gsize       *len)
{
  guint64 n;
  const guint8 *start;

  *len = 0;
  if (type != CLAIR_THRIFT_BINARY)
    {
      clair_thrift_fail (t, _("a field of the metadata has the wrong type"));
      return NULL;
    }
  n = read_varint (t);
  if (t->failed)
    return NULL;
  if (n > (guint64) (t->end - t->p))
    {
      clair_thrift_fail (t, _("a string in the metadata is longer than what is left of it"));
      return NULL;
    }
  start = t->p;
  t->p += n;
  *len = n;
  return start;
}

gboolean
clair_thrift_list (ClairThrift *t,
                   guint8       type,
                   guint8      *elem_type,
                   guint32     *n)
{
  guint8 byte;
  guint64 size;

  *n = 0;
  *elem_type = 0;
  if (type != CLAIR_THRIFT_LIST && type != CLAIR_THRIFT_SET)
    {
      clair_thrift_fail (t, _("a field of the metadata has the wrong type"));
      return FALSE;
    }
  if (t->p >= t->end)
    {
      clair_thrift_fail (t, _("the metadata ends in the middle of a list"));
      return FALSE;
    }
  byte = *t->p++;
  size = byte >> 4;
  *elem_type = byte & 0x0f;
  if (size == 15)
    size = read_varint (t);
  /* Every element takes at least one byte. */
  if (t->failed || size > (guint64) (t->end - t->p) || *elem_type == CLAIR_THRIFT_STOP ||
      *elem_type > CLAIR_THRIFT_STRUCT)
    {
      clair_thrift_fail (t, _("a list in the metadata is longer than what is left of it"));
      return FALSE;
    }
  *n = (guint32) size;
  return TRUE;
}

void
clair_thrift_skip (ClairThrift *t,
                   guint8       type)
{
  gsize len;
  guint8 elem_type;
  guint32 n;

  switch (type)
    {
    case CLAIR_THRIFT_TRUE:
    case CLAIR_THRIFT_FALSE:
      break;
    case CLAIR_THRIFT_I8:
      if (t->p < t->end)
        t->p++;
      else
        clair_thrift_fail (t, _("the metadata ends in the middle of a number"));
      break;
    case CLAIR_THRIFT_I16:
    case CLAIR_THRIFT_I32:
    case CLAIR_THRIFT_I64:
      read_varint (t);
      break;
    case CLAIR_THRIFT_DOUBLE:
      if (t->end - t->p >= 8)
        t->p += 8;
      else
        clair_thrift_fail (t, _("the metadata ends in the middle of a number"));
      break;
    case CLAIR_THRIFT_BINARY:
      clair_thrift_binary (t, type, &len);
      break;
    case CLAIR_THRIFT_LIST:
    case CLAIR_THRIFT_SET:
      if (!clair_thrift_list (t, type, &elem_type, &n) || !clair_thrift_struct_begin (t))
        break;
      /* The depth counts lists too, so that lists of lists cannot recurse without bound. */
      for (guint32 i = 0; i < n && !t->failed; i++)
        {
          /* Booleans in a list are one byte each, not folded into a type. */
          if (elem_type == CLAIR_THRIFT_TRUE || elem_type == CLAIR_THRIFT_FALSE)
            clair_thrift_skip (t, CLAIR_THRIFT_I8);
          else
            clair_thrift_skip (t, elem_type);
        }
      if (t->depth > 0)
        t->depth--;
      break;
    case CLAIR_THRIFT_MAP:
      {
        guint64 size = read_varint (t);
        guint8 types = 0;

        if (size == 0 || t->failed)
          break;
        if (t->p >= t->end || size > (guint64) (t->end - t->p))
          {
            clair_thrift_fail (t, _("a map in the metadata is longer than what is left of it"));
            break;
          }
        types = *t->p++;
        if (!clair_thrift_struct_begin (t))
          break;
        for (guint64 i = 0; i < size && !t->failed; i++)
          {
            guint8 key_type = types >> 4;
            guint8 value_type = types & 0x0f;

            if (key_type == CLAIR_THRIFT_TRUE || key_type == CLAIR_THRIFT_FALSE)
              key_type = CLAIR_THRIFT_I8;
            if (value_type == CLAIR_THRIFT_TRUE || value_type == CLAIR_THRIFT_FALSE)
              value_type = CLAIR_THRIFT_I8;
            if (key_type == CLAIR_THRIFT_STOP || value_type == CLAIR_THRIFT_STOP)
              clair_thrift_fail (t, _("a map in the metadata has elements of unknown type"));
            clair_thrift_skip (t, key_type);
            clair_thrift_skip (t, value_type);
          }
        if (t->depth > 0)
          t->depth--;
      }
      break;
    case CLAIR_THRIFT_STRUCT:
      {
        gint16 id;
        guint8 field_type;

        if (!clair_thrift_struct_begin (t))
          break;
        while (clair_thrift_field (t, &id, &field_type))
          clair_thrift_skip (t, field_type);
      }
      break;
    default:
      clair_thrift_fail (t, _("a field of unknown type in the metadata"));
      break;
    }
}
