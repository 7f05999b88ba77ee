/**
 * Heed's neural engine: backend choice, the kernels tfjs-backend-wasm lacks, parameters, layers,
 * sparse Adam and the one training loop. See docs/ENGINE.md.
 */
export { assertTrainingBackend, engineInfo, engineStarted, initEngine } from './backend.js';
export type { BackendChoice, BackendName, EngineInfo, EngineOptions } from './backend.js';
export { batchesOf, range, takeFloat32, takeInt32 } from './batch.js';
export { Adam, mergeRows } from './optimizer.js';
export type { AdamSettings, RowGradient } from './optimizer.js';
export { DenseParam, Params, TableParam } from './params.js';
export type { Init, Param, ParamOptions } from './params.js';
export { StepContext } from './step.js';
export type { RowLookup } from './step.js';
export { predictInBatches, train, trainStep } from './train-loop.js';
export type { ProgressEvent, TrainingControl } from './progress.js';
export type { TrainOptions, TrainReport, TrainSettings, TrainTask, ValidationSet } from './train-loop.js';
export { applyGradients, stepGradients, visitStepGradients } from './step-gradients.js';
export type { BufferUpdate, GradientVisitor, StepGradients } from './step-gradients.js';
export { SharedStep } from './shared-step.js';
export type { SharedSlot, SharedStepLayout } from './shared-step.js';
export { DataParallel, replicaSeed } from './data-parallel.js';
export type { ReplicaTask, TaskReplica } from './data-parallel.js';
export { declareSelfAttention, selfAttention } from './layers/attention.js';
export type { SelfAttentionLayer, SelfAttentionOptions, SelfAttentionResult } from './layers/attention.js';
export { batchNorm, declareBatchNorm } from './layers/batch-norm.js';
export type { BatchNormLayer } from './layers/batch-norm.js';
export { cin, cinOutputSize, declareCin } from './layers/cin.js';
export type { CinLayer } from './layers/cin.js';
export { activate, applyDense, declareDense, declareMlp, dense, mlp } from './layers/dense.js';
export type { Activation, DenseLayer, MlpOptions } from './layers/dense.js';
export { dropout } from './layers/dropout.js';
export { embed, embedBag } from './layers/embedding.js';
export { biInteraction, fmSecondOrder } from './layers/fm.js';
export { declareLayerNorm, layerNorm } from './layers/layer-norm.js';
export type { LayerNormLayer } from './layers/layer-norm.js';
export { gatedAttention } from './layers/gated-attention.js';
export type { GatedAttentionResult } from './layers/gated-attention.js';
export { MASKED, maskedSoftmax } from './layers/masked-softmax.js';
export { topKMask } from './layers/topk-mask.js';
export type { KeyMask } from './layers/topk-mask.js';
export { gradCheck } from './gradcheck.js';
export type { GradCheckInput, GradCheckMismatch, GradCheckOptions, GradCheckResult } from './gradcheck.js';
