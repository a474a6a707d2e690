// Vega-Lite spec → PNG bytes, all in process: vega-lite compiles the spec to Vega, a headless Vega View
// (renderer 'none') renders SVG text, and resvg (Rust, prebuilt binaries, no node-gyp) rasterises it.
// Docs: https://vega.github.io/vega/usage/#node (View.toSVG), https://github.com/yisibl/resvg-js#usage
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface RenderedChart {
  /** The chart as SVG text (what the PNG shows; tests read labels from it). */
  svg: string;
  png: Buffer;
}

/** Pixel density of the PNG: Slack shows thread images scaled down, so 2× keeps labels legible. */
const SCALE = 2;

export async function renderChart(spec: TopLevelSpec): Promise<RenderedChart> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // System fonts (DejaVu in the image); without any, resvg still draws marks but no text.
    const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: SCALE }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).render().asPng();
    return { svg, png };
  } finally {
    view.finalize();
  }
}

/** The PNG signature and IHDR width/height (bytes 16–23), or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
