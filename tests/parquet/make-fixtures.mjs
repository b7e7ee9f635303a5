// SPDX-License-Identifier: GPL-3.0-or-later
//
// Writes the Parquet fixtures of tests/test-parquet.c with three independent writers, and beside
// each fixture the rows as that writer's own reader reads them back (FIXTURE.parquet.jsonl, one
// JSON object per row). Not run by the test suite; run it again after changing the rows:
//
//   cd tests/parquet && npm install && node make-fixtures.mjs
//
// Writers: DuckDB (@duckdb/node-api, C++), parquet-wasm (arrow-rs, Rust) and hyparquet-writer
// (JavaScript). Between them the fixtures cover every codec (UNCOMPRESSED, SNAPPY, GZIP, ZSTD,
// LZ4_RAW, BROTLI), every encoding the reader supports, dictionary fallback, data pages v1 and v2,
// several row groups and pages, nulls, empty strings, non-ASCII text and chat message lists.

import { writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import * as pw from 'parquet-wasm'
import * as arrow from 'apache-arrow'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { parquetReadObjects } from 'hyparquet'

const out = new URL('.', import.meta.url).pathname

// Deterministic rows: a small linear congruential generator, so the fixtures are reproducible.
let seed = 12345
function rand (n) {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
}

const words = ['the', 'answer', 'is', 'café', 'naïve', 'résumé', '日本語', 'テキスト', 'Ελληνικά',
  'emoji 🎉', 'quote "x"', 'back\\slash', 'tab\there', 'line\nbreak', 'ünïcödé', 'Ж', '한국어', 'x']

function sentenceOf (n) {
  const parts = []
  for (let i = 0; i < n; i++) parts.push(words[rand(words.length)])
  return parts.join(' ')
}

function makeRows (n, { repeats = false, short = false } = {}) {
  const sentence = short ? k => words[rand(words.length)] : sentenceOf
  const rows = []
  for (let i = 0; i < n; i++) {
    const prompt = i % 17 === 5 ? '' : (repeats && i % 3 !== 0 ? `prompt ${i % 4}` : `${i}: ${sentence(3 + rand(8))}`)
    const turns = []
    turns.push({ role: 'user', content: prompt })
    turns.push({ role: 'assistant', content: i % 23 === 7 ? '' : sentence(2 + rand(12)) })
    if (i % 4 === 1) {
      turns.push({ role: 'user', content: sentence(3) })
      turns.push({ role: 'assistant', content: `final ${i} ${sentence(4)}` })
    }
    const rejected = i % 11 === 3 ? null : (i % 13 === 4 ? [] : [
      { role: 'user', content: prompt },
      { role: 'assistant', content: i % 19 === 2 ? null : `rejected ${i} ${sentence(5)}` },
    ])
    rows.push({
      id: i,
      prompt: i % 29 === 9 ? null : prompt,
      chosen: turns,
      rejected,
      score: i % 7 === 0 ? null : (rand(100000) - 50000) / 64,
      rating: i % 5 === 0 ? null : rand(1000) / 8,
      ok: i % 9 === 0 ? null : rand(2) === 1,
      n: rand(2000000) - 1000000,
      big: BigInt(rand(1000000)) * 1000003n * 1000003n - 7n,
      tags: i % 6 === 0 ? null : Array.from({ length: rand(4) }, (_, k) => (k === 1 && i % 2 ? null : `t${rand(5)}`)),
      meta: i % 8 === 0 ? null : { source: i % 3 ? 'web' : 'книга', turn: rand(10) },
    })
  }
  return rows
}

// JSON for the read-backs: BigInt as numbers, typed arrays and Arrow vectors as arrays.
function normalise (v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return Number(v)
  if (Array.isArray(v)) return v.map(normalise)
  if (ArrayBuffer.isView(v)) return Array.from(v, normalise)
  if (typeof v === 'object') {
    if (typeof v.toArray === 'function' && typeof v.length === 'number' && !(v instanceof Map)) return Array.from(v.toArray(), normalise)
    if (typeof v.toJSON === 'function') return normalise(v.toJSON())
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = normalise(x)
    return o
  }
  return v
}

function writeReadBack (name, rows) {
  writeFileSync(`${out}/${name}.jsonl`, rows.map(r => JSON.stringify(normalise(r))).join('\n') + '\n')
}

// DuckDB

const duckTypes = `{id: 'BIGINT', prompt: 'VARCHAR', chosen: 'STRUCT(role VARCHAR, content VARCHAR)[]',
  rejected: 'STRUCT(role VARCHAR, content VARCHAR)[]', score: 'DOUBLE', rating: 'FLOAT', ok: 'BOOLEAN',
  n: 'INTEGER', big: 'BIGINT', tags: 'VARCHAR[]', meta: 'STRUCT(source VARCHAR, turn INTEGER)'}`

async function duckdb () {
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  const tmp = `${out}/.tmp`
  mkdirSync(tmp, { recursive: true })
  const tables = { small: makeRows(60), big: makeRows(4300, { repeats: true, short: true }) }
  for (const [t, rows] of Object.entries(tables)) {
    writeFileSync(`${tmp}/${t}.jsonl`, rows.map(r => JSON.stringify(r, (k, v) => typeof v === 'bigint' ? Number(v) : v)).join('\n'))
    await conn.run(`CREATE TABLE ${t} AS SELECT * FROM read_json('${tmp}/${t}.jsonl', format='newline_delimited', columns=${duckTypes})`)
  }
  const variants = [
    ['duckdb-uncompressed', 'small', "COMPRESSION 'uncompressed'"],
    ['duckdb-snappy', 'small', "COMPRESSION 'snappy'"],
    ['duckdb-gzip', 'small', "COMPRESSION 'gzip'"],
    ['duckdb-zstd-v2', 'small', "COMPRESSION 'zstd', PARQUET_VERSION 'V2'"],
    ['duckdb-lz4raw', 'small', "COMPRESSION 'lz4_raw'"],
    ['duckdb-brotli', 'small', "COMPRESSION 'brotli'"],
    // Several row groups, dictionary and plain pages, v2 pages with DuckDB's delta encodings.
    ['duckdb-groups-v2', '(SELECT id, prompt, chosen, score FROM big)', "COMPRESSION 'snappy', ROW_GROUP_SIZE 2048, PARQUET_VERSION 'V2'"],
  ]
  for (const [name, table, options] of variants) {
    const file = `${out}/${name}.parquet`
    await conn.run(`COPY ${table} TO '${file}' (FORMAT parquet, ${options})`)
    await conn.run(`COPY (SELECT * FROM read_parquet('${file}')) TO '${file}.jsonl' (FORMAT json)`)
  }
  rmSync(tmp, { recursive: true })
}

// Logical types: dates, times, timestamps (local and UTC-adjusted; ms, µs, ns) and decimals
// stored as INT32, INT64 and a 16-byte FIXED_LEN_BYTE_ARRAY. The read-back formats the dates and
// times as ISO 8601 with DuckDB's strftime, and the decimals as DuckDB's JSON writes them.
async function duckdbLogical () {
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  await conn.run(`CREATE TABLE logical AS SELECT
    i AS id,
    CASE WHEN i % 5 = 3 THEN NULL ELSE 'prompt ' || i END AS prompt,
    CASE WHEN i % 7 = 2 THEN NULL ELSE 'answer ' || i END AS chosen,
    CASE WHEN i % 6 = 1 THEN NULL ELSE DATE '1970-01-01' + (i * 9173 - 300000)::INTEGER END AS day,
    make_timestamp((i * 123456789012345 - 4000000000000000)::BIGINT) AS ts,
    make_timestamp((i * 123456789012347 - 4000000000000001)::BIGINT)::TIMESTAMPTZ AS tsz,
    make_timestamp((i * 123456789012345 - 4000000000000000)::BIGINT)::TIMESTAMP_MS AS ts_ms,
    make_timestamp((i * 123456789012345 - 4000000000000000)::BIGINT)::TIMESTAMP_NS AS ts_ns,
    make_timestamp((i * 123456789012345 - 4000000000000000)::BIGINT)::TIME AS t,
    ((i * 1234567 - 40000000) / 100)::DECIMAL(9,2) AS d9,
    ((i * 123456789012 - 4000000000000) / 10000)::DECIMAL(18,4) AS d18,
    CAST(CAST(i * 7919 - 250000 AS VARCHAR) || '123456789012345678.0123456789' AS DECIMAL(38,10)) AS d38
  FROM range(0, 64) t(i)`)
  const file = `${out}/duckdb-logical.parquet`
  await conn.run(`COPY logical TO '${file}' (FORMAT parquet, COMPRESSION 'snappy')`)
  await conn.run(`COPY (SELECT id, prompt, chosen,
      strftime(day, '%Y-%m-%d') AS day,
      strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') AS ts,
      strftime(tsz::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%fZ') AS tsz,
      strftime(ts_ms, '%Y-%m-%dT%H:%M:%S.%g') AS ts_ms,
      strftime(ts_ns, '%Y-%m-%dT%H:%M:%S.%n') AS ts_ns,
      strftime(DATE '2000-01-01' + t, '%H:%M:%S.%f') AS t,
      d9, d18, d38
    FROM read_parquet('${file}')) TO '${file}.jsonl' (FORMAT json)`)
}

// parquet-wasm (arrow-rs)

function makeTable (schema, data) {
  const columns = {}
  for (const f of schema.fields) columns[f.name] = arrow.vectorFromArray(data.map(r => r[f.name]), f.type)
  return new arrow.Table(columns)
}

function parquetWasm () {
  const E = pw.Encoding
  const C = pw.Compression
  const rows = makeRows(100, { repeats: true })
  const base = () => new pw.WriterPropertiesBuilder().setMaxRowGroupSize(40).setDataPageSizeLimit(1024).setWriteBatchSize(16)
  const variants = [
    ['arrow-uncompressed-v1', base().setCompression(C.UNCOMPRESSED)],
    ['arrow-snappy-v2', base().setCompression(C.SNAPPY).setWriterVersion(pw.WriterVersion.V2)],
    ['arrow-gzip', base().setCompression(C.GZIP)],
    ['arrow-zstd-v2', base().setCompression(C.ZSTD).setWriterVersion(pw.WriterVersion.V2)],
    ['arrow-lz4raw', base().setCompression(C.LZ4_RAW)],
    ['arrow-brotli', base().setCompression(C.BROTLI)],
    // A tiny dictionary limit: dictionary pages, then a fall back to the plain encoding mid-chunk.
    ['arrow-dict-fallback', base().setCompression(C.SNAPPY).setDictionaryPageSizeLimit(200)],
    ['arrow-delta', base().setCompression(C.ZSTD).setWriterVersion(pw.WriterVersion.V2).setDictionaryEnabled(false)
      .setColumnEncoding('prompt', E.DELTA_BYTE_ARRAY).setColumnEncoding('tags.list.item', E.DELTA_LENGTH_BYTE_ARRAY)
      .setColumnEncoding('chosen.list.item.content', E.DELTA_LENGTH_BYTE_ARRAY).setColumnEncoding('chosen.list.item.role', E.DELTA_BYTE_ARRAY)
      .setColumnEncoding('id', E.DELTA_BINARY_PACKED).setColumnEncoding('n', E.DELTA_BINARY_PACKED).setColumnEncoding('big', E.DELTA_BINARY_PACKED)
      .setColumnEncoding('score', E.BYTE_STREAM_SPLIT).setColumnEncoding('rating', E.BYTE_STREAM_SPLIT)],
  ]
  const table = makeTable(schemaOf(), rows.map(r => ({ ...r, id: BigInt(r.id) })))
  const wasmTable = () => pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))
  for (const [name, props] of variants) {
    const bytes = pw.writeParquet(wasmTable(), props.build())
    writeFileSync(`${out}/${name}.parquet`, bytes)
    const back = arrow.tableFromIPC(pw.readParquet(bytes).intoIPCStream())
    writeReadBack(`${name}.parquet`, back.toArray().map(r => r.toJSON()))
  }
}

