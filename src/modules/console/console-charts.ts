import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml, html, type SafeHtml, trusted } from '../../http/pages/html.js';

/** One bar, point or label of a chart: `label` on the x axis, `value` up the y axis, `series` for colour. */
export interface ChartDatum {
  label: string;
  value: number | null;
  series?: string;
}

export interface ChartOptions {
  /** A short name, also the SVG's accessible name. */
  title: string;
  /** What the chart shows, in a sentence: the SVG's description. */
  description: string;
  mark: 'bar' | 'line';
  yTitle: string;
  /** Rates and shares (0 to 1) are shown as percentages. */
  percent?: boolean;
  /** The top of the y axis, when the figure has one (1 for a rate, 100 for a percentage). */
  max?: number;
  /** The word written in place of a missing figure's bar: `suppressed`, `none to divide`. */
  missing: string;
}

// vega and vega-lite take about 0.2 s to load: only the first chart drawn pays it, not start-up.
let engines: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
const loadEngines = () => {
  engines ??= Promise.all([import('vega'), import('vega-lite')]);
  return engines;
};

/**
 * A chart drawn on the server by Vega-Lite (compiled to Vega, rendered by vega's View.toSVG()): an
 * inline SVG with no script, no style attribute (the page's CSP allows no inline style) and nothing
 * fetched. It is `role="img"` with a title and description; its numbers are in the table beside it,
 * so a value left out here (null: withheld or no denominator) is never drawn as zero.
 */
export async function renderChart(data: readonly ChartDatum[], options: ChartOptions): Promise<SafeHtml> {
  const [vega, vegaLite] = await loadEngines();
  const series = data.some((datum) => datum.series !== undefined);
  const y = {
    field: 'value',
    type: 'quantitative',
    title: options.yTitle,
    ...(options.percent ? { axis: { format: '.0%' } } : {}),
    ...(options.max !== undefined ? { scale: { domain: [0, options.max] } } : {}),
  } as const;
  const spec: TopLevelSpec = {
    // A step per label keeps bars readable however many groups there are; the page scales it down to fit.
    width: { step: 32 },
    height: 180,
    background: 'white',
    config: { font: 'sans-serif', axis: { labelFontSize: 12, titleFontSize: 12 }, legend: { labelFontSize: 12 } },
    data: { values: data.map((datum) => ({ ...datum })) },
    encoding: {
      x: { field: 'label', type: 'ordinal', title: null, sort: null, scale: { domain: data.map((d) => d.label) } },
    },
    layer: [
      {
        transform: [{ filter: 'datum.value !== null' }],
        mark: options.mark === 'line' ? { type: 'line', point: true } : { type: 'bar' },
        encoding: {
          y,
          ...(series ? { color: { field: 'series', type: 'nominal', title: null } } : { color: { value: '#005eb8' } }),
        },
      },
      // A missing figure is written where its bar would be, never drawn as a bar of zero.
      {
        transform: [{ filter: 'datum.value === null' }],
        mark: { type: 'text', text: options.missing, angle: 270, align: 'left', dx: 4, fontSize: 12, fill: '#212b32' },
        encoding: { y: { datum: 0, type: 'quantitative' } },
      },
    ],
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  await view.finalize();
  // Under role="img" the marks are one picture; vega's own roles on each mark would ask for a name each.
  const accessible = svg
    .replace(/ (role|aria-[a-z]+)="[^"]*"/g, '')
    .replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(options.title)}" focusable="false" `);
  const withText = accessible.replace(
    /^(<svg[^>]*>)/,
    `$1<title>${escapeHtml(options.title)}</title><desc>${escapeHtml(options.description)}</desc>`,
  );
  return html`<figure class="chart">${trusted(withText)}<figcaption>${options.description}</figcaption></figure>`;
}
