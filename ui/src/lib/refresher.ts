// When a polled view (the Subscriptions inspector; Files and Schedules through usePolling)
// reads again (no React here): at once when told something ran or changed (`poke`),
// otherwise `everyMs` after each answer; never two reads at once, and
// a poke during a read makes one more read follow it at once. After an answer saying to stop
// (a deployment without the inspector), only pokes are ignored too.

export interface RefresherOptions<T> {
  read(): Promise<T>;
  /** Called with each answer; returns false to stop polling (pokes are then ignored). */
  answered(value: T): boolean;
  failed(error: unknown): void;
  everyMs: number;
  /** After a failed read. */
  retryMs: number;
}

export interface Refresher {
  poke(): void;
  stop(): void;
}

export function startRefresher<T>(options: RefresherOptions<T>): Refresher {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reading = false;
  let again = false;
  let stopped = false;
  let polling = true;

  const after = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(load, ms);
  };
  const settle = (next: number | undefined) => {
    reading = false;
    if (stopped) return;
    if (again && polling) {
      again = false;
      load();
    } else if (next !== undefined) after(next);
  };
  function load() {
    if (stopped || !polling) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    clearTimeout(timer);
    options.read().then(
      (value) => {
        if (stopped) return;
        polling = options.answered(value);
        settle(polling ? options.everyMs : undefined);
      },
      (error: unknown) => {
        if (stopped) return;
        options.failed(error);
        settle(options.retryMs);
      },
    );
  }
  load();
  return {
    poke: load,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
