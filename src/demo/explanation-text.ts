/**
 * The demo's explanation in words: what was planted, the attention behind one prediction as text
 * bars, and a plain yes or no on whether the planted feature got the top weight, for that user and
 * over all users. The terminal prints it; the HTML report shows it beside the picture.
 */
import type { AttentionWeight } from '../models/model.js';
import type { DemoExplanation } from './demo-explanation.js';
import type { FeatureRank, PlantedAttentionSummary, TopCount } from './planted-attention.js';

/** Characters of a bar of weight 1. */
const BAR_WIDTH = 24;

export function explanationHeadline(e: DemoExplanation): string {
  return (
    `Why ${e.model} predicts ${e.predicted.toFixed(2)} for user ${e.user} on item ${e.item} ` +
    `"${e.itemTitle}" (the held-out rating is ${e.rated})`
  );
}

/** The explanation of the one prediction, several lines. */
export function explanationText(e: DemoExplanation): string {
  const fan = e.taste === 'director' ? 'a director fan' : 'a genre fan';
  const among = e.plantedAmongAllFeatures;
  return [
    explanationHeadline(e),
    `The generator planted ${e.user}'s taste: ${fan}, whose ratings depend on ${e.plantedFeature}.`,
    `${e.user}'s attention over the item's ${e.itemAttention.length} features (the explanation of this prediction):`,
    ...bars(e.itemAttention, e.plantedFeature),
    verdict(e.plantedAmongItemFeatures, e.itemAttention),
    `Over all ${among.count} item features of the data set, ${e.user}'s attention gives ${e.plantedFeature} ` +
      `rank ${among.rank} with ${percent(among.weight)} (${percent(among.uniform)} if uniform).`,
  ].join('\n');
}

/** The same question over every user and every test prediction of an item with the planted feature. */
export function summaryText(s: PlantedAttentionSummary): string {
  return [
    `Over all ${s.users.cases} users (each has a planted taste), the planted feature is the top weight of ` +
      `their attention over all item features for ${share(s.users)} of them ` +
      `(director fans ${fraction(s.directorFans)}, genre fans ${fraction(s.genreFans)}); ` +
      `median weight ${percent(s.medianPlantedWeight)} against ${percent(s.uniform)} if uniform.`,
    `In the ${s.predictions.cases} test predictions of items that have their user's planted feature, it is ` +
      `the top weight among the item's features in ${share(s.predictions)}.`,
  ].join('\n');
}

function verdict(rank: FeatureRank, weights: readonly AttentionWeight[]): string {
  const where = `rank ${rank.rank} of ${rank.count}, ${percent(rank.weight)} against ${percent(rank.uniform)} if uniform`;
  if (rank.rank === 1) return `Yes: the planted feature ${rank.feature} has the top weight (${where}).`;
  const top = weights.reduce((best, w) => (w.weight > best.weight ? w : best));
  return (
    `No: the planted feature ${rank.feature} does not have the top weight (${where}); ` +
    `${top.feature} has it with ${percent(top.weight)}.`
  );
}

function bars(weights: readonly AttentionWeight[], planted: string): string[] {
  const sorted = [...weights].sort((a, b) => b.weight - a.weight);
  const width = Math.max(...sorted.map((w) => w.feature.length));
  return sorted.map((w) => {
    const filled = Math.round(BAR_WIDTH * Math.min(1, Math.max(0, w.weight)));
    const bar = '█'.repeat(filled) + '·'.repeat(BAR_WIDTH - filled);
    const mark = w.feature === planted ? '  ← planted' : '';
    return `  ${w.feature.padEnd(width)}  ${bar}  ${percent(w.weight).padStart(6)}${mark}`;
  });
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Rounded down, so "100%" means every case (999 of 1000 is 99.9%, never 100.0%). */
function share(c: TopCount): string {
  if (c.cases === 0) return 'none (no cases)';
  const p = c.top === c.cases ? '100' : (Math.floor((1000 * c.top) / c.cases) / 10).toFixed(1);
  return `${p}% (${fraction(c)})`;
}

function fraction(c: TopCount): string {
  return `${c.top}/${c.cases}`;
}
