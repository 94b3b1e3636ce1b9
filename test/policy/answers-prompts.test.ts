import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answersMatch, extractFinalAnswer } from '../../src-main/core/policy/answer-match';
import { DEFAULT_TEMPLATES, loadTemplates, renderTemplate } from '../../src-main/core/policy/prompts';
import { splitSteps } from '../../src-main/core/data/split-steps';

describe('answer matching', () => {
  it('matches after normalisation', () => {
    expect(answersMatch('  The Eiffel Tower. ', 'the eiffel tower')).toBe(true);
    expect(answersMatch('Final answer: Paris', 'paris')).toBe(true);
    expect(answersMatch('London', 'Paris')).toBe(false);
    expect(answersMatch(null, 'Paris')).toBe(false);
    expect(answersMatch('', '')).toBe(false);
  });

  it('compares numbers within tolerance', () => {
    expect(answersMatch('1,234.5', '1234.5')).toBe(true);
    expect(answersMatch('0.3333', '1/3')).toBe(false);
    expect(answersMatch('0.3333', '1/3', { relTol: 1e-3 })).toBe(true);
    expect(answersMatch('3.0000000001', '3')).toBe(true);
    expect(answersMatch('3.01', '3')).toBe(false);
    expect(answersMatch('$12', '12')).toBe(true);
    expect(answersMatch('50%', '50%')).toBe(true);
    expect(answersMatch('1e-12', '0')).toBe(true);
    expect(answersMatch('1e-12', '0', { absTol: 1e-15 })).toBe(false);
  });

  it('matches multiple-choice letters however they are written', () => {
    for (const c of ['(B)', 'B', 'b.', 'B) 42 apples', 'option B', 'b:']) expect(answersMatch(c, 'B'), c).toBe(true);
    expect(answersMatch('(C)', 'B')).toBe(false);
    expect(answersMatch('a cat', 'A')).toBe(false);
  });

  it('finds the final answer of a completion', () => {
    expect(extractFinalAnswer('Step 1: x\nStep 2: y\nFinal answer: 42')).toBe('42');
    expect(extractFinalAnswer('... so the answer is: (C)\nThat is all.')).toBe('(C)');
    expect(extractFinalAnswer('Final answer: 3\nFinal answer: **7**')).toBe('7');
    expect(extractFinalAnswer('I am not sure.')).toBeNull();
  });
});

describe('prompt templates', () => {
  it('the default asks for five labelled steps and a final answer line, and splits back into them', () => {
    const p = renderTemplate(DEFAULT_TEMPLATES.solve, { question: 'How many bars?' });
    expect(p).toContain('How many bars?');
    for (let i = 1; i <= 5; i++) expect(p).toContain(`Step ${i}:`);
    expect(p).toContain('Final answer:');
    const reply = 'Step 1: a\nStep 2: b\nStep 3: c\nStep 4: d\nStep 5: e\nFinal answer: 3';
    expect(splitSteps(reply).steps).toHaveLength(6);
    const c = renderTemplate(DEFAULT_TEMPLATES.continue, { question: 'Q?', prefix: 'Step 1: a' });
    expect(c).toMatch(/Q\?[\s\S]*Step 1: a$/);
  });

  it('fills placeholders, keeps escaped braces, and loads template files', () => {
    expect(renderTemplate('{{json}} {question} / {prefix}', { question: 'Q', prefix: 'P' })).toBe('{json} Q / P');
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    const solve = join(dir, 'solve.txt');
    writeFileSync(solve, 'Think, then answer.\n{question}');
    const t = loadTemplates({ solve });
    expect(t.solve).toBe('Think, then answer.\n{question}');
    expect(t.continue).toContain('{prefix}');
    expect(t.continue.startsWith('Think, then answer.')).toBe(true);
  });

  it('refuses templates without their placeholders, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'Answer the question.');
    expect(() => loadTemplates({ solve: bad })).toThrow(/bad\.txt: the solve template has no \{question\} placeholder/);
    const cont = join(dir, 'cont.txt');
    writeFileSync(cont, '{question}');
    expect(() => loadTemplates({ continue: cont })).toThrow(/cont\.txt: the continue template has no \{prefix\}/);
    expect(() => loadTemplates({ solve: join(dir, 'nope.txt') })).toThrow(/cannot read template .*nope\.txt/);
  });
});
