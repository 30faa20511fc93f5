import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import type QRCodeModule from 'qrcode';
import { html, type SafeHtml, trusted } from './html.js';

/** Modules of white space around the code, as the QR standard asks for reliable scanning. */
const quietZone = 4;

interface DrawnCode {
  box: number;
  path: string;
}

// Pages draw the same few addresses (a unit's form) on every request, and encoding one costs more
// than the rest of a board page. Only units that exist reach here; the bound is for safety.
const drawnCodes = new LRUCache<string, DrawnCode>({ max: 1000 });

// Loaded with the first code drawn, not at start-up (CommonJS, so synchronously).
let QRCode: typeof QRCodeModule | undefined;

function drawCode(text: string): DrawnCode {
  QRCode ??= createRequire(import.meta.url)('qrcode') as typeof QRCodeModule;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (modules.get(row, col)) path += `M${col + quietZone} ${row + quietZone}h1v1h-1z`;
    }
  }
  const drawn = { box: size + 2 * quietZone, path };
  drawnCodes.set(text, drawn);
  return drawn;
}

/**
 * A QR code as inline SVG, drawn here from the `qrcode` package's matrix: no image request, nothing
 * for the CSP to allow. One path of unit squares, crisp at any size and in print. `label` names it
 * for screen readers (the address is also written beside it).
 */
export function qrCodeSvg(text: string, label: string): SafeHtml {
  const { box, path } = drawnCodes.get(text) ?? drawCode(text);
  return html`<svg class="qr" viewBox="0 0 ${box} ${box}" role="img" aria-label="${label}" shape-rendering="crispEdges"><rect width="${box}" height="${box}" fill="#fff"/>${trusted(`<path d="${path}" fill="#000"/>`)}</svg>`;
}
