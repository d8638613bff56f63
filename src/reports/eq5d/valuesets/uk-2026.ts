// United Kingdom EQ-5D-5L value set (2026). Transcribed from the reference uk_rowen2026.csv
// (= fragla/eq5d VT.csv column UK; all 3125 states equal eq5dsuite UK).

import type { AdditiveValueSet } from '../types.ts';

export const UK_2026: AdditiveValueSet = {
  id: 'UK-2026',
  country: 'United Kingdom',
  citation: {
    authors: "Rowen D, Mukuria C, Bray N, Carlton J, Longworth L, Meads D, Oluboyede Y, O'Neill C, Yang Y",
    title: 'A UK value set for the EQ-5D-5L',
    journal: 'Value in Health',
    year: 2026,
    doi: '10.1016/j.jval.2026.03.008',
  },
  notes:
    'Range -0.567 (55555) to 1. Very recent: coefficients agree across two packages but ' +
    'have not been checked against the paper. Not the same as England 2018 (EN-2018).',
  form: 'additive',
  start: 1,
  coefficients: {
    MO: [0, -0.032, -0.058, -0.179, -0.279],
    SC: [0, -0.038, -0.06, -0.162, -0.206],
    UA: [0, -0.049, -0.086, -0.184, -0.212],
    PD: [0, -0.056, -0.066, -0.371, -0.479],
    AD: [0, -0.041, -0.126, -0.313, -0.391],
  },
};
