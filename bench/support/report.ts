/** Markdown output: tables, the machine line, and the generated regions of BENCHMARKS.md. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function machine(): { cores: number; model: string; node: string; date: string; load: string } {
  const list = cpus();
  return {
    cores: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

export const ms = (v: number, digits = 1) => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : 'n/a');
export const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
export const rps = (v: number) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')} rps` : 'n/a');
export const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : 'n/a');
export const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
export const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? 'met' : '**not met**');

/**
 * Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in `path` (the markers
 * stay); appends the region when the file or its markers are missing. Everything else in the file,
 * the hand-written analysis, is kept.
 */
export async function writeRegion(path: string, name: string, body: string): Promise<void> {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const region = `${open}\n${body.trim()}\n${close}`;
  const text = existsSync(path) ? await readFile(path, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  const next = start >= 0 && end > start ? text.slice(0, start) + region + text.slice(end + close.length) : `${text.trimEnd()}\n\n${region}\n`;
  await writeFile(path, next);
}
