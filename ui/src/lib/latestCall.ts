// "Only the newest answer counts": calls that may answer out of order (a table list read
// again, a query run twice, a view's rows) hand on an answer only while no newer call
// has begun since, and none after `drop()` (an effect's cleanup, a view closed).

export interface LatestCall {
  /** Begins a call; the check it returns stays true until a newer call begins or `drop()`. */
  begin(): () => boolean;
  /** Makes every call in flight stale. */
  drop(): void;
  /** Begins a call for `answer` and hands its value (or failure) on only while it is the newest. */
  run<T>(answer: Promise<T>, onValue: (value: T) => void, onFailure?: (error: unknown) => void): Promise<void>;
}

export function latestCall(): LatestCall {
  let newest = 0;
  const begin = () => {
    const mine = ++newest;
    return () => mine === newest;
  };
  return {
    begin,
    drop: () => void newest++,
    run: (answer, onValue, onFailure) => {
      const isNewest = begin();
      return answer.then(
        (value) => void (isNewest() && onValue(value)),
        (error: unknown) => void (isNewest() && onFailure?.(error)),
      );
    },
  };
}
