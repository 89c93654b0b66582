import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { alignAtOwnSize, alignFace, alignmentFootprint, alignmentScale } from '../alignment/face-aligner';
import type { DetectionTuning } from '../detection/detection-pyramid';
import { candidateSize, type FaceCandidate, type FaceDetector } from '../detection/face-candidate';
import { Landmark68Model } from '../detection/landmark68.model';
import { UltrafaceDetector } from '../detection/ultraface.detector';
import { YunetDetector } from '../detection/yunet.detector';
import { FaceEmbedder } from '../embedding/face-embedder';
import type { AnalyzedFace, FaceAnalysis, FaceQuality, PixelBox, Point, QualityFilter, UnindexedFace, UnindexedReason } from '../face-analysis.types';
import type { DecodeLimits, ImageHeader, JpegDecoder } from '../image/image.decoder';
import { ImageSource, type ScaledImage } from '../image/image-source';
import { type RgbImage, wipe } from '../image/rgb-image';
import type { ModelFileRef, ModelSetManifest } from '../models/model-manifest';
import { createSession, loadModelBytes } from '../models/onnx-session';
import { estimatePose, type PoseEstimate } from '../quality/pose-estimate';
import { geometricVerdict, QUALITY_THRESHOLDS, type QualityThresholds, sharpnessVerdict } from '../quality/quality-filter';
import { laplacianVariance } from '../quality/sharpness';

export interface PipelineSettings {
  readonly limits: DecodeLimits;
  /** scoreThreshold undefined: the manifest's. */
  readonly detection: Omit<DetectionTuning, 'scoreThreshold'> & { readonly scoreThreshold?: number };
  /** onnxruntime threads per session. */
  readonly threads: number;
  readonly jpegDecoder: JpegDecoder;
}

export interface ResolvedAnalyzeOptions {
  readonly maxFaces: number;
  readonly qualityFilter: QualityFilter;
  readonly minFaceSize: number;
}

/** A detection (displayed pixels) with what the quality checks need. */
interface Located {
  readonly candidate: FaceCandidate;
  readonly boxPx: PixelBox;
  readonly landmarks: Point[];
  readonly size: number;
  /** Share of the face box inside the image. */
  readonly visible: number;
}

/** A face that passed the checks that need no pixels. */
interface Accepted extends Located {
  readonly pose: PoseEstimate;
}

/** A face kept after the sharpness check, with its crop when that can serve the embedder. */
interface Measured extends Accepted {
  readonly sharpness: number;
  readonly crop?: { readonly image: RgbImage; readonly from: ScaledImage };
}

type Skip = (face: Located, reason: UnindexedReason) => void;

/** An image hashed and decoded at the detector's first scale (see FacePipeline.open). */
export interface OpenedImage {
  readonly contentSha256: string;
  readonly source: ImageSource;
}

/** The smallest face detection looks for: the caller's minimum or the quality level's, the larger. */
const detectionMinSize = (options: ResolvedAnalyzeOptions): number => Math.max(QUALITY_THRESHOLDS[options.qualityFilter].minSize, options.minFaceSize);

// A face counts as in the frame with its five points inside and this share of its box.
const MIN_VISIBLE = 0.85;

// A decode already made serves the crops if it has at least 1/1.25 of the pixels they want.
const REFINE_TOLERANCE = 1.25;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Header → detect (decoding at the scales the detector asks for) → quality → align → embed, for one
 * image on the calling thread. Small faces in a large photo are cropped from a finer decode. The worker
 * pool runs one pipeline per thread; sessions are created once and reused.
 */
export class FacePipeline {
  private constructor(
    private readonly manifest: ModelSetManifest,
    private readonly settings: PipelineSettings,
    private readonly detector: FaceDetector,
    private readonly embedder: FaceEmbedder,
  ) {}

  /** `manifest` files must be absolute paths (see resolveModelSet); each is hash-checked as it loads. */
  static async load(manifest: ModelSetManifest, settings: PipelineSettings): Promise<FacePipeline> {
    const session = (ref: ModelFileRef) => createSession(loadModelBytes(ref), settings.threads);
    const spec = manifest.detector;
    const tuning: DetectionTuning = { ...settings.detection, scoreThreshold: settings.detection.scoreThreshold ?? spec.scoreThreshold };
    const detector =
      spec.type === 'yunet'
        ? new YunetDetector(await session(spec), spec, tuning)
        : new UltrafaceDetector(await session(spec), spec, new Landmark68Model(await session(spec.landmarks), spec.landmarks), tuning);
    const embedder = new FaceEmbedder(await session(manifest.embedder), manifest.embedder);
    return new FacePipeline(manifest, settings, detector, embedder);
  }