function schemaOf () {
  const msg = new arrow.Struct([new arrow.Field('role', new arrow.Utf8(), true), new arrow.Field('content', new arrow.Utf8(), true)])
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int64(), false),
    new arrow.Field('prompt', new arrow.Utf8(), true),
    new arrow.Field('chosen', new arrow.List(new arrow.Field('item', msg, true)), true),
    new arrow.Field('rejected', new arrow.List(new arrow.Field('item', msg, true)), true),
    new arrow.Field('score', new arrow.Float64(), true),
    new arrow.Field('rating', new arrow.Float32(), true),
    new arrow.Field('ok', new arrow.Bool(), true),
    new arrow.Field('n', new arrow.Int32(), false),
    new arrow.Field('big', new arrow.Int64(), false),
    new arrow.Field('tags', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)), true),
    new arrow.Field('meta', new arrow.Struct([new arrow.Field('source', new arrow.Utf8(), true), new arrow.Field('turn', new arrow.Int32(), true)]), true),
  ])
}

// hyparquet-writer

const msgList = name => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'role', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
]
const hyparquetSchema = [
  { name: 'root', num_children: 11 },
  { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'prompt', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ...msgList('chosen'),
  ...msgList('rejected'),
  { name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'rating', type: 'FLOAT', repetition_type: 'OPTIONAL' },
  { name: 'ok', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'n', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'big', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'meta', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'source', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'turn', type: 'INT32', repetition_type: 'OPTIONAL' },
]


function hyparquet () {
  const rows = makeRows(100, { repeats: true })
  const column = (name, encoding) => ({ name, data: rows.map(r => name === 'id' ? BigInt(r.id) : r[name]), ...(encoding ? { encoding } : {}) })
  const plainColumns = ['id', 'prompt', 'chosen', 'rejected', 'score', 'rating', 'ok', 'n', 'big', 'tags', 'meta'].map(n => column(n))
  // ZSTD and LZ4_RAW need compressors that Node 20 lacks; DuckDB and arrow-rs cover them.
  const compressors = { GZIP: b => new Uint8Array(gzipSync(b)), BROTLI: b => new Uint8Array(brotliCompressSync(b)) }
  const variants = [
    ['hyparquet-snappy', { codec: 'SNAPPY', rowGroupSize: [30, 50], pageSize: 1024 }, plainColumns],
    ['hyparquet-uncompressed', { codec: 'UNCOMPRESSED', rowGroupSize: 1000 }, plainColumns],
    ['hyparquet-gzip', { codec: 'GZIP', rowGroupSize: 1000 }, plainColumns],
    ['hyparquet-brotli', { codec: 'BROTLI', rowGroupSize: 1000 }, plainColumns],
    ['hyparquet-encodings', { codec: 'SNAPPY', rowGroupSize: 64, pageSize: 512 }, [
      column('id', 'DELTA_BINARY_PACKED'), column('prompt', 'DELTA_BYTE_ARRAY'), column('chosen'), column('rejected'),
      column('score', 'BYTE_STREAM_SPLIT'), column('rating', 'BYTE_STREAM_SPLIT'), column('ok', 'RLE'),
      column('n', 'DELTA_BINARY_PACKED'), column('big', 'DELTA_BINARY_PACKED'), column('tags'), column('meta')]],
  ]
  for (const [name, options, columnData] of variants) {
    const buffer = parquetWriteBuffer({ columnData, schema: hyparquetSchema, compressors, statistics: false, ...options })
    writeFileSync(`${out}/${name}.parquet`, new Uint8Array(buffer))
  }
}

async function hyparquetReadBacks () {
  const { gunzipSync, brotliDecompressSync } = await import('node:zlib')
  const compressors = {
    GZIP: (input, size) => new Uint8Array(gunzipSync(input)),
    BROTLI: (input, size) => new Uint8Array(brotliDecompressSync(input)),
  }
  for (const name of ['hyparquet-snappy', 'hyparquet-uncompressed', 'hyparquet-gzip', 'hyparquet-brotli', 'hyparquet-encodings']) {
    const bytes = readFileSync(`${out}/${name}.parquet`)
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const objects = await parquetReadObjects({ file, compressors })
    writeReadBack(`${name}.parquet`, objects)
  }
}

await duckdb()
await duckdbLogical()
parquetWasm()
hyparquet()
await hyparquetReadBacks()

// Seeds for tests/fuzz/fuzz-parquet: the same writers, eight rows, under the fuzzers' 16 KB input
// limit. Written last, so that the fixtures above keep their rows.
async function seeds () {
  const dir = `${out}/../fuzz/corpus/fuzz-parquet`
  mkdirSync(dir, { recursive: true })
  const rows = makeRows(8, { repeats: true })
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  writeFileSync(`${dir}/.rows.jsonl`, rows.map(r => JSON.stringify(r, (k, v) => typeof v === 'bigint' ? Number(v) : v)).join('\n'))
  await conn.run(`CREATE TABLE tiny AS SELECT * FROM read_json('${dir}/.rows.jsonl', format='newline_delimited', columns=${duckTypes})`)
  rmSync(`${dir}/.rows.jsonl`)
  for (const [name, options] of [['duckdb-snappy-v2', "COMPRESSION 'snappy', PARQUET_VERSION 'V2'"], ['duckdb-gzip', "COMPRESSION 'gzip'"],
    ['duckdb-lz4raw', "COMPRESSION 'lz4_raw'"], ['duckdb-brotli-v2', "COMPRESSION 'brotli', PARQUET_VERSION 'V2'"]]) {
    await conn.run(`COPY tiny TO '${dir}/${name}.parquet' (FORMAT parquet, ${options})`)
  }
  const E = pw.Encoding
  const C = pw.Compression
  const table = makeTable(schemaOf(), rows.map(r => ({ ...r, id: BigInt(r.id) })))
  const base = () => new pw.WriterPropertiesBuilder().setMaxRowGroupSize(4).setDataPageSizeLimit(256)
  for (const [name, props] of [['arrow-zstd-v2', base().setCompression(C.ZSTD).setWriterVersion(pw.WriterVersion.V2)],
    ['arrow-uncompressed', base().setCompression(C.UNCOMPRESSED).setDictionaryPageSizeLimit(32)],
    ['arrow-delta', base().setCompression(C.SNAPPY).setDictionaryEnabled(false).setColumnEncoding('prompt', E.DELTA_BYTE_ARRAY)
      .setColumnEncoding('n', E.DELTA_BINARY_PACKED).setColumnEncoding('score', E.BYTE_STREAM_SPLIT)]]) {
    writeFileSync(`${dir}/${name}.parquet`, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props.build()))
  }
  const hyRows = rows
  const column = (name, encoding) => ({ name, data: hyRows.map(r => name === 'id' ? BigInt(r.id) : r[name]), ...(encoding ? { encoding } : {}) })
  const buffer = parquetWriteBuffer({ columnData: [column('id', 'DELTA_BINARY_PACKED'), column('prompt', 'DELTA_BYTE_ARRAY'), column('chosen'),
    column('rejected'), column('score', 'BYTE_STREAM_SPLIT'), column('rating'), column('ok', 'RLE'), column('n'), column('big'), column('tags'), column('meta')],
  schema: hyparquetSchema, statistics: false, codec: 'UNCOMPRESSED', rowGroupSize: 4 })
  writeFileSync(`${dir}/hyparquet-encodings.parquet`, new Uint8Array(buffer))
}

await seeds()
