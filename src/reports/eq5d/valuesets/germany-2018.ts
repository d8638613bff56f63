// Germany EQ-5D-5L value set. Transcribed from the reference germany_ludwig2018.csv
// (= fragla/eq5d VT.csv column Germany = sheejamk/valueEQ5D tariffs).

import type { AdditiveValueSet } from '../types.ts';

export const GERMANY_2018: AdditiveValueSet = {
  id: 'DE-2018',
  country: 'Germany',
  citation: {
    authors: 'Ludwig K, Graf von der Schulenburg JM, Greiner W',
    title: 'German value set for the EQ-5D-5L',
    journal: 'PharmacoEconomics',
    year: 2018,
    volumePages: '36(6):663-674',
    doi: '10.1007/s40273-018-0615-8',
  },
  notes:
    'AD4 is disputed: fragla/eq5d, sheejamk/valueEQ5D and a third public implementation use ' +
    '-0.244, MathsinHealth eq5dsuite uses -0.224 (also the MO5 value, so possibly a slip). ' +
    'We use -0.244, the value used by two of the three implementations checked; not yet ' +
    'verified against the paper table. The 625 states with AD = 4 are affected (by 0.020).',
  form: 'additive',
  start: 1,
  coefficients: {
    MO: [0, -0.026, -0.042, -0.139, -0.224],
    SC: [0, -0.05, -0.056, -0.169, -0.26],
    UA: [0, -0.036, -0.049, -0.129, -0.209],
    PD: [0, -0.057, -0.109, -0.404, -0.612],
    AD: [0, -0.03, -0.082, -0.244, -0.356],
  },
};
