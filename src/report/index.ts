/** SVG figures as deterministic strings (docs/STATISTICS.md, "Figures"). */
export { barChart, ZOOMED_AXIS_NOTE, type Bar, type BarChartSpec, type BarGroup } from './bar-chart.js';
export { criticalDifferenceDiagram, type CriticalDifferenceSpec } from './critical-difference-diagram.js';
export { lineChart, type LineChartSpec, type LinePoint, type LineSeries, type XScale } from './line-chart.js';
export { escapeXml } from './svg.js';
