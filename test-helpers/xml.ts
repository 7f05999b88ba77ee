/**
 * A small XML well-formedness check for the SVG figures: balanced tags, quoted attributes, only the
 * five predefined entities (or numeric ones), a single root. Enough for what the figure builders
 * write (no CDATA, comments or DOCTYPE), and strict about it.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
}

const TAG = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>$/;
const ATTRIBUTE = /([\w:.-]+)="([^"<]*)"/g;
const BAD_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/** Throws with the offending token if `xml` is not well formed; returns every element, in document order. */
export function parseXml(xml: string): XmlElement[] {
  const tokens = xml.match(/<[^>]*>|[^<]+/g) ?? [];
  const open: string[] = [];
  const elements: XmlElement[] = [];
  let roots = 0;
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      if (BAD_ENTITY.test(token)) throw new Error(`bare & in text: ${token}`);
      if (open.length === 0 && token.trim() !== '') throw new Error(`text outside the root: ${token}`);
      continue;
    }
    const match = TAG.exec(token);
    if (match === null) throw new Error(`malformed tag: ${token}`);
    const [, closing, name, attributeText, selfClosing] = match;
    if (closing === '/') {
      const expected = open.pop();
      if (expected !== name) throw new Error(`</${name}> closes <${expected ?? 'nothing'}>`);
      continue;
    }
    if (open.length === 0 && ++roots > 1) throw new Error(`second root element <${name}>`);
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText.matchAll(ATTRIBUTE)) {
      if (key in attributes) throw new Error(`attribute ${key} repeated in ${token}`);
      if (BAD_ENTITY.test(value)) throw new Error(`bare & in attribute ${key} of ${token}`);
      attributes[key] = value;
    }
    elements.push({ name, attributes });
    if (selfClosing !== '/') open.push(name);
  }
  if (open.length > 0) throw new Error(`unclosed <${open.join('>, <')}>`);
  if (roots !== 1) throw new Error('no root element');
  return elements;
}

const GEOMETRY = new Set([
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'cx',
  'cy',
  'r',
  'width',
  'height',
  'd',
  'points',
  'viewBox',
  'transform',
]);

/** Every number in every geometry attribute (coordinates, paths, transforms), with where it came from. */
export function geometryNumbers(elements: readonly XmlElement[]): { where: string; value: number }[] {
  const numbers: { where: string; value: number }[] = [];
  for (const element of elements) {
    for (const [key, value] of Object.entries(element.attributes)) {
      if (!GEOMETRY.has(key)) continue;
      const found = value.match(/-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|NaN|Infinity/g) ?? [];
      if (found.length === 0) throw new Error(`<${element.name} ${key}="${value}"> has no number`);
      for (const text of found)
        numbers.push({ where: `<${element.name} ${key}="${value}">`, value: Number(text) });
    }
  }
  return numbers;
}
