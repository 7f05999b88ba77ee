/**
 * Ownership of one native XGBoost handle. `dispose()` frees it at once and exactly once; a
 * FinalizationRegistry frees handles whose JavaScript owner was collected without `dispose()`, so
 * forgetting to dispose leaks only until the next garbage collection, never for good.
 */
import { UsageError } from '../util/errors.js';
import type { NativeHandle } from './library.js';

interface Finalizable {
  readonly handle: NativeHandle;
  readonly free: (handle: NativeHandle) => void;
}

const registry = new FinalizationRegistry<Finalizable>(({ handle, free }) => {
  // A failure here has nowhere to go: the owner is gone. XGBoost's Free calls do not fail in practice.
  try {
    free(handle);
  } catch {
    /* ignored on purpose */
  }
});

export class OwnedHandle {
  private current: NativeHandle | null;
  private readonly free: (handle: NativeHandle) => void;
  /** What the handle is, for the error after disposal: "DMatrix", "Booster". */
  private readonly kind: string;

  constructor(owner: object, handle: NativeHandle, kind: string, free: (handle: NativeHandle) => void) {
    this.current = handle;
    this.free = free;
    this.kind = kind;
    registry.register(owner, { handle, free }, this);
  }

  /** The live handle; throws a `UsageError` after `dispose()`. */
  get(): NativeHandle {
    if (this.current === null)
      throw new UsageError(`this ${this.kind} was disposed and cannot be used any more`);
    return this.current;
  }

  get disposed(): boolean {
    return this.current === null;
  }

  dispose(): void {
    if (this.current === null) return;
    const handle = this.current;
    this.current = null;
    registry.unregister(this);
    this.free(handle);
  }
}
