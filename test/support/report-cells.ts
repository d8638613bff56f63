// Compares the comparison page with its long CSV cell for cell: every number on the page sits in
// an element with data-cell="group|measure|category" (n in data-n), and every CSV row has one.
import { parse } from 'csv-parse/sync';

export type CsvRow = Record<'group' | 'measure' | 'category' | 'value' | 'n' | 'suppressed', string>;

export function parseLongCsv(text: string): CsvRow[] {
  return parse<CsvRow>(text, { columns: true, bom: true });
}

const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, c: string) => String.fromCharCode(parseInt(c, 16)))
    .replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))
    .replace(/&amp;/g, '&');

/** Differences between page and CSV; empty when they agree. */
export function compareCells(html: string, rows: readonly CsvRow[]): string[] {
  const cells = new Map<string, string>();
  // One element may stand for several figures (a hidden share and its interval): keys separated by spaces.
  for (const m of html.matchAll(/data-cell="([^"]*)">([^<]*)</g))
    for (const key of decode(m[1]!).split(' ').filter(Boolean)) cells.set(key, decode(m[2]!).trim());
  const ns = new Map<string, string>();
  for (const m of html.matchAll(/data-n="([^"]*)">([^<]*)</g)) ns.set(decode(m[1]!), decode(m[2]!).trim());
  const out: string[] = [];
  const keys = new Set<string>();
  for (const r of rows) {
    const key = `${r.group}|${r.measure}|${r.category}`;
    keys.add(key);
    const shown = cells.get(key);
    if (shown === undefined) {
      out.push(`${key}: not on the page`);
      continue;
    }
    const number = shown.replace(',', '.').replace('−', '-');
    if (r.suppressed === '1') {
      if (r.value !== '' || r.n !== '') out.push(`${key}: suppressed but CSV has "${r.value}" (n ${r.n})`);
      if (shown !== 'skjult') out.push(`${key}: suppressed in CSV, page shows "${shown}"`);
    } else if (r.value === '' ? /\d/.test(shown) : number !== r.value)
      out.push(`${key}: page "${shown}", CSV "${r.value}"`);
    const n = ns.get(key);
    if (n !== undefined && (r.suppressed === '1' ? n !== 'skjult' : n !== (r.n || '–')))
      out.push(`${key}: page n "${n}", CSV n "${r.n}"`);
  }
  for (const key of cells.keys()) if (!keys.has(key)) out.push(`${key}: on the page, not in the CSV`);
  return out;
}
