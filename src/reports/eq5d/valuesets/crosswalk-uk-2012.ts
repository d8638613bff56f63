// 5L -> 3L crosswalk onto the UK 3L TTO value set (Dolan 1997), EuroQol calculator lookup.

import type { LookupValueSet } from '../types.ts';
import { CROSSWALK_UK_2012_TABLE } from './crosswalk-uk-2012.data.ts';
import { CROSSWALK_NOTE, VAN_HOUT_2012 } from './van-hout-2012.ts';

export const CROSSWALK_UK_2012: LookupValueSet = {
  id: 'CW-UK-2012',
  country: 'United Kingdom',
  citation: VAN_HOUT_2012,
  notes: `${CROSSWALK_NOTE} Underlying 3L set: Dolan 1997 (UK TTO); range -0.594 to 1.`,
  form: 'lookup',
  table: CROSSWALK_UK_2012_TABLE,
};
