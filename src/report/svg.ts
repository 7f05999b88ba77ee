/**
 * The small SVG writer the figures share: escaped text, rounded coordinates and an element helper,
 * so that every figure is a deterministic string (same input → same bytes).
 */
import { HeedError } from '../util/errors.js';

/** Generic family only: the figures must render the same without any font being fetched. */
export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate with two decimals (enough for a screen, and stable across platforms); refuses NaN and ±∞. */
export function coordinate(value: number): string {
  if (!Number.isFinite(value)) throw new HeedError(`SVG: coordinate is not finite (${value})`);
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

type AttributeValue = string | number | undefined;

/** `<name a="…">children</name>`, or self-closing without children. Numbers go through coordinate(); undefined attributes are omitted. */
export function element(
  name: string,
  attributes: Record<string, AttributeValue>,
  children: string | string[] = [],
): string {
  const attributeText = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${typeof value === 'number' ? coordinate(value) : escapeXml(value)}"`)
    .join('');
  const body = Array.isArray(children) ? children.join('') : children;
  return body === '' ? `<${name}${attributeText}/>` : `<${name}${attributeText}>${body}</${name}>`;
}

/** A text element; the content is escaped here. */
export function text(
  x: number,
  y: number,
  content: string,
  attributes: Record<string, AttributeValue> = {},
): string {
  return element('text', { x, y, ...attributes }, escapeXml(content));
}

/**
 * Approximate width of a label in a sans-serif font: there is no font to measure, so 0.66 em per
 * character (DejaVu Sans, the usual fallback, averages about that; 0.6 let legends overflow).
 */
export function textWidth(content: string, fontSize: number): number {
  return content.length * fontSize * 0.66;
}

/** The root element: a viewBox so the figure scales, a <title> for screen readers, a white background. */
export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return (
    element(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        viewBox: `0 0 ${coordinate(width)} ${coordinate(height)}`,
        width,
        height,
        role: 'img',
        'font-family': FONT_FAMILY,
      },
      [
        element('title', {}, escapeXml(title)),
        element('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
        ...body,
      ].join('\n'),
    ) + '\n'
  );
}
