// The audit log in words for the admin page: actions, kinds of record and the details of each
// entry as short Norwegian phrases instead of codes and JSON. Unknown keys and values are shown
// as they are (an id, an e-mail address, a file name), so nothing recorded is hidden.
type TOr = (key: string, fallback: string) => string;

export function auditAction(tOr: TOr, action: string): string {
  return tOr(
    `auditText.actions.${action}`,
    action.startsWith('/s/') ? tOr('auditText.actions.respondentChoice', action) : action,
  );
}

export function auditEntity(tOr: TOr, entity: string): string {
  return tOr(`auditText.entities.${entity}`, entity);
}

/** `details` as "Key: value; Key: value", each part in words. */
export function auditDetails(tOr: TOr, details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${tOr(`auditText.keys.${k}`, k)}: ${valueText(tOr, v)}`)
    .join('; ');
}

function valueText(tOr: TOr, v: unknown): string {
  if (typeof v === 'boolean') return tOr(`auditText.values.${v ? 'yes' : 'no'}`, String(v));
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return tOr(`auditText.values.${v}`, v);
  if (Array.isArray(v)) return v.map((x) => valueText(tOr, x)).join(', ');
  if (typeof v === 'object' && v)
    return Object.entries(v)
      .map(([k, x]) => `${tOr(`auditText.keys.${k}`, k)} ${valueText(tOr, x)}`)
      .join(', ');
  return String(v);
}
