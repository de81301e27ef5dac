/**
 * The tests' local fake of the Stripe API as a process, for the contract test (scripts/schemathesis.sh):
 * Stripe calls of the API under test succeed without leaving the machine. Prints `listening <port>`.
 *   tsx scripts/fake-stripe.ts PORT
 */
import { startFakeStripe } from '../test/support/stripe';

startFakeStripe({ anyKey: true, port: Number(process.argv[2] ?? 0) }).then(
  ({ port, close }) => {
    console.log(`listening ${port}`);
    const stop = () => void close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
