// /api/v1/docs: a readable reference rendered on the server from the OpenAPI document itself
// (no scripts; the stylesheet is served from /api/v1/docs.css, so CSP 'self' holds).
import { IDEMPOTENCY_HOURS } from './idempotency.ts';
import { openApiDocument } from './openapi.ts';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from './problem.ts';
import { API_PREFIX, OPERATIONS } from './spec.ts';

type Json = Record<string, unknown>;

/** A value of the OpenAPI document as text: strings and numbers as they are, anything else as JSON. */
function plain(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const esc = (s: unknown) =>
  plain(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** `code` spans in descriptions, after escaping. */
const text = (s: unknown) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

export const DOCS_CSS = `
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}h3{margin-top:2rem}
code,pre{font-family:ui-monospace,monospace;font-size:.9em;background:#f3f3f3;padding:0 .2em}
pre{padding:.75rem;overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6}.method{font-weight:bold;text-transform:uppercase}
nav ul{columns:2}a{color:#0b57a4}
`;

function resolve(doc: Json, schema: unknown): Json {
  const ref = (schema as Json | undefined)?.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').pop()!;
    return ((doc.components as Json).schemas as Json)[name] as Json;
  }
  return (schema ?? {}) as Json;
}

function typeOf(doc: Json, schema: Json): string {
  const ref = schema.$ref;
  if (typeof ref === 'string') return `<a href="#schema-${esc(ref.split('/').pop())}">${esc(ref.split('/').pop())}</a>`;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${esc(v)}</code>`).join(' | ');
  if (schema.const !== undefined) return `<code>${esc(schema.const)}</code>`;
  const t = Array.isArray(schema.type) ? schema.type.join(' or ') : plain(schema.type ?? 'any');
  if (schema.type === 'array') return `array of ${typeOf(doc, (schema.items ?? {}) as Json)}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map((s) => typeOf(doc, s)).join(' or ');
  return esc(t) + (schema.format ? ` (${esc(schema.format)})` : '');
}

function rules(schema: Json): string {
  const r: string[] = [];
  if (schema.minLength !== undefined) r.push(`min length ${plain(schema.minLength)}`);
  if (schema.maxLength !== undefined) r.push(`max length ${plain(schema.maxLength)}`);
  if (typeof schema.pattern === 'string' && schema.pattern.length < 60)
    r.push(`pattern <code>${esc(schema.pattern)}</code>`);
  if (schema.minItems !== undefined) r.push(`at least ${plain(schema.minItems)}`);
  if (schema.maxItems !== undefined) r.push(`at most ${plain(schema.maxItems)}`);
  if (schema.example !== undefined) r.push(`example <code>${esc(schema.example)}</code>`);
  return r.join('; ');
}

function propertiesTable(doc: Json, schema: Json): string {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(props).map(
    ([name, p]) =>
      `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' (required)' : ''}</td><td>${typeOf(doc, p)}</td><td>${text(p.description)}${rules(p) ? `<br><small>${rules(p)}</small>` : ''}</td></tr>`,
  );
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderDocsPage(): string {
  const doc = openApiDocument() as unknown as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const info = doc.info as Json;
  const ops = OPERATIONS.map((op) => {
    const o = paths[op.path]![op.method]!;
    const params = ((o.parameters ?? []) as Json[]).map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''})</td><td>${typeOf(doc, (p.schema ?? {}) as Json)}</td><td>${text(p.description)}</td></tr>`,
    );
    const body = (o.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
    const responses = Object.entries(o.responses as Record<string, Json>).map(([status, r]) => {
      const content = Object.entries((r.content ?? {}) as Record<string, Json>)
        .map(([type, c]) => `<code>${esc(type)}</code>: ${typeOf(doc, c.schema as Json)}`)
        .join('<br>');
      return `<tr><td>${esc(status)}</td><td>${text(r.description)}</td><td>${content}</td></tr>`;
    });
    return `<section id="op-${esc(op.id)}">
<h3><span class="method">${esc(op.method)}</span> <code>${esc(API_PREFIX + op.path)}</code></h3>
<p><strong>${esc(op.summary)}.</strong> ${text(op.description)}</p>
<p>Scope: <code>${esc(op.scope)}</code>${op.method === 'post' ? ` · <code>Idempotency-Key</code> honoured` : ''}</p>
${params.length ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>Type</th><th>Meaning</th></tr></thead><tbody>${params.join('')}</tbody></table>` : ''}
${body ? `<h4>Request body${(o.requestBody as Json).required ? '' : ' (optional)'}</h4><p><code>application/json</code>: ${typeOf(doc, body['application/json']!.schema as Json)}</p>` : ''}
<h4>Answers</h4><table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>${responses.join('')}</tbody></table>
</section>`;
  });
  const schemas = Object.entries((doc.components as Json).schemas as Record<string, Json>).map(
    ([name, s]) =>
      `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${s.description ? `<p>${text(s.description)}</p>` : ''}${
        s.properties ? propertiesTable(doc, resolve(doc, s)) : `<p>${typeOf(doc, s)}</p>`
      }</section>`,
  );
  const problems = (Object.keys(PROBLEM_TYPES) as ProblemType[]).map(
    (k) =>
      `<tr id="problem-${esc(k)}"><td><code>${esc(problemTypeUri(k))}</code></td><td>${PROBLEM_TYPES[k].status}</td><td>${esc(PROBLEM_TYPES[k].title)}. ${text(PROBLEM_TYPES[k].about)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)}</title><link rel="stylesheet" href="${API_PREFIX}/docs.css"></head>
<body><main>
<h1>${esc(info.title)}</h1>
<p>Version ${esc(info.version)}. ${text(info.description)} The machine-readable description is <a href="${API_PREFIX}/openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<nav aria-label="Contents"><ul>
<li><a href="#authentication">Authentication and scopes</a></li><li><a href="#errors">Errors</a></li><li><a href="#idempotency">Idempotency</a></li>
${OPERATIONS.map((op) => `<li><a href="#op-${esc(op.id)}"><span class="method">${esc(op.method)}</span> ${esc(op.path)}</a></li>`).join('\n')}
<li><a href="#schemas">Schemas</a></li></ul></nav>
<h2 id="authentication">Authentication and scopes</h2>
<p>Every call except this page and <code>openapi.json</code> needs <code>Authorization: Bearer &lt;key&gt;</code>. Without a valid key the answer is 401 before the body is read. Keys have scopes:</p>
<table><thead><tr><th>Scope</th><th>Allows</th></tr></thead><tbody>
<tr><td><code>intake</code></td><td>PUT survivors, the batch, deaths and withdrawals</td></tr>
<tr><td><code>status</code></td><td>invitations and contact logs</td></tr>
<tr><td><code>results</code></td><td>responses, pseudonymous</td></tr>
<tr><td><code>identifiers</code></td><td>with <code>results</code>: responses also carry <code>register_id</code> and the exact completion time</td></tr>
</tbody></table>
<p>A key restricted to hospitals sees and writes only survivors whose arrest was at one of them; another hospital's survivor is answered as 404. Calls are rate-limited per key and audited.</p>
<h2 id="errors">Errors</h2>
<p>Errors are <code>application/problem+json</code> (RFC 9457) with <code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code>, and for validation an <code>errors</code> list whose entries name a body field with a JSON <code>pointer</code>, a <code>parameter</code> or a <code>header</code>.</p>
<table><thead><tr><th>Type</th><th>Status</th><th>Meaning</th></tr></thead><tbody>${problems.join('\n')}</tbody></table>
<h2 id="idempotency">Idempotency</h2>
<p>PUT is idempotent by nature. POSTs honour an <code>Idempotency-Key</code> header for ${IDEMPOTENCY_HOURS} hours: the same key with the same request answers the stored answer again with <code>Idempotent-Replayed: true</code>; with a different request, a 422 problem; while the first is running, a 409 problem.</p>
<h2 id="endpoints">Endpoints</h2>
${ops.join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas.join('\n')}
</main></body></html>
`;
}
