/**
 * Node module-customization hooks that let Node load tfjs-core's ES-module sources
 * (`@tensorflow/tfjs-core/dist/**.js`), used only to reach `register_all_gradients.js`.
 *
 * Why: the CommonJS bundle Node resolves `@tensorflow/tfjs-core` to (`tf-core.node.js`) has no
 * gradients; only the ES-module sources register them, and those files import each other without
 * file extensions (`'../ops/mul'`) inside a package that does not say `"type": "module"`, which
 * Node refuses. These hooks add the `.js` (or `/index.js`) and declare the format. They touch
 * nothing outside tfjs-core's `dist/` folder and never the CommonJS bundle itself.
 *
 * The loaded copy shares tfjs-core's global engine and registries with the CommonJS copy (tfjs
 * keeps them on `globalThis` precisely so that several copies can coexist), so the gradients it
 * registers serve every op. See `gradients.ts`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CORE_DIST = '/@tensorflow/tfjs-core/dist/';

interface ResolveContext {
  readonly parentURL?: string;
}
interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
  readonly shortCircuit?: boolean;
}
interface LoadContext {
  readonly format?: string | null;
}
interface LoadResult {
  readonly format: string;
  readonly source?: string | ArrayBuffer | Uint8Array;
  readonly shortCircuit?: boolean;
}

function isCoreSource(url: string): boolean {
  return url.includes(CORE_DIST) && !url.endsWith('.node.js');
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context?: ResolveContext) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  const parent = context.parentURL;
  if (
    parent !== undefined &&
    isCoreSource(parent) &&
    specifier.startsWith('.') &&
    !specifier.endsWith('.js')
  ) {
    const base = new URL(specifier, parent);
    const asFile = existsSync(fileURLToPath(base) + '.js');
    return {
      url: asFile ? `${base.href}.js` : `${base.href}/index.js`,
      format: 'module',
      shortCircuit: true,
    };
  }
  return nextResolve(specifier, context);
}

export async function load(
  url: string,
  context: LoadContext,
  nextLoad: (url: string, context?: LoadContext) => Promise<LoadResult>,
): Promise<LoadResult> {
  if (isCoreSource(url)) return nextLoad(url, { ...context, format: 'module' });
  return nextLoad(url, context);
}
