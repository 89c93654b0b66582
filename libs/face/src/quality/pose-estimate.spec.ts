import { ARCFACE_TEMPLATE_112 } from '../models/builtin-manifests';
import { estimatePose } from './pose-estimate';

const TEMPLATE = ARCFACE_TEMPLATE_112.flat();

function rotate(points: number[], degrees: number): number[] {
  const a = (degrees * Math.PI) / 180;
  return points.map((_, i) => {
    const [x, y] = [points[i - (i % 2)]!, points[i - (i % 2) + 1]!];
    return i % 2 === 0 ? Math.cos(a) * x - Math.sin(a) * y : Math.sin(a) * x + Math.cos(a) * y;
  });
}

describe('estimatePose', () => {
  it('reads the ArcFace template as near-frontal', () => {
    const pose = estimatePose(TEMPLATE);
    expect(Math.abs(pose.yaw)).toBeLessThan(3);
    expect(Math.abs(pose.roll)).toBeLessThan(1);
    expect(Math.abs(pose.pitch)).toBeLessThan(10);
  });

  it('gives roll from the eye line, leaving yaw alone', () => {
    const pose = estimatePose(rotate(TEMPLATE, 30));
    expect(pose.roll).toBeCloseTo(30, 0);
    expect(Math.abs(pose.yaw)).toBeLessThan(3);
  });

  it('turns a nose shifted towards one eye into a large yaw of that sign', () => {
    const turned = [...TEMPLATE];
    turned[4] = 70; // nose tip almost under the image-right eye
    expect(estimatePose(turned).yaw).toBeGreaterThan(35);
    turned[4] = 40;
    expect(estimatePose(turned).yaw).toBeLessThan(-35);
  });
});
