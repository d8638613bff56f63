// England EQ-5D-5L value set. Transcribed from the reference england_devlin2018.csv
// (= fragla/eq5d VT.csv column England = sheejamk/valueEQ5D tariffs). No constant term.

import type { AdditiveValueSet } from '../types.ts';

export const ENGLAND_2018: AdditiveValueSet = {
  id: 'EN-2018',
  country: 'England',
  citation: {
    authors: 'Devlin NJ, Shah KK, Feng Y, Mulhern B, van Hout B',
    title: 'Valuing health-related quality of life: an EQ-5D-5L value set for England',
    journal: 'Health Economics',
    year: 2018,
    volumePages: '27(1):7-22',
    doi: '10.1002/hec.3564',
  },
  notes: 'Range -0.285 (55555) to 1. Not the 2026 UK value set (UK-2026).',
  form: 'additive',
  start: 1,
  coefficients: {
    MO: [0, -0.058, -0.076, -0.207, -0.274],
    SC: [0, -0.05, -0.08, -0.164, -0.203],
    UA: [0, -0.05, -0.063, -0.162, -0.184],
    PD: [0, -0.063, -0.084, -0.276, -0.335],
    AD: [0, -0.078, -0.104, -0.285, -0.289],
  },
};
