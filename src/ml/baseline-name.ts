/** Names of the baselines a training run can report. */
export type BaselineName = 'mean' | 'median' | 'random_forest' | 'persistence';
