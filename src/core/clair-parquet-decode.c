/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-parquet"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "clair-i18n.h"
#include "clair-parquet-private.h"

/* Parquet's value encodings and compression codecs. Every decoder is handed exact bounds and the
 * number of values wanted, checks each read against them, and reports what is wrong in @problem. */

const char *
_pq_encoding_name (int encoding)
{
  switch (encoding)
    {
    case PQ_PLAIN: return "PLAIN";
    case PQ_PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case PQ_RLE: return "RLE";
    case PQ_BIT_PACKED: return "BIT_PACKED";
    case PQ_DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case PQ_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case PQ_DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case PQ_RLE_DICTIONARY: return "RLE_DICTIONARY";
    case PQ_BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
    default: return "unknown";
    }
}

const char *
_pq_codec_name (int codec)
{
  switch (codec)
    {
    case PQ_UNCOMPRESSED: return "UNCOMPRESSED";
    case PQ_SNAPPY: return "SNAPPY";
    case PQ_GZIP: return "GZIP";
    case PQ_LZO: return "LZO";
    case PQ_BROTLI: return "BROTLI";
    case PQ_LZ4: return "LZ4";
    case PQ_ZSTD: return "ZSTD";
    case PQ_LZ4_RAW: return "LZ4_RAW";
    default: return "unknown";
    }
}

