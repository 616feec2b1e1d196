interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Coalesces requests to redo one piece of work per key (advance deployment 7): a request made
 * while no run is going starts one at once; requests made while a run is going share the one
 * next run, which starts when that one ends. Each caller still gets a run that started after
 * its request, so it sees every change the caller committed before asking; but a burst of N
 * requests costs two runs, not N (10,000 job reports each asking the engine to step a
 * deployment of 10,000 jobs would otherwise read those jobs 10,000 times).
 */
export class RunCoalescer<K, T> {
  private readonly keys = new Map<K, { running: boolean; queued: Waiter<T>[] }>();

  /** Runs `work` for `key`, or joins the next run of it; resolves with that run's result. */
  run(key: K, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let state = this.keys.get(key);
      if (!state) this.keys.set(key, (state = { running: false, queued: [] }));
      state.queued.push({ resolve, reject });
      if (!state.running) void this.drain(key, state, work);
    });
  }

  private async drain(key: K, state: { running: boolean; queued: Waiter<T>[] }, work: () => Promise<T>): Promise<void> {
    state.running = true;
    while (state.queued.length > 0) {
      const batch = state.queued.splice(0);
      try {
        const result = await work();
        for (const w of batch) w.resolve(result);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.keys.delete(key);
  }
}
