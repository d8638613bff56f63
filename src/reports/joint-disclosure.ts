// One disclosure plan over every analyst output (docs/analysis.md, "One plan for every
// analyst output"). The comparison report publishes counted answers by arrest type, year and
// hospital; the analyst dashboard publishes the same people's answered counts over both arrest
// types, by hospital (and its health trust and region), by month of arrest and by arrest type.
// A dashboard count that the report does not already give away would let anyone subtract a
// published OHCA group from it and get a withheld IHCA group (or the other way round).
//
// So the report's plan comes first, and the dashboard's answered counts are planned around it:
// - a count the report already gives (a hospital or year whose groups of both types are published,
//   or empty; each arrest type over everything; the total) is *known*: shown, and never hidden to
//   protect another cell, since hiding it would protect nothing;
// - a count that includes a hospital or a year the report withholds for one of the types is
//   *forced* hidden, like a small count, and the dashboard's own suppression then hides as many
//   more as it takes so that none of them follows from the rest;
// - the months of a published year add up to that year's count, which the report gives: the
//   dashboard hides months so that no hidden month follows from that sum either.
// What the dashboard adds beyond the report is then only its own detail — months within a
// published year, web or paper, channel, language, invitations — which no report figure splits.
// Pure.
import { planDisclosure, type Box, type Unit } from './comparison/disclosure.ts';
import type { Constraints, Relation } from './suppression.ts';

/** What the report publishes about counted answers over both arrest types. */
export interface ReportKnowledge {
  /** The hospital's groups of both types over all years are published (or empty). */
  hospital(code: string): boolean;
  /** The year's groups of both types over all hospitals are published (or empty). */
  year(year: number): boolean;
}

export function reportKnowledge(units: readonly Unit[], threshold: number): ReportKnowledge {
  const plan = planDisclosure(units, threshold);
  const years = [...new Set(units.map((u) => u.year))];
  const hospitals = [...new Set(units.map((u) => u.hospital))];
  const shown = (t: 'OHCA' | 'IHCA', box: Box) => {
    const reason = plan.types[t].reason(box);
    return reason === null || reason === 'empty';
  };
  // A type's margin is given when it is published, or when each of its cells is (it is their sum).
  const given = (box: Box) =>
    (['OHCA', 'IHCA'] as const).every(
      (t) =>
        shown(t, box) ||
        (box.year === undefined
          ? years.every((year) => shown(t, { year, hospital: box.hospital }))
          : hospitals.every((hospital) => shown(t, { year: box.year, hospital }))),
    );
  return { hospital: (hospital) => given({ hospital }), year: (year) => given({ year }) };
}

/** The dashboard's published cells as the plan needs them: line × measure, line 0 the total. */
export interface DashboardCells {
  /** dimension of each line (null for the total) and its key */
  lines: readonly { dim: string | null; key: string }[];
  measures: readonly string[];
  values: readonly number[];
  /** hospital → health trust, health trust → region (as the dashboard found them) */
  trustOf: ReadonlyMap<string, string>;
  regionOf: ReadonlyMap<string, string>;
}

/** Constraints for suppressCells, and extra cells (appended after the dashboard's) with their relations. */
export interface JointConstraints extends Constraints {
  forced: boolean[];
  known: boolean[];
  values: number[];
  relations: Relation[];
}

export function dashboardConstraints(report: ReportKnowledge, d: DashboardCells): JointConstraints {
  const M = d.measures.length;
  const answered = d.measures.indexOf('answered');
  const forced = d.values.map(() => false);
  const known = d.values.map(() => false);
  const values: number[] = [];
  const relations: Relation[] = [];
  const hospitals = [...d.trustOf.keys()];
  const allKnown = (codes: string[]) => codes.every((h) => report.hospital(h));
  const months = new Map<number, number[]>();
  d.lines.forEach((line, l) => {
    const cell = l * M + answered;
    let isKnown: boolean | undefined;
    switch (line.dim) {
      case null:
      case 'arrest_type':
        isKnown = true;
        break;
      case 'hospital':
        isKnown = report.hospital(line.key);
        break;
      case 'health_trust':
        isKnown = allKnown(hospitals.filter((h) => d.trustOf.get(h) === line.key));
        break;
      case 'region':
        // A hospital whose trust has no single region may be in this one: counted in.
        isKnown = allKnown(
          hospitals.filter((h) => {
            const region = d.regionOf.get(d.trustOf.get(h) ?? '');
            return region === undefined || region === line.key;
          }),
        );
        break;
      case 'month': {
        const year = Number(line.key.slice(0, 4));
        isKnown = false;
        if (report.year(year)) months.set(year, [...(months.get(year) ?? []), cell]);
        else forced[cell] = d.values[cell]! > 0;
        break;
      }
      default:
        return; // channel, language: no report figure splits them
    }
    if (isKnown) known[cell] = true;
    else if (line.dim !== 'month') forced[cell] = d.values[cell]! > 0;
  });
  // Each published year: its months add up to a count the report gives.
  for (const parts of months.values()) {
    if (parts.length === 1) {
      known[parts[0]!] = true; // the year's only month is the year
      continue;
    }
    const total = d.values.length + values.length;
    values.push(parts.reduce((s, c) => s + d.values[c]!, 0));
    relations.push({ total, parts });
    forced.push(false);
    known.push(true);
  }
  return { forced, known, values, relations };
}
