import { parseSampleConfig, type SampleConfig } from '../../src-main/core/sample';

/**
 * A small configuration of the built-in sample for the features-PRM tests (CLI and browser):
 * four tasks in train, meta and test, one train domain with 40 % of its labels inverted;
 * embedded and trained in seconds.
 */
export function featuresSampleConfig(): SampleConfig {
  return parseSampleConfig({
    train: [
      { name: 'bars', tasks: ['bars'], size: 60, k: 4 },
      { name: 'count', tasks: ['count'], size: 60, k: 8 },
      { name: 'gauge', tasks: ['gauge'], size: 60, k: 8 },
      { name: 'compare-web', tasks: ['compare'], size: 60, k: 8, corruptionRate: 0.4 },
    ],
    meta: { name: 'dev', tasks: ['bars', 'count', 'gauge', 'compare'], size: 40 },
    test: [{ name: 'bench', tasks: ['bars', 'count', 'gauge', 'compare'], questions: 16, candidates: 4 }],
  });
}
