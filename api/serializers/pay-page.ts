import type { Static } from '@sinclair/typebox';
import type { PayPage } from '../../services/pay-page';
import type { PayPageResponse } from '../schemas/pay-page';
import { owedOn, settledAmount } from '../../domain/invoice';
import { installmentStandings } from '../../domain/plan';

/** Only what the customer needs to pay: no ids of the tenant, contact or deal, no history. */
export const payPageJson = ({ invoice: i, plan, company, card }: PayPage): Static<typeof PayPageResponse> => {
  const standings = installmentStandings(plan, { paid: i.paid, settled: settledAmount(i) });
  return {
    seller: { name: i.tenant.name, legalName: company.legalName, address: company.address, taxId: company.taxId },
    invoice: {
      number: i.number,
      currency: i.currency,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      status: i.status,
      total: i.total,
      credited: i.credited,
      paid: i.paid,
      writtenOff: i.writtenOff,
      due: owedOn(i),
      lineItems: i.lineItems,
      paymentPlan: plan.map(({ id, date, amount }, n) => ({ id, date, amount, covered: standings[n].open === 0, ...standings[n] })),
    },
    payment: { card, instructions: company.paymentInstructions },
  };
};
