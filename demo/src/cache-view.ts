// The cache panel: what is stored, how much of the quota it takes, and a remove button per version.
import { $, row } from './dom.js';
import type { Runtime } from './outpost.js';
import { formatBytes } from './stats.js';

export async function showCache(runtime: Runtime): Promise<void> {
  const [entries, usage] = await Promise.all([runtime.cache.list(), runtime.cache.usage()]);
  const tbody = $('cache').querySelector('tbody')!;
  tbody.replaceChildren();
  for (const entry of entries) {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${entry.name} ${entry.version} from the cache`);
    remove.addEventListener('click', () => {
      void runtime.cache.remove(entry.name, entry.version).then(() => showCache(runtime));
    });
    row(tbody, [entry.name, entry.version, formatBytes(entry.bytes), entry.pinned ? 'yes' : 'no', new Date(entry.lastUsed).toLocaleTimeString(), remove]);
  }
  const quota = usage.quota;
  $('cache-usage').textContent = quota
    ? `Models use ${formatBytes(usage.bytes)} of the ${formatBytes(quota)} this origin may store (${((usage.bytes / quota) * 100).toFixed(3)}%).`
    : `Models use ${formatBytes(usage.bytes)}; the browser reports no quota.`;
  const meter = $<HTMLMeterElement>('cache-meter');
  meter.max = quota ?? Math.max(1, usage.bytes);
  meter.value = usage.bytes;
}
