/**
 * PNG from an explanation's SVG, rasterised by resvg (`@resvg/resvg-js`, a Rust SVG renderer that
 * npm installs as a prebuilt binary for the platform: no download at install or run time beyond
 * npm's own). Loaded on first use, so SVG and HTML never need the native module. Text is drawn
 * with the system's fonts; a system without any draws the picture without its text, which is why
 * SVG stays the default.
 */
import type { LoadedArtifact } from '../../models/artifact.js';
import { HeedError } from '../../util/errors.js';
import { renderExplanationSvg } from './render.js';

/** Pixels per SVG unit: twice the SVG's size, sharp on high-density screens. */
const SCALE = 2;

export async function svgToPng(svg: string): Promise<Uint8Array> {
  let resvg: typeof import('@resvg/resvg-js');
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (error) {
    throw new HeedError(
      `PNG needs the npm package @resvg/resvg-js and its binary for this platform (${process.platform}-${process.arch}), ` +
        `which could not be loaded (${error instanceof Error ? error.message : String(error)}); write .svg or .html instead`,
    );
  }
  const renderer = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return renderer.render().asPng();
}

/** The explanation picture as PNG bytes (see `renderExplanationSvg`). */
export async function renderExplanationPng(
  artifact: LoadedArtifact,
  user: string,
  item?: string,
): Promise<Uint8Array> {
  return svgToPng(renderExplanationSvg(artifact, user, item));
}
