/**
 * The invoice as a document (PDF, pdfkit): seller, buyer, number and dates, line items, total, paid
 * and due, the payment plan, how to pay, and a stamp for PAID / OVERDUE / VOID. The same document
 * for the API (`GET /v1/invoices/{id}/pdf`), the customer's pay page and reminder e-mails.
 * Amounts come formatted from integer minor units (domain/money.ts); nothing here does float math.
 */
import PDFDocument from 'pdfkit';
import { Invoice, PlannedPayment, type Contact, type Tenant } from '../db';
import { notFound } from '../domain/errors';
import { formatMoney } from '../domain/money';
import { installmentStandings, installmentStandingText } from '../domain/plan';
import { payPageUrl } from '../lib/pay-links';
import { getCompanySettings, type CompanyDetails } from './company-settings';
import type { ServiceDeps, TenantContext } from './context';
import { customerUrls, invoiceByPayToken } from './pay-links';
import { owedOn, settledAmount } from '../domain/invoice';

export interface InvoiceDocument {
  invoice: Invoice & { contact: Contact; tenant: Tenant };
  /** In instalment order. */
  plan: PlannedPayment[];
  company: CompanyDetails;
  /** The invoice's pay page, printed as where to pay online; omitted when unknown. */
  payUrl?: string;
}

export interface Pdf {
  filename: string;
  content: Buffer;
}

type EmOnly = Pick<ServiceDeps, 'em'>;

/** `invoice-INV-000001.pdf`; characters a file name cannot hold (the number's "/") become "-". */
export const invoicePdfFilename = (number: string) => `invoice-${number.replace(/[^A-Za-z0-9._-]/g, '-')}.pdf`;

/** Everything the document shows, for an invoice of `tenantId` (a 404 when it has no such invoice). */
export async function loadInvoiceDocument(deps: EmOnly, tenantId: string, invoiceId: string, payUrl?: string): Promise<InvoiceDocument> {
  const invoice = await deps.em.findOne(Invoice, { id: invoiceId, tenant: tenantId }, { populate: ['contact', 'tenant'], refresh: true });
  if (!invoice) throw notFound('invoice', invoiceId);
  return documentOf(deps, invoice as InvoiceDocument['invoice'], payUrl);
}

async function documentOf(deps: EmOnly, invoice: InvoiceDocument['invoice'], payUrl?: string): Promise<InvoiceDocument> {
  const [plan, company] = await Promise.all([
    deps.em.find(PlannedPayment, { invoice: invoice.id, tenant: invoice.tenant.id }, { orderBy: { seq: 'asc' } }),
    getCompanySettings(deps, invoice.tenant),
  ]);
  return { invoice, plan, company, ...(payUrl ? { payUrl } : {}) };
}

export async function invoicePdf(deps: ServiceDeps, tenant: TenantContext, invoiceId: string): Promise<Pdf> {
  const doc = await loadInvoiceDocument(deps, tenant.id, invoiceId);
  doc.payUrl = (await customerUrls(deps, tenant, [invoiceId])).get(invoiceId);
  return { filename: invoicePdfFilename(doc.invoice.number), content: await renderInvoicePdf(doc) };
}

/** The customer's copy from the pay page: the token opens exactly this invoice. */
export async function payPagePdf(deps: ServiceDeps, token: string): Promise<Pdf> {
  const invoice = (await invoiceByPayToken(deps, token)) as InvoiceDocument['invoice'];
  const doc = await documentOf(deps, invoice, payPageUrl(deps.config, token));
  return { filename: invoicePdfFilename(invoice.number), content: await renderInvoicePdf(doc) };
}

/** The stamp an invoice carries; an open one has none. */
export function invoiceStamp(status: string): 'PAID' | 'OVERDUE' | 'VOID' | null {
  return status === 'paid' ? 'PAID' : status === 'overdue' ? 'OVERDUE' : status === 'void' ? 'VOID' : null;
}

const STAMP_COLOR = { PAID: '#1a7f37', OVERDUE: '#cf222e', VOID: '#6e7781' } as const;
const INK = '#1f2328';
const MUTED = '#656d76';
const RULE = '#d0d7de';

/**
 * Renders the PDF in memory (an invoice is a page or two). The standard Helvetica fonts need no
 * font files; they cover the Latin-1 range (WinAnsi), so names in other scripts print wrongly.
 */
