/**
 * Finding and binding XGBoost's shared library (`libxgboost`) through the FFI package `koffi`.
 *
 * Nothing is loaded when Heed is imported: `xgboost()` loads koffi and the library on first use and
 * keeps them for the life of the process. The search order is `HEED_XGBOOST_LIB` (a full path),
 * then the platform's usual names (Debian's `libxgboost0` installs `libxgboost.so.0`; Homebrew
 * installs `libxgboost.dylib`). When nothing loads, the error says exactly how to install it.
 *
 * Signatures follow XGBoost 1.7's `include/xgboost/c_api.h` (`bst_ulong` is `uint64_t`; handles are
 * `void *`, which koffi 3 hands to JavaScript as a bigint address).
 */
import { createRequire } from 'node:module';
import { HeedError } from '../util/errors.js';
import { XGBoostError } from './errors.js';

type Koffi = typeof import('koffi');

/** A native `DMatrixHandle` or `BoosterHandle`: an address owned by XGBoost. */
export type NativeHandle = bigint;
/** A raw pointer XGBoost returned (into its own thread-local buffers); copy before the next call. */
export type NativePointer = bigint | null;
/** koffi's way of passing an output parameter: a one-element array it fills in. */
export type Out<T> = [T];

/** The C functions Heed calls, typed. Every `int` result is 0 on success, -1 on failure. */
export interface XGBoostBindings {
  XGBGetLastError(): string;
  XGBoostVersion(major: Out<number>, minor: Out<number>, patch: Out<number>): void;
  XGDMatrixCreateFromMat(
    data: Float32Array,
    nrow: number,
    ncol: number,
    missing: number,
    out: Out<NativeHandle | null>,
  ): number;
  XGDMatrixSetFloatInfo(handle: NativeHandle, field: string, data: Float32Array, len: number): number;
  XGDMatrixNumRow(handle: NativeHandle, out: Out<number | bigint>): number;
  XGDMatrixNumCol(handle: NativeHandle, out: Out<number | bigint>): number;
  XGDMatrixFree(handle: NativeHandle): number;
  XGBoosterCreate(dmats: NativeHandle[] | null, len: number, out: Out<NativeHandle | null>): number;
  XGBoosterFree(handle: NativeHandle): number;
  XGBoosterSetParam(handle: NativeHandle, name: string, value: string): number;
  XGBoosterUpdateOneIter(handle: NativeHandle, iter: number, dtrain: NativeHandle): number;
  XGBoosterEvalOneIter(
    handle: NativeHandle,
    iter: number,
    dmats: NativeHandle[],
    names: string[],
    len: number,
    out: Out<string | null>,
  ): number;
  XGBoosterPredictFromDMatrix(
    handle: NativeHandle,
    dmat: NativeHandle,
    config: string,
    outShape: Out<NativePointer>,
    outDim: Out<number | bigint>,
    outResult: Out<NativePointer>,
  ): number;
  XGBoosterBoostedRounds(handle: NativeHandle, out: Out<number>): number;
  XGBoosterSaveModel(handle: NativeHandle, path: string): number;
  XGBoosterLoadModel(handle: NativeHandle, path: string): number;
  XGBoosterSaveModelToBuffer(
    handle: NativeHandle,
    config: string,
    outLen: Out<number | bigint>,
    outData: Out<NativePointer>,
  ): number;
  XGBoosterLoadModelFromBuffer(handle: NativeHandle, data: Uint8Array, len: number): number;
  XGBoosterSetAttr(handle: NativeHandle, key: string, value: string | null): number;
  XGBoosterGetAttr(handle: NativeHandle, key: string, out: Out<string | null>, success: Out<number>): number;
}

