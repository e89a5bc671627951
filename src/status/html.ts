import { writeFile } from 'node:fs/promises';
import type { StatusData } from './read.js';
import type { Objectives } from './objectives.js';

export async function writeStatusPage(file: string, data: StatusData, _objectives: Objectives | undefined): Promise<void> {
  await writeFile(file, JSON.stringify(data));
}
