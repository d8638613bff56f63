// Netherlands EQ-5D-5L value set (Dutch tariff), 3-dp coefficients as printed in the paper.
// Transcribed from the reference netherlands_versteegh2016.csv (= fragla/eq5d VT.csv column
// Netherlands = sheejamk/valueEQ5D).

import type { AdditiveValueSet } from '../types.ts';

export const NETHERLANDS_2016: AdditiveValueSet = {
  id: 'NL-2016',
  country: 'Netherlands',
  citation: {
    authors: 'Versteegh MM, Vermeulen KM, Evers SMAA, de Wit GA, Prenger R, Stolk EA',
    title: 'Dutch tariff for the five-level version of EQ-5D',
    journal: 'Value in Health',
    year: 2016,
    volumePages: '19(4):343-352',
    doi: '10.1016/j.jval.2016.01.003',
  },
  notes:
    'Uses the 3-dp coefficients as printed. The constant -0.047 applies to every state ' +
    'except 11111, so 11111 = 1 (fragla/eq5d issue #23). SC4 = SC5 and UA4 = UA5 as published. ' +
    'eq5dsuite uses an unrounded 7-dp variant that differs by up to 0.0018.',
  form: 'additive',
  start: 1,
  constant: -0.047,
  coefficients: {
    MO: [0, -0.035, -0.057, -0.166, -0.203],
    SC: [0, -0.038, -0.061, -0.168, -0.168],
    UA: [0, -0.039, -0.087, -0.192, -0.192],
    PD: [0, -0.066, -0.092, -0.36, -0.415],
    AD: [0, -0.07, -0.145, -0.356, -0.421],
  },
};
