// Sweden experience-based TTO EQ-5D-5L value set. Transcribed from the reference
// sweden_burstrom2020.csv (= fragla/eq5d VT.csv column Sweden_2020).

import type { AdditiveValueSet } from '../types.ts';

export const SWEDEN_2020: AdditiveValueSet = {
  id: 'SE-2020',
  country: 'Sweden',
  citation: {
    authors: 'Burström K, Teni FS, Gerdtham UG, Leidl R, Helgesson G, Rolfson O, Henriksson M',
    title: 'Experience-based Swedish TTO and VAS value sets for EQ-5D-5L health states',
    journal: 'PharmacoEconomics',
    year: 2020,
    volumePages: '38(8):839-856',
    doi: '10.1007/s40273-020-00905-7',
  },
  notes:
    'Experience-based (patients), not a general-population set. Starts at 0.9755, so ' +
    '11111 = 0.9755, not 1; N5 = -0.0023 if any level is 5; levels 4 and 5 pooled for ' +
    'MO, SC and UA. 4-dp values make .xxx5 ties common: other software may round them ' +
    'differently at 3 dp (eq5dsuite SE_2020 rounds 31 of 247 ties down).',
  form: 'additive',
  start: 0.9755,
  n5: -0.0023,
  coefficients: {
    MO: [0, -0.0287, -0.0346, -0.0523, -0.0523],
    SC: [0, -0.0254, -0.0817, -0.0824, -0.0824],
    UA: [0, -0.0549, -0.1143, -0.1639, -0.1639],
    PD: [0, -0.0108, -0.0428, -0.1024, -0.1974],
    AD: [0, -0.0325, -0.0868, -0.2002, -0.2339],
  },
};
