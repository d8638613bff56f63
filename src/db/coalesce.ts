// In-flight coalescing: while a batch is running, further requests wait, and the next batch takes
// them all at once. Under low load every request runs alone and at once (no timer, no added
// latency); under load one statement serves many callers. DataLoader batches only what arrives
// within one tick and would run several small batches side by side; here the in-flight batch
// itself is the window, so the batch grows with the load and the statements stay few.

export interface CoalesceOptions {
  /** Most requests in one batch (default 500). */
  maxBatch?: number;
  /** Batches running at once (default 1). */
  maxInFlight?: number;
}

/**
 * `run` gets the waiting inputs in arrival order and returns one output per input, in the same
 * order. A batch that fails rejects each of its callers with the error.
 */
export function coalesce<I, O>(
  run: (inputs: I[]) => Promise<O[]>,
  opts: CoalesceOptions = {},
): (input: I) => Promise<O> {
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.maxInFlight ?? 1;
  const waiting: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;
  const pump = () => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      inFlight++;
      Promise.resolve()
        .then(() => run(batch.map((b) => b.input)))
        .then((outputs) => {
          if (outputs.length !== batch.length) throw new Error(`${outputs.length} outputs for ${batch.length} inputs`);
          batch.forEach((b, i) => b.resolve(outputs[i]!));
        })
        .catch((err: unknown) => batch.forEach((b) => b.reject(err)))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      pump();
    });
}
