/** How a `GroupCommit` forms its groups and writes one. */
interface GroupCommitOptions<Request, Result> {
  /** Requests in one group at most: enough to share the commit, few enough that one group stays short. */
  maxGroupSize: number;
  /** Groups written at once. */
  maxGroups: number;
  /**
   * Writes a group with one commit and resolves after it, with one outcome per request in the
   * group's order: its result, or an Error that is that request's own refusal. Throwing fails the
   * group as a whole. (`NoInfer`: inferred from here, `Result` would take in the refusals' types.)
   */
  write: (requests: readonly Request[]) => Promise<(NoInfer<Result> | Error)[]>;
  /** Requests with one key never share a group: the later one waits for a later group. */
  exclusiveKey?: (request: Request) => string | undefined;
  /** Whether a group's failure is one that each request written alone would meet too (the database gone). */
  failsWholeGroup?: (error: unknown) => boolean;
}

interface Waiting<Request, Result> {
  request: Request;
  done: (result: Result) => void;
  fail: (error: unknown) => void;
}

/**
 * Group commit: requests that arrive while earlier groups are being written wait, then are written
 * together, so they share one transaction and one commit (one WAL flush, one turn of any lock held
 * to commit) instead of one each. A request alone is written at once, so grouping costs nothing
 * without concurrency. Groups take the waiting requests in arrival order. Every request is answered
 * only after the write of its group has resolved, so none is answered before its commit, and one
 * request's refusal never touches the others'. Should a group fail as a whole, each of its requests
 * is written again alone, so it gets the answer it would have had alone and one request's failure is
 * its own; `failsWholeGroup` names the failures for which that would only fail again.
 */
export class GroupCommit<Request, Result> {
  readonly #options: GroupCommitOptions<Request, Result>;
  #waiting: Waiting<Request, Result>[] = [];
  #running = 0;

  constructor(options: GroupCommitOptions<Request, Result>) {
    this.#options = options;
  }

  /** Resolves with the request's result once its group has committed; rejects with its refusal or the group's failure. */
  submit(request: Request): Promise<Result> {
    return new Promise((done, fail) => {
      this.#waiting.push({ request, done, fail });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#running < this.#options.maxGroups && this.#waiting.length > 0) {
      const group = this.#take();
      this.#running++;
      void this.#write(group).finally(() => {
        this.#running--;
        this.#drain();
      });
    }
  }

  /** The next group in arrival order, skipping a request whose exclusive key the group already holds. */
  #take(): Waiting<Request, Result>[] {
    const { maxGroupSize, exclusiveKey } = this.#options;
    const group: Waiting<Request, Result>[] = [];
    const rest: Waiting<Request, Result>[] = [];
    const keys = new Set<string>();
    for (const waiting of this.#waiting) {
      const key = exclusiveKey?.(waiting.request);
      if (group.length >= maxGroupSize || (key !== undefined && keys.has(key))) {
        rest.push(waiting);
        continue;
      }
      if (key !== undefined) keys.add(key);
      group.push(waiting);
    }
    this.#waiting = rest;
    return group;
  }

  async #write(group: Waiting<Request, Result>[]): Promise<void> {
    let outcomes: (Result | Error)[];
    try {
      outcomes = await this.#options.write(group.map((waiting) => waiting.request));
    } catch (error) {
      if (group.length === 1 || this.#options.failsWholeGroup?.(error)) {
        for (const waiting of group) waiting.fail(error);
        return;
      }
      for (const waiting of group) await this.#write([waiting]);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const waiting = group[index]!;
      if (outcome instanceof Error) waiting.fail(outcome);
      else waiting.done(outcome);
    });
  }
}
