/**
 * Tenant-written text templates (reminder e-mails) on Handlebars: `{{name}}` and `{{a.b}}` for the
 * variables a caller allows, `{{#if x}}…{{else}}…{{/if}}` and `{{#unless x}}`, `{{! comments }}`.
 * Nothing else — no partials, other helpers, `{{{raw}}}` output or `this`/`../` paths — so a
 * template can only place the values it is given. Checked on save (an unknown variable or a syntax
 * error is a 400 naming it) and rendered in strict mode, so a missing value is an error, never an
 * empty string. The HTML form escapes every value and the template's own text.
 */
import Handlebars from 'handlebars';
import { validationError } from '../domain/errors';

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;

const BLOCK_HELPERS = new Set(['if', 'unless']);
/** One environment of our own: nothing registered globally elsewhere reaches tenant templates. */
const engine = Handlebars.create();
const COMPILE: CompileOptions = { strict: true, knownHelpers: { if: true, unless: true, each: false, with: false, lookup: false, log: false, helperMissing: false, blockHelperMissing: false }, knownHelpersOnly: true };

export interface TemplateProblem {
  field: string;
  /** The variable a template names that does not exist, when that is the problem. */
  variable?: string;
}

function parse(source: string, field: string): Program {
  try {
    return engine.parse(source);
  } catch (err) {
    // Handlebars' message names the line and shows where ("Parse error on line 2: … Expecting 'ID'").
    throw validationError('invalid_template', `${field}: ${(err as Error).message.split('\n').filter(Boolean).join(' ')}`, { field });
  }
}

function check(node: Node, allowed: ReadonlySet<string>, field: string): void {
  const variable = (path: hbs.AST.Expression) => {
    if (path.type !== 'PathExpression') throw validationError('invalid_template', `${field}: only variables can be placed, not literals`, { field });
    const name = (path as hbs.AST.PathExpression).original;
    if (!allowed.has(name)) {
      throw validationError('unknown_template_variable', `${field}: unknown variable {{${name}}}; known: ${[...allowed].map((v) => `{{${v}}}`).join(', ')}`, { field, variable: name });
    }
  };
  switch (node.type) {
    case 'Program':
      for (const child of (node as Program).body) check(child, allowed, field);
      return;
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const m = node as hbs.AST.MustacheStatement;
      if (!m.escaped) throw validationError('invalid_template', `${field}: {{{…}}} (unescaped output) is not allowed`, { field });
      if (m.params.length || m.hash) throw validationError('invalid_template', `${field}: helpers are not available; place a variable like {{invoice.number}}`, { field });
      variable(m.path);
      return;
    }
    case 'BlockStatement': {
      const b = node as hbs.AST.BlockStatement;
      const name = b.path.original;
      if (!BLOCK_HELPERS.has(name) || b.params.length !== 1 || b.hash) {
        throw validationError('invalid_template', `${field}: {{#${name}}} is not available; use {{#if variable}}…{{/if}} or {{#unless variable}}…{{/unless}}`, { field });
      }
      variable(b.params[0]);
      check(b.program, allowed, field);
      if (b.inverse) check(b.inverse, allowed, field);
      return;
    }
    default:
      throw validationError('invalid_template', `${field}: ${node.type.replace(/Statement$/, '').toLowerCase()}s are not available in templates`, { field });
  }
}

/** Throws a 400 DomainError (`invalid_template`, `unknown_template_variable`) naming the field. */
export function checkTemplate(source: string, allowed: readonly string[], field: string): void {
  check(parse(source, field), new Set(allowed), field);
}

const htmlEscape = (text: string) => engine.escapeExpression(text);

/** The template's own text escaped for HTML too (values are escaped by Handlebars). */
function escapeContent(node: Node): void {
  if (node.type === 'ContentStatement') {
    const c = node as hbs.AST.ContentStatement;
    c.value = htmlEscape(c.value);
  } else if (node.type === 'Program') {
    (node as Program).body.forEach(escapeContent);
  } else if (node.type === 'BlockStatement') {
    const b = node as hbs.AST.BlockStatement;
    escapeContent(b.program);
    if (b.inverse) escapeContent(b.inverse);
  }
}

export interface Rendered {
  text: string;
  html: string;
}

/** Values may nest (`{ invoice: { number } }`); every leaf is a string or a boolean. */
export type TemplateValues = { [name: string]: string | boolean | TemplateValues };

/** Plain text as is; HTML with everything escaped, values' line breaks kept, `link` made clickable. */
export function renderTemplate(source: string, allowed: readonly string[], values: TemplateValues, opts: { field: string; link?: string }): Rendered {
  checkTemplate(source, allowed, opts.field);
  const text = engine.compile(parse(source, opts.field), { ...COMPILE, noEscape: true })(values);
  const ast = parse(source, opts.field);
  escapeContent(ast);
  const inner = engine.compile(ast, COMPILE)(values);
  return { text, html: htmlDocument(linkify(inner.replace(/\r?\n/g, '<br>\n'), opts.link)) };
}

/** The HTML form of a plain text (the built-in reminder): escaped, line breaks kept, the link clickable. */
export function textToHtml(text: string, link?: string): string {
  return htmlDocument(linkify(htmlEscape(text).replace(/\r?\n/g, '<br>\n'), link));
}

function linkify(html: string, link?: string): string {
  if (!link) return html;
  const escaped = htmlEscape(link);
  return html.split(escaped).join(`<a href="${escaped}">${escaped}</a>`);
}

const htmlDocument = (body: string) =>
  `<!doctype html>\n<html><head><meta charset="utf-8"></head><body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2328;">\n${body}\n</body></html>\n`;