static gboolean
fail (char       **problem,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (char       **problem,
      const char  *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_free (*problem);
  *problem = g_strdup_vprintf (format, args);
  va_end (args);
  return FALSE;
}

/* Compression */

static gboolean
inflate_gzip (const guint8 *src,
              gsize         src_len,
              guint8       *out,
              gsize         size,
              char        **problem)
{
  z_stream zs;
  int ret;

  /* Both sizes are under PQ_MAX_PAGE, which fits a uInt. */
  memset (&zs, 0, sizeof zs);
  /* 32 + MAX_WBITS: a gzip or a zlib header, detected. */
  if (inflateInit2 (&zs, 32 + MAX_WBITS) != Z_OK)
    return fail (problem, _("could not start the GZIP decoder"));
  zs.next_in = (Bytef *) src;
  zs.avail_in = (uInt) src_len;
  zs.next_out = out;
  zs.avail_out = (uInt) size;
  for (;;)
    {
      /* Z_OK means progress was made; no progress (a full buffer) is Z_BUF_ERROR. */
      ret = inflate (&zs, Z_NO_FLUSH);
      if (ret == Z_STREAM_END)
        {
          /* Writers may put several gzip members in one page. */
          if (zs.avail_in == 0 || inflateReset (&zs) != Z_OK)
            break;
          continue;
        }
      if (ret != Z_OK)
        break;
    }
  inflateEnd (&zs);
  if (ret != Z_STREAM_END || zs.avail_out != 0)
    return fail (problem, _("the GZIP data is corrupt or does not hold the %zu bytes the page header declares"), size);
  return TRUE;
}

/* Brotli and ZSTD frames without a content size can expand without a known bound: their output
 * buffer starts small and doubles as real output arrives, up to the declared size, so a page
 * lying about its size costs what it really holds, not what it claims. */
static gsize
first_capacity (gsize src_len,
                gsize size)
{
  gsize guess = src_len > G_MAXSIZE / 8 ? G_MAXSIZE : MAX (src_len * 8, 64 * 1024);

  return MIN (guess, size);
}

static gboolean
decompress_brotli (const guint8  *src,
                   gsize          src_len,
                   gsize          size,
                   guint8       **out,
                   char         **problem)
{
  BrotliDecoderState *state = BrotliDecoderCreateInstance (NULL, NULL, NULL);
  const guint8 *next_in = src;
  gsize avail_in = src_len;
  gsize capacity = first_capacity (src_len, size);
  g_autofree guint8 *buffer = g_malloc (MAX (capacity, 1));
  gsize done = 0;
  BrotliDecoderResult result;

  if (state == NULL)
    return fail (problem, _("could not start the BROTLI decoder"));
  for (;;)
    {
      guint8 *next_out = buffer + done;
      gsize avail_out = capacity - done;

      result = BrotliDecoderDecompressStream (state, &avail_in, &next_in, &avail_out, &next_out,
                                              NULL);
      done = next_out - buffer;
      if (result != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT || capacity == size)
        break;
      capacity = MIN (capacity * 2, size);
      buffer = g_realloc (buffer, capacity);
    }
  BrotliDecoderDestroyInstance (state);
  if (result != BROTLI_DECODER_RESULT_SUCCESS || done != size)
    return fail (problem, _("the BROTLI data is corrupt or does not hold the %zu bytes the page header declares"), size);
  *out = g_steal_pointer (&buffer);
  return TRUE;
}

static gboolean
decompress_zstd (const guint8  *src,
                 gsize          src_len,
                 gsize          size,
                 guint8       **out,
                 char         **problem)
{
  ZSTD_DCtx *dctx = ZSTD_createDCtx ();
  gsize capacity = first_capacity (src_len, size);
  g_autofree guint8 *buffer = g_malloc (MAX (capacity, 1));
  ZSTD_inBuffer in = { src, src_len, 0 };
  ZSTD_outBuffer output = { buffer, capacity, 0 };
  gsize ret = 1;

  if (dctx == NULL)
    return fail (problem, _("could not start the ZSTD decoder"));
  for (;;)
    {
      gsize before_in = in.pos;
      gsize before_out = output.pos;

      ret = ZSTD_decompressStream (dctx, &output, &in);
      if (ZSTD_isError (ret))
        break;
      if (ret == 0 && in.pos == in.size)
        break;
      if (output.pos == output.size)
        {
          /* Full: grow, unless the declared size is reached (then it lied). */
          if (capacity == size)
            {
              ret = 1;
              break;
            }
          capacity = MIN (capacity * 2, size);
          buffer = g_realloc (buffer, capacity);
          output.dst = buffer;
          output.size = capacity;
          continue;
        }
      if (in.pos == before_in && output.pos == before_out)
        {
          ret = 1;
          break;
        }
    }
  ZSTD_freeDCtx (dctx);
  if (ZSTD_isError (ret) || ret != 0 || output.pos != size)
    return fail (problem, _("the ZSTD data is corrupt or does not hold the %zu bytes the page header declares"), size);
  *out = g_steal_pointer (&buffer);
  return TRUE;
}

/* The LZ4 codec of old writers (Hadoop's framing): blocks each after their uncompressed and
 * compressed sizes (4 bytes, big-endian). Some writers used no framing: then the page is one raw
 * block, as arrow does it. */
static gboolean
decompress_lz4_hadoop (const guint8 *src,
                       gsize         src_len,
                       guint8       *out,
                       gsize         size)
{
  gsize done = 0;

  while (src_len >= 8)
    {
      guint32 raw;
      guint32 packed;

      memcpy (&raw, src, 4);
      memcpy (&packed, src + 4, 4);
      raw = GUINT32_FROM_BE (raw);
      packed = GUINT32_FROM_BE (packed);

      src += 8;
      src_len -= 8;
      if (packed > src_len || raw > size - done || packed > G_MAXINT || raw > G_MAXINT ||
          LZ4_decompress_safe ((const char *) src, (char *) out + done, (int) packed, (int) raw) !=
          (int) raw)
        return FALSE;
      src += packed;
      src_len -= packed;
      done += raw;
    }
  return src_len == 0 && done == size;
}

gboolean
_pq_decompress (int            codec,
                const guint8  *src,
                gsize          src_len,
                gsize          size,
                guint8       **out,
                char         **problem)
{
  g_autofree guint8 *buffer = NULL;
  gboolean ok = FALSE;

  *out = NULL;
  if (size > PQ_MAX_PAGE)
    return fail (problem, _("a page declares %zu bytes, over the %u MB a page "
                 "may hold"), size, PQ_MAX_PAGE >> 20);

  switch (codec)
    {
    case PQ_SNAPPY:
      {
        size_t length = 0;

        /* Snappy says how long its output is: a lie in the page header shows before allocating. */
        if (snappy_uncompressed_length ((const char *) src, src_len, &length) != SNAPPY_OK ||
            length != size)
          return fail (problem, _("the SNAPPY data is corrupt or does not hold the %zu bytes the page header declares"), size);
        buffer = g_malloc (MAX (size, 1));
        ok = snappy_uncompress ((const char *) src, src_len, (char *) buffer, &length) == SNAPPY_OK &&
             length == size;
        if (!ok)
          return fail (problem, _("the SNAPPY data is corrupt"));
      }
      break;
    case PQ_GZIP:
      /* Deflate cannot expand more than 1032:1. */
      if (size / 1032 > src_len + 64)
        return fail (problem, _("a GZIP page declares %zu bytes, more than its %zu compressed bytes can hold"), size, src_len);
      buffer = g_malloc (MAX (size, 1));
      ok = inflate_gzip (src, src_len, buffer, size, problem);
      break;
    case PQ_ZSTD:
      {
        unsigned long long content = ZSTD_getFrameContentSize (src, src_len);

        if (content == ZSTD_CONTENTSIZE_ERROR ||
            (content != ZSTD_CONTENTSIZE_UNKNOWN && content != size))
          return fail (problem, _("the ZSTD data is corrupt or does not hold the %zu bytes the page header declares"), size);
        ok = decompress_zstd (src, src_len, size, &buffer, problem);
      }
      break;
    case PQ_LZ4_RAW:
      /* An LZ4 block cannot expand more than 255:1. */
      if (size / 255 > src_len + 16 || size > (gsize) G_MAXINT || src_len > (gsize) G_MAXINT)
        return fail (problem, _("an LZ4_RAW page declares %zu bytes, more than its %zu compressed bytes can hold"), size, src_len);
      buffer = g_malloc (MAX (size, 1));
      ok = LZ4_decompress_safe ((const char *) src, (char *) buffer, (int) src_len, (int) size) ==
           (int) size;
      if (!ok)
        return fail (problem, _("the LZ4_RAW data is corrupt or does not hold the %zu bytes the page header declares"), size);
      break;
    case PQ_BROTLI:
      ok = decompress_brotli (src, src_len, size, &buffer, problem);
      break;
    case PQ_LZ4:
      if (size / 255 > src_len + 16 || size > (gsize) G_MAXINT || src_len > (gsize) G_MAXINT)
        return fail (problem, _("an LZ4 page declares %zu bytes, more than its %zu compressed bytes can hold"), size, src_len);
      buffer = g_malloc (MAX (size, 1));
      ok = decompress_lz4_hadoop (src, src_len, buffer, size) ||
           LZ4_decompress_safe ((const char *) src, (char *) buffer, (int) src_len, (int) size) ==
           (int) size;
      if (!ok)
        return fail (problem, _("the LZ4 data is corrupt or does not hold the %zu bytes the page header declares"), size);
      break;
    default:
      return fail (problem, _("the compression codec %s (%d) is not supported; write the file "
                   "with SNAPPY, GZIP, ZSTD, LZ4, LZ4_RAW, BROTLI or no compression"),
                   _pq_codec_name (codec), codec);
    }
  if (!ok)
    return FALSE;
  *out = g_steal_pointer (&buffer);
  return TRUE;
}

/* Bits and varints */

static gboolean
read_uleb (const guint8 **p,
           const guint8  *end,
           guint64       *value)
{
  *value = 0;
  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 byte;

      if (*p >= end)
        return FALSE;
      byte = *(*p)++;
      *value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
read_zigzag (const guint8 **p,
             const guint8  *end,
             gint64        *value)
{
  guint64 zigzag;

  if (!read_uleb (p, end, &zigzag))
    return FALSE;
  *value = (gint64) (zigzag >> 1) ^ -(gint64) (zigzag & 1);
  return TRUE;
}

/* Value @i of bit-packed, LSB-first data of @bit_width (≤ 64) bits; the caller checked the bounds. */
static guint64
unpack (const guint8 *p,
        guint64       i,
        guint         bit_width)
{
  guint64 bit = i * bit_width;
  const guint8 *q = p + (bit >> 3);
  guint shift = bit & 7;
  guint64 value = 0;
  guint n_bytes = (shift + bit_width + 7) / 8;
  guint64 mask = bit_width == 64 ? G_MAXUINT64 : (((guint64) 1 << bit_width) - 1);

  /* Up to 9 bytes for 64 bits at an odd offset: the ninth adds the top bits. */
  for (guint k = 0; k < n_bytes && k < 8; k++)
    value |= (guint64) q[k] << (8 * k);
  value >>= shift;
  if (n_bytes == 9)
    value |= (guint64) q[8] << (64 - shift);
  return value & mask;
}

static inline void
store (guint32 *out,
       guint8  *out8,
       guint    i,
       guint32  value)
{
  if (out8 != NULL)
    out8[i] = (guint8) value;
  else
    out[i] = value;
}

gboolean
_pq_decode_hybrid (const guint8  *p,
                   gsize          len,
                   guint          bit_width,
                   guint32       *out,
                   guint8        *out8,
                   guint          n,
                   char         **problem)
{
  const guint8 *end = p + len;
  guint done = 0;
  guint value_bytes = (bit_width + 7) / 8;

  if (bit_width > (out8 != NULL ? 8u : 32u))
    return fail (problem, _("a bit width of %u, over %u"), bit_width, out8 != NULL ? 8u : 32u);
  while (done < n)
    {
      guint64 header;

      if (!read_uleb (&p, end, &header))
        return fail (problem, _("the RLE / bit-packed data ends after %u of %u values"), done, n);
      if (header & 1)
        {
          guint64 n_groups = header >> 1;
          guint64 n_values;
          guint64 n_bytes;

          if (n_groups == 0 || n_groups > len)
            return fail (problem, _("a bit-packed run of %" PRIu64 " groups"), n_groups);
          n_values = n_groups * 8;
          n_bytes = n_groups * bit_width;
          /* The last run may be cut short after the values needed. */
          if (n_bytes > (guint64) (end - p))
            {
              guint64 needed = MIN (n_values, (guint64) (n - done));

              if ((needed * bit_width + 7) / 8 > (guint64) (end - p))
                return fail (problem, _("a bit-packed run goes past the end of its data"));
              n_bytes = end - p;
            }
          for (guint64 i = 0; i < n_values && done < n; i++)
            {
              if (bit_width == 0)
                store (out, out8, done++, 0);
              else
                {
                  /* unpack() reads whole bytes; the last value may sit in a partial one. */
                  guint64 last_byte = ((i + 1) * bit_width + 7) / 8;
                  guint64 value = 0;

                  if (last_byte > n_bytes)
                    return fail (problem, _("a bit-packed run goes past the end of its data"));
                  if ((i * bit_width) / 8 + (bit_width + 7) / 8 + 1 <= n_bytes)
                    value = unpack (p, i, bit_width);
                  else
                    for (guint b = 0; b < bit_width; b++)
                      {
                        guint64 bit = i * bit_width + b;

                        value |= (guint64) ((p[bit >> 3] >> (bit & 7)) & 1) << b;
                      }
                  store (out, out8, done++, (guint32) value);
                }
            }
          p += n_bytes;
        }
      else
        {
          guint64 run = header >> 1;
          guint32 value = 0;

          if ((gsize) (end - p) < value_bytes)
            return fail (problem, _("an RLE run goes past the end of its data"));
          for (guint k = 0; k < value_bytes; k++)
            value |= (guint32) p[k] << (8 * k);
          p += value_bytes;
          if (run == 0)
            return fail (problem, _("an RLE run of no values"));
          if (bit_width < 32 && (value >> bit_width) != 0)
            return fail (problem, _("an RLE value wider than its bit width"));
          for (guint64 i = 0; i < run && done < n; i++)
            store (out, out8, done++, value);
        }
    }
  return TRUE;
}

/* DELTA_BINARY_PACKED: decodes @n integers; @p is left after the last miniblock used. */
static gboolean
decode_delta (const guint8 **pp,
              const guint8  *end,
              gint64        *out,
              guint          n,
              char         **problem)
{
  const guint8 *p = *pp;
  guint64 block_size;
  guint64 n_miniblocks;
  guint64 total;
  gint64 first;
  guint64 per_miniblock;
  guint64 last;
  guint done = 0;

  if (!read_uleb (&p, end, &block_size) || !read_uleb (&p, end, &n_miniblocks) ||
      !read_uleb (&p, end, &total) || !read_zigzag (&p, end, &first))
    return fail (problem, _("the DELTA_BINARY_PACKED header is cut short"));
  if (block_size == 0 || block_size % 128 != 0 || n_miniblocks == 0 ||
      block_size % n_miniblocks != 0 || (block_size / n_miniblocks) % 32 != 0 ||
      block_size > 1u << 20)
    return fail (problem, _("the DELTA_BINARY_PACKED header has blocks of %" PRIu64
                 " values in %" PRIu64 " miniblocks"), block_size, n_miniblocks);
  if (total < n)
    return fail (problem, _("DELTA_BINARY_PACKED data holds %" PRIu64 " values where %u "
                 "are needed"), total, n);
  per_miniblock = block_size / n_miniblocks;
  last = (guint64) first;
  if (n > 0)
    out[done++] = first;
  /* Count the values still in the stream, not only those wanted, so that @pp ends past them. */
  if (total > 0)
    total--;
  while (total > 0)
    {
      gint64 min_delta;
      const guint8 *widths;

      if (!read_zigzag (&p, end, &min_delta) || (guint64) (end - p) < n_miniblocks)
        return fail (problem, _("a DELTA_BINARY_PACKED block is cut short"));
      widths = p;
      p += n_miniblocks;
      for (guint64 m = 0; m < n_miniblocks && total > 0; m++)
        {
          guint width = widths[m];
          guint64 n_bytes = per_miniblock * width / 8;
          guint64 count = MIN (per_miniblock, total);

          if (width > 64)
            return fail (problem, _("a DELTA_BINARY_PACKED miniblock %u bits wide"), width);
          if (n_bytes > (guint64) (end - p))
            {
              /* Writers may leave the padding of the last miniblock out. */
              if ((count * width + 7) / 8 > (guint64) (end - p))
                return fail (problem, _("a DELTA_BINARY_PACKED miniblock goes past the end of its data"));
              n_bytes = end - p;
            }
          for (guint64 i = 0; i < count; i++)
            {
              guint64 delta = 0;

              if (width > 0)
                {
                  if ((i * width) / 8 + (width + 7) / 8 + 1 <= n_bytes)
                    delta = unpack (p, i, width);
                  else
                    for (guint b = 0; b < width; b++)
                      {
                        guint64 bit = i * width + b;

                        delta |= (guint64) ((p[bit >> 3] >> (bit & 7)) & 1) << b;
                      }
                }
              /* Wrapping arithmetic, as the encoding specifies. */
              last = last + (guint64) min_delta + delta;
              if (done < n)
                out[done++] = (gint64) last;
            }
          total -= count;
          p += n_bytes;
        }
    }
  *pp = p;
  return TRUE;
}

static gboolean
decode_lengths (const guint8 **p,
                const guint8  *end,
                guint          n,
                gint64       **lengths,
                char         **problem)
{
  *lengths = g_new (gint64, MAX (n, 1));
  if (!decode_delta (p, end, *lengths, n, problem))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if ((*lengths)[i] < 0 || (*lengths)[i] > G_MAXINT32)
      return fail (problem, _("a byte array of length %" PRId64), (*lengths)[i]);
  return TRUE;
}

static gboolean
decode_plain (int           type,
              int           type_length,
              const guint8 *p,
              gsize         len,
              PqValue      *out,
              guint         n,
              char        **problem)
{
  const guint8 *end = p + len;
  gsize width = 0;

  switch (type)
    {
    case PQ_BOOLEAN:
      if (((gsize) n + 7) / 8 > len)
        return fail (problem, _("PLAIN data holds fewer than the %u booleans wanted"), n);
      for (guint i = 0; i < n; i++)
        out[i].i = (p[i >> 3] >> (i & 7)) & 1;
      return TRUE;
    case PQ_BYTE_ARRAY:
      for (guint i = 0; i < n; i++)
        {
          guint32 l;

          if (end - p < 4)
            return fail (problem, _("PLAIN data ends after %u of %u values"), i, n);
          l = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
          p += 4;
          if (l > (gsize) (end - p))
            return fail (problem, _("a PLAIN byte array of %u bytes goes past the end of its page"), l);
          out[i].s = (const char *) p;
          out[i].len = l;
          p += l;
        }
      return TRUE;
    case PQ_FIXED_LEN_BYTE_ARRAY:
      width = type_length;
      break;
    case PQ_INT32:
    case PQ_FLOAT:
      width = 4;
      break;
    case PQ_INT64:
    case PQ_DOUBLE:
      width = 8;
      break;
    case PQ_INT96:
      width = 12;
      break;
    default:
      return fail (problem, _("unknown physical type %d"), type);
    }
  if (width == 0 ? FALSE : (gsize) n > len / width)
    return fail (problem, _("PLAIN data holds fewer than the %u values wanted"), n);
  for (guint i = 0; i < n; i++, p += width)
    {
      switch (type)
        {
        case PQ_INT32:
          {
            guint32 u;
            memcpy (&u, p, 4);
            out[i].i = (gint32) GUINT32_FROM_LE (u);
          }
          break;
        case PQ_FLOAT:
          {
            float f;
            memcpy (&f, p, 4);
            out[i].d = f;
          }
          break;
        case PQ_INT64:
          {
            guint64 u;
            memcpy (&u, p, 8);
            out[i].i = (gint64) GUINT64_FROM_LE (u);
          }
          break;
        case PQ_DOUBLE:
          memcpy (&out[i].d, p, 8);
          break;
        default:
          out[i].s = (const char *) p;
          out[i].len = (guint32) width;
          break;
        }
    }
  return TRUE;
}

static gboolean
decode_byte_stream_split (int           type,
                          int           type_length,
                          const guint8 *p,
                          gsize         len,
                          PqValue      *out,
                          guint         n,
                          guint8      **arena,
                          char        **problem)
{
  gsize width;
  gsize stride;
  guint8 bytes[8];

  switch (type)
    {
    case PQ_INT32:
    case PQ_FLOAT:
      width = 4;
      break;
    case PQ_INT64:
    case PQ_DOUBLE:
      width = 8;
      break;
    case PQ_FIXED_LEN_BYTE_ARRAY:
      width = type_length;
      break;
    default:
      return fail (problem, _("BYTE_STREAM_SPLIT cannot encode this type"));
    }
  if (width == 0 || len % width != 0 || len / width < n)
    return fail (problem, _("BYTE_STREAM_SPLIT data of %zu bytes for %u values"),
                 len, n);
  stride = len / width;
  if (type == PQ_FIXED_LEN_BYTE_ARRAY)
    {
      *arena = g_malloc (MAX ((gsize) n * width, 1));
      for (guint i = 0; i < n; i++)
        {
          for (gsize k = 0; k < width; k++)
            (*arena)[i * width + k] = p[k * stride + i];
          out[i].s = (const char *) *arena + i * width;
          out[i].len = (guint32) width;
        }
      return TRUE;
    }
  for (guint i = 0; i < n; i++)
    {
      for (gsize k = 0; k < width; k++)
        bytes[k] = p[k * stride + i];
      if (!decode_plain (type, type_length, bytes, width, &out[i], 1, problem))
        return FALSE;
    }
  return TRUE;
}

gboolean
_pq_decode_values (int            type,
                   int            type_length,
                   int            encoding,
                   const guint8  *p,
                   gsize          len,
                   PqValue       *out,
                   guint          n,
                   guint8       **arena,
                   char         **problem)
{
  const guint8 *end = p + len;
  g_autofree gint64 *lengths = NULL;
  g_autofree gint64 *prefixes = NULL;

  switch (encoding)
    {
    case PQ_PLAIN:
      return decode_plain (type, type_length, p, len, out, n, problem);

    case PQ_RLE:
      {
        g_autofree guint32 *bits = NULL;
        guint32 data_len;

        /* Booleans only: a 4-byte length, then the hybrid with one bit per value. */
        if (type != PQ_BOOLEAN || len < 4)
          return fail (problem, _("RLE values that are not booleans"));
        data_len = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
        if (data_len > len - 4)
          return fail (problem, _("RLE booleans longer than their page"));
        bits = g_new (guint32, MAX (n, 1));
        if (!_pq_decode_hybrid (p + 4, data_len, 1, bits, NULL, n, problem))
          return FALSE;
        for (guint i = 0; i < n; i++)
          out[i].i = bits[i];
        return TRUE;
      }

    case PQ_DELTA_BINARY_PACKED:
      {
        g_autofree gint64 *ints = NULL;

        if (type != PQ_INT32 && type != PQ_INT64)
          return fail (problem, _("DELTA_BINARY_PACKED values that are not integers"));
        ints = g_new (gint64, MAX (n, 1));
        if (!decode_delta (&p, end, ints, n, problem))
          return FALSE;
        for (guint i = 0; i < n; i++)
          out[i].i = type == PQ_INT32 ? (gint32) ints[i] : ints[i];
        return TRUE;
      }

    case PQ_DELTA_LENGTH_BYTE_ARRAY:
      if (type != PQ_BYTE_ARRAY)
        return fail (problem, _("DELTA_LENGTH_BYTE_ARRAY values that are not byte arrays"));
      if (!decode_lengths (&p, end, n, &lengths, problem))
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          if ((guint64) lengths[i] > (guint64) (end - p))
            return fail (problem, _("a DELTA_LENGTH_BYTE_ARRAY value goes past the end of its page"));
          out[i].s = (const char *) p;
          out[i].len = (guint32) lengths[i];
          p += lengths[i];
        }
      return TRUE;

    case PQ_DELTA_BYTE_ARRAY:
      {
        guint64 total = 0;
        guint8 *q;
        const guint8 *suffixes;
        guint32 previous_len = 0;
        const guint8 *previous = NULL;

        if (type != PQ_BYTE_ARRAY && type != PQ_FIXED_LEN_BYTE_ARRAY)
          return fail (problem, _("DELTA_BYTE_ARRAY values that are not byte arrays"));
        if (!decode_lengths (&p, end, n, &prefixes, problem) ||
            !decode_lengths (&p, end, n, &lengths, problem))
          return FALSE;
        suffixes = p;
        for (guint i = 0; i < n; i++)
          {
            if ((guint64) lengths[i] > (guint64) (end - p))
              return fail (problem, _("a DELTA_BYTE_ARRAY suffix goes past the end of its page"));
            p += lengths[i];
            total += prefixes[i] + lengths[i];
            if (total > PQ_MAX_PAGE)
              return fail (problem, _("DELTA_BYTE_ARRAY values add up to more than %u MB"),
                           PQ_MAX_PAGE >> 20);
          }
        *arena = q = g_malloc (MAX (total, 1));
        p = suffixes;
        for (guint i = 0; i < n; i++)
          {
            if ((guint64) prefixes[i] > previous_len)
              return fail (problem, _("a DELTA_BYTE_ARRAY prefix longer than the value before it"));
            if (prefixes[i] > 0)
              memmove (q, previous, prefixes[i]);
            memcpy (q + prefixes[i], p, lengths[i]);
            p += lengths[i];
            out[i].s = (const char *) q;
            out[i].len = (guint32) (prefixes[i] + lengths[i]);
            previous = q;
            previous_len = out[i].len;
            q += out[i].len;
          }
        return TRUE;
      }

    case PQ_BYTE_STREAM_SPLIT:
      return decode_byte_stream_split (type, type_length, p, len, out, n, arena, problem);

    default:
      return fail (problem, _("the encoding %s (%d) is not supported"), _pq_encoding_name (encoding),
                   encoding);
    }
}
