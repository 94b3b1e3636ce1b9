/**
 * Step splitting of free-form chains of thought (ALGORITHM.md, "Step splitting"):
 *  1. a trailing "Answer: X" / "Final answer: X" line is its own final step;
 *  2. split on top-level "Step N" markers at line starts, else on numbered markers ("1." / "1)")
 *     at line starts, else on blank-line blocks;
 *  3. then split inline enumerations ("1) ... 2) ...") inside each piece.
 * Marker text stays in the step ("Step 2: ..." reads better than a bare body, and it is what the
 * reference feeds its PRM); a lone tag line such as "[Reasoning]" is dropped.
 */
export interface SplitResult {
  steps: string[];
  /** the X of a trailing "Final answer: X" / "Answer: X" line */
  finalAnswer?: string;
}

const ANSWER_LINE = /^[#>*\s-]*(?:the\s+)?(?:final\s+answer|answer)\s*\**\s*(?:is\s*)?[:：]\s*(.*)$/i;
// "Step 3", "### Step 3:", "**Step 3.**", "STEP 3 —" at the very start of a line.
const STEP_MARKER = /^(?:#{1,6}\s*)?(?:\*\*)?step\s*(\d+)\b/i;
// "1." or "2)" at column 0 followed by text; "1.5" (a number) is not a marker.
const NUMBER_MARKER = /^(?:\*\*)?(\d{1,3})[.)](?:\*\*)?\s+\S/;
const TAG_LINE = /^\[[^\]\n]{1,40}\]$/;

export function splitSteps(response: string): SplitResult {
  const lines = response.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  while (lines.length && !lines[0].trim()) lines.shift();
  if (lines.length && TAG_LINE.test(lines[0].trim())) lines.shift();

  let finalLine: string | undefined;
  const finalAnswer = lines.length ? answerOfLine(lines[lines.length - 1]) : undefined;
  if (finalAnswer !== undefined) finalLine = lines.pop()!.trim();

  const body = splitBody(lines);
  const steps = body.flatMap(splitInlineEnumeration).map((s) => s.trim()).filter(Boolean);
  if (finalLine) steps.push(finalLine);
  return finalAnswer === undefined ? { steps } : { steps, finalAnswer };
}

/** The X of "Final answer: X" / "Answer: X" when that is the text's last line. */
export function finalAnswerOf(text: string): string | undefined {
  const lines = text.trimEnd().split('\n');
  return answerOfLine(lines[lines.length - 1]);
}

function answerOfLine(line: string): string | undefined {
  const m = ANSWER_LINE.exec(line.trim());
  const value = m?.[1].replace(/^[*\s]+|[*\s]+$/g, '');
  return value || undefined;
}

function splitBody(lines: string[]): string[] {
  const stepStarts = markerLines(lines, (l) => STEP_MARKER.exec(l));
  if (stepStarts.length >= 2) return cutAtMarkers(lines, stepStarts, false);
  const numberStarts = markerLines(lines, (l) => NUMBER_MARKER.exec(l));
  if (numberStarts.length >= 2) return cutAtMarkers(lines, numberStarts, true);
  return blankLineBlocks(lines.join('\n'));
}

/** Line indices of markers numbered 1, 2, 3, ... in order (a "3." inside step 1 is skipped). */
function markerLines(lines: string[], match: (line: string) => RegExpExecArray | null): number[] {
  const starts: number[] = [];
  let expected = 1;
  lines.forEach((line, i) => {
    const m = match(line);
    if (!m) return;
    const n = Number(m[1]);
    if (n === expected) {
      starts.push(i);
      expected++;
    } else if (n === 1 && starts.length === 1) {
      // A second list restarting at 1 before a "2": the earlier "1." was a stray; use this one.
      starts[0] = i;
    }
  });
  return starts;
}

function cutAtMarkers(lines: string[], starts: number[], numberedList: boolean): string[] {
  const pieces: string[] = [];
  const preamble = lines.slice(0, starts[0]).join('\n').trim();
  for (let s = 0; s < starts.length; s++) {
    const end = s + 1 < starts.length ? starts[s + 1] : lines.length;
    pieces.push(lines.slice(starts[s], end).join('\n').trim());
  }
  // A numbered list's items are paragraphs; an unindented paragraph after the last item is a
  // conclusion of its own. ("Step N" sections run to the next marker or the answer.)
  if (numberedList) {
    const last = pieces.pop()!;
    const [item, ...after] = last.split(/\n[ \t]*\n(?=\S)/);
    pieces.push(item, ...after.flatMap((p) => blankLineBlocks(p)));
  }
  // A short lead-in ("Let's go step by step:") belongs to the first step; real content before
  // the first marker (facts read off the image, say) is a step of its own.
  const lead = blankLineBlocks(preamble);
  const last = lead[lead.length - 1];
  if (last !== undefined && !last.includes('\n') && last.length <= 100 && /[:：]$/.test(last)) {
    pieces[0] = `${lead.pop()}\n${pieces[0]}`;
  }
  return [...lead, ...pieces];
}

function blankLineBlocks(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
}

// "1)" preceded by the start or whitespace and followed by a space: "f(1)" or "(1)" is no marker.
const INLINE_MARKER = /(?<=^|\s)(\d{1,2})\)\s/g;

/** "We check: 1) the axes 2) the legend" → ["We check: 1) the axes", "2) the legend"]. */
function splitInlineEnumeration(piece: string): string[] {
  const cuts: number[] = [];
  let expected = 1;
  for (const m of piece.matchAll(INLINE_MARKER)) {
    if (Number(m[1]) !== expected) continue;
    cuts.push(m.index);
    expected++;
  }
  if (cuts.length < 2) return [piece];
  const parts: string[] = [];
  // The lead-in before "1)" stays with the first item.
  for (let i = 0; i < cuts.length; i++) {
    const from = i === 0 ? 0 : cuts[i];
    const to = i + 1 < cuts.length ? cuts[i + 1] : piece.length;
    parts.push(piece.slice(from, to));
  }
  return parts;
}
