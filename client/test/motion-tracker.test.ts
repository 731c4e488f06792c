import { MotionTracker } from '../stream/motion-tracker';

describe('MotionTracker', () => {
  it('one large change alone is sent as planned; a second one within the window is motion, halved', () => {
    const motion = new MotionTracker({ motionWindowMs: 500 });
    expect(motion.decide(true, 1000)).toBe('as-planned');
    expect(motion.decide(true, 1400)).toBe('halve');
    expect(motion.decide(true, 1450)).toBe('halve');
    expect(motion.needsRepair).toBe(true);
  });

  it('large changes further apart than the window are not motion', () => {
    const motion = new MotionTracker({ motionWindowMs: 500 });
    expect(motion.decide(true, 1000)).toBe('as-planned');
    expect(motion.decide(true, 1501)).toBe('as-planned');
    expect(motion.needsRepair).toBe(false);
  });

  it('after halved updates, the first update that is not motion is the repair, and only that one', () => {
    const motion = new MotionTracker({ motionWindowMs: 500 });
    motion.decide(true, 0);
    motion.decide(true, 30);
    expect(motion.decide(false, 60)).toBe('repair');
    expect(motion.needsRepair).toBe(false);
    expect(motion.decide(false, 90)).toBe('as-planned');
  });

  it('a large change long after the motion repairs too (it goes sharp, not halved)', () => {
    const motion = new MotionTracker({ motionWindowMs: 500 });
    motion.decide(true, 0);
    motion.decide(true, 30);
    expect(motion.decide(true, 2000)).toBe('repair');
    expect(motion.decide(true, 2030)).toBe('halve'); // and a new motion starts
  });
});
