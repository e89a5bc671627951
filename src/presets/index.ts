/** Every preset `restorable init` knows, by name. One file per app; each cites the app's backup documentation. */
import { gamevault } from './gamevault.js';
import { immich } from './immich.js';
import { paperless } from './paperless.js';
import type { Preset } from './preset.js';
import { stash } from './stash.js';
import { vaultwarden } from './vaultwarden.js';
import { vodum } from './vodum.js';

export const presets: readonly Preset[] = [immich, stash, gamevault, vodum, vaultwarden, paperless];

export function presetNamed(name: string): Preset | undefined {
  return presets.find((p) => p.name === name.toLowerCase());
}
