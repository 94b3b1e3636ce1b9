/** Annotation as the API hands it out. Plain data only: the renderer typechecks against these. */
import type { CotView } from '../explore/types';

export interface Settings {
  /** the name every human label is stored with; null until set */
  annotator: string | null;
  /** the OS user's name, offered when the annotator is asked the first time (null if unknown) */
  suggestedAnnotator: string | null;
}

/** One human label as given. A target is a step (stepIdx set) or the CoT's correctness. */
export interface Annotation {
  id: number;
  cotId: number;
  stepIdx: number | null;
  /** 1 (+ / correct), 0 (− / incorrect), null (label cleared) */
  value: 0 | 1 | null;
  /** what the target held before, which an undo restores */
  previous: 0 | 1 | null;
  annotator: string;
  createdAt: string;
  undoneAt: string | null;
}

export interface AnnotateRequest {
  cotId: number;
  /** null or absent: the CoT's correctness */
  stepIdx?: number | null;
  value: 0 | 1 | null;
}

export interface AnnotationResult {
  /** null when the label was already exactly this (nothing recorded) */
  annotation: Annotation | null;
  cot: CotView;
}

export interface UndoResult {
  /** null when there was nothing to undo */
  undone: Annotation | null;
  cot: CotView | null;
}

export interface AnnotationStats {
  /** labels in force (the newest live annotation of each target, when it is not a clearing) */
  stepLabels: number;
  cotLabels: number;
  /** CoTs with a label in force */
  cots: number;
  /** annotations ever recorded, and how many were undone */
  recorded: number;
  undone: number;
  promoted: number;
  /** the newest live annotations, newest first */
  recent: Annotation[];
}

export interface PromoteResult {
  /** the meta-pool domain the copies live in */
  domain: string;
  promoted: number;
  /** CoTs promoted before whose copies were brought up to date */
  updated: number;
  skipped: { cotId: number; reason: string }[];
  /** promoted CoTs that come from the test pool: their questions are no longer held out */
  fromTestPool: number;
  /** CoTs now in the annotated domain, and in the whole meta pool that training reads */
  domainCots: number;
  metaPoolCots: number;
}

export interface AnnotationExport {
  jsonl: string;
  count: number;
}