/** The C prototypes, in koffi's syntax (`_Out_` marks output parameters). */
const PROTOTYPES: Record<keyof XGBoostBindings, string> = {
  XGBGetLastError: 'const char *XGBGetLastError(void)',
  XGBoostVersion: 'void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)',
  XGDMatrixCreateFromMat:
    'int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out)',
  XGDMatrixSetFloatInfo:
    'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)',
  XGDMatrixNumRow: 'int XGDMatrixNumRow(void *handle, _Out_ uint64_t *out)',
  XGDMatrixNumCol: 'int XGDMatrixNumCol(void *handle, _Out_ uint64_t *out)',
  XGDMatrixFree: 'int XGDMatrixFree(void *handle)',
  XGBoosterCreate: 'int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)',
  XGBoosterFree: 'int XGBoosterFree(void *handle)',
  XGBoosterSetParam: 'int XGBoosterSetParam(void *handle, const char *name, const char *value)',
  XGBoosterUpdateOneIter: 'int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)',
  XGBoosterEvalOneIter:
    'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **evnames, uint64_t len, _Out_ const char **out_result)',
  XGBoosterPredictFromDMatrix:
    'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, _Out_ void **out_shape, _Out_ uint64_t *out_dim, _Out_ void **out_result)',
  XGBoosterBoostedRounds: 'int XGBoosterBoostedRounds(void *handle, _Out_ int *out)',
  XGBoosterSaveModel: 'int XGBoosterSaveModel(void *handle, const char *fname)',
  XGBoosterLoadModel: 'int XGBoosterLoadModel(void *handle, const char *fname)',
  XGBoosterSaveModelToBuffer:
    'int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *out_len, _Out_ void **out_dptr)',
  XGBoosterLoadModelFromBuffer:
    'int XGBoosterLoadModelFromBuffer(void *handle, const void *buf, uint64_t len)',
  XGBoosterSetAttr: 'int XGBoosterSetAttr(void *handle, const char *key, const char *value)',
  XGBoosterGetAttr:
    'int XGBoosterGetAttr(void *handle, const char *key, _Out_ const char **out, _Out_ int *success)',
};

export interface XGBoostVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** A loaded library: its bindings, where it came from, its version, and helpers over koffi. */
export interface XGBoostLibrary {
  readonly path: string;
  readonly version: XGBoostVersion;
  readonly fn: XGBoostBindings;
  /** Throws an `XGBoostError` with `XGBGetLastError()`'s text when `rc` is not 0. */
  check(rc: number, call: keyof XGBoostBindings): void;
  /** Copies `count` float32 values out of XGBoost-owned memory. */
  copyFloats(pointer: NativePointer, count: number): Float32Array;
  /** Copies `count` bytes out of XGBoost-owned memory. */
  copyBytes(pointer: NativePointer, count: number): Uint8Array;
  /** Reads `count` uint64 values (shapes) out of XGBoost-owned memory. */
  readUint64s(pointer: NativePointer, count: number): number[];
}

/** One place the loader looked and why it failed there. */
export interface LoadAttempt {
  readonly path: string;
  readonly error: string;
}

export const XGBOOST_LIB_ENV = 'HEED_XGBOOST_LIB';

/** Where to look, in order, for a platform (the env path, when set, is tried alone). */
export function libraryCandidates(platform: NodeJS.Platform, envPath: string | undefined): string[] {
  if (envPath !== undefined && envPath.trim() !== '') return [envPath];
  switch (platform) {
    case 'darwin':
      return [
        'libxgboost.dylib',
        '/opt/homebrew/lib/libxgboost.dylib',
        '/opt/homebrew/opt/xgboost/lib/libxgboost.dylib',
        '/usr/local/lib/libxgboost.dylib',
        '/usr/local/opt/xgboost/lib/libxgboost.dylib',
      ];
    case 'win32':
      return ['xgboost.dll'];
    default:
      return ['libxgboost.so.0', 'libxgboost.so'];
  }
}

/**
 * The message shown when XGBoost cannot be loaded: where Heed looked, why each failed, and the
 * exact commands that install the library on each platform.
 */
export function xgboostInstallMessage(
  platform: NodeJS.Platform,
  envPath: string | undefined,
  attempts: readonly LoadAttempt[],
): string {
  const usedEnv = envPath !== undefined && envPath.trim() !== '';
  const libFile =
    platform === 'darwin' ? 'libxgboost.dylib' : platform === 'win32' ? 'xgboost.dll' : 'libxgboost.so';
  const lines = [
    usedEnv
      ? `XGBoost's shared library could not be loaded from ${XGBOOST_LIB_ENV}=${envPath}.`
      : "XGBoost's shared library (libxgboost) was not found; RSAttAE's rating stage needs it.",
    'Tried:',
    ...attempts.map((a) => `  ${a.path}: ${a.error}`),
    'Install it in one of these ways:',
    '  Debian/Ubuntu:  sudo apt-get install libxgboost0',
    '  macOS:          brew install xgboost',
    '  With Python:    pip install xgboost',
    `                  export ${XGBOOST_LIB_ENV}="$(python3 -c "import xgboost.libpath as p; print(p.find_lib_path()[0])")"`,
    `                  (the wheel keeps it at <site-packages>/xgboost/lib/${libFile})`,
    `Or set ${XGBOOST_LIB_ENV} to the full path of any libxgboost you built (XGBoost 1.7 or newer).`,
  ];
  return lines.join('\n');
}

