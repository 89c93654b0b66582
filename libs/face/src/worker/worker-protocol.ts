import type { FaceAnalysis } from '../face-analysis.types';
import type { FaceErrorCode } from '../face.error';
import type { ModelSetManifest } from '../models/model-manifest';
import type { PipelineSettings, ResolvedAnalyzeOptions } from '../pipeline/face-pipeline';

/** What a worker is started with: a resolved manifest (absolute file paths) and the pipeline settings. */
export interface WorkerInit {
  readonly manifest: ModelSetManifest;
  readonly settings: PipelineSettings;
}

export interface AnalyzeJob {
  readonly id: number;
  /** The worker's own copy (transferred): it is zero-filled when the job ends. */
  readonly bytes: Uint8Array;
  readonly options: ResolvedAnalyzeOptions;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly code: FaceErrorCode; readonly detail: string }
  | { readonly type: 'result'; readonly id: number; readonly analysis: FaceAnalysis }
  | { readonly type: 'error'; readonly id: number; readonly code: FaceErrorCode; readonly detail: string };
