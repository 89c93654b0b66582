import type { AnalyzedFace, FaceAnalysis } from './face-analysis.types';
import { FaceError } from './face.error';

/** The largest indexed face (a query image's subject), or `no_face` as API.md's search and verify answer. */
export function requireLargestFace(analysis: FaceAnalysis): AnalyzedFace {
  const face = analysis.faces[0];
  if (!face) throw new FaceError('no_face', 'no usable face was found in the image');
  return face;
}
