export { invoiceWorkflow } from './invoice';
export { moneyMovementWorkflow } from './money-movement';
