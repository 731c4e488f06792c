import { TechnicianPanel } from './panel';
import { Preferences } from './preferences';

/** The technician page's entry point. */
function main(): void {
  let store: Storage | undefined;
  try {
    store = window.localStorage;
  } catch {
    store = undefined; // storage blocked by the browser's privacy settings
  }
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  new TechnicianPanel(new Preferences(store), languages).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
