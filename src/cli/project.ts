import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProjectConfig } from '../app/index.js';
import { loadProjectConfig } from '../app/index.js';

/** Loads a pipeline project given as its folder or its `lakestream.yaml`. */
export async function loadProject(project: string): Promise<ProjectConfig> {
  const path = resolve(project);
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'lakestream.yaml') : path;
  return loadProjectConfig(file);
}
