/**
 * The demo's HTML report, composed: what the demo did, the comparison table, the explanation of one
 * prediction as a picture and as text, the summary over all users, and what to run next. The
 * markup is `report/html-report.ts`; the pictures are `attention-picture.ts`.
 */
import type { PlantedTruth } from '../data/loaders/synthetic.js';
import type { EvaluationResult } from '../eval/protocol.js';
import type { Explanation } from '../models/model.js';
import { attentionPicture } from './attention-picture.js';
import { htmlReport } from '../report/html-report.js';
import type { DemoExplanation } from './demo-explanation.js';
import { explanationHeadline, explanationText, summaryText } from './explanation-text.js';

export interface DemoRun {
  readonly datasetId: string;
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  readonly split: string;
  readonly seed: number;
  readonly truth: PlantedTruth;
  readonly results: readonly EvaluationResult[];
  readonly explanation: DemoExplanation;
  /** The `--set` overrides the attention model was trained with, as `key=value`. */
  readonly attentionSettings: readonly string[];
}

export function demoReportHtml(run: DemoRun): string {
  const e = run.explanation;
  const o = run.truth.options;
  const asExplanation: Explanation = {
    model: e.model,
    user: 0,
    item: 0,
    prediction: e.predicted,
    groups: [{ name: 'item features', weights: e.itemAttention }],
  };
  const sets = run.attentionSettings.map((s) => ` --set ${s}`).join('');
  return htmlReport({
    title: 'Heed demo: attention that finds a planted taste',
    sections: [
      {
        heading: 'What the demo did',
        paragraphs: [
          `It generated the synthetic data set "${run.datasetId}" (seed ${run.seed}): ${run.users} users, ` +
            `${run.items} films with a director, one or two genres and a year, and ${run.ratings} ratings. ` +
            "Each user's taste is planted: half are director fans, whose ratings of their favourite director's " +
            `films are shifted by ${signed(o.like)} and of every other film by ${signed(o.dislike)}, whatever ` +
            'the genre; the other half are genre fans, the same with a favourite genre. No model is told which ' +
            'user is which, or which director or genre they favour.',
          `It split the ratings ${run.split} (training, validation, test), trained ${run.results.length} models ` +
            `on the training part (early stopping on validation where a model has it) and scored them on the ` +
            `test ratings. ${e.model} is the attention model: for every user it learns a distribution of ` +
            'attention over item features, and predicts from the features it attends to.',
        ],
      },
      {
        heading: 'The models compared',
        table: {
          caption: `Test scores on ${run.datasetId}; lower RMSE and MAE are better, higher NDCG@10 is better.`,
          headers: ['model', 'RMSE', 'MAE', 'NDCG@10', 'fit s'],
          rows: run.results.map((r) => [
            r.model,
            r.rmse.toFixed(4),
            r.mae.toFixed(4),
            r.ndcg10 === null ? '-' : r.ndcg10.toFixed(4),
            r.fitSeconds.toFixed(2),
          ]),
          emphasisedRow: run.results.findIndex((r) => r.model === e.model),
        },
      },
      {
        heading: 'Explaining one prediction',
        paragraphs: [
          `The first test rating whose film has its user's planted feature: user ${e.user}, ` +
            `a ${e.taste} fan whose ratings depend on ${e.plantedFeature}.`,
        ],
        figure: {
          svg: attentionPicture(asExplanation, {
            title: `${e.model}: ${e.user}'s attention over the features of "${e.itemTitle}"`,
            subtitles: [`planted taste: ${e.plantedFeature} (green)`],
            heading: "Attention over the film's features (GAU, Eq. 2)",
            highlight: e.plantedFeature,
          }),
          caption: explanationHeadline(e),
        },
        preformatted: explanationText(e),
      },
      {
        heading: `${e.user}'s attention over every feature`,
        paragraphs: [
          `AFM-GAU's attention depends on the user only (Eq. 2); the explanation above is this distribution ` +
            `over the ${e.userAttention.length} item features of the data set, restricted to the film's own ` +
            "features (the paper's Fig. 1 draws it for two users).",
        ],
        figure: {
          svg: attentionPicture(
            { ...asExplanation, groups: [{ name: 'all item features', weights: e.userAttention }] },
            {
              title: `${e.model}: ${e.user}'s attention over all ${e.userAttention.length} item features`,
              subtitles: [`planted taste: ${e.plantedFeature} (green)`],
              heading: 'Attention over every feature of the data set (AFM-GAU Fig. 1)',
              highlight: e.plantedFeature,
            },
          ),
          caption:
            `${e.plantedFeature} has rank ${e.plantedAmongAllFeatures.rank} of ${e.plantedAmongAllFeatures.count}, ` +
            `${(100 * e.plantedAmongAllFeatures.weight).toFixed(1)}% against ` +
            `${(100 * e.plantedAmongAllFeatures.uniform).toFixed(1)}% if uniform.`,
        },
      },
      {
        heading: 'Did the attention find the planted tastes?',
        paragraphs: summaryText(e.summary).split('\n'),
      },
      {
        heading: 'What to run next',
        commands: [
          {
            command: `npx heed demo --seed ${run.seed + 1}`,
            what: 'The same demo on another seed: other data, other split, other initialisation.',
          },
          {
            command: `npx heed train --model ${e.model} --dataset ${run.datasetId} --seed ${run.seed}${sets} --out models/afm-demo`,
            what: `Train and save the demo's ${e.model} model.`,
          },
          {
            command: `npx heed explain --model-dir models/afm-demo --user ${e.user} --item ${e.item}`,
            what: 'Explain the same prediction from the saved model (any user and item work).',
          },
          {
            command: 'npx heed data fetch ml-100k',
            what: 'Download MovieLens 100K (about 5 MB, GroupLens terms apply).',
          },
          {
            command: `npx heed evaluate --model ${e.model} --dataset ml-100k --split u1`,
            what: 'The attention model on real ratings, with the genres as item features.',
          },
          { command: 'npx heed models', what: 'Every model, its paper and its settings.' },
        ],
      },
    ],
  });
}

/** Bars of the all-features picture: more would crowd the slanted labels of the stand-in bar chart. */

function signed(x: number): string {
  return x >= 0 ? `+${x}` : `−${-x}`;
}
