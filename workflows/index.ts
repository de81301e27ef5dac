export { invoiceWorkflow } from './invoice';
