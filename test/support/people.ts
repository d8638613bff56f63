// Synthetic survivors: valid-looking national ids computed from made-up bases (never real people;
// the ids use the 2032 rule's k1 freedom, so most could never have been issued before 2032).
import { checkNationalId } from '../../src/cohort/national-id.ts';
import { addDays, osloDay } from '../../src/clock.ts';
import type { Lang } from '../../src/i18n/views.ts';

export function syntheticNationalId(n: number): string {
  // Day 41–71 marks a D-number; keep the base in that range so it is clearly synthetic.
  for (let i = n * 100; ; i++) {
    const base = `${String(41 + (i % 28)).padStart(2, '0')}${String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0')}${String(40 + (Math.floor(i / 336) % 50)).padStart(2, '0')}${String(Math.floor(i / 16800) % 1000).padStart(3, '0')}`;
    for (let k = 0; k < 100; k++) {
      const id = base + String(k).padStart(2, '0');
      if (checkNationalId(id) === undefined) return id;
    }
  }
}

export interface PersonRow {
  register_id: string;
  national_id: string;
  birth_date: string;
  sex: 'female' | 'male';
  arrest_date: string;
  arrest_type: 'OHCA' | 'IHCA';
  hospital: string;
  email: string;
  language: Lang;
  given_name?: string;
  family_name?: string;
}

export function person(i: number, overrides: Partial<PersonRow> = {}): PersonRow {
  return {
    register_id: `R${String(i).padStart(5, '0')}`,
    national_id: syntheticNationalId(i),
    birth_date: '1950-06-15',
    sex: i % 3 === 0 ? 'female' : 'male',
    arrest_date: addDays(osloDay(new Date()), -91),
    arrest_type: i % 2 === 0 ? 'OHCA' : 'IHCA',
    hospital: i % 2 === 0 ? 'OUS' : 'HUS',
    email: `survivor${i}@example.test`,
    language: 'nb',
    given_name: `Test${i}`,
    family_name: 'Testesen',
    ...overrides,
  };
}

/** The register file's columns as the test files write them (README, "Import format"), and with the postal address. */
export const CSV_COLUMNS = [
  'register_id',
  'national_id',
  'birth_date',
  'sex',
  'arrest_date',
  'arrest_type',
  'hospital',
  'email',
  'language',
  'given_name',
  'family_name',
] as const;
export const CSV_COLUMNS_WITH_ADDRESS = [...CSV_COLUMNS, 'address_line', 'postal_code', 'city'] as const;

export function toCsv(rows: PersonRow[]): string {
  const lines = rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '').join(','));
  return [CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

const K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3];

/**
 * The n-th of 33.6 million distinct synthetic D-numbers (0 ≤ n < 33,600,000), computed directly,
 * so a million-row file is quick to write. Day 41–68 marks a D-number; the k1 check digit uses the
 * 2032 rule's freedom where it must. Never equal for two values of n.
 */
export function distinctSyntheticNationalId(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 33_600_000) throw new RangeError(`distinctSyntheticNationalId(${n})`);
  const base =
    [41 + (n % 28), 1 + (Math.floor(n / 28) % 12), Math.floor(n / 336) % 100]
      .map((v) => String(v).padStart(2, '0'))
      .join('') + String(Math.floor(n / 33_600) % 1000).padStart(3, '0');
  const d = [...base].map(Number);
  const w1 = d.reduce((s, v, i) => s + v * K1[i]!, 0);
  const w2 = d.reduce((s, v, i) => s + v * K2[i]!, 0);
  for (let r = 0; r <= 3; r++) {
    const k1 = (((r - w1) % 11) + 11) % 11;
    if (k1 > 9) continue;
    const k2 = (11 - ((w2 + 2 * k1) % 11)) % 11;
    if (k2 <= 9) return `${base}${k1}${k2}`;
  }
  throw new Error(`no check digits for ${base}`); // cannot happen: two k1 values give different k2
}
