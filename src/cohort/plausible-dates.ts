// Facts from outside that would stop contact at once must be plausible: a death not in the
// future, not before the person's birth or their cardiac arrest; a withdrawal of consent not
// in the future and not before the arrest. Pure checks; the edges (death file, API, CLI) look
// up the person's dates and refuse the fact, so the person stays contactable.
import { osloDay } from '../clock.ts';

export interface PersonDates {
  birthDate: string | null;
  arrestDate: string | null;
}

/** Why a date of death (YYYY-MM-DD) cannot be right, or undefined. */
export function deathDateProblem(diedOn: string, now: Date, person: PersonDates | undefined): string | undefined {
  if (diedOn > osloDay(now)) return 'is in the future';
  if (person?.birthDate && diedOn < person.birthDate) return "is before the person's date of birth";
  if (person?.arrestDate && diedOn < person.arrestDate) return 'is before the cardiac arrest';
  return undefined;
}

/** A clock a few minutes apart from ours is not a withdrawal in the future. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Why a withdrawal time cannot be right, or undefined. */
export function withdrawalTimeProblem(at: Date, now: Date, person: PersonDates | undefined): string | undefined {
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) return 'may not be in the future';
  if (person?.arrestDate && osloDay(at) < person.arrestDate) return 'is before the cardiac arrest';
  return undefined;
}
