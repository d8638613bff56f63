// Registry of all value sets, in the order listValueSets() reports them (default first).

import type { ValueSet } from '../types.ts';
import { CROSSWALK_DK_2012 } from './crosswalk-dk-2012.ts';
import { CROSSWALK_UK_2012 } from './crosswalk-uk-2012.ts';
import { DENMARK_2021 } from './denmark-2021.ts';
import { ENGLAND_2018 } from './england-2018.ts';
import { GERMANY_2018 } from './germany-2018.ts';
import { NETHERLANDS_2016 } from './netherlands-2016.ts';
import { NORWAY_2024 } from './norway-2024.ts';
import { SWEDEN_2020 } from './sweden-2020.ts';
import { SWEDEN_2022 } from './sweden-2022.ts';
import { UK_2026 } from './uk-2026.ts';

export const VALUE_SETS: readonly ValueSet[] = [
  NORWAY_2024,
  ENGLAND_2018,
  DENMARK_2021,
  SWEDEN_2022,
  SWEDEN_2020,
  GERMANY_2018,
  NETHERLANDS_2016,
  UK_2026,
  CROSSWALK_UK_2012,
  CROSSWALK_DK_2012,
];
