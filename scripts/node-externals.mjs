// Which npm packages the Node programs load from node_modules instead of bundling: every
// dependency but the @noble packages, which ship ES modules only and are pure JavaScript,
// so they are bundled (the CommonJS bundles then load them on any Node 20). Shared by the
// build (esbuild.config.mjs) and the customer's package (scripts/package.mjs), which must
// ship exactly the packages the build left out.
import { readFileSync } from 'node:fs';

export function nodeExternals(packageJsonPath) {
  const dependencies = Object.keys(JSON.parse(readFileSync(packageJsonPath, 'utf8')).dependencies);
  return dependencies.filter((name) => !name.startsWith('@noble/')).flatMap((name) => [name, `${name}/*`]);
}
