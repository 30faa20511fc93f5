import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { problemResponse } from '../problems.js';

/** Markup we wrote ourselves; anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => escapes[char] ?? char);
}

type Interpolation = SafeHtml | string | number | null | undefined | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template for pages: every interpolated value is HTML-escaped unless it is already
 * SafeHtml (built by this same function), so user-written words can only ever show as text.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup from a constant in our own code (an SVG pictogram), never from data. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);

const hashesKept = 64;
const hashes = new Map<string, string>();

/**
 * A CSP hash source. Pages hash the same few stylesheets and scripts of our own code on every
 * answer, so the hashes are kept (a handful; past `hashesKept` it starts again).
 */
function sha256(text: string): string {
  let hash = hashes.get(text);
  if (hash === undefined) {
    hash = `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    if (hashes.size >= hashesKept) hashes.clear();
    hashes.set(text, hash);
  }
  return hash;
}

/** A page's one inline stylesheet and optional inline script, allowed by hash in the CSP. */
export interface PageAssets {
  css: string;
  script?: string;
  /** Scripts (and their workers) served by this service itself, as `<script src="/…">`: allowed as 'self'. */
  ownScripts?: boolean;
  /** Audio and video this service serves (a staff page's attachments): allowed as 'self'. */
  media?: boolean;
}

/**
 * A strict Content-Security-Policy: nothing loads from anywhere, inline code runs only when its
 * hash matches, fetches go to this origin only, and no one may frame the page.
 */
export function contentSecurityPolicy(assets: PageAssets): string {
  return [
    "default-src 'none'",
    `script-src ${[assets.script ? sha256(assets.script) : '', assets.ownScripts ? "'self'" : ''].filter(Boolean).join(' ') || "'none'"}`,
    ...(assets.ownScripts ? ["worker-src 'self'"] : []),
    `style-src ${sha256(assets.css)}`,
    "img-src 'self' data:",
    ...(assets.media ? ["media-src 'self'"] : []),
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface Document {
  title: string;
  assets: PageAssets;
  body: SafeHtml;
  /** Attributes on <body> (values escaped), e.g. data-board-url for the refresh script. */
  bodyData?: Record<string, string>;
  /**
   * A path of this service to go on to at once (a meta refresh, no script): a navigation this page
   * starts, so the browser sends it the SameSite=Strict cookies a redirect from another site would not.
   */
  continueTo?: string;
}

export function renderDocument(doc: Document): string {
  const data = Object.entries(doc.bodyData ?? {})
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
${doc.continueTo ? `<meta http-equiv="refresh" content="0;url=${escapeHtml(doc.continueTo)}">\n` : ''}<title>${escapeHtml(doc.title)}</title>
<style>${doc.assets.css}</style>
</head>
<body${data}>
${doc.body.value}
${doc.assets.script ? `<script>${doc.assets.script}</script>` : ''}
</body>
</html>
`;
}

/** A page's answer as the OpenAPI document shows it: HTML for people, not JSON. */
export const htmlResponse = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string().describe('An HTML page') } },
});

/** A 400 that is a page for what a person can put right, and problem details for a malformed request (a bad path segment). */
export const pageOrProblem = (description: string) => ({
  description,
  content: { ...htmlResponse('').content, ...problemResponse('').content },
});

/** Sends a page with the security headers every page carries; `rendered` when the caller already has it. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  doc: Document,
  rendered = renderDocument(doc),
): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy(doc.assets))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .send(rendered);
}
