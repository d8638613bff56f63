// Parser for 3125-state lookup tables stored as text in valuesets/*.data.ts.
//
// Format: 625 lines "PPPP: v v v v v" in state order. PPPP is the MO-SC-UA-PD prefix
// (1111 .. 5555) and the five values are for AD = 1..5, as printed (e.g. "0.879", "-0.594").
// The prefixes make the table readable and let the parser prove the order is right.

import { toUnits } from './units.ts';

const LINE = /^([1-5]{4}):((?:\s+-?\d+\.\d+){5})$/;
const PREFIXES = 625;

/** Returns integer units in state order; throws on any malformed or out-of-order line. */
export function parseLookupTable(text: string): Int32Array {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length !== PREFIXES) {
    throw new Error(`EQ-5D lookup table: expected ${PREFIXES} lines, got ${lines.length}`);
  }
  const units = new Int32Array(PREFIXES * 5);
  lines.forEach((line, i) => {
    const values = parseLine(line, expectedPrefix(i));
    values.forEach((v, j) => (units[i * 5 + j] = toUnits(v)));
  });
  return units;
}

function parseLine(line: string, prefix: string): number[] {
  const m = LINE.exec(line);
  if (!m || m[1] !== prefix) {
    throw new Error(`EQ-5D lookup table: expected line for ${prefix}, got "${line}"`);
  }
  return m[2]!.trim().split(/\s+/).map(Number);
}

/** Line i covers states whose first four digits are i written in base 5, plus 1 per digit. */
function expectedPrefix(i: number): string {
  return [...i.toString(5).padStart(4, '0')].map((d) => Number(d) + 1).join('');
}
