/** Reads a PDF the way a person would: its text, through Debian's pdftotext (poppler-utils). */
import { execFileSync } from 'node:child_process';

/** The text in reading order with the layout kept (columns stay on their line). */
export function pdfText(pdf: Buffer | Uint8Array): string {
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { input: pdf, maxBuffer: 16 * 1024 * 1024 }).toString('utf8');
}

/** Pages of the PDF (pdfinfo). */
export function pdfPages(pdf: Buffer | Uint8Array): number {
  const info = execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8');
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}

/** The text's lines with runs of spaces collapsed, for matching a row of a table. */
export const pdfLines = (text: string) => text.split('\n').map((l) => l.trim().replace(/\s{2,}/g, '  ')).filter(Boolean);
