import type { Static } from '@sinclair/typebox';
import type { CompanyDetails } from '../../services/company-settings';
import type { CompanySettingsResponse } from '../schemas/settings';
import { isoOrNull } from './common';

export const companySettingsJson = (c: CompanyDetails): Static<typeof CompanySettingsResponse> => ({
  legalName: c.legalName,
  address: c.address,
  taxId: c.taxId,
  paymentInstructions: c.paymentInstructions,
  defaultCurrency: c.defaultCurrency,
  invoiceNumberPrefix: c.invoiceNumberPrefix,
  invoiceNumberPadding: c.invoiceNumberPadding,
  nextInvoiceNumber: c.nextInvoiceNumber,
  reminderSubjectTemplate: c.reminderSubjectTemplate,
  reminderBodyTemplate: c.reminderBodyTemplate,
  updatedAt: isoOrNull(c.updatedAt),
});
