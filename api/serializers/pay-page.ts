import type { Static } from '@sinclair/typebox';
import type { PayPage } from '../../services/pay-page';
import type { PayPageResponse } from '../schemas/pay-page';
import { planJson } from './invoices';
import { settledAmount } from '../../domain/invoice';

/** Only what the customer needs to pay: no ids of the tenant, contact or deal, no history. */
export const payPageJson = ({ invoice: i, plan, company, card }: PayPage): Static<typeof PayPageResponse> => ({
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
    due: i.due,
    lineItems: i.lineItems,
    paymentPlan: planJson(plan, settledAmount(i)).map(({ id, date, amount, covered }) => ({ id, date, amount, covered })),
  },
  payment: { card, instructions: company.paymentInstructions },
});
