/**
 * The demo's planted-taste bookkeeping on hand-made weights and a small synthetic data set: the
 * planted feature's name, its rank among weights, the first test rating that can show it, and the
 * counts over users and predictions (with attention functions whose answers are known).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSyntheticWithTruth, matches } from '../src/data/loaders/synthetic.js';
import {
  firstPlantedRating,
  plantedFeature,
  rankOfFeature,
  summarisePlantedAttention,
} from '../src/demo/planted-attention.js';
import type { AttentionWeight } from '../src/models/model.js';

const { dataset, truth } = generateSyntheticWithTruth({ seed: 4, users: 20, items: 30, ratingsPerUser: 8 });
const director = dataset.itemFeatures.fields.find((f) => f.name === 'director');
const genre = dataset.itemFeatures.fields.find((f) => f.name === 'genre');

test('plantedFeature names the favourite director of a director fan and the favourite genre of a genre fan', () => {
  assert.ok(director !== undefined && genre !== undefined);
  const fan = truth.userCaresAbout.indexOf('director');
  const genreFan = truth.userCaresAbout.indexOf('genre');
  assert.equal(
    plantedFeature(dataset, truth, fan),
    `director=${director.vocabulary[truth.favouriteDirector[fan]]}`,
  );
  assert.equal(
    plantedFeature(dataset, truth, genreFan),
    `genre=${genre.vocabulary[truth.favouriteGenre[genreFan]]}`,
  );
  assert.match(plantedFeature(dataset, truth, fan), /^director=D\d+$/);
});

test('rankOfFeature: rank 1 is the largest weight, ties do not push a feature down, uniform is 1/count', () => {
  const weights = [
    { feature: 'a', weight: 0.2 },
    { feature: 'b', weight: 0.5 },
    { feature: 'c', weight: 0.2 },
    { feature: 'd', weight: 0.1 },
  ];
  assert.deepEqual(rankOfFeature(weights, 'b'), {
    feature: 'b',
    weight: 0.5,
    rank: 1,
    count: 4,
    uniform: 0.25,
  });
  assert.equal(rankOfFeature(weights, 'a').rank, 2);
  assert.equal(rankOfFeature(weights, 'c').rank, 2);
  assert.equal(rankOfFeature(weights, 'd').rank, 4);
  assert.throws(() => rankOfFeature(weights, 'e'), /feature "e" is not among a, b, c, d/);
});

test('firstPlantedRating: the first of the given ratings whose item has its user’s planted feature', () => {
  const all = Int32Array.from({ length: dataset.ratings.rating.length }, (_, r) => r);
  const first = firstPlantedRating(dataset, truth, all);
  assert.ok(first !== undefined);
  for (let r = 0; r < first; r++)
    assert.ok(!matches(truth, dataset.ratings.user[r], dataset.ratings.item[r]));
  assert.ok(matches(truth, dataset.ratings.user[first], dataset.ratings.item[first]));
  const none = all.filter((r) => !matches(truth, dataset.ratings.user[r], dataset.ratings.item[r]));
  assert.equal(firstPlantedRating(dataset, truth, none), undefined);
});

test('summarisePlantedAttention counts users and predictions whose planted feature comes first', () => {
  const users = dataset.users.ids.length;
  // Users 0..4 put their planted feature first; the others put "item id" first.
  const userAttention = (u: number): AttentionWeight[] => {
    const planted = plantedFeature(dataset, truth, u);
    return [
      { feature: 'item id', weight: u < 5 ? 0.1 : 0.6 },
      { feature: 'director=D1', weight: planted === 'director=D1' ? 0.3 : 0.05 },
      ...(planted === 'director=D1' ? [] : [{ feature: planted, weight: u < 5 ? 0.3 : 0.2 }]),
    ];
  };
  // Every prediction puts the planted feature first.
  const itemAttention = (u: number): AttentionWeight[] => [
    { feature: 'item id', weight: 0.2 },
    { feature: plantedFeature(dataset, truth, u), weight: 0.8 },
  ];
  const ratings = Int32Array.from({ length: dataset.ratings.rating.length }, (_, r) => r);
  const s = summarisePlantedAttention(dataset, truth, userAttention, itemAttention, ratings);
  assert.equal(s.users.cases, users);
  assert.equal(s.users.top, 5);
  assert.equal(s.directorFans.cases + s.genreFans.cases, users);
  assert.equal(s.directorFans.top + s.genreFans.top, 5);
  const matching = ratings.filter((r) =>
    matches(truth, dataset.ratings.user[r], dataset.ratings.item[r]),
  ).length;
  assert.deepEqual(s.predictions, { cases: matching, top: matching });
});
