import { z } from 'zod';

/**
 * The exported rows, field for field. Field names and meanings follow the DreamPRM reference
 * code (MC/Tree_generation.py writes train rows, inference/meta_data_generation.py meta rows)
 * and TRL's stepwise-supervision dataset layout; `weight` (and, on meta rows, `dataset` and
 * `ground_truth`, which DreamPRM's train rows already use) are our additions.
 */
export const EXPORT_FORMATS = ['dreamprm-train', 'trl', 'dreamprm-meta'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

// One image as a string (as the reference writes it); none or several as a list.
const imagePath = z.union([z.string().min(1), z.array(z.string().min(1))]);
const unit = z.number().min(0).max(1);

/** One row per step of a CoT. */
export const dreamprmTrainRow = z.strictObject({
  /** the CoT: rows sharing an id form one instance */
  id: z.number().int().nonnegative(),
  /** step number, from 1 */
  sid: z.number().int().positive(),
  /** the question */
  input: z.string().min(1),
  /** the response up to and including step sid (steps joined by blank lines) */
  add: z.string().min(1),
  ground_truth: z.string().nullable(),
  image_path: imagePath,
  /** the domain */
  dataset: z.string().min(1),
  /** rollouts from this prefix that reached the answer */
  score: z.number().nonnegative(),
  /** rollouts made (K) */
  times: z.number().int().positive(),
  /** score / times: the Monte Carlo label m (a human label, where given, instead) */
  accuracy: unit,
  /** the learned weight of this instance (the same on all its rows) */
  weight: z.number(),
});
export type DreamprmTrainRow = z.infer<typeof dreamprmTrainRow>;

/** One line per CoT, as TRL's PRMTrainer reads stepwise supervision. */
export const trlRow = z.strictObject({
  prompt: z.string().min(1),
  completions: z.array(z.string().min(1)).min(1),
  labels: z.array(z.boolean()).min(1),
  weight: z.number(),
  images: z.array(z.string().min(1)),
}).refine((r) => r.labels.length === r.completions.length, { error: 'labels and completions differ in length', path: ['labels'] });
export type TrlRow = z.infer<typeof trlRow>;

/** One row per CoT of the meta pool. */
export const dreamprmMetaRow = z.strictObject({
  /** the question: rows sharing an id are CoTs of one question */
  id: z.number().int().nonnegative(),
  /** whether the CoT's final answer is right */
  true_false: z.boolean(),
  /** the question, a blank line, then the whole response with "Step N:" markers and "Final answer:" */
  input: z.string().min(1),
  image_path: imagePath,
  dataset: z.string().min(1),
  ground_truth: z.string().nullable(),
});
export type DreamprmMetaRow = z.infer<typeof dreamprmMetaRow>;

export const SCHEMAS: Record<ExportFormat, z.ZodType> = {
  'dreamprm-train': dreamprmTrainRow,
  trl: trlRow,
  'dreamprm-meta': dreamprmMetaRow,
};

/** The file each format writes into the output folder. */
export const FILE_NAMES: Record<ExportFormat, string> = {
  'dreamprm-train': 'train.json',
  trl: 'train.jsonl',
  'dreamprm-meta': 'meta.json',
};
