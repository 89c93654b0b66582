export interface PoseEstimate {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

const DEG = 180 / Math.PI;
// A rough head model, enough to flag profiles: nose-tip depth over half the eye distance, and where the
// nose tip sits between the eye line and the mouth line on a frontal face. Calibrated so that LFW
// (mostly near-frontal) centres on 0 with YuNet's landmarks.
const NOSE_DEPTH = 1.0;
const FRONTAL_NOSE_HEIGHT = 0.56;

/**
 * Yaw, pitch and roll (degrees) from the five landmarks [le, re, nose, lm, rm] (flat x, y pairs).
 * Positive yaw: the nose is towards the image right.
 */
export function estimatePose(landmarks: ArrayLike<number>): PoseEstimate {
  const [lx, ly, rx, ry, nx, ny, mlx, mly, mrx, mry] = Array.from({ length: 10 }, (_, i) => landmarks[i]!);
  const roll = Math.atan2(ry - ly, rx - lx);
  // Undo the roll about the eye midpoint so yaw and pitch read along the face's own axes.
  const cos = Math.cos(-roll), sin = Math.sin(-roll);
  const ex = (lx + rx) / 2, ey = (ly + ry) / 2;
  const rot = (x: number, y: number): [number, number] => [cos * (x - ex) - sin * (y - ey), sin * (x - ex) + cos * (y - ey)];
  const [l] = rot(lx, ly);
  const [r] = rot(rx, ry);
  const [n, noseY] = rot(nx, ny);
  const [, m1] = rot(mlx, mly);
  const [, m2] = rot(mrx, mry);
  const halfEyes = Math.max((r - l) / 2, 1e-6);
  // Eyes sit at ±e·cos(yaw), the nose tip at d·sin(yaw): n / e = (d / e) tan(yaw).
  const yaw = Math.atan2(n, NOSE_DEPTH * halfEyes);
  const mouth = (m1 + m2) / 2;
  const height = mouth > 1e-6 ? noseY / mouth : FRONTAL_NOSE_HEIGHT;
  const pitch = Math.asin(Math.max(-1, Math.min(1, (FRONTAL_NOSE_HEIGHT - height) * 2)));
  return { yaw: yaw * DEG, pitch: pitch * DEG, roll: roll * DEG };
}
