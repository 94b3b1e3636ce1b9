import type { Db } from '../store/db';
import type { ChatContentPart, ChatMessage } from './chat-client';

export interface QuestionImages {
  /** data: URLs of the stored images, in order */
  urls: string[];
  /** paths of images that were missing at import (no bytes stored) */
  missing: string[];
}

/** A question's images as data: URLs, read from the store's bytes. */
export function questionImages(db: Db, questionId: number): QuestionImages {
  const rows = db
    .prepare(
      `SELECT qi.path, i.mime, i.bytes FROM question_images qi LEFT JOIN images i ON i.id = qi.image_id
        WHERE qi.question_id = ? ORDER BY qi.ord`,
    )
    .all(questionId) as { path: string; mime: string | null; bytes: Buffer | null }[];
  const out: QuestionImages = { urls: [], missing: [] };
  for (const r of rows) {
    if (r.bytes && r.mime) out.urls.push(`data:${r.mime};base64,${r.bytes.toString('base64')}`);
    else out.missing.push(r.path);
  }
  return out;
}

/** One user turn: the images first (as most vision chat templates expect), then the prompt. */
export function userMessage(prompt: string, imageUrls: string[]): ChatMessage {
  if (!imageUrls.length) return { role: 'user', content: prompt };
  const parts: ChatContentPart[] = imageUrls.map((url) => ({ type: 'image_url', image_url: { url } }));
  parts.push({ type: 'text', text: prompt });
  return { role: 'user', content: parts };
}