let loaded: XGBoostLibrary | undefined;

/** The XGBoost library, loaded on first call. Throws a `HeedError` with install help if absent. */
export function xgboost(): XGBoostLibrary {
  loaded ??= loadLibrary(process.platform, process.env[XGBOOST_LIB_ENV]);
  return loaded;
}

/** Whether XGBoost can be loaded here; for tests and feature checks that must not throw. */
export function xgboostAvailable(): { ok: true; library: XGBoostLibrary } | { ok: false; reason: string } {
  try {
    return { ok: true, library: xgboost() };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function loadKoffi(): Koffi {
  // koffi is a native add-on; requiring it lazily keeps `import 'heed'` working where it can't load.
  const require = createRequire(import.meta.url);
  try {
    return require('koffi') as Koffi;
  } catch (e) {
    throw new HeedError(
      `the npm package "koffi" (needed to call XGBoost) could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * XGBoost runs on OpenMP (libgomp), whose idle threads spin at full speed by default while they
 * wait for work. When other processes share the cores that spinning steals their time, and XGBoost
 * slows down many times over (a 60-round toy model: 0.07-0.2 s passive, 1-3.6 s spinning, on a busy
 * 2-core machine). libgomp reads OMP_WAIT_POLICY once, when it is loaded with libxgboost, so it is set
 * here, before loading, unless the user chose a policy. Set OMP_WAIT_POLICY=active to spin.
 */
function preferPassiveOpenMP(): void {
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.OMP_WAIT_POLICY = 'PASSIVE';
  }
}

function loadLibrary(platform: NodeJS.Platform, envPath: string | undefined): XGBoostLibrary {
  const koffi = loadKoffi();
  preferPassiveOpenMP();
  const attempts: LoadAttempt[] = [];
  for (const path of libraryCandidates(platform, envPath)) {
    let lib: ReturnType<Koffi['load']>;
    try {
      lib = koffi.load(path);
    } catch (e) {
      attempts.push({ path, error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    return bind(koffi, lib, path);
  }
  throw new HeedError(xgboostInstallMessage(platform, envPath, attempts));
}

function bind(koffi: Koffi, lib: ReturnType<Koffi['load']>, path: string): XGBoostLibrary {
  const bindings: Partial<Record<keyof XGBoostBindings, unknown>> = {};
  for (const [name, prototype] of Object.entries(PROTOTYPES)) {
    try {
      bindings[name as keyof XGBoostBindings] = lib.func(prototype);
    } catch (e) {
      throw new HeedError(
        `${path} is not a usable XGBoost library (XGBoost 1.7 or newer is needed): ` +
          `${name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const fn = bindings as XGBoostBindings;
  const major: Out<number> = [0];
  const minor: Out<number> = [0];
  const patch: Out<number> = [0];
  fn.XGBoostVersion(major, minor, patch);
  const version = { major: major[0], minor: minor[0], patch: patch[0] };
  if (version.major < 1 || (version.major === 1 && version.minor < 7)) {
    throw new HeedError(
      `${path} is XGBoost ${version.major}.${version.minor}.${version.patch}; Heed needs 1.7 or newer ` +
        `(set ${XGBOOST_LIB_ENV} to a newer libxgboost)`,
    );
  }
  return {
    path,
    version,
    fn,
    check(rc, call) {
      if (rc !== 0) throw new XGBoostError(call, fn.XGBGetLastError());
    },
    copyFloats(pointer, count) {
      if (count === 0 || pointer === null) return new Float32Array(0);
      return new Float32Array(koffi.view(pointer, count * 4)).slice();
    },
    copyBytes(pointer, count) {
      if (count === 0 || pointer === null) return new Uint8Array(0);
      return new Uint8Array(koffi.view(pointer, count)).slice();
    },
    readUint64s(pointer, count) {
      if (count === 0 || pointer === null) return [];
      return Array.from(new BigUint64Array(koffi.view(pointer, count * 8)), (v) => Number(v));
    },
  };
}
