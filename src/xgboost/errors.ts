/**
 * Errors raised by XGBoost itself. Every C API call returns 0 on success and -1 on failure; on
 * failure `XGBGetLastError()` holds XGBoost's own text (thread-local, so it must be read right after
 * the failing call, on the same thread).
 */
import { HeedError } from '../util/errors.js';

export class XGBoostError extends HeedError {
  /** The C function that failed, e.g. `XGBoosterUpdateOneIter`. */
  readonly call: string;
  /** XGBoost's complete text, including its native stack trace when it printed one. */
  readonly nativeMessage: string;

  constructor(call: string, nativeMessage: string) {
    super(`XGBoost ${call} failed: ${summarizeNativeMessage(nativeMessage)}`);
    this.name = 'XGBoostError';
    this.call = call;
    this.nativeMessage = nativeMessage;
  }
}

/**
 * XGBoost's messages look like `[19:14:08] ./src/common/io.cc:102: Opening x failed: ...` followed
 * by `Stack trace:` and a dozen frames. Keep the source location and the text; drop the clock time
 * and the frames, which say nothing to a user.
 */
export function summarizeNativeMessage(text: string): string {
  const withoutTrace = text.split(/\n\s*Stack trace:/)[0] ?? text;
  const withoutClock = withoutTrace.replace(/^\[\d{2}:\d{2}:\d{2}\]\s*/, '');
  const trimmed = withoutClock.trim();
  return trimmed === '' ? '(XGBoost gave no error text)' : trimmed;
}