  /**
   * Runs every stage once or twice on synthetic pixels (no photo involved): onnxruntime's first runs
   * and V8's compilation of the pixel loops otherwise land on the first real images (a fresh gateway's
   * first searches took ~2x longer). Detection runs on a generated JPEG (decode, pyramid, mirror pass,
   * NMS); alignment, sharpness and the embedder on a crop of it, since the image holds no face.
   */
  async warmUp(rounds = 2): Promise<void> {
    const size = 256;
    const pixels = new Uint8Array(size * size * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 9)) & 0xff;
    const jpeg = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg().toBuffer();
    const image: RgbImage = { data: pixels, width: size, height: size };
    const template = this.embedder.template;
    const landmarks = template.points.map((v) => v * 1.5 + 40);
    for (let i = 0; i < rounds; i++) {
      await this.analyze(jpeg, { maxFaces: 1, qualityFilter: 'none', minFaceSize: 0 });
      const { crop } = alignAtOwnSize(image, landmarks, template);
      laplacianVariance(crop);
      (await this.embedder.embed(crop)).fill(0);
    }
  }

  async analyze(bytes: Uint8Array, options: ResolvedAnalyzeOptions): Promise<FaceAnalysis> {
    return this.analyzeOpened(await this.open(bytes, options), options);
  }

  /**
   * The first part of an analysis: hash, header and the detector's first decode. The decode runs on
   * libvips' threads, so a worker starts it for its next image while this thread runs the models on
   * the current one. The caller must pass the result to analyzeOpened(), which wipes it.
   */
  async open(bytes: Uint8Array, options: ResolvedAnalyzeOptions): Promise<OpenedImage> {
    const contentSha256 = createHash('sha256').update(bytes).digest('hex');
    const source = await ImageSource.open(bytes, this.settings.limits, this.settings.jpegDecoder);
    try {
      await source.at(this.detector.firstScale(source.header, detectionMinSize(options)));
    } catch (error) {
      source.wipe();
      throw error;
    }
    return { contentSha256, source };
  }

  /** The rest of the analysis (detection, quality, alignment, embedding); wipes the image's buffers. */
  async analyzeOpened({ contentSha256, source }: OpenedImage, options: ResolvedAnalyzeOptions): Promise<FaceAnalysis> {
    const header = source.header;
    try {
      const thresholds = QUALITY_THRESHOLDS[options.qualityFilter];
      const candidates = await this.detector.detect(source, detectionMinSize(options));
      const unindexed: UnindexedFace[] = [];
      const skip = (face: Located, reason: UnindexedReason) =>
        unindexed.push({ reason, box: relativeBox(face.boxPx, header), boxPx: face.boxPx, score: round2(face.candidate.score) });
      const located = candidates.map((c) => locate(c, header)).sort((a, b) => b.size - a.size);
      const accepted = screen(located, header, thresholds, options.minFaceSize, skip);
      const kept = this.measureSharpness(source, accepted, thresholds, options.maxFaces, skip);
      const faces = await this.embed(source, kept, header);
      return {
        contentSha256,
        format: header.format,
        width: header.width,
        height: header.height,
        modelSet: { id: this.manifest.id, version: this.manifest.version },
        faces,
        unindexed,
      };
    } finally {
      source.wipe();
    }
  }

  /**
   * Sharpness on the finest decode already made (a face blurred at that size is blurred at full size
   * too, so rejects never cost a finer decode); the largest `maxFaces` sharp enough are kept.
   */
  private measureSharpness(source: ImageSource, accepted: Accepted[], thresholds: QualityThresholds, maxFaces: number, skip: Skip): Measured[] {
    const measured = source.finest();
    const kept: Measured[] = [];
    if (!measured) return kept;
    for (const face of accepted) {
      const { crop, templateSize } = alignAtOwnSize(measured.image, inDecoded(face.candidate.landmarks, measured), this.embedder.template);
      const sharpness = laplacianVariance(crop);
      const verdict = sharpnessVerdict(sharpness, thresholds) ?? (kept.length >= maxFaces ? 'exceeds_max_faces' : undefined);
      if (verdict || !templateSize) wipe(crop);
      if (verdict) skip(face, verdict);
      else kept.push({ ...face, sharpness, crop: templateSize ? { image: crop, from: measured } : undefined });
    }
    return kept;
  }

  /**
   * Crops from one decode fine enough that no face is upsampled more than it must be, then embeddings.
   * A finer decode made only for the crops covers just the faces' footprints (see ImageSource.region).
   */
  private async embed(source: ImageSource, kept: Measured[], header: ImageHeader): Promise<AnalyzedFace[]> {
    const faces: AnalyzedFace[] = [];
    if (kept.length === 0) return faces;
    const template = this.embedder.template;
    const footprints = kept.map((f) => alignmentFootprint(f.candidate.landmarks, template));
    const cropSource = await source.region(Math.max(...kept.map((f) => alignmentScale(f.candidate.landmarks, template))), REFINE_TOLERANCE, {
      x1: Math.min(...footprints.map((b) => b.x1)),
      y1: Math.min(...footprints.map((b) => b.y1)),
      x2: Math.max(...footprints.map((b) => b.x2)),
      y2: Math.max(...footprints.map((b) => b.y2)),
    });
    for (const face of kept) {
      // The sharpness crop serves when it was cut from this same image at the template's size.
      const crop = face.crop?.from === cropSource ? face.crop.image : alignFace(cropSource.image, inDecoded(face.candidate.landmarks, cropSource), template);
      try {
        const score = round2(face.candidate.score);
        const quality: FaceQuality = {
          size: Math.round(face.size),
          score,
          sharpness: Math.round(face.sharpness),
          yaw: Math.round(face.pose.yaw),
          pitch: Math.round(face.pose.pitch),
          roll: Math.round(face.pose.roll),
        };
        const embedding = await this.embedder.embed(crop);
        faces.push({ box: relativeBox(face.boxPx, header), boxPx: face.boxPx, landmarks: face.landmarks, score, quality, embedding });
      } finally {
        wipe(crop, face.crop?.image);
      }
    }
    return faces;
  }
}

