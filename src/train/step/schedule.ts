/** Learning-rate schedules `train --lr-schedule` accepts. */
export const LR_SCHEDULES = ['cosine', 'constant'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/**
 * The learning rate of optimizer step `step` (0-based) out of `totalSteps`: `constant` keeps `peak`;
 * `cosine` starts at `peak` and follows half a cosine down towards 0 at the last step, so the final
 * epochs take small steps instead of hopping around the minimum at full rate. Pure, so every
 * data-parallel replica computes the same rate.
 */
export function learningRateAt(peak: number, schedule: LrSchedule, step: number, totalSteps: number): number {
  if (schedule === 'constant' || totalSteps <= 1) return peak;
  return peak * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
}