export function renderInvoicePdf(d: InvoiceDocument, opts: { now?: Date } = {}): Promise<Buffer> {
  const { invoice: inv, company } = d;
  const money = (amount: number) => formatMoney(amount, inv.currency);
  const sellerName = company.legalName ?? inv.tenant.name;
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    bufferPages: true,
    info: { Title: `Invoice ${inv.number}`, Author: sellerName, Subject: `Invoice ${inv.number} to ${inv.contact.name}`, CreationDate: opts.now ?? new Date() },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const left = pdf.page.margins.left;
  const right = pdf.page.width - pdf.page.margins.right;
  const width = right - left;
  const bottom = () => pdf.page.height - pdf.page.margins.bottom;
  const ensure = (height: number) => {
    if (pdf.y + height > bottom()) pdf.addPage();
  };

  // Seller (left) and the invoice's identity (right).
  const top = pdf.y;
  pdf.fillColor(INK).font('Helvetica-Bold').fontSize(14).text(sellerName, left, top, { width: width * 0.55 });
  pdf.font('Helvetica').fontSize(9).fillColor(MUTED);
  if (company.legalName && company.legalName !== inv.tenant.name) pdf.text(inv.tenant.name, { width: width * 0.55 });
  if (company.address) pdf.text(company.address, { width: width * 0.55 });
  if (company.taxId) pdf.text(`Tax ID: ${company.taxId}`, { width: width * 0.55 });
  const sellerBottom = pdf.y;

  const boxX = left + width * 0.6;
  const boxW = width * 0.4;
  pdf.fillColor(INK).font('Helvetica-Bold').fontSize(22).text('INVOICE', boxX, top, { width: boxW, align: 'right' });
  pdf.fontSize(10).font('Helvetica');
  const idRow = (label: string, value: string) => {
    const y = pdf.y;
    pdf.fillColor(MUTED).text(label, boxX, y, { width: boxW / 2 });
    pdf.fillColor(INK).text(value, boxX + boxW / 2, y, { width: boxW / 2, align: 'right' });
  };
  idRow('Invoice number', inv.number);
  idRow('Issue date', inv.issueDate);
  idRow('Due date', inv.dueDate);
  const stamp = invoiceStamp(inv.status);
  if (stamp) {
    const y = pdf.y + 8;
    const sw = 120;
    const sx = right - sw;
    pdf.save().lineWidth(2).strokeColor(STAMP_COLOR[stamp]).roundedRect(sx, y, sw, 30, 4).stroke().restore();
    pdf.fillColor(STAMP_COLOR[stamp]).font('Helvetica-Bold').fontSize(16).text(stamp, sx, y + 8, { width: sw, align: 'center' });
    pdf.y = y + 34;
  }
  pdf.y = Math.max(pdf.y, sellerBottom) + 24;

  // Buyer.
  pdf.fillColor(MUTED).font('Helvetica-Bold').fontSize(9).text('BILL TO', left, pdf.y);
  pdf.fillColor(INK).font('Helvetica').fontSize(11).text(inv.contact.name);
  pdf.fontSize(10);
  if (inv.contact.company) pdf.text(inv.contact.company);
  if (inv.contact.email) pdf.fillColor(MUTED).text(inv.contact.email);
  pdf.moveDown(1.5);

  // A table: columns as [title, width share, align]; rows break onto a new page with their header.
  type Column = [string, number, 'left' | 'right'];
  const table = (columns: Column[], rows: string[][]) => {
    const xs: number[] = [];
    let x = left;
    for (const [, share] of columns) {
      xs.push(x);
      x += width * share;
    }
    const cell = (text: string, n: number, y: number) => pdf.text(text, xs[n] + 4, y, { width: width * columns[n][1] - 8, align: columns[n][2] });
    const header = () => {
      const y = pdf.y;
      pdf.font('Helvetica-Bold').fontSize(9).fillColor(MUTED);
      columns.forEach(([title], n) => cell(title, n, y));
      pdf.y = y + 14;
      pdf.save().strokeColor(RULE).moveTo(left, pdf.y).lineTo(right, pdf.y).stroke().restore();
      pdf.y += 4;
    };
    header();
    pdf.font('Helvetica').fontSize(10).fillColor(INK);
    for (const row of rows) {
      const height = Math.max(...row.map((text, n) => pdf.heightOfString(text, { width: width * columns[n][1] - 8 }))) + 6;
      if (pdf.y + height > bottom()) {
        pdf.addPage();
        header();
        pdf.font('Helvetica').fontSize(10).fillColor(INK);
      }
      const y = pdf.y;
      row.forEach((text, n) => cell(text, n, y));
      pdf.y = y + height;
    }
    pdf.save().strokeColor(RULE).moveTo(left, pdf.y).lineTo(right, pdf.y).stroke().restore();
    pdf.y += 6;
  };

  table(
    [
      ['Description', 0.52, 'left'],
      ['Qty', 0.1, 'right'],
      ['Unit price', 0.19, 'right'],
      ['Amount', 0.19, 'right'],
    ],
    inv.lineItems.map((l) => [l.description, String(l.quantity), money(l.unitAmount), money(l.amount)]),
  );

  // Totals, right-aligned under the amounts.
  ensure(100);
  const totalRow = (label: string, value: string, bold = false) => {
    const y = pdf.y;
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 12 : 10).fillColor(INK);
    pdf.text(label, left + width * 0.5, y, { width: width * 0.28, align: 'right' });
    pdf.text(value, left + width * 0.78, y, { width: width * 0.22 - 4, align: 'right' });
    pdf.y = y + (bold ? 18 : 15);
  };
  totalRow('Total', money(inv.total));
  // Credit notes and a write-off lower what is due without being paid money: shown when there are any.
  if (inv.credited > 0) totalRow('Credited', `-${money(inv.credited)}`);
  if (inv.writtenOff > 0) totalRow('Written off', `-${money(inv.writtenOff)}`);
  totalRow('Paid', money(inv.paid));
  totalRow('Due', money(owedOn(inv)), true);
  if (inv.status === 'void') pdf.font('Helvetica').fontSize(10).fillColor(MUTED).text('This invoice was cancelled: nothing is due.', left, pdf.y + 4, { width, align: 'right' });
  pdf.moveDown(1);

  if (d.plan.length > 1) {
    ensure(60);
    pdf.fillColor(INK).font('Helvetica-Bold').fontSize(12).text('Payment plan', left, pdf.y);
    pdf.moveDown(0.4);
    const standings = installmentStandings(d.plan, { paid: inv.paid, settled: settledAmount(inv) });
    table(
      [
        ['Instalment', 0.2, 'left'],
        ['Date', 0.3, 'left'],
        ['Amount', 0.25, 'right'],
        ['Status', 0.25, 'right'],
      ],
      d.plan.map((p, n) => [`${n + 1} of ${d.plan.length}`, p.date, money(p.amount), installmentStandingText(standings[n], money)]),
    );
    pdf.font('Helvetica').fontSize(9).fillColor(MUTED).text('The plan is a guide: any amount may be paid at any time.', left, pdf.y, { width });
    pdf.moveDown(1);
  }

  const payable = inv.status === 'open' || inv.status === 'overdue';
  if (payable && (company.paymentInstructions || d.payUrl)) {
    ensure(60);
    pdf.fillColor(INK).font('Helvetica-Bold').fontSize(12).text('How to pay', left, pdf.y);
    pdf.font('Helvetica').fontSize(10).moveDown(0.3);
    if (company.paymentInstructions) pdf.text(company.paymentInstructions, { width });
    if (d.payUrl) {
      pdf.moveDown(0.3).text('Pay online: ', { continued: true, width }).fillColor('#0969da').text(d.payUrl, { link: d.payUrl, underline: true });
    }
    pdf.fillColor(INK).text(`Please quote ${inv.number} with your payment.`, { width });
  }

  // Footer on every page.
  const range = pdf.bufferedPageRange();
  for (let n = range.start; n < range.start + range.count; n++) {
    pdf.switchToPage(n);
    const y = pdf.page.height - pdf.page.margins.bottom + 16;
    // Writing inside the bottom margin would add a page: lift the margin for this line.
    const margin = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    pdf.font('Helvetica').fontSize(8).fillColor(MUTED).text(`${sellerName} · Invoice ${inv.number} · Page ${n + 1} of ${range.count}`, left, y, { width, align: 'center', lineBreak: false });
    pdf.page.margins.bottom = margin;
  }
  pdf.end();
  return done;
}
