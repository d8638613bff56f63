// Shared types for EQ-5D-5L scoring. Value sets are plain data; engine.ts interprets them.

export type ValueSetId =
  | 'NO-2024'
  | 'EN-2018'
  | 'DK-2021'
  | 'SE-2022'
  | 'SE-2020'
  | 'DE-2018'
  | 'NL-2016'
  | 'UK-2026'
  | 'CW-UK-2012'
  | 'CW-DK-2012';

export type Level = 1 | 2 | 3 | 4 | 5;

/** Levels in the fixed EQ-5D order MO, SC, UA, PD, AD. */
export type Levels = readonly [Level, Level, Level, Level, Level];

/** The value sets' codes of the EQ-5D dimensions (`DIMENSIONS` in src/instruments/eq5d-texts.ts, same order). */
export type DimensionCode = 'MO' | 'SC' | 'UA' | 'PD' | 'AD';

export const DIMENSION_CODES: readonly DimensionCode[] = ['MO', 'SC', 'UA', 'PD', 'AD'];

/** Published coefficients for levels 1..5 of one dimension; added as-is (decrements are negative). */
export type LevelCoefficients = readonly [number, number, number, number, number];

export interface Citation {
  authors: string;
  title: string;
  journal: string;
  year: number;
  /** e.g. "27(1):7-22"; omitted when not yet assigned. */
  volumePages?: string;
  doi: string;
}

interface ValueSetBase {
  id: ValueSetId;
  country: string;
  citation: Citation;
  notes?: string;
}

/**
 * index = start + sum of one coefficient per dimension
 *       + constant (only if the state is not 11111)
 *       + n4 (if any level >= 4) + n5 (if any level = 5).
 * All numbers must have at most 7 decimals (the engine works in 1e-7 units).
 */
export interface AdditiveValueSet extends ValueSetBase {
  form: 'additive';
  start: number;
  coefficients: Readonly<Record<DimensionCode, LevelCoefficients>>;
  constant?: number;
  n4?: number;
  n5?: number;
}

/** Full 3125-state table; format described in lookup.ts. */
export interface LookupValueSet extends ValueSetBase {
  form: 'lookup';
  table: string;
}

export type ValueSet = AdditiveValueSet | LookupValueSet;

export interface ValueSetInfo {
  id: ValueSetId;
  country: string;
  citation: string;
  doi: string;
  form: ValueSet['form'];
  notes?: string;
}
