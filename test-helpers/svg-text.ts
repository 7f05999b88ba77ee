/**
 * What an SVG says in words, for tests of the explanation pictures: the text of every <text> and
 * <title> element, unescaped, in document order. Not a test file (see test-helpers/gradcheck.ts).
 */
import { parseXml, type XmlElement } from './xml.js';

/** The checked elements of `svg` (throws if it is not well formed) and its texts. */
export function readSvg(svg: string): { elements: XmlElement[]; texts: string[]; titles: string[] } {
  const elements = parseXml(svg);
  return { elements, texts: contents(svg, 'text'), titles: contents(svg, 'title') };
}

function contents(svg: string, name: string): string[] {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`, 'g');
  return [...svg.matchAll(pattern)].map((m) => unescape(m[1]));
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
