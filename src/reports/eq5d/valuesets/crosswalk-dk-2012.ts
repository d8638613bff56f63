// 5L -> 3L crosswalk onto the Danish 3L TTO value set (Wittrup-Jensen 2009), EuroQol calculator lookup.

import type { LookupValueSet } from '../types.ts';
import { CROSSWALK_DK_2012_TABLE } from './crosswalk-dk-2012.data.ts';
import { CROSSWALK_NOTE, VAN_HOUT_2012 } from './van-hout-2012.ts';

export const CROSSWALK_DK_2012: LookupValueSet = {
  id: 'CW-DK-2012',
  country: 'Denmark',
  citation: VAN_HOUT_2012,
  notes: `${CROSSWALK_NOTE} Underlying 3L set: Wittrup-Jensen et al. 2009 (Danish TTO); ` + 'range -0.624 to 1.',
  form: 'lookup',
  table: CROSSWALK_DK_2012_TABLE,
};
