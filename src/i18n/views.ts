// Handlebars rendering for pages, e-mails and letters. Templates live in templates/, interface
// texts in locales/<lang>/<section>.json (one file per top-level section, so `section.key`); the
// `t` helper looks texts up in the page's language.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const LANGUAGES = ['nb', 'nn', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

const root = fileURLToPath(new URL('../../', import.meta.url));
type Texts = Record<string, unknown>;
/** Values for a text's {placeholders}; absent ones show as nothing. */
export type TextVars = Record<string, string | number | boolean | null | undefined>;

export interface Views {
  /** Renders templates/<name>.hbs inside a layout (none for e-mails). */
  render(name: string, data: Record<string, unknown> & { lang: Lang }, layout?: string | null): string;
  t(lang: Lang, key: string, vars?: TextVars): string;
  /** A list of texts (paragraphs of a help page). */
  list(lang: Lang, key: string): string[];
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function createViews(dir = path.join(root, 'templates'), localeDir = path.join(root, 'locales')): Views {
  const hb = Handlebars.create();
  const texts = Object.fromEntries(LANGUAGES.map((l) => [l, loadTexts(path.join(localeDir, l))])) as Record<
    Lang,
    Texts
  >;

  const t = (lang: Lang, key: string, vars: TextVars = {}): string => {
    const found = lookup(texts[lang], key) ?? lookup(texts.nb, key);
    if (typeof found !== 'string') throw new Error(`Missing text ${key} for ${lang}`);
    return found.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
  };

  hb.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const lang = (options.data as { root: { lang: Lang } }).root.lang;
    return t(lang, key, options.hash as TextVars);
  });
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of walk(dir)) {
    const name = path
      .relative(dir, file)
      .replace(/\.hbs$/, '')
      .split(path.sep)
      .join('/');
    const source = readFileSync(file, 'utf8');
    if (name.startsWith('partials/')) hb.registerPartial(name.slice('partials/'.length), source);
    // Plain-text e-mails must not be HTML-escaped.
    else templates.set(name, hb.compile(source, { noEscape: name.endsWith('.txt') }));
  }

  const get = (name: string) => {
    const tpl = templates.get(name);
    if (!tpl) throw new Error(`No template ${name}`);
    return tpl;
  };

  return {
    t,
    list(lang, key) {
      const found = lookup(texts[lang], key) ?? lookup(texts.nb, key);
      if (!Array.isArray(found) || !found.every((p) => typeof p === 'string'))
        throw new Error(`Missing text list ${key} for ${lang}`);
      return found;
    },
    render(name, data, layout = 'layouts/main') {
      const body = get(name)(data);
      return layout ? get(layout)({ ...data, body }) : body;
    },
  };
}

/** Every `<section>.json` in a language's folder, under its section name. */
function loadTexts(dir: string): Texts {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return Object.fromEntries(
    files.map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown]),
  );
}

function lookup(texts: Texts, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Texts)[part] : undefined), texts);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.hbs') ? [full] : [];
  });
}
