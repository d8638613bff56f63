// Shared citation for the EQ-5D-5L -> 3L crosswalk value sets.

import type { Citation } from '../types.ts';

export const VAN_HOUT_2012: Citation = {
  authors:
    'van Hout B, Janssen MF, Feng YS, Kohlmann T, Busschbach J, Golicki D, Lloyd A, ' + 'Scalone L, Kind P, Pickard AS',
  title: 'Interim scoring for the EQ-5D-5L: mapping the EQ-5D-5L to EQ-5D-3L value sets',
  journal: 'Value in Health',
  year: 2012,
  volumePages: '15(5):708-715',
  doi: '10.1016/j.jval.2012.02.008',
};

export const CROSSWALK_NOTE =
  'Values from the EuroQol "EQ-5D-5L Crosswalk Index Value Calculator" (3 dp, used as-is). ' +
  'They are on the EQ-5D-3L scale and not comparable with 5L value-set indices.';
