import { readFileSync } from 'node:fs';
import { UserError } from '../errors';

/**
 * Prompt templates. `solve` asks for a whole solution ({question}); `continue` asks the model
 * to carry on from the first steps of one ({question}, {prefix}). The default follows
 * DreamPRM's five-step "structural thinking" layout in our own words, so that generated CoTs
 * split into the same five steps plus a "Final answer:" line.
 */
export interface PromptTemplates {
  solve: string;
  continue: string;
}

export const DEFAULT_SOLVE_TEMPLATE = `Answer the question about the image(s) below. Work through exactly five labelled steps, then give the answer.

Step 1: Say in your own words what the question asks for.
Step 2: Describe what the image shows that bears on the question (objects, labels, numbers, positions).
Step 3: Note any outside facts, definitions or formulas the question needs.
Step 4: Combine the visual evidence and that knowledge, showing each inference.
Step 5: Sum up the reasoning and state the conclusion it supports.

Start each step on a new line with "Step N:". After Step 5, write one last line of the form
Final answer: <answer>
For a multiple-choice question, the answer is the option letter only.

Question:
{question}`;

export const DEFAULT_CONTINUE_TEMPLATE = `${DEFAULT_SOLVE_TEMPLATE}

The first steps of a solution are already written below. Continue the solution from where it stops, without repeating those steps, and finish with the "Final answer:" line.

Solution so far:
{prefix}`;

export const DEFAULT_TEMPLATES: PromptTemplates = { solve: DEFAULT_SOLVE_TEMPLATE, continue: DEFAULT_CONTINUE_TEMPLATE };

/** Fills {question} and {prefix}; a literal brace pair is written {{ and }}. */
export function renderTemplate(template: string, vars: { question: string; prefix?: string }): string {
  return template.replace(/\{\{|\}\}|\{(question|prefix)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    return name === 'prefix' ? (vars.prefix ?? '') : vars.question;
  });
}

/** Checks a template names the placeholders it must have; the message names the file. */
export function checkTemplate(template: string, kind: keyof PromptTemplates, source: string): void {
  if (!template.trim()) throw new UserError(`${source}: the ${kind} template is empty`);
  if (!template.includes('{question}')) {
    throw new UserError(`${source}: the ${kind} template has no {question} placeholder: add one where the question text goes`);
  }
  if (kind === 'continue' && !template.includes('{prefix}')) {
    throw new UserError(`${source}: the continue template has no {prefix} placeholder: add one where the solution's first steps go`);
  }
}

/**
 * Loads templates from files (either may be omitted: the default is used). A solve template
 * given without a continue template gets the default continuation appended to it.
 */
export function loadTemplates(paths: { solve?: string; continue?: string }): PromptTemplates {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read template ${path}: ${(e as Error).message}`);
    }
  };
  const solve = paths.solve ? read(paths.solve) : DEFAULT_SOLVE_TEMPLATE;
  checkTemplate(solve, 'solve', paths.solve ?? 'default');
  let cont: string;
  if (paths.continue) {
    cont = read(paths.continue);
    checkTemplate(cont, 'continue', paths.continue);
  } else {
    cont = paths.solve ? `${solve.trimEnd()}\n\n${CONTINUE_SUFFIX}` : DEFAULT_CONTINUE_TEMPLATE;
  }
  return { solve, continue: cont };
}

const CONTINUE_SUFFIX = DEFAULT_CONTINUE_TEMPLATE.slice(DEFAULT_SOLVE_TEMPLATE.length).trimStart();
