// Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula.
// Text cells in every CSV we hand out are prefixed with ' so they show as text; numbers are left alone.
export function defuseCell(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}
