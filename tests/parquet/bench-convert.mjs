// SPDX-License-Identifier: GPL-3.0-or-later
//
// For tests/bench/bench-parquet.sh (not the suite):
//   node bench-convert.mjs write JSONL BIG.parquet SMALL.parquet
//     the benchmark dataset as Parquet (SNAPPY) with DuckDB, in one row group of up to a million
//     rows (pyarrow's default), and again by arrow-rs (parquet-wasm) with row groups of 300 rows,
//     as the Hub's converter writes for its viewer (DuckDB cannot cut groups under 2,048 rows);
//   node bench-convert.mjs duckdb-json PARQUET OUT.jsonl
//     DuckDB reading the Parquet file to JSON lines, timed: the anchor. Prints the time of the
//     COPY, then that time with the output flushed to disk.

import { closeSync, fdatasyncSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { DuckDBInstance } from '@duckdb/node-api'
import * as pw from 'parquet-wasm'

const [mode, input, output, second] = process.argv.slice(2)
const db = await DuckDBInstance.create(':memory:')
const conn = await db.connect()

if (mode === 'write') {
  await conn.run(`COPY (SELECT * FROM read_json('${input}', format='newline_delimited')) TO '${output}'
                  (FORMAT parquet, COMPRESSION 'snappy', ROW_GROUP_SIZE 1000000)`)
  // arrow-rs in WebAssembly, the whole table in memory (about 2 GB of the 4 GB it may use).
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(300).build()
  const table = pw.readParquet(readFileSync(output))
  writeFileSync(second, pw.writeParquet(table, props))
} else if (mode === 'duckdb-json') {
  const start = process.hrtime.bigint()
  await conn.run(`COPY (SELECT * FROM read_parquet('${input}')) TO '${output}' (FORMAT json)`)
  const converted = process.hrtime.bigint()
  // An import is durable when it ends (SQLite's commit waits for the disk); DuckDB's COPY leaves
  // its output in the page cache. The second figure adds the fdatasync() that makes it durable.
  const fd = openSync(output, 'r')
  fdatasyncSync(fd)
  closeSync(fd)
  const seconds = (t) => (Number(t - start) / 1e9).toFixed(2)
  console.log(`duckdb to json: ${seconds(converted)} s, on disk: ${seconds(process.hrtime.bigint())} s`)
} else {
  console.error('usage: node bench-convert.mjs write JSONL BIG SMALL | duckdb-json PARQUET OUT')
  process.exit(2)
}
