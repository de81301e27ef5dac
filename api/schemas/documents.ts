/** Documents the API answers with instead of JSON. */
export const PdfResponse = {
  description: 'the invoice as a PDF (A4), named `invoice-<number>.pdf` in Content-Disposition',
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
} as const;

/** `inline` opens it in the browser's viewer; the name is what "save" proposes. */
export const pdfHeaders = (filename: string) => ({
  'content-type': 'application/pdf',
  'content-disposition': `inline; filename="${filename}"`,
  'cache-control': 'no-store',
});
