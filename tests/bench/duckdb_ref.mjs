// duckdb_ref — runs reference.sql with DuckDB (@duckdb/node-api) on an export folder and writes
// the B01/B02 figures as cells.csv lines `form,row,column,value` (tests/bench/README.md).
//
// Usage: node duckdb_ref.mjs --input DIR --out FILE [--from YYYY-MM-DD --to YYYY-MM-DD]
//                            [--threads N] [--quiet]
// Defaults: the 12-month report of 2026, S = 2025-10-01, E = 2026-09-30; DuckDB's own thread
// count (all cores). Prints the timing of each stage and the row counts on stderr.
// Exit 0 ok, 1 usage error, 2 DuckDB or file error.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function usage(msg) {
  if (msg) process.stderr.write(`duckdb_ref: ${msg}\n`);
  process.stderr.write('usage: node duckdb_ref.mjs --input DIR --out FILE ' +
                       '[--from YYYY-MM-DD --to YYYY-MM-DD] [--threads N] [--quiet]\n');
  process.exit(1);
}

const opt = { from: '2025-10-01', to: '2026-09-30', threads: 0, quiet: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
  if (a === '--input') opt.input = val();
  else if (a === '--out') opt.out = val();
  else if (a === '--from') opt.from = val();
  else if (a === '--to') opt.to = val();
  else if (a === '--threads') opt.threads = Number(val());
  else if (a === '--quiet') opt.quiet = true;
  else usage(`unknown option ${a}`);
}
if (!opt.input || !opt.out) usage('--input and --out are required');
for (const d of [opt.from, opt.to])
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) usage(`bad date ${d} (want YYYY-MM-DD)`);
if (!Number.isInteger(opt.threads) || opt.threads < 0) usage('--threads wants a count');

const casesCsv = resolve(join(opt.input, 'cases.csv'));
const eventsCsv = resolve(join(opt.input, 'events.csv'));
for (const f of [casesCsv, eventsCsv])
  if (!existsSync(f)) {
    process.stderr.write(`duckdb_ref: ${f}: no such file\n`);
    process.exit(2);
  }

const log = (s) => { if (!opt.quiet) process.stderr.write(s + '\n'); };
const sqlQuote = (s) => `'${String(s).replaceAll("'", "''")}'`;

// Splits the script into statements at ';' ending a line (the file keeps one statement per
// such terminator, and no ';' inside literals ends a line).
function statements(text) {
  const noComments = text.split('\n').map((l) => l.replace(/^\s*--.*$/, '')).join('\n');
  return noComments.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

// Quotes a cells.csv field per RFC 4180 when needed.
function csvField(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function main() {
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  if (opt.threads > 0) await con.run(`SET threads = ${opt.threads}`);
  await con.run(`SET VARIABLE cases_csv = ${sqlQuote(casesCsv)}`);
  await con.run(`SET VARIABLE events_csv = ${sqlQuote(eventsCsv)}`);
  await con.run(`SET VARIABLE S = DATE ${sqlQuote(opt.from)}`);
  await con.run(`SET VARIABLE E = DATE ${sqlQuote(opt.to)}`);

  const script = readFileSync(join(here, 'reference.sql'), 'utf8');
  for (const stmt of statements(script)) {
    const t = performance.now();
    await con.run(stmt);
    const m = /TABLE\s+(\w+)/i.exec(stmt);
    log(`  ${((performance.now() - t) / 1000).toFixed(3)} s  ${m ? m[1] : stmt.slice(0, 40)}`);
  }

  const stats = (await con.runAndReadAll('SELECT what, n FROM stats')).getRowObjectsJson();
  log('  ' + stats.map((r) => `${r.what}=${r.n}`).join(' '));
  const res = await con.runAndReadAll(
    'SELECT form, row, "column", value FROM result ORDER BY form_ord, is_total, row, ord');
  const lines = ['form,row,column,value'];
  for (const r of res.getRowObjectsJson())
    lines.push([r.form, r.row, r.column, r.value].map(csvField).join(','));
  const tmp = `${opt.out}.tmp`;
  writeFileSync(tmp, lines.join('\n') + '\n');
  renameSync(tmp, opt.out);
  const unrec = stats.find((r) => r.what === 'events_unrecognised');
  if (unrec && Number(unrec.n) > 0)
    process.stderr.write(`duckdb_ref: warning: ${unrec.n} events with unrecognised su_kien\n`);
  log(`duckdb_ref: ${lines.length - 1} cells → ${opt.out} in ` +
      `${((performance.now() - t0) / 1000).toFixed(3)} s`);
  con.closeSync?.();
}

main().catch((e) => {
  process.stderr.write(`duckdb_ref: ${e && e.message ? e.message : e}\n`);
  process.exit(2);
});
