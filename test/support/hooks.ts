/**
 * One resource per test file (a stack, a harness, …), set up by jest hooks so test files don't repeat
 * the same `let x; beforeAll(...); afterAll(...)` block.
 *
 * `perFile(create, close)` registers `beforeAll(create)` and `afterAll(close)` where it is called (call it
 * at the top level of a test file, where the block used to be) and returns a stand-in for the resource.
 * The stand-in forwards every property read to the resource once `beforeAll` has created it, so tests use
 * it exactly like the resource itself (`stack.app.inject(...)`, `createTestTenant(stack)`, `h.orm`).
 * Reading it before `beforeAll` has run (e.g. at module load) throws.
 */
export interface PerFileOptions<T> {
  /** Runs after the resource is closed (or was never created). */
  close(resource: T): Promise<void> | void;
  /** Registered as `beforeEach` (e.g. to reset a fake between tests). */
  beforeEach?(resource: T): Promise<void> | void;
}

export function perFile<T extends object>(create: () => Promise<T>, opts: PerFileOptions<T>): T {
  let resource: T | undefined;
  beforeAll(async () => {
    resource = await create();
  });
  afterAll(async () => {
    if (resource) await opts.close(resource);
  });
  const { beforeEach: reset } = opts;
  if (reset) beforeEach(() => reset(current()));
  const current = (): T => {
    if (!resource) throw new Error('used before beforeAll created it (or after it failed)');
    return resource;
  };
  return forwardTo(current);
}

/** An object that forwards property reads (and writes) to `target()`, evaluated on each access. */
export function forwardTo<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get(_, prop) {
      const t = target();
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
    set(_, prop, value) {
      return Reflect.set(target(), prop, value);
    },
    has(_, prop) {
      return Reflect.has(target(), prop);
    },
  });
}
