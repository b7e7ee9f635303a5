/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parquet's numbered enums (parquet.thrift), the decoders of its encodings and compression codecs.
 * Shared by clair-parquet.c (metadata, pages, records) and clair-parquet-decode.c. */

enum
{
  PQ_BOOLEAN = 0,
  PQ_INT32 = 1,
  PQ_INT64 = 2,
  PQ_INT96 = 3,
  PQ_FLOAT = 4,
  PQ_DOUBLE = 5,
  PQ_BYTE_ARRAY = 6,
  PQ_FIXED_LEN_BYTE_ARRAY = 7,
};

enum
{
  PQ_PLAIN = 0,
  PQ_PLAIN_DICTIONARY = 2,
  PQ_RLE = 3,
  PQ_BIT_PACKED = 4,
  PQ_DELTA_BINARY_PACKED = 5,
  PQ_DELTA_LENGTH_BYTE_ARRAY = 6,
  PQ_DELTA_BYTE_ARRAY = 7,
  PQ_RLE_DICTIONARY = 8,
  PQ_BYTE_STREAM_SPLIT = 9,
};

enum
{
  PQ_UNCOMPRESSED = 0,
  PQ_SNAPPY = 1,
  PQ_GZIP = 2,
  PQ_LZO = 3,
  PQ_BROTLI = 4,
  PQ_LZ4 = 5,
  PQ_ZSTD = 6,
  PQ_LZ4_RAW = 7,
};

/* The largest page (compressed or not) and dictionary the reader accepts: a page declaring more
 * is refused before anything is allocated for it. Writers cut pages at about 1 MB. */
#define PQ_MAX_PAGE (256u * 1024u * 1024u)

/* One decoded value. Byte arrays point into a page, a dictionary or a decoder's buffer. */
typedef struct
{
  union
  {
    gint64      i;
    double      d;
    const char *s;
  };
  guint32 len;
} PqValue;

typedef struct
{
  const guint8 *p;
  gsize         len;
} PqBytes;

typedef enum
{
  PQ_UNIT_NONE = 0,
  PQ_UNIT_MILLIS = 1,
  PQ_UNIT_MICROS = 2,
  PQ_UNIT_NANOS = 3,
} PqTimeUnit;

/* clair-parquet-logical.c: dates, times, timestamps and decimals as JSON. */
void     _pq_append_date          (GString      *out,
                                   gint64        days);
void     _pq_append_time          (GString      *out,
                                   gint64        value,
                                   PqTimeUnit    unit);
void     _pq_append_timestamp     (GString      *out,
                                   gint64        value,
                                   PqTimeUnit    unit,
                                   gboolean      utc);
void     _pq_append_int96         (GString      *out,
                                   const guint8 *p);
void     _pq_append_decimal_int   (GString      *out,
                                   gint64        unscaled,
                                   int           scale);
gboolean _pq_append_decimal_bytes (GString      *out,
                                   const guint8 *be,
                                   gsize         len,
                                   int           scale);

const char *_pq_encoding_name (int encoding);
const char *_pq_codec_name    (int codec);

/* Decompresses @src into a new buffer of exactly @size bytes. Fails (with a message in @problem) on
 * corrupt input or when the output would not be exactly @size bytes; output is never allowed to grow
 * past @size, so a decompression bomb costs no more than the declared size, itself capped. */
gboolean _pq_decompress (int            codec,
                         const guint8  *src,
                         gsize          src_len,
                         gsize          size,
                         guint8       **out,
                         char         **problem);

/* The RLE / bit-packed hybrid: exactly @n values of @bit_width bits into @out, or into @out8 (then
 * @bit_width must be at most 8). */
gboolean _pq_decode_hybrid (const guint8  *p,
                            gsize          len,
                            guint          bit_width,
                            guint32       *out,
                            guint8        *out8,
                            guint          n,
                            char         **problem);

/* Decodes @n values of physical @type and @encoding (not the dictionary ones). Byte arrays may be
 * built in @arena (DELTA_BYTE_ARRAY), which must outlive the values. */
gboolean _pq_decode_values (int            type,
                            int            type_length,
                            int            encoding,
                            const guint8  *p,
                            gsize          len,
                            PqValue       *out,
                            guint          n,
                            guint8       **arena,
                            char         **problem);

/* Whether @text is valid UTF-8 (fast on ASCII). */

G_END_DECLS
