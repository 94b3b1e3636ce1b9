import { describe, expect, it } from 'vitest';
import { finalAnswerOf, splitSteps } from '../../src-main/core/data/split-steps';

describe('splitSteps', () => {
  it('splits on "Step N" markers and keeps the final answer as its own step', () => {
    const r = splitSteps(
      'Step 1: Restate the question.\n   - Does the protein have quaternary structure?\n\n' +
        'Step 2: Gather evidence from the image.\n   - One chain of seven helices.\n   - 3. no subunits\n\n' +
        'Step 3: Reason.\n   - A single chain has none.\n\nFinal answer: B',
    );
    expect(r.steps).toEqual([
      'Step 1: Restate the question.\n   - Does the protein have quaternary structure?',
      'Step 2: Gather evidence from the image.\n   - One chain of seven helices.\n   - 3. no subunits',
      'Step 3: Reason.\n   - A single chain has none.',
      'Final answer: B',
    ]);
    expect(r.finalAnswer).toBe('B');
  });

  it('reads markdown step headings, and a short lead-in joins the first step', () => {
    const r = splitSteps(
      "Let's analyze the question step by step:\n\n### Step 1: Restate the question\nWe need h.\n\n" +
        '### Step 2: Reason\nh = 2.37 m.\n\n**Final answer:** B',
    );
    expect(r.steps).toEqual([
      "Let's analyze the question step by step:\n### Step 1: Restate the question\nWe need h.",
      '### Step 2: Reason\nh = 2.37 m.',
      '**Final answer:** B',
    ]);
    expect(r.finalAnswer).toBe('B');
  });

  it('splits "1." markers at line starts, drops a [Reasoning] tag, and separates a closing paragraph', () => {
    const r = splitSteps(
      '[Reasoning]\nFrom the confusion matrix: TP = 100, FN = 5.\n\n' +
        '1. Accuracy = 150 / 165 = 0.91 → True\n\n2. TPR = 100 / 105 = 0.95 → True\n   1. (a nested item stays)\n\n' +
        'Therefore statements 1 and 2 are correct.\n\nAnswer: C',
    );
    expect(r.steps).toEqual([
      'From the confusion matrix: TP = 100, FN = 5.',
      '1. Accuracy = 150 / 165 = 0.91 → True',
      '2. TPR = 100 / 105 = 0.95 → True\n   1. (a nested item stays)',
      'Therefore statements 1 and 2 are correct.',
      'Answer: C',
    ]);
    expect(r.finalAnswer).toBe('C');
  });

  it('falls back to blank-line blocks', () => {
    const r = splitSteps(
      'The base is 4 and the height is 3.\n\nArea = 1/2 * 4 * 3 = 6.\r\n\r\nThe answer is 6.\n\nAnswer: (A) 6',
    );
    expect(r.steps).toEqual(['The base is 4 and the height is 3.', 'Area = 1/2 * 4 * 3 = 6.', 'The answer is 6.', 'Answer: (A) 6']);
    expect(r.finalAnswer).toBe('(A) 6');
  });

  it('splits inline enumerations "1) ... 2) ..." but not f(1) or (1)', () => {
    const r = splitSteps('We check three things: 1) the axes start at 0 2) the legend is blue 3) f(1) = 2 holds (1) as given.');
    expect(r.steps).toEqual([
      'We check three things: 1) the axes start at 0',
      '2) the legend is blue',
      '3) f(1) = 2 holds (1) as given.',
    ]);
    expect(r.finalAnswer).toBeUndefined();
  });

  it('a single line is one step; an empty response has none', () => {
    expect(splitSteps('D')).toEqual({ steps: ['D'] });
    expect(splitSteps('  \n ')).toEqual({ steps: [] });
    expect(splitSteps('Answer: B')).toEqual({ steps: ['Answer: B'], finalAnswer: 'B' });
  });

  it('needs two markers in sequence: a lone "Step 1" or "2." is not a list', () => {
    expect(splitSteps('Step 1 is to read the chart.\nIt shows 5.\n\nSo 5.').steps).toEqual([
      'Step 1 is to read the chart.\nIt shows 5.',
      'So 5.',
    ]);
    expect(splitSteps('2. is the value.\n\n2020. was the year.').steps).toEqual(['2. is the value.', '2020. was the year.']);
  });

  it('finalAnswerOf reads only a trailing answer line', () => {
    expect(finalAnswerOf('so x = 5\nFinal Answer: 5')).toBe('5');
    expect(finalAnswerOf('The answer is clear: 5')).toBeUndefined();
    expect(finalAnswerOf('Answer:')).toBeUndefined();
  });
});
