// Denmark EQ-5D-5L value set (hybrid cTTO + DCE). Transcribed from the reference
// denmark_jensen2021.csv (= fragla/eq5d VT.csv column Denmark; all 3125 states equal eq5dsuite DK).

import type { AdditiveValueSet } from '../types.ts';

export const DENMARK_2021: AdditiveValueSet = {
  id: 'DK-2021',
  country: 'Denmark',
  citation: {
    authors: 'Jensen CE, Sørensen SS, Gudex C, Jensen MB, Pedersen KM, Ehlers LH',
    title: 'The Danish EQ-5D-5L value set: a hybrid model using cTTO and DCE data',
    journal: 'Applied Health Economics and Health Policy',
    year: 2021,
    volumePages: '19(4):579-591',
    doi: '10.1007/s40258-021-00639-3',
  },
  notes:
    'These 3-dp coefficients give 55555 = -0.758; the paper abstract states the minimum as ' +
    '-0.757 (presumably from unrounded coefficients). We use the 3-dp coefficients, which ' +
    'match fragla/eq5d and the eq5dsuite DK lookup for all 3125 states.',
  form: 'additive',
  start: 1,
  coefficients: {
    MO: [0, -0.041, -0.054, -0.157, -0.22],
    SC: [0, -0.035, -0.05, -0.144, -0.209],
    UA: [0, -0.033, -0.04, -0.139, -0.174],
    PD: [0, -0.048, -0.094, -0.381, -0.537],
    AD: [0, -0.072, -0.191, -0.43, -0.618],
  },
};
