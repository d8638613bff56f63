// The staff route table read from the app itself: every /staff route with its method, whether it
// needs a signed-in session (requireStaff mounted before it) and the roles its `allow(…)` lets
// through (src/staff/access.ts tags both handlers). docs/staff-access.md's matrix is rendered
// from this and checked against it (test/integration/staff-access-matrix.test.ts).
import type { Express } from 'express';
import type { StaffRole } from '../../src/db/schema.ts';
import type { AccessTag } from '../../src/staff/access.ts';

export const ROLES: readonly StaffRole[] = ['admin', 'registrar', 'analyst'];

export interface RouteAccess {
  method: 'GET' | 'POST';
  path: string;
  /** Behind requireStaff: no session is sent to the login page (GET) or refused (POST, CSRF). */
  session: boolean;
  /** Roles let through; every role when the route has no `allow`. */
  roles: readonly StaffRole[];
}

interface Layer {
  name: string;
  rawPath?: string;
  handle?: AccessTag & { stack?: Layer[] };
  route?: { path: string | string[]; methods: Record<string, boolean>; stack: Layer[] };
}

/** Walks the router stack in order, as express does, so a session check applies to what follows it. */
export function staffRoutes(app: Express): RouteAccess[] {
  const root = (app as unknown as { router?: { stack?: Layer[] } }).router;
  if (!root?.stack) throw new Error('app.router.stack is missing: express changed how it exposes its router');
  const out: RouteAccess[] = [];
  const sessionFrom: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of [layer.route.path].flat()) {
          const path = prefix + p;
          if (!path.startsWith('/staff')) continue;
          const tags = layer.route.stack.map((l) => l.handle ?? {});
          const roles = tags.find((t) => t.allowedRoles)?.allowedRoles ?? ROLES;
          const session = sessionFrom.some((m) => path === m || path.startsWith(`${m}/`));
          for (const m of Object.keys(layer.route.methods)) {
            const method = m.toUpperCase();
            if (method !== 'GET' && method !== 'POST') throw new Error(`${method} ${path}: extend staffRoutes`);
            out.push({ method, path, session, roles: ROLES.filter((r) => roles.includes(r)) });
          }
        }
        continue;
      }
      const mount = layer.rawPath === '/' || layer.rawPath === undefined ? '' : layer.rawPath;
      if (layer.handle?.staffSession) sessionFrom.push(prefix + mount);
      if (layer.handle?.stack) walk(layer.handle.stack, prefix + mount);
    }
  };
  walk(root.stack, '');
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

export const routeKey = (r: Pick<RouteAccess, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** The matrix's cells for one route: no session, then each role. */
export function cells(r: RouteAccess): string[] {
  if (!r.session) return ['open', '—', '—', '—'];
  return [r.method === 'GET' ? '303' : '403', ...ROLES.map((role) => (r.roles.includes(role) ? '✓' : '403'))];
}

export const MATRIX_START = '<!-- access-matrix:start -->';
export const MATRIX_END = '<!-- access-matrix:end -->';

/** The generated table, keeping each route's note from the document. */
export function renderMatrix(routes: RouteAccess[], notes: Map<string, string>): string {
  const head = ['| Route | no session | admin | registrar | analyst | Notes |', '|---|---|---|---|---|---|'];
  const rows = routes.map((r) => `| \`${routeKey(r)}\` | ${cells(r).join(' | ')} | ${notes.get(routeKey(r)) ?? ''} |`);
  return [MATRIX_START, ...head, ...rows, MATRIX_END].join('\n');
}

/** The document's matrix rows: route → cells and note. */
export function parseMatrix(doc: string): Map<string, { cells: string[]; note: string }> {
  const start = doc.indexOf(MATRIX_START);
  const end = doc.indexOf(MATRIX_END);
  if (start < 0 || end < start)
    throw new Error(`docs/staff-access.md lacks the ${MATRIX_START} … ${MATRIX_END} section`);
  const rows = new Map<string, { cells: string[]; note: string }>();
  for (const line of doc.slice(start, end).split('\n')) {
    const m = /^\| `([A-Z]+ [^`]+)` \|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const parts = m[2]!.split(' | ').map((c) => c.trim());
    rows.set(m[1]!, { cells: parts.slice(0, 4), note: parts.slice(4).join(' | ') });
  }
  return rows;
}