/** The checks that need no pixels: size, confidence, in frame, pose. */
function screen(located: Located[], header: ImageHeader, thresholds: QualityThresholds, minFaceSize: number, skip: Skip): Accepted[] {
  const accepted: Accepted[] = [];
  for (const face of located) {
    const pose = estimatePose(face.candidate.landmarks);
    const inFrame = face.visible >= MIN_VISIBLE && face.landmarks.every((p) => p.x >= 0 && p.y >= 0 && p.x < header.width && p.y < header.height);
    const verdict = geometricVerdict({ size: face.size, score: face.candidate.score, inFrame, ...pose }, thresholds, minFaceSize);
    if (verdict) skip(face, verdict);
    else accepted.push({ ...face, pose });
  }
  return accepted;
}

/** Displayed-pixel landmarks in the pixels of a decoded image or region (pixel centres kept). */
function inDecoded(landmarks: Float32Array, decoded: ScaledImage): Float32Array {
  return landmarks.map((v, i) => (i % 2 === 0 ? (v + 0.5) * decoded.scaleX - 0.5 - decoded.left : (v + 0.5) * decoded.scaleY - 0.5 - decoded.top));
}

function relativeBox(box: PixelBox, header: ImageHeader) {
  return { left: box.x / header.width, top: box.y / header.height, width: box.width / header.width, height: box.height / header.height };
}

/** The box clipped to the image (a face cut by the frame keeps its own size for the quality checks). */
function locate(candidate: FaceCandidate, header: ImageHeader): Located {
  const { x1, y1, x2, y2 } = candidate;
  const left = Math.max(0, x1), top = Math.max(0, y1);
  const right = Math.min(header.width, x2), bottom = Math.min(header.height, y2);
  const landmarks: Point[] = [];
  for (let k = 0; k < 5; k++) {
    landmarks.push({ x: round2(candidate.landmarks[2 * k]!), y: round2(candidate.landmarks[2 * k + 1]!) });
  }
  return {
    candidate,
    boxPx: { x: round2(left), y: round2(top), width: round2(Math.max(0, right - left)), height: round2(Math.max(0, bottom - top)) },
    landmarks,
    size: candidateSize(candidate),
    visible: ((right - left) * (bottom - top)) / Math.max(1e-9, (x2 - x1) * (y2 - y1)),
  };
}
