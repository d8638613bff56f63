// Sweden social (general-population, EQ-VT) EQ-5D-5L value set. Transcribed from the reference
// sweden_sun2022.csv (= fragla/eq5d VT.csv column Sweden_2022; all 3125 states equal eq5dsuite SE_2022).

import type { AdditiveValueSet } from '../types.ts';

export const SWEDEN_2022: AdditiveValueSet = {
  id: 'SE-2022',
  country: 'Sweden',
  citation: {
    authors: 'Sun S, Chuang LH, Sahlén KG, Lindholm L, Norström F',
    title: 'Estimating a social value set for EQ-5D-5L in Sweden',
    journal: 'Health and Quality of Life Outcomes',
    year: 2022,
    volumePages: '20:167',
    doi: '10.1186/s12955-022-02083-w',
  },
  notes: 'Range -0.314 (55555) to 1.',
  form: 'additive',
  start: 1,
  coefficients: {
    MO: [0, -0.022, -0.026, -0.087, -0.132],
    SC: [0, -0.019, -0.056, -0.113, -0.159],
    UA: [0, -0.022, -0.048, -0.131, -0.187],
    PD: [0, -0.01, -0.047, -0.319, -0.442],
    AD: [0, -0.031, -0.122, -0.277, -0.394],
  },
};
