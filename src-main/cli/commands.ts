import type { Command } from 'commander';
import { register as registerImport } from './import-command';
import { register as registerSample } from './sample-command';
import { register as registerServe } from './serve-command';
import { register as registerGenerate } from './generate-command';
import { register as registerLabel } from './label-command';
import { register as registerEmbed } from './embed-command';
import { register as registerScore } from './score-command';
import { register as registerExport } from './export-command';
import { register as registerImportScores } from './import-scores-command';
import { register as registerTrain } from './train-command';
import { register as registerRuns } from './runs-command';
import { register as registerJobs } from './jobs-command';
import { register as registerEval } from './eval-command';
import { register as registerProbe } from './probe-command';
import { register as registerDemo } from './demo-command';
import { register as registerAnnotations } from './annotations-command';
import { register as registerBench } from './bench-command';
import { register as registerDoctor } from './doctor-command';
import { register as registerManage } from './manage-command';
import { register as registerDomains } from './domains-command';

/** Each CLI command registers itself here; one line per command module. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerImport,
  registerSample,
  registerServe,
  registerGenerate,
  registerLabel,
  registerEmbed,
  registerScore,
  registerExport,
  registerImportScores,
  registerTrain,
  registerRuns,
  registerJobs,
  registerEval,
  registerProbe,
  registerDemo,
  registerBench,
  registerAnnotations,
  registerDoctor,
  registerManage,
  registerDomains,
];
