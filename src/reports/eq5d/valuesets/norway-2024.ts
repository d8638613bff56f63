// Norway EQ-5D-5L value set (hybrid cTTO + DCE). Transcribed from the reference
// norway_garratt2024.csv (= fragla/eq5d VT.csv column Norway; all 3125 states equal eq5dsuite NO).

import type { AdditiveValueSet } from '../types.ts';

export const NORWAY_2024: AdditiveValueSet = {
  id: 'NO-2024',
  country: 'Norway',
  citation: {
    authors: 'Garratt AM, Stavem K, Shaw JW, Rand K',
    title: 'EQ-5D-5L value set for Norway: a hybrid model using cTTO and DCE data',
    journal: 'Quality of Life Research',
    year: 2025,
    volumePages: '34(2):417-427',
    doi: '10.1007/s11136-024-03837-3',
  },
  notes:
    'Published online 20 Nov 2024 (hence NO-2024). Each coefficient is a dimension weight ' +
    '(MO 0.205, SC 0.206, UA 0.179, PD 0.391, AD 0.472) times a level weight ' +
    '(L2 0.152, L3 0.317, L4 0.775, L5 1). Range -0.453 (55555) to 1.',
  form: 'additive',
  start: 1,
  coefficients: {
    MO: [0, -0.03116, -0.064985, -0.158875, -0.205],
    SC: [0, -0.031312, -0.065302, -0.15965, -0.206],
    UA: [0, -0.027208, -0.056743, -0.138725, -0.179],
    PD: [0, -0.059432, -0.123947, -0.303025, -0.391],
    AD: [0, -0.071744, -0.149624, -0.3658, -0.472],
  },
};
