/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the service's request and reply bodies. They
 * describe what the handlers already build (`ExplainReply`, `RecommendReply`, `RawPrediction`...):
 * `test/serve-openapi.test.ts` validates real replies against them, so a field added to a reply
 * without being added here fails a test (objects are closed with `additionalProperties: false`).
 */
import type { JsonSchema } from './endpoint.js';

/** A `$ref` to one of `SCHEMAS`, as it appears in the OpenAPI document. */
export const ref = (name: keyof typeof SCHEMAS): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const rawId = { type: 'string', minLength: 1, description: 'A raw id, as in the data files' };
const rating = { type: 'number', description: 'Predicted rating, clipped to the rating scale' };

/** A closed object whose listed properties are all required except `optional`. */
function object(
  properties: Record<string, JsonSchema>,
  optional: readonly string[] = [],
  description?: string,
): JsonSchema {
  return {
    type: 'object',
    ...(description === undefined ? {} : { description }),
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

const prediction = {
  user: rawId,
  item: rawId,
  rating,
  coldStart: {
    enum: ['none', 'user', 'item', 'both'],
    description: 'Which side had no training ratings',
  },
  source: {
    enum: ['model', 'fallback'],
    description: 'Who answered: the model, or the cold-start fallback',
  },
};

const weight = object({ feature: { type: 'string' }, weight: { type: 'number' } });

const explainedGroup = object(
  {
    name: { type: 'string' },
    kind: {
      enum: ['attention', 'contribution'],
      description: 'attention: non-negative shares; contribution: signed parts of the prediction',
    },
    weights: { type: 'array', items: weight, description: 'Largest first' },
    total: { type: 'integer', minimum: 0, description: 'Weights in the group before `top` cut it' },
    sum: { type: 'number', description: 'Sum of all the weights before the cut' },
  },
  [],
);

const review = object(
  {
    user: rawId,
    item: rawId,
    rating: { type: 'number' },
    weight: { type: 'number' },
    distance: { type: 'number' },
    text: { type: 'string' },
  },
  ['distance'],
);

const count = { type: 'integer', minimum: 0 };

const histogramBin = object(
  {
    from: { type: 'number' },
    to: { type: 'number' },
    count,
  },
  [],
  'Ratings equal to `from` when `from` = `to`, else in [from, to) (the last bin: [from, to])',
);

/** Counts, sparsity and histogram of a set of ratings (`src/data/rating-statistics.ts`). */
const ratingStatistics = (histogram: JsonSchema): JsonSchema =>
  object({
    users: count,
    items: count,
    ratings: count,
    sparsity: { type: 'number', minimum: 0, maximum: 1, description: '1 − ratings / (users × items)' },
    histogram,
  });

const explainedReviews = object({
  name: { type: 'string' },
  total: { type: 'integer', minimum: 0 },
  reviews: { type: 'array', items: review },
});

export const SCHEMAS = {
  Error: object(
    { error: { type: 'string', description: 'What went wrong, naming the parameter or field' } },
    [],
    'Every error reply, whatever its status',
  ),
  Health: object(
    {
      status: { const: 'ok' },
      model: { type: 'string' },
      dataset: { type: 'string' },
      users: { type: 'integer', minimum: 0 },
      items: { type: 'integer', minimum: 0 },
      trainingRatings: { type: 'integer', minimum: 0 },
      scale: object({ min: { type: 'number' }, max: { type: 'number' } }),
      handlesColdStart: { type: 'boolean' },
      explains: { type: 'boolean' },
      explainingModels: { type: 'array', items: { type: 'string' } },
      excludesRated: { type: 'boolean' },
      note: { type: 'string' },
      ratedSource: { type: 'string' },
      example: object({ user: rawId, item: rawId }),
      uptimeSeconds: { type: 'number', minimum: 0 },
      pid: { type: 'integer', description: 'Process id of the worker that answered' },
    },
    ['note', 'ratedSource', 'example'],
  ),
  Prediction: object({ model: { type: 'string' }, dataset: { type: 'string' }, ...prediction }),
  PairsRequest: object({
    pairs: {
      type: 'array',
      maxItems: 10_000,
      items: object({ user: rawId, item: rawId }),
    },
  }),
  Predictions: object({
    model: { type: 'string' },
    dataset: { type: 'string' },
    predictions: { type: 'array', items: object(prediction) },
  }),
  Explanation: object(
    {
      model: { type: 'string' },
      dataset: { type: 'string' },
      ...prediction,
      explanation: {
        oneOf: [
          { type: 'null' },
          object(
            {
              raw: { type: 'number', description: "The model's own, unclipped output" },
              groups: { type: 'array', items: explainedGroup },
              reviews: { type: 'array', items: explainedReviews },
            },
            ['reviews'],
          ),
        ],
      },
      note: { type: 'string', description: 'Why there is no explanation, when there is none' },
    },
    ['note'],
  ),
  Recommendations: object(
    {
      model: { type: 'string' },
      dataset: { type: 'string' },
      user: rawId,
      coldStart: { enum: ['none', 'user'] },
      k: { type: 'integer', minimum: 1 },
      items: {
        type: 'array',
        items: object(
          {
            item: rawId,
            title: { type: 'string', description: "The item's title, where the saved model has titles" },
            rating,
          },
          ['title'],
        ),
      },
      excludesRated: { type: 'boolean' },
      excluded: object({
        rated: { type: 'integer', minimum: 0 },
        coldItems: { type: 'integer', minimum: 0 },
      }),
      note: { type: 'string' },
    },
    ['note'],
  ),
  Models: object({
    models: {
      type: 'array',
      minItems: 1,
      items: object({
        name: { type: 'string', description: 'What the `model` query parameter says to choose it' },
        model: { type: 'string' },
        dataset: { type: 'string' },
        users: count,
        items: count,
        explains: { type: 'boolean' },
        excludesRated: { type: 'boolean' },
      }),
    },
  }),
  Users: object({
    query: { type: 'string' },
    total: { ...count, description: 'How many users match in all' },
    users: {
      type: 'array',
      items: object(
        {
          id: rawId,
          description: { type: 'string', description: "The data set's description of the user" },
          ratings: { ...count, description: 'Training ratings (0: cold start)' },
        },
        ['description'],
      ),
    },
  }),
  Statistics: object(
    {
      model: { type: 'string' },
      dataset: { type: 'string' },
      scale: object({ min: { type: 'number' }, max: { type: 'number' } }),
      all: {
        oneOf: [{ type: 'null' }, ratingStatistics({ type: 'array', items: histogramBin })],
        description: 'The whole data set; null for a model saved without statistics',
      },
      training: ratingStatistics({
        oneOf: [{ type: 'null' }, { type: 'array', items: histogramBin }],
        description: 'Null for a model saved without statistics',
      }),
      note: { type: 'string', description: 'Why some statistics are unknown, when they are' },
    },
    ['note'],
  ),
  OpenApi: {
    type: 'object',
    description: 'An OpenAPI 3.1 document',
    required: ['openapi', 'info', 'paths'],
    properties: {
      openapi: { type: 'string', pattern: '^3\\.1\\.' },
      info: { type: 'object' },
      paths: { type: 'object' },
    },
  },
} satisfies Record<string, JsonSchema>;
