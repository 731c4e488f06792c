/**
 * The entry point of the customer's download (`npm run package:linux`): the customer's
 * window, pointed at the relay the package was built for. A double-click gives no
 * command line, so the relay comes from the build (`--relay` of scripts/package.mjs,
 * baked in as PACKAGED_RELAY_URL); `--relay` on the command line still wins.
 */
declare const PACKAGED_RELAY_URL: string;

const args = process.argv.slice(2);
if (!args.some((a) => a === '--relay' || a.startsWith('--relay='))) process.argv.splice(2, 0, '--relay', PACKAGED_RELAY_URL);
// After the arguments are in place: the window's main reads them as it loads.
require('../window/main');
