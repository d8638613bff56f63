// The codebook (CSV) and scripts that read the wide file and apply the labels in R, Stata and
// SPSS, all generated from the same variable list.
import { stringify } from 'csv-stringify/sync';
import { MISSING_NOTE, type Variable } from './variables.ts';

export const WIDE_FILE = 'responses-wide.csv';

export function codebookCsv(vars: readonly Variable[]): string {
  return stringify(
    vars.map((v) => ({
      variable: v.name,
      label: v.label,
      type: v.type,
      values: (v.valueLabels ?? []).map(([code, label]) => `${code}=${label}`).join('; '),
      missing: MISSING_NOTE,
    })),
    { header: true, columns: ['variable', 'label', 'type', 'values', 'missing'] },
  );
}

const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function rScript(vars: readonly Variable[]): string {
  const lines = [
    '# Reads the wide export and applies the labels. Empty cells are missing (NA).',
    `d <- read.csv("${WIDE_FILE}", stringsAsFactors = FALSE, na.strings = "", encoding = "UTF-8")`,
  ];
  for (const v of vars) {
    if (v.valueLabels) {
      const codes = v.valueLabels.map(([c]) => (typeof c === 'number' ? String(c) : `"${q(c)}"`)).join(', ');
      const labels = v.valueLabels.map(([, l]) => `"${q(l)}"`).join(', ');
      lines.push(`d$${v.name} <- factor(d$${v.name}, levels = c(${codes}), labels = c(${labels}))`);
    }
    lines.push(`attr(d$${v.name}, "label") <- "${q(v.label)}"`);
  }
  return lines.join('\n') + '\n';
}

export function stataScript(vars: readonly Variable[]): string {
  const lines = [
    '* Reads the wide export and applies the labels. Empty cells are missing.',
    `import delimited using "${WIDE_FILE}", clear varnames(1) encoding("utf-8") stringcols(${vars
      .filter((v) => v.type === 'string')
      .map((v) => v.name)
      .join(' ')})`,
  ];
  for (const v of vars) {
    lines.push(`label variable ${v.name} "${v.label.replace(/"/g, "'")}"`);
    if (v.valueLabels && v.type === 'integer') {
      lines.push(
        `label define ${v.name}_lbl ${v.valueLabels.map(([c, l]) => `${c} "${l.replace(/"/g, "'")}"`).join(' ')}, replace`,
      );
      lines.push(`label values ${v.name} ${v.name}_lbl`);
    }
  }
  return lines.join('\n') + '\n';
}

export function spssScript(vars: readonly Variable[]): string {
  const format = (v: Variable) =>
    v.type === 'string' ? `A${v.width}` : v.type === 'integer' ? `F${v.width}.0` : 'F12.7';
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const lines = [
    '* Reads the wide export and applies the labels. Empty cells are system-missing.',
    `GET DATA /TYPE=TXT /FILE=${quote(WIDE_FILE)} /ENCODING='UTF8' /DELCASE=LINE /DELIMITERS="," /QUALIFIER='"'`,
    '  /ARRANGEMENT=DELIMITED /FIRSTCASE=2',
    `  /VARIABLES=${vars.map((v) => `${v.name} ${format(v)}`).join(' ')}.`,
    'VARIABLE LABELS',
    ...vars.map((v, i) => `  ${v.name} ${quote(v.label)}${i === vars.length - 1 ? '.' : ''}`),
  ];
  const labelled = vars.filter((v) => v.valueLabels);
  if (labelled.length > 0) {
    lines.push('VALUE LABELS');
    labelled.forEach((v, i) => {
      const pairs = v.valueLabels!.map(([c, l]) => `${typeof c === 'number' ? c : quote(c)} ${quote(l)}`).join(' ');
      lines.push(`  ${i === 0 ? '' : '/'}${v.name} ${pairs}${i === labelled.length - 1 ? '.' : ''}`);
    });
  }
  lines.push('EXECUTE.');
  return lines.join('\n') + '\n';
}
