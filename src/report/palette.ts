/**
 * Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), in an order that keeps
 * neighbouring series far apart; the yellow, weakest on white, comes last. Series beyond eight reuse
 * colours, and the marker shape (four kinds) keeps them apart.
 */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond';
const MARKERS: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond'];

export function seriesColour(index: number): string {
  return PALETTE[index % PALETTE.length];
}

export function seriesMarker(index: number): MarkerShape {
  return MARKERS[Math.floor(index / PALETTE.length + index) % MARKERS.length];
}
