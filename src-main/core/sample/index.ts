/** The built-in sample: a multimodal reasoning corpus whose label quality is known. */
export { defaultSampleConfig, loadSampleConfig, parseSampleConfig, type SampleConfig } from './config';
export { renderContactSheet, type ContactSheetOptions } from './contact-sheet';
export {
  CORPUS_FILE,
  DEFAULT_SAMPLE_SEED,
  GENERATOR_VERSION,
  generateSample,
  IMAGES_DIR,
  TRUTH_FILE,
  type GenerateSampleOptions,
  type SampleDomainSummary,
  type SampleSummary,
} from './generate';
