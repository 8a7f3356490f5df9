/**
 * Prints the table of a saved run again: `node dist/bench/reprint.js [bench/results/<file>.json]`
 * (default: bench/results/latest.json). Useful after changing the table's layout.
 */
import { readFileSync } from 'node:fs';
import { buildReport, formatTable, type Report } from './report.js';
import { SUBJECT } from './systems.js';

const file = process.argv[2] ?? new URL('../../bench/results/latest.json', import.meta.url).pathname;
const saved = JSON.parse(readFileSync(file, 'utf8'), (_k, v: unknown) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v)) as Report;
saved.notes ??= [];
process.stdout.write(`${formatTable(buildReport(saved, SUBJECT))}\n`);
